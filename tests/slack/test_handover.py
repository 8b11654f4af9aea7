"""An advisor takes over a founder's Slack thread (bot.web.handover): the advisor's words go into
that thread through Slack's Web API (the local stub), by name and escaped, the paused bot stays
quiet, and after the hand-back it answers again.

The stack of tests/slack/conftest.py: Rasa with our Slack channel and its HTTP API (JWT), which
the handover writes through.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.slack.post import SlackPoster
from bot.web.handover import Delivery, Handover
from bot.web.push import PushHub
from bot.web.rasa_client import RasaClient
from tests.slack.conftest import REPLY_TIMEOUT_S, text_of

FOUNDER = "UFOUNDER7"
CHANNEL = "CFOUNDERS"
ADVISOR = "Anna Lind"


@pytest.fixture
async def rasa(slack):
    client = RasaClient(slack.rasa_url, slack.jwt_secret)
    yield client
    await client.close()


@pytest.fixture
async def handover(slack, rasa):
    poster = SlackPoster(slack.token, slack.stub.api_url)
    yield Handover(rasa, PushHub(), poster)
    await poster.close()


async def founder_thread(slack, text: str) -> tuple[str, str]:
    """A founder's mention in the channel, answered by the bot: (conversation id, thread ts)."""
    thread = await asyncio.to_thread(slack.message, FOUNDER, CHANNEL, text, mention=True)
    await asyncio.to_thread(slack.wait_turn, CHANNEL, thread)
    return f"{FOUNDER}_{CHANNEL}_{thread}", thread


async def logged(rasa: RasaClient, conversation_id: str, text: str) -> list[dict]:
    """The tracker's events once Rasa has stored the founder's message `text` (Rasa stores a
    message after it has finished answering it)."""
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while time.monotonic() < deadline:
        events = (await rasa.tracker(conversation_id))["events"]
        if any(e["event"] == "user" and e.get("text") == text for e in events):
            return events
        await asyncio.sleep(0.1)
    raise AssertionError(f"Rasa did not store {text!r}")


async def test_the_advisor_answers_in_the_founders_thread_by_name(slack, rasa, handover):
    conversation_id, thread = await founder_thread(slack, "hej, vi bygger en drönare")
    before = len(slack.posts(CHANNEL, thread))

    delivery = await handover.take_over(conversation_id, ADVISOR, "sv")

    assert delivery == Delivery(stored=True, channel="slack")
    [takeover] = slack.posts(CHANNEL, thread)[before:]
    assert takeover["text"] == (
        "*Anna Lind (rådgivare):* Hej! Jag heter Anna Lind och är rådgivare. "
        "Jag svarar dig här nu; boten är pausad."
    )
    assert takeover["thread_ts"] == thread

    # the paused bot keeps the founder's message and answers nothing
    posted = len(slack.stub.requests("chat.postMessage"))
    await asyncio.to_thread(
        slack.message, FOUNDER, CHANNEL, "kan ni hjälpa mig med offerter?", thread_ts=thread
    )
    await logged(rasa, conversation_id, "kan ni hjälpa mig med offerter?")
    assert len(slack.stub.requests("chat.postMessage")) == posted

    # the advisor's words cannot ping the channel or anyone
    words = "Absolut <!channel> & <@U0BOSS>: skicka ritningen > i dag"
    assert await handover.reply(conversation_id, ADVISOR, words) == Delivery(True, "slack")
    reply = slack.posts(CHANNEL, thread)[-1]
    assert reply["text"] == (
        "*Anna Lind (rådgivare):* Absolut &lt;!channel&gt; &amp; &lt;@U0BOSS&gt;: "
        "skicka ritningen &gt; i dag"
    )
    assert reply["channel"] == CHANNEL and reply["thread_ts"] == thread
    assert all(r["token"] == slack.token for r in slack.stub.requests("chat.postMessage"))

    # the transcript has it all, the advisor by name
    messages = await handover.messages(conversation_id)
    assert [(m["from"], m.get("advisor"), m.get("kind")) for m in messages[-3:]] == [
        ("advisor", ADVISOR, "takeover"),
        ("user", None, None),
        ("advisor", ADVISOR, "reply"),
    ]
    assert messages[-1]["text"] == words  # stored as written; escaped only for Slack

    # hand back: the founder is told in the thread, and the bot answers again
    assert await handover.hand_back(conversation_id, ADVISOR, "sv") == Delivery(True, "slack")
    handback = slack.posts(CHANNEL, thread)[-1]
    assert handback["text"].startswith("*Anna Lind (rådgivare):* Nu tar boten över igen.")
    answer = await asyncio.to_thread(
        slack.say, FOUNDER, CHANNEL, thread, "en prototyp av ett fäste i aluminium"
    )
    assert answer and "Anna Lind" not in text_of(answer)


async def test_without_a_slack_token_the_reply_is_stored_not_delivered(slack, rasa):
    conversation_id, thread = await founder_thread(slack, "hello, we make bike lamps")
    before = len(slack.posts(CHANNEL, thread))
    no_slack = Handover(rasa, PushHub(), None)

    delivery = await no_slack.take_over(conversation_id, ADVISOR, "en")

    assert delivery == Delivery(stored=True, channel=None)
    assert slack.posts(CHANNEL, thread)[before:] == []
    assert await no_slack.is_paused(conversation_id)
    messages = await no_slack.messages(conversation_id)
    assert messages[-1]["text"].startswith("Hi! I'm Anna Lind, an advisor.")
    await no_slack.hand_back(conversation_id, ADVISOR, "en")
