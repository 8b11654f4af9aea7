"""The chat's conversation identity (signed cookie), what it remembers about a conversation,
and how Rasa's answers and history become the messages a founder sees."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import update

from bot import privacy
from bot.db import get_engine
from bot.web.rasa_client import messages_from_events, messages_from_reply, transcript
from bot.web.session import (
    ChatConversations,
    CookieSigner,
    ReplyStore,
    chat_conversations,
    conversation_from_request,
    cookie_header,
    is_secure_context,
    new_conversation_id,
)

KEY = "k" * 40
REDIS_URL = "redis://127.0.0.1:6379/6"


# ---- the signed cookie


def test_a_signed_id_verifies_and_ids_are_long_and_unique():
    signer = CookieSigner(KEY)
    ids = {new_conversation_id() for _ in range(1000)}
    assert len(ids) == 1000
    for conversation_id in list(ids)[:20]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", conversation_id)  # 192 random bits
        assert signer.verify(signer.sign(conversation_id)) == conversation_id


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "forge",
    [
        lambda value: _flip(value, 0),  # another conversation's id, same signature
        lambda value: _flip(value, len(value) - 1),  # altered signature
        lambda value: value.split(".")[0],  # no signature
        lambda value: value.split(".")[0] + ".",  # empty signature
        lambda value: CookieSigner("o" * 40).sign(value.split(".")[0]),  # another key
        lambda value: value + "x",
        lambda value: "",
        lambda value: "." * 50,
        lambda value: "ä" * 32 + ".å",
        lambda value: value.split(".")[0] + "." + "A" * 10_000,
    ],
)
def test_a_forged_cookie_is_not_believed(forge):
    signer = CookieSigner(KEY)
    assert signer.verify(forge(signer.sign(new_conversation_id()))) is None


def test_only_issued_ids_are_signed():
    with pytest.raises(ValueError):
        CookieSigner(KEY).sign("default")


def test_of_several_cookies_the_valid_one_is_used():
    signer = CookieSigner(KEY)
    mine = new_conversation_id()
    forged = CookieSigner("o" * 40).sign(new_conversation_id())
    request = make_mocked_request(
        "GET", "/ws", headers={"Cookie": f"other=1; tv_conv={forged}; tv_conv={signer.sign(mine)}"}
    )
    assert conversation_from_request(request, signer) == mine
    assert conversation_from_request(make_mocked_request("GET", "/"), signer) is None


def test_the_page_cookie_is_lax_and_the_embed_cookie_is_partitioned():
    page = cookie_header("v", embed=False, secure=False, max_age=60)
    assert page == "tv_conv=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
    assert "Secure" in cookie_header("v", embed=False, secure=True, max_age=60)
    embed = cookie_header("v", embed=True, secure=False, max_age=60)
    assert embed == "tv_conv=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=None; Partitioned"


@pytest.mark.parametrize(
    ("host", "secure"),
    [("localhost:8000", True), ("127.0.0.1:8000", True), ("chat.example.se", False)],
)
def test_plain_http_counts_as_secure_only_on_this_machine(host, secure):
    request = make_mocked_request("GET", "/ws", headers={"Host": host})
    assert is_secure_context(request) is secure


# ---- which conversations have history


@pytest.fixture
def conversations(tmp_path):
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    return ChatConversations(url), url


def test_a_conversation_has_history_once_it_had_a_message(conversations):
    store, _ = conversations
    conversation_id = new_conversation_id()
    assert not store.has_messages(conversation_id)
    store.touch(conversation_id)
    store.touch(conversation_id)  # a second message updates, it does not fail
    assert store.has_messages(conversation_id)


def test_a_conversation_past_the_retention_period_has_no_history(conversations, monkeypatch):
    store, url = conversations
    conversation_id = new_conversation_id()
    store.touch(conversation_id)
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    with get_engine(url).begin() as conn:
        conn.execute(update(chat_conversations).values(last_message_at=long_ago))
    monkeypatch.setenv("TILLVERKA_RETENTION_DAYS", "30")
    assert not store.has_messages(conversation_id)


def test_an_erased_conversation_has_no_history_until_the_next_message(conversations):
    store, url = conversations
    conversation_id = new_conversation_id()
    store.touch(conversation_id)
    privacy.request_erasure(conversation_id, url)
    assert not store.has_messages(conversation_id)
    store.touch(conversation_id)
    assert store.has_messages(conversation_id)


# ---- answered message ids


@pytest.fixture(params=["memory", "redis"])
async def replies(request):
    if request.param == "memory":
        yield ReplyStore()
        return
    client = aioredis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception:
        await client.close()
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield ReplyStore(client)
    await client.close()


async def test_a_message_id_is_answered_once_and_then_from_the_store(replies):
    conversation_id, frame = uuid.uuid4().hex, {"type": "bot", "reply_to": "m1", "messages": []}
    assert await replies.claim(conversation_id, "m1") is None  # ours to answer
    assert await replies.claim(conversation_id, "m1") == ReplyStore.PENDING  # a resend waits
    await replies.finish(conversation_id, "m1", frame)
    assert await replies.claim(conversation_id, "m1") == frame
    assert await replies.claim(uuid.uuid4().hex, "m1") is None  # ids are per conversation


async def test_a_failed_answer_lets_the_resend_through(replies):
    conversation_id = uuid.uuid4().hex
    assert await replies.claim(conversation_id, "m1") is None
    await replies.release(conversation_id, "m1")
    assert await replies.claim(conversation_id, "m1") is None


async def test_with_redis_down_every_message_is_answered():
    client = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        store = ReplyStore(client)
        assert await store.claim("c", "m1") is None
        assert await store.claim("c", "m1") is None
    finally:
        await client.close()


# ---- what the founder sees

RECOMMENDATION = {"type": "recommendation", "path": "pilot"}
BUTTONS = [{"title": "Nollserie", "payload": '/choose{"path": "pilot"}'}]


def test_a_reply_split_by_the_rest_channel_becomes_one_message_per_utterance():
    items = [
        {"recipient_id": "c", "text": "First paragraph."},
        {"recipient_id": "c", "text": "Second paragraph."},
        {"recipient_id": "c", "custom": RECOMMENDATION},  # json_message of the same utterance
        {"recipient_id": "c", "text": "Which path?", "buttons": BUTTONS},
        {"recipient_id": "c", "image": "https://example.com/x.png"},
    ]
    assert messages_from_reply(items, ts=5.0) == [
        {"from": "bot", "text": "First paragraph.", "ts": 5.0},
        {"from": "bot", "text": "Second paragraph.", "ts": 5.0, "custom": RECOMMENDATION},
        {"from": "bot", "text": "Which path?", "ts": 5.0, "buttons": BUTTONS},
    ]
    assert messages_from_reply([{"custom": RECOMMENDATION}], ts=5.0) == [
        {"from": "bot", "text": "", "ts": 5.0, "custom": RECOMMENDATION}
    ]


def test_history_shows_what_the_live_reply_showed():
    text = "First paragraph.\n\nSecond paragraph."
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "hej", "timestamp": 2.0, "metadata": {"message_id": "m1"}},
        {"event": "bot", "text": text, "data": {"custom": RECOMMENDATION}, "timestamp": 3.0},
        {"event": "bot", "text": "Which path?", "data": {"buttons": BUTTONS}, "timestamp": 3.0},
        {"event": "user", "text": BUTTONS[0]["payload"], "timestamp": 4.0},
        {
            "event": "bot",
            "text": "Jag tar över.",
            "metadata": {"from": "advisor"},
            "timestamp": 5.0,
        },
        {"event": "slot", "name": "language", "value": "sv", "timestamp": 5.0},
    ]
    live = messages_from_reply(
        [{"text": "First paragraph."}, {"text": "Second paragraph."}, {"custom": RECOMMENDATION}],
        ts=3.0,
    )

    history = messages_from_events(events)

    assert history[0] == {"from": "user", "text": "hej", "ts": 2.0, "id": "m1"}
    assert history[1:3] == live
    assert history[3]["buttons"] == BUTTONS
    assert history[4] == {"from": "user", "text": "Nollserie", "ts": 4.0}  # the title, not /choose
    assert history[5] == {"from": "advisor", "text": "Jag tar över.", "ts": 5.0}
    assert len(history) == 6


def test_transcript_names_the_speakers_in_the_founders_language():
    messages = [
        {"from": "user", "text": "hej", "ts": 1_700_000_000.0},
        {"from": "bot", "text": "Vilken väg?\nVälj en.", "ts": 1_700_000_001.0, "buttons": BUTTONS},
        {"from": "advisor", "text": "Hej från Almi", "ts": 1_700_000_002.0},
    ]
    swedish = transcript(messages, "sv", now=1_700_000_100.0)
    assert swedish.splitlines()[0] == "Tillverka: ditt samtal"
    assert "[2023-11-14 23:13] Du: hej" in swedish  # Swedish time (CET)
    assert "Tillverka: Vilken väg?\n    Välj en.\n    Val: Nollserie" in swedish
    assert "Rådgivare: Hej från Almi" in swedish
    english = transcript(messages, "en", now=1_700_000_100.0)
    assert "You: hej" in english and "Options: Nollserie" in english
    assert "Advisor: Hej från Almi" in english


def test_a_ui_payload_shows_as_what_the_founder_clicked():
    events = [
        {"event": "user", "text": '/switch_language{"language": "en"}', "timestamp": 1.0,
         "metadata": {"message_id": "m2", "display": "English"}},
        {"event": "user", "text": "/start_over", "timestamp": 2.0, "metadata": {"display": "Börja om"}},
        {"event": "user", "text": "plain words", "timestamp": 3.0, "metadata": {"display": "ignored"}},
    ]
    assert [m["text"] for m in messages_from_events(events)] == ["English", "Börja om", "plain words"]
