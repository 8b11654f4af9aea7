"""What Rasa saves reaches the search index and the leads, through our event broker; and a
broken database never fails the founder's message."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select

from bot.db import get_engine
from bot.leads import LeadStore
from bot.tracker_endpoints import EVENT_BROKER
from bot.tracker_store import StrictSQLTrackerStore
from bot.transcript_broker import TranscriptBroker
from bot.transcript_index import delete_conversation, record_events, transcript_messages
from tests.unit.postgres_schema import BACKENDS, database_url

TS = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp()


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def indexed(url, conversation_id=None):
    query = select(transcript_messages).order_by(transcript_messages.c.id)
    if conversation_id:
        query = query.where(transcript_messages.c.conversation_id == conversation_id)
    with get_engine(url).connect() as conn:
        return [(row.conversation_id, row.speaker, row.text) for row in conn.execute(query)]


def user(text, sender="c1", ts=TS, channel="rest", **metadata):
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": ts,
        "text": text,
        "input_channel": channel,
        "metadata": metadata,
        "parse_data": {"intent": {"name": "inform"}},
    }


def bot(text, sender="c1", ts=TS, **metadata):
    return {
        "sender_id": sender,
        "event": "bot",
        "timestamp": ts,
        "text": text,
        "metadata": metadata,
    }


def slot(name, value, sender="c1", ts=TS):
    return {"sender_id": sender, "event": "slot", "timestamp": ts, "name": name, "value": value}


def test_founder_bot_and_advisor_texts_are_indexed(url):
    record_events(
        [
            user("Vi gör cykelställ i stål"),
            bot("Hur många per år?"),
            bot("Hej, Anna här", **{"from": "advisor", "advisor": "Anna", "kind": "takeover"}),
        ],
        url,
    )
    assert indexed(url) == [
        ("c1", "founder", "Vi gör cykelställ i stål"),
        ("c1", "bot", "Hur många per år?"),
        ("c1", "advisor", "Hej, Anna här"),
    ]


def test_a_button_is_indexed_as_what_the_founder_saw(url):
    record_events(
        [
            user('/what_if_volume{"volume_multiplier": 5}', display="5x"),
            user("/affirm"),  # a payload without a title says nothing searchable
            user("   "),
            bot(None, custom={"type": "recommendation"}),
        ],
        url,
    )
    assert indexed(url) == [("c1", "founder", "5x")]
    assert LeadStore(url).get("c1") is not None  # the clicks still count as activity


@pytest.mark.parametrize(
    "channel, expected",
    [
        ("rest", "web"),
        ("slack", "slack"),
        ("socketio", "socketio"),
        (None, None),
        ("x" * 30, "x" * 20),
    ],
)
def test_the_leads_channel_comes_from_the_founders_messages(url, channel, expected):
    record_events([user("hello", channel=channel), bot("hi")], url)
    assert LeadStore(url).get("c1").channel == expected


def test_language_and_product_slots_update_the_lead(url):
    record_events(
        [
            user("hej"),
            slot("language", "sv"),
            slot("product_description", "Sensorhus i aluminium"),
            slot("language", "de"),  # not a language we speak: ignored
            slot("product_description", None),  # a reset never empties the lead
            slot("annual_volume", 500),
        ],
        url,
    )
    lead = LeadStore(url).get("c1")
    assert (lead.language, lead.product) == ("sv", "Sensorhus i aluminium")
    assert lead.last_message_at == datetime.fromtimestamp(TS, timezone.utc)


def test_other_events_and_malformed_ones_are_ignored(url):
    record_events(
        [
            {"sender_id": "c1", "event": "action", "name": "action_listen", "timestamp": TS},
            {"sender_id": "c1", "event": "session_started", "timestamp": TS},
            {"event": "user", "text": "no sender"},
            {"sender_id": 42, "event": "user", "text": "odd sender"},
            "not even a dict",
        ],
        url,
    )
    assert indexed(url) == [] and LeadStore(url).get("c1") is None


def test_nul_characters_are_dropped_rather_than_failing_on_postgresql(url):
    record_events([user("tolerans\x00 0,05")], url)
    assert indexed(url) == [("c1", "founder", "tolerans 0,05")]


def test_delete_conversation_removes_only_that_conversations_texts(url):
    record_events([user("ett", sender="a"), user("två", sender="b"), bot("tre", sender="a")], url)
    with get_engine(url).begin() as conn:
        assert delete_conversation(conn, "a") == 2
    assert indexed(url) == [("b", "founder", "två")]


# --- the broker, as Rasa loads and calls it ---------------------------------------------


async def test_the_broker_is_made_from_its_endpoint_config(url):
    broker = await TranscriptBroker.from_endpoint_config(EndpointConfig(url=url, type=EVENT_BROKER))
    assert broker.is_ready()
    broker.publish(user("Vi behöver 300 st", sender="web-1"))
    assert indexed(url) == [("web-1", "founder", "Vi behöver 300 st")]


async def test_rasa_loads_the_broker_by_its_module_path(url):
    broker = await EventBroker.create(EndpointConfig(type=EVENT_BROKER, url=url))
    assert isinstance(broker, TranscriptBroker) and broker.url == url


async def test_without_a_url_the_broker_uses_database_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'default.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    broker = await TranscriptBroker.from_endpoint_config(EndpointConfig(type=EVENT_BROKER))
    broker.publish(user("hej"))
    assert indexed(url) == [("c1", "founder", "hej")]


# Rasa's store publishes event by event after reading the stored conversation back; ours
# counts the stored events and publishes the new ones in one call: the same outcome.
@pytest.mark.parametrize("store_class", [SQLTrackerStore, StrictSQLTrackerStore])
async def test_the_sql_tracker_store_publishes_what_it_saves(url, store_class):
    broker = await EventBroker.create(EndpointConfig(type=EVENT_BROKER, url=url))
    store = store_class(Domain.empty(), host=url, event_broker=broker)
    try:
        tracker = DialogueStateTracker.from_events(
            "founder-7",
            [
                ActionExecuted("action_listen"),
                UserUttered("We make aluminium sensor housings", input_channel="rest"),
                SlotSet("language", "en"),
                BotUttered("How many a year?"),
            ],
        )
        await store.save(tracker)
        tracker.update(UserUttered("About 2000", input_channel="rest"))
        tracker.update(
            BotUttered(
                "Anna here", metadata={"from": "advisor", "advisor": "Anna", "kind": "reply"}
            )
        )
        await store.save(tracker)  # only the new events are published again
    finally:
        store.engine.dispose()
    assert indexed(url) == [
        ("founder-7", "founder", "We make aluminium sensor housings"),
        ("founder-7", "bot", "How many a year?"),
        ("founder-7", "founder", "About 2000"),
        ("founder-7", "advisor", "Anna here"),
    ]
    lead = LeadStore(url).get("founder-7")
    assert (lead.channel, lead.language) == ("web", "en")


async def test_a_database_error_is_logged_and_never_raised(tmp_path, caplog):
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    broker = await TranscriptBroker.from_endpoint_config(
        EndpointConfig(type=EVENT_BROKER, url=missing)
    )
    with caplog.at_level(logging.ERROR, logger="bot.transcript_broker"):
        broker.publish(user("min hemliga produktidé"))
        broker.publish({"sender_id": "c1", "event": "action", "name": "action_listen"})
    assert "1 events not recorded (user;" in caplog.text
    assert "hemliga" not in caplog.text  # the founder's words stay out of the logs


async def test_a_broker_failure_does_not_stop_rasa_saving_the_tracker(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    broker = await TranscriptBroker.from_endpoint_config(EndpointConfig(type=EVENT_BROKER, url=url))

    def broken(*args, **kwargs):
        raise RuntimeError("index is down")

    monkeypatch.setattr("bot.transcript_broker.record_events", broken)
    store = SQLTrackerStore(Domain.empty(), host=url, event_broker=broker)
    try:
        await store.save(DialogueStateTracker.from_events("c9", [UserUttered("hej")]))
        saved = await store.retrieve("c9")
    finally:
        store.engine.dispose()
    assert saved.latest_message.text == "hej"


class Collecting(EventBroker):
    """A broker with only Rasa's `publish`, as any other broker would be."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_a_broker_without_publish_many_gets_each_new_event_once(tmp_path):
    broker = Collecting()
    store = StrictSQLTrackerStore(
        Domain.empty(), host=f"sqlite:///{tmp_path / 'rasa.db'}", event_broker=broker
    )
    try:
        tracker = DialogueStateTracker.from_events("c3", [UserUttered("hej"), BotUttered("Hej!")])
        await store.save(tracker)
        tracker.update(UserUttered("500 st"))
        await store.save(tracker)
    finally:
        store.engine.dispose()
    assert [(e["sender_id"], e["event"], e["text"]) for e in broker.published] == [
        ("c3", "user", "hej"),
        ("c3", "bot", "Hej!"),
        ("c3", "user", "500 st"),
    ]
