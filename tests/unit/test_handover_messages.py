"""What founders and advisors read when an advisor takes over (bot.web.handover), without
servers: the texts in both languages, refusals before anything is stored, where a message is
delivered, Slack escaping, advisor messages in history, pushes and transcripts; and that the
push hub's Redis subscriptions follow the open chats (Redis on 127.0.0.1, skipped without it).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis

from bot.slack.post import SlackPoster, SlackPostError, escape_mrkdwn
from bot.web.handover import (
    MAX_REPLY_CHARS,
    MESSAGES,
    Delivery,
    Handover,
    HandoverError,
    slack_text,
)
from bot.web.push import CHANNEL_PREFIX, PushHub, push_messages
from bot.web.rasa_client import RasaUnavailable, messages_from_events, transcript

WEB_FOUNDER = {"event": "user", "text": "hej", "input_channel": "rest", "timestamp": 1.0}
SLACK_FOUNDER = {
    "event": "user",
    "text": "hej",
    "input_channel": "slack",
    "metadata": {"out_channel": "C1", "thread_id": "17.000100", "users": ["UBOT"]},
    "timestamp": 1.0,
}


class FakeRasa:
    """Rasa's tracker API as the Handover uses it: a tracker per id, and the appends."""

    def __init__(self, events=(), *, paused=False, language="sv", down=False) -> None:
        self.events, self.paused, self.language, self.down = list(events), paused, language, down
        self.appended: list[list[dict]] = []
        self.reads = 0

    async def tracker(self, conversation_id: str) -> dict:
        self.reads += 1
        if self.down:
            raise RasaUnavailable("connection refused")
        latest = next((e for e in reversed(self.events) if e["event"] == "user"), None)
        return {
            "sender_id": conversation_id,
            "events": [{"event": "action", "name": "action_session_start"}, *self.events],
            "paused": self.paused,
            "latest_input_channel": latest and latest.get("input_channel"),
            "slots": {"language": self.language},
        }

    async def append_events(self, conversation_id: str, events: list[dict]) -> None:
        if self.down:
            raise RasaUnavailable("connection refused")
        self.appended.append(events)
        for event in events:
            self.paused = {"pause": True, "resume": False}.get(event["event"], self.paused)
        self.events.extend(events)


class FakeHub:
    def __init__(self, received: int = 1) -> None:
        self.received, self.pushed = received, []

    async def publish(self, conversation_id: str, messages) -> int:
        self.pushed.append((conversation_id, push_messages(messages)))
        return self.received


class FakeSlack:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.posts = fail, []

    async def post_message(self, channel, text, *, thread_ts=None, blocks=None) -> dict:
        if self.fail:
            raise SlackPostError("chat.postMessage refused (HTTP 200): not_in_channel")
        self.posts.append({"channel": channel, "text": text, "thread_ts": thread_ts})
        return {"ok": True}


# ---- texts


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "sv",
            "Hej! Jag heter Anna Lind och är rådgivare. Jag svarar dig här nu; boten är pausad.",
        ),
        ("en", "Hi! I'm Anna Lind, an advisor. I'm answering you here now; the bot is paused."),
        (
            None,
            "Hej! Jag heter Anna Lind och är rådgivare. Jag svarar dig här nu; boten är pausad.",
        ),
        (
            "de",
            "Hej! Jag heter Anna Lind och är rådgivare. Jag svarar dig här nu; boten är pausad.",
        ),
    ],
)
async def test_the_takeover_says_who_answers_in_the_founders_language(lang, expected):
    rasa, hub = FakeRasa([WEB_FOUNDER]), FakeHub()

    delivery = await Handover(rasa, hub, None).take_over("c1", "  Anna \n Lind ", lang)

    assert delivery == Delivery(stored=True, channel="web")
    [(pause, said)] = rasa.appended  # one request: stored together or not at all
    assert pause["event"] == "pause"
    assert said["event"] == "bot" and said["text"] == expected
    assert said["metadata"] == {"from": "advisor", "advisor": "Anna Lind", "kind": "takeover"}
    assert pause["timestamp"] < said["timestamp"]
    [(conversation, [pushed])] = hub.pushed
    assert conversation == "c1"
    assert pushed == {
        "from": "advisor",
        "text": expected,
        "ts": round(said["timestamp"], 3),
        "advisor": "Anna Lind",
        "kind": "takeover",
    }


@pytest.mark.parametrize(
    ("lang", "start"), [("sv", "Nu tar boten över igen."), ("en", "The bot takes over again.")]
)
async def test_the_hand_back_tells_the_founder_then_resumes(lang, start):
    rasa = FakeRasa([WEB_FOUNDER], paused=True)

    await Handover(rasa, FakeHub(), None).hand_back("c1", "Anna Lind", lang)

    [(said, resume)] = rasa.appended
    assert said["text"].startswith(start) and said["metadata"]["kind"] == "handback"
    assert resume["event"] == "resume" and said["timestamp"] < resume["timestamp"]
    assert not rasa.paused


def test_every_refusal_reads_well_in_both_languages():
    assert set(MESSAGES) == {
        "unknown_conversation",
        "empty",
        "too_long",
        "bot_unavailable",
        "not_taken_over",
    }
    for code in MESSAGES:
        error = HandoverError(code)
        assert error.code == code
        swedish, english = error.message("sv"), error.message("en")
        assert swedish != english and "{" not in swedish + english
        assert swedish.endswith(".") and english.endswith(".")
    assert "4\u00a0000 tecken" in HandoverError("too_long").message("sv")
    assert "4,000 characters" in HandoverError("too_long").message("en")


# ---- refusals: nothing stored, nothing sent


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), ("  \n ", "empty"), (None, "empty"), ("x" * (MAX_REPLY_CHARS + 1), "too_long")],
)
async def test_a_bad_reply_is_refused_before_rasa_is_asked(text, code):
    rasa, hub = FakeRasa([WEB_FOUNDER], paused=True), FakeHub()

    with pytest.raises(HandoverError) as refused:
        await Handover(rasa, hub, None).reply("c1", "Anna Lind", text)

    assert refused.value.code == code
    assert rasa.reads == 0 and rasa.appended == [] and hub.pushed == []


async def test_a_reply_of_exactly_the_limit_after_stripping_is_accepted():
    rasa = FakeRasa([WEB_FOUNDER], paused=True)
    text = "y" * MAX_REPLY_CHARS
    await Handover(rasa, FakeHub(), None).reply("c1", "Anna Lind", f"\n {text} \n")
    assert rasa.appended[0][0]["text"] == text


async def test_a_conversation_without_a_founders_message_is_unknown():
    rasa, hub = FakeRasa([]), FakeHub()
    handover = Handover(rasa, hub, None)
    for attempt in (
        handover.take_over("new", "Anna Lind", "sv"),
        handover.reply("new", "Anna Lind", "Hej"),
        handover.hand_back("new", "Anna Lind", "sv"),
    ):
        with pytest.raises(HandoverError) as refused:
            await attempt
        assert refused.value.code == "unknown_conversation"
    assert rasa.appended == [] and hub.pushed == []
    assert await handover.messages("new") == []


async def test_replying_or_handing_back_while_the_bot_answers_is_refused():
    rasa = FakeRasa([WEB_FOUNDER], paused=False)
    handover = Handover(rasa, FakeHub(), None)
    for attempt in (
        handover.reply("c1", "Anna Lind", "Hej"),
        handover.hand_back("c1", "Anna Lind", "sv"),
    ):
        with pytest.raises(HandoverError) as refused:
            await attempt
        assert refused.value.code == "not_taken_over"
    assert rasa.appended == []


async def test_rasa_down_is_bot_unavailable_and_nothing_is_sent():
    rasa, hub = FakeRasa([WEB_FOUNDER], down=True), FakeHub()
    handover = Handover(rasa, hub, None)
    for attempt in (
        handover.take_over("c1", "Anna Lind", "sv"),
        handover.messages("c1"),
        handover.is_paused("c1"),
    ):
        with pytest.raises(HandoverError) as refused:
            await attempt
        assert refused.value.code == "bot_unavailable"
    assert hub.pushed == []


async def test_an_advisor_without_a_name_is_a_programming_error():
    with pytest.raises(ValueError):
        await Handover(FakeRasa([WEB_FOUNDER]), FakeHub(), None).take_over("c1", "  ", "sv")


# ---- delivery


async def test_a_founder_without_an_open_chat_gets_it_in_the_history():
    delivery = await Handover(FakeRasa([WEB_FOUNDER]), FakeHub(received=0), None).take_over(
        "c1", "Anna Lind", "sv"
    )
    assert delivery == Delivery(stored=True, channel=None)


async def test_a_slack_founder_gets_it_in_their_thread_by_name_and_escaped():
    rasa, slack = FakeRasa([SLACK_FOUNDER], paused=True, language="en"), FakeSlack()
    hub = FakeHub()

    delivery = await Handover(rasa, hub, slack).reply("c1", "Anna Lind", "Hi <!here> & <@U1>!")

    assert delivery == Delivery(stored=True, channel="slack")
    assert slack.posts == [
        {
            "channel": "C1",
            "thread_ts": "17.000100",
            "text": "*Anna Lind (advisor):* Hi &lt;!here&gt; &amp; &lt;@U1&gt;!",
        }
    ]
    assert hub.pushed == []
    assert rasa.appended[0][0]["text"] == "Hi <!here> & <@U1>!"  # stored as written


@pytest.mark.parametrize("slack", [None, FakeSlack(fail=True)], ids=["no-token", "refused"])
async def test_slack_off_or_refusing_leaves_the_message_stored_not_delivered(slack):
    rasa = FakeRasa([SLACK_FOUNDER])
    delivery = await Handover(rasa, FakeHub(), slack).take_over("c1", "Anna Lind", "sv")
    assert delivery == Delivery(stored=True, channel=None)
    assert rasa.paused and len(rasa.appended) == 1


async def test_a_founder_on_another_channel_is_not_delivered_live():
    founder = {**WEB_FOUNDER, "input_channel": "cmdline"}
    hub = FakeHub()
    delivery = await Handover(FakeRasa([founder]), hub, None).take_over("c1", "Anna Lind", "sv")
    assert delivery == Delivery(stored=True, channel=None) and hub.pushed == []


def test_slack_text_escapes_the_name_too():
    assert slack_text("A<b>", "x & y", "sv") == "*A&lt;b&gt; (rådgivare):* x &amp; y"
    assert escape_mrkdwn("<!channel>") == "&lt;!channel&gt;"


def test_slack_poster_only_with_a_token():
    assert SlackPoster.from_env({}) is None
    assert SlackPoster.from_env({"SLACK_BOT_TOKEN": " "}) is None
    poster = SlackPoster.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": ""})
    assert poster is not None and poster.api_url == "https://slack.com/api/"


# ---- history, pushes, transcripts


def test_an_advisors_message_is_one_message_with_name_and_kind():
    events = [
        WEB_FOUNDER,
        {
            "event": "bot",
            "text": "First.\n\nSecond.",
            "metadata": {"from": "advisor", "advisor": "Anna Lind", "kind": "reply"},
            "timestamp": 2.0,
        },
        {
            "event": "bot",
            "text": "Legacy push",
            "metadata": {"from": "advisor", "kind": "shout"},
            "timestamp": 3.0,
        },
        {"event": "bot", "text": "", "metadata": {"from": "advisor"}, "timestamp": 4.0},
        {"event": "bot", "text": "Bot one.\n\nBot two.", "timestamp": 5.0},
    ]
    assert messages_from_events(events) == [
        {"from": "user", "text": "hej", "ts": 1.0},
        {
            "from": "advisor",
            "text": "First.\n\nSecond.",
            "ts": 2.0,
            "advisor": "Anna Lind",
            "kind": "reply",
        },
        {"from": "advisor", "text": "Legacy push", "ts": 3.0},
        {"from": "bot", "text": "Bot one.", "ts": 5.0},
        {"from": "bot", "text": "Bot two.", "ts": 5.0},
    ]


def test_a_push_keeps_the_advisors_name_and_kind_only_for_advisors():
    now = time.time()
    [advisor, bot, odd] = push_messages(
        [
            {"text": "Hej", "advisor": " Anna Lind ", "kind": "takeover", "ts": now},
            {"from": "bot", "text": "x", "advisor": "Anna", "kind": "reply"},
            {"text": "y", "advisor": 7, "kind": "whatever"},
        ]
    )
    assert advisor == {
        "from": "advisor",
        "text": "Hej",
        "ts": now,
        "advisor": "Anna Lind",
        "kind": "takeover",
    }
    assert "advisor" not in bot and "kind" not in bot
    assert "advisor" not in odd and "kind" not in odd


def test_the_transcript_names_the_advisor():
    messages = [
        {"from": "advisor", "text": "Hej!", "ts": 1_700_000_000.0, "advisor": "Anna Lind"},
        {"from": "advisor", "text": "Hallå", "ts": 1_700_000_001.0},
    ]
    assert "] Anna Lind (rådgivare): Hej!" in transcript(messages, "sv")
    assert "] Anna Lind (advisor): Hej!" in transcript(messages, "en")
    assert "] Rådgivare: Hallå" in transcript(messages, "sv")


# ---- the push hub's subscriptions follow the open chats

REDIS_URL = "redis://127.0.0.1:6379/6"
WAIT_S = 10.0  # bounds a hang only


async def listeners(client, channel: str) -> int:
    [(_, count)] = await client.pubsub_numsub(channel)
    return int(count)


async def until(check, expected) -> None:
    deadline = time.monotonic() + WAIT_S
    while (value := await check()) != expected:
        assert time.monotonic() < deadline, f"still {value}, not {expected}"
        await asyncio.sleep(0.02)


@pytest.fixture
async def redis_pair():
    client = aioredis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception:
        await client.close()
        pytest.skip(f"no Redis at {REDIS_URL}")
    subscriber = aioredis.from_url(REDIS_URL, socket_connect_timeout=2)
    yield client, subscriber
    await client.close()
    await subscriber.close()


async def test_a_push_counts_only_instances_with_the_chat_open(redis_pair):
    client, subscriber = redis_pair
    hub = PushHub(client, subscriber)
    await hub.start()
    conversation = uuid.uuid4().hex
    channel = CHANNEL_PREFIX + conversation
    frames: list[dict] = []

    async def send(frame: dict) -> None:
        frames.append(frame)

    try:
        assert await hub.publish(conversation, [{"text": "nobody here"}]) == 0

        hub.add(conversation, send)
        await until(lambda: listeners(client, channel), 1)
        assert await hub.publish(conversation, [{"text": "hej", "advisor": "Anna"}]) == 1
        await until(lambda: asyncio.sleep(0, len(frames)), 1)
        assert frames[0]["messages"][0]["advisor"] == "Anna"

        # closed and opened again quickly: Redis ends up matching the open sockets
        hub.remove(conversation, send)
        hub.add(conversation, send)
        hub.remove(conversation, send)
        await until(lambda: listeners(client, channel), 0)
        assert await hub.publish(conversation, [{"text": "gone"}]) == 0
    finally:
        await hub.stop()
