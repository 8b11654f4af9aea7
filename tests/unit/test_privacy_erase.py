"""Erasure and retention remove everything of a conversation: Rasa's tracker events (through
Rasa's real SQL tracker store), the lead, notes, the search index and the web chat's record.
The audit log keeps that it happened, with counts and a hash, never the id or the words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import MetaData, String, Text, insert, select

from bot import privacy
from bot.advisors.audit import AuditLog, erased_ref
from bot.advisors.notes import NoteStore
from bot.db import get_engine
from bot.leads import LeadStore
from bot.transcript_broker import TranscriptBroker
from bot.web.session import ChatConversations, chat_conversations
from tests.unit.postgres_schema import BACKENDS, database_url

ERASE = "founder-erase-me-1"
KEEP = "founder-keep-2"
SECRET = "Zetaflux"  # a word only the erased founder said
NOW = datetime.now(timezone.utc)
DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in ("language", "product_description")
        }
    }
)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


async def converse(store, sender: str, words: str, at: datetime) -> None:
    ts = at.timestamp()
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
    for event in (
        ActionExecuted("action_listen", timestamp=ts),
        UserUttered(words, input_channel="rest", timestamp=ts),
        SlotSet("product_description", words, timestamp=ts),
        SlotSet("language", "en", timestamp=ts),
        BotUttered(f"Noted: {words}", timestamp=ts + 1),
    ):
        tracker.update(event)
    await store.save(tracker)


@pytest.fixture
async def tracker_store(url):
    store = SQLTrackerStore(DOMAIN, host=url, event_broker=TranscriptBroker(url))
    yield store
    store.engine.dispose()


async def everything_about(url, sender, words, at=NOW, tracker_store=None):
    """A conversation as it is after some use: tracker, lead, index, notes, chat row, audit."""
    await converse(tracker_store, sender, words, at)
    LeadStore(url).save_recommendation(
        sender, "en", {"product_description": words}, "pilot", [{"id": "m-00001"}]
    )
    LeadStore(url).request_handoff(sender, "en", f"talk to a person about {words}")
    NoteStore(url).add(sender, 3, "Anna Advisor", f"Called about {words}")
    ChatConversations(url).touch(sender)
    AuditLog(url).record("status", user_id=3, conversation_id=sender, status="contacted")


def text_values(url) -> list[str]:
    """Every value of every text column of every table in the database."""
    engine = get_engine(url)
    tables = MetaData()
    tables.reflect(bind=engine)
    values = []
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if columns:
                for row in conn.execute(select(*columns)):
                    values += [value for value in row if isinstance(value, str)]
    return values


async def test_erasure_leaves_nothing_of_the_conversation(url, tracker_store):
    await everything_about(url, ERASE, f"{SECRET} housings", tracker_store=tracker_store)
    await everything_about(url, KEEP, "bike racks", tracker_store=tracker_store)
    assert any(ERASE in v for v in text_values(url)) and any(SECRET in v for v in text_values(url))

    counts = privacy.erase_conversation(ERASE, url=url, user_id=3, reason="advisor_request")

    assert counts["events"] >= 5 and counts["leads"] == 1 and counts["notes"] == 1
    assert counts["transcript_messages"] == 2 and counts["chat_conversations"] == 1
    leftovers = [v for v in text_values(url) if ERASE in v or SECRET in v]
    assert leftovers == []
    # the other conversation is untouched
    assert LeadStore(url).get(KEEP) is not None and NoteStore(url).list(KEEP)
    assert (await tracker_store.retrieve(KEEP)).latest_message.text == "bike racks"
    assert ChatConversations(url).has_messages(KEEP)
    # the log says what happened, to which (hashed) conversation, with counts only
    entries = AuditLog(url).recent()
    assert entries[0].action == "erasure" and entries[0].user_id == 3
    assert entries[0].conversation_ref == erased_ref(ERASE)
    assert entries[0].detail == {"reason": "advisor_request", **counts}
    earlier = [e.action for e in entries if e.conversation_ref == erased_ref(ERASE)]
    assert earlier == ["erasure", "status"]  # the status change before it, hashed too
    assert AuditLog(url).recent(conversation_id=KEEP)[0].action == "status"


async def test_erasing_twice_is_harmless(url, tracker_store):
    await everything_about(url, ERASE, f"{SECRET} housings", tracker_store=tracker_store)
    privacy.erase_conversation(ERASE, url=url)
    again = privacy.erase_conversation(ERASE, url=url)
    assert set(again.values()) == {0}
    assert [e.action for e in AuditLog(url).recent()][:2] == ["erasure", "erasure"]


async def test_a_founders_request_is_carried_out_after_the_quiet_period(url, tracker_store):
    await everything_about(url, ERASE, f"{SECRET} housings", tracker_store=tracker_store)
    privacy.request_erasure(ERASE, url)

    assert privacy.erase_due(url) == 0  # Rasa may still be saving the request's own reply
    assert LeadStore(url).get(ERASE) is not None
    later = datetime.now(timezone.utc) + timedelta(seconds=privacy.QUIET_SECONDS + 1)
    assert privacy.erase_due(url, now=later) == 1

    assert [v for v in text_values(url) if ERASE in v or SECRET in v] == []
    entry = AuditLog(url).recent()[0]
    assert (entry.action, entry.detail["reason"], entry.detail["erasure_requests"]) == (
        "erasure", "founder_request", 1
    )
    assert privacy.erase_due(url, now=later) == 0  # done, not repeated


async def test_the_tracker_may_live_in_another_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'ours.db'}"
    tracker_url = f"sqlite:///{tmp_path / 'rasa.db'}"
    store = SQLTrackerStore(DOMAIN, host=tracker_url, event_broker=TranscriptBroker(url))
    try:
        await converse(store, ERASE, SECRET, NOW)
        counts = privacy.erase_conversation(ERASE, url=url, tracker_url=tracker_url)
        assert counts["events"] >= 5 and counts["leads"] == 1
        assert [v for v in text_values(tracker_url) if SECRET in v] == []
        assert [v for v in text_values(url) if SECRET in v or ERASE in v] == []
    finally:
        store.engine.dispose()


async def test_retention_removes_conversations_quiet_for_longer_than_the_period(
    url, tracker_store
):
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=2)
    await everything_about(url, "old-talk", f"{SECRET} old", at=old, tracker_store=tracker_store)
    await everything_about(url, "new-talk", "bike racks", at=recent, tracker_store=tracker_store)
    # an old conversation that came back recently is judged by its latest event
    await converse(tracker_store, "came-back", "first visit", old)
    await converse(tracker_store, "came-back", "second visit", recent)
    # no tracker events: judged by the lead's last message, or the chat's
    LeadStore(url).record_activity("lead-only", at=old)
    LeadStore(url).record_activity("lead-only-recent", at=recent)
    with get_engine(url).begin() as conn:
        conn.execute(
            insert(chat_conversations).values(
                conversation_id="chat-only", started_at=old, last_message_at=old
            )
        )

    assert privacy.expire_old(url, days=365, now=NOW) == 3

    values = text_values(url)
    for gone in ("old-talk", "lead-only", SECRET, "chat-only"):
        assert [v for v in values if gone in v and "recent" not in v] == []
    for kept in ("new-talk", "came-back", "lead-only-recent"):
        assert LeadStore(url).get(kept) is not None
    assert (await tracker_store.retrieve("came-back")).latest_message.text == "second visit"
    entry = AuditLog(url).recent()[0]
    assert (entry.action, entry.conversation_ref, entry.detail["conversations"]) == (
        "retention", None, 3
    )
    assert entry.detail["days"] == 365 and entry.detail["leads"] == 2
    assert privacy.expire_old(url, days=365, now=NOW) == 0
    assert AuditLog(url).recent()[0].id == entry.id  # a run that removes nothing logs nothing


async def test_everything_expires_when_the_period_has_passed_for_all(url, tracker_store):
    await everything_about(url, "c1", "bike racks", tracker_store=tracker_store)
    assert privacy.expire_old(url, days=365, now=NOW) == 0
    assert privacy.expire_old(url, days=365, now=NOW + timedelta(days=400)) == 1
    assert LeadStore(url).get("c1") is None and NoteStore(url).list("c1") == []
