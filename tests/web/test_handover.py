"""An advisor takes over a founder's website chat, answers, and hands it back (bot.web.handover),
against the whole stack: real Rasa with the trained model, the action server, the web app and
Redis. The Handover runs in this process, like a second web-app instance: its pushes reach the
founder's socket on the web-app process through Redis.

Last, a headless Chromium shows what the founder sees: the advisor's name and the "a person is
answering" bar, live and after a reload.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer
from playwright.sync_api import expect

from bot.web.handover import (
    HANDOVER,
    MAX_REPLY_CHARS,
    Delivery,
    Handover,
    HandoverError,
    setup_handover,
)
from bot.web.push import PushHub
from bot.web.rasa_client import RasaClient
from bot.web.session import new_conversation_id
from tests.web.conftest import rasa_events
from tests.web.test_browser_chat import Contexts, chromium, open_chat, say

ADVISOR = "Anna Lind"


def make_handover(stack) -> tuple[Handover, callable]:
    """A Handover on the stack's Rasa and Redis (Slack off); and the coroutine that closes it."""
    rasa = RasaClient(stack.rasa_url, stack.jwt_secret)
    redis = aioredis.from_url(stack.redis_url)

    async def close() -> None:
        await rasa.close()
        await redis.close()

    return Handover(rasa, PushHub(redis), None), close


@pytest.fixture
async def handover(stack):
    made, close = make_handover(stack)
    yield made
    await close()


async def founder_chatting(browsers, text: str = "Hej", lang: str = "sv"):
    """A founder with the chat open who has had one answer from the bot."""
    founder = browsers()
    await founder.open_page(lang=lang)
    chat = await founder.connect(lang=lang)
    await chat.hello(lang)
    reply = await chat.say(text)
    assert reply["type"] == "bot" and reply["messages"], reply
    return founder, chat


async def next_push(chat) -> list[dict]:
    frame = await chat.receive()
    assert frame["type"] == "push", frame
    return frame["messages"]


def spoken(messages: list[dict]) -> list[tuple]:
    """Who said what, with the advisor's name and the kind of their message."""
    return [(m["from"], m.get("advisor"), m.get("kind"), m["text"]) for m in messages]


async def test_an_advisor_takes_over_answers_and_hands_back(browsers, handover, stack):
    founder, chat = await founder_chatting(browsers)
    conversation_id = founder.conversation_id

    delivery = await handover.take_over(conversation_id, ADVISOR, "sv")

    assert delivery == Delivery(stored=True, channel="web")
    [takeover] = await next_push(chat)
    assert takeover["from"] == "advisor" and takeover["advisor"] == ADVISOR
    assert takeover["kind"] == "takeover"
    assert takeover["text"] == (
        "Hej! Jag heter Anna Lind och är rådgivare. Jag svarar dig här nu; boten är pausad."
    )
    assert await handover.is_paused(conversation_id)

    # the bot is paused: the founder's message is kept, and only the advisor answers it
    quiet = await chat.say("Kan ni hjälpa mig med offerter från verkstäder?", message_id="q1")
    assert quiet == {"type": "bot", "reply_to": "q1", "messages": []}
    words = "Absolut! Skicka ritningen så tittar jag på den i dag.\n\nVi hörs."
    assert await handover.reply(conversation_id, ADVISOR, f"  {words}\n") == Delivery(True, "web")
    [answer] = await next_push(chat)
    assert spoken([answer]) == [("advisor", ADVISOR, "reply", words)]  # stripped, one message

    # a reload shows everything in order, the advisor by name
    await chat.close()
    history = await (await founder.connect()).hello("sv")
    assert spoken(history)[0] == ("user", None, None, "Hej")
    assert spoken(history)[-3:] == [
        ("advisor", ADVISOR, "takeover", takeover["text"]),
        ("user", None, None, "Kan ni hjälpa mig med offerter från verkstäder?"),
        ("advisor", ADVISOR, "reply", words),
    ]
    assert {m["from"] for m in history[1:-3]} == {"bot"}
    assert await handover.messages(conversation_id) == history  # what the advisor reads

    # the transcript the founder downloads names the advisor
    status, _, text = await founder.transcript("sv")
    assert status == 200 and "] Anna Lind (rådgivare): Absolut! Skicka ritningen" in text

    # hand back: the founder is told, and the bot answers again
    chat = founder.sockets[-1]
    assert await handover.hand_back(conversation_id, ADVISOR, "sv") == Delivery(True, "web")
    [handback] = await next_push(chat)
    assert handback["kind"] == "handback" and handback["text"].startswith("Nu tar boten över igen.")
    assert not await handover.is_paused(conversation_id)
    again = await chat.say("Vi har en prototyp av ett fäste i aluminium")
    assert again["type"] == "bot" and again["messages"] and again["messages"][0]["from"] == "bot"

    events = await rasa_events(stack, conversation_id)
    kinds = [e["event"] for e in events if e["event"] in ("pause", "resume")]
    assert kinds == ["pause", "resume"]
    advisor_events = [e for e in events if (e.get("metadata") or {}).get("from") == "advisor"]
    # (Rasa adds its model's id to the metadata)
    assert [(e["metadata"]["advisor"], e["metadata"]["kind"]) for e in advisor_events] == [
        (ADVISOR, "takeover"),
        (ADVISOR, "reply"),
        (ADVISOR, "handback"),
    ]


async def test_an_english_founder_is_told_in_english(browsers, handover):
    founder, chat = await founder_chatting(browsers, "Hello, we make bike lamps", "en")

    await handover.take_over(founder.conversation_id, ADVISOR, "en")
    [takeover] = await next_push(chat)
    assert takeover["text"] == (
        "Hi! I'm Anna Lind, an advisor. I'm answering you here now; the bot is paused."
    )
    await handover.hand_back(founder.conversation_id, ADVISOR, "en")
    [handback] = await next_push(chat)
    assert handback["text"].startswith("The bot takes over again.")


async def test_with_the_chat_closed_the_message_waits_in_the_history(browsers, handover):
    founder, chat = await founder_chatting(browsers)
    await chat.close()

    delivery = await handover.take_over(founder.conversation_id, ADVISOR, "sv")
    assert delivery == Delivery(stored=True, channel=None)  # no chat open anywhere
    assert await handover.reply(founder.conversation_id, ADVISOR, "Hör av dig!") == Delivery(
        True, None
    )

    history = await (await founder.connect()).hello("sv")
    assert spoken(history)[-2:] == [
        ("advisor", ADVISOR, "takeover", history[-2]["text"]),
        ("advisor", ADVISOR, "reply", "Hör av dig!"),
    ]
    await handover.hand_back(founder.conversation_id, ADVISOR, "sv")


async def test_the_web_apps_own_handover_reaches_a_socket_on_the_same_instance(browsers, stack):
    settings = {
        k: v for k, v in stack.web_env.items() if k.startswith(("TILLVERKA_", "RASA_", "REDIS_"))
    }
    from bot.web.app import create_app

    with mock.patch.dict(os.environ, {**settings, "SLACK_BOT_TOKEN": ""}):
        app = create_app(stack.database_url, admin_token=stack.admin_token)
        if HANDOVER not in app:
            setup_handover(app)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base_url = str(server.make_url("")).rstrip("/")
        founder, chat = await founder_chatting(lambda: browsers(base_url))
        assert app[HANDOVER].slack is None  # no SLACK_BOT_TOKEN

        delivery = await app[HANDOVER].take_over(founder.conversation_id, ADVISOR, "sv")

        assert delivery == Delivery(stored=True, channel="web")
        [takeover] = await next_push(chat)
        assert takeover["advisor"] == ADVISOR
        await app[HANDOVER].hand_back(founder.conversation_id, ADVISOR, "sv")
    finally:
        await server.close()


# ---- refusals: nothing is stored or sent


async def advisor_events(stack, conversation_id: str) -> list[dict]:
    events = await rasa_events(stack, conversation_id)
    return [
        e
        for e in events
        if e["event"] in ("pause", "resume") or (e.get("metadata") or {}).get("from") == "advisor"
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), (" \n\t ", "empty"), ("x" * (MAX_REPLY_CHARS + 1), "too_long")],
    ids=["empty", "blank", "too-long"],
)
async def test_an_empty_or_too_long_reply_is_refused(browsers, handover, stack, text, code):
    founder, _ = await founder_chatting(browsers)
    await handover.take_over(founder.conversation_id, ADVISOR, "sv")
    before = await advisor_events(stack, founder.conversation_id)

    with pytest.raises(HandoverError) as refused:
        await handover.reply(founder.conversation_id, ADVISOR, text)

    assert refused.value.code == code
    assert await advisor_events(stack, founder.conversation_id) == before
    # the longest allowed reply goes through
    longest = "y" * MAX_REPLY_CHARS
    assert (await handover.reply(founder.conversation_id, ADVISOR, longest)).stored
    await handover.hand_back(founder.conversation_id, ADVISOR, "sv")


async def test_replying_or_handing_back_needs_a_takeover(browsers, handover, stack):
    founder, _ = await founder_chatting(browsers)

    for attempt in (
        handover.reply(founder.conversation_id, ADVISOR, "Hej!"),
        handover.hand_back(founder.conversation_id, ADVISOR, "sv"),
    ):
        with pytest.raises(HandoverError) as refused:
            await attempt
        assert refused.value.code == "not_taken_over"
    assert await advisor_events(stack, founder.conversation_id) == []
    assert refused.value.message("sv").startswith("Samtalet är inte övertaget")
    assert refused.value.message("en").startswith("The conversation is not taken over")


async def test_an_unknown_conversation_is_refused_and_not_created(handover, stack):
    unknown = new_conversation_id()

    for attempt in (
        handover.take_over(unknown, ADVISOR, "sv"),
        handover.reply(unknown, ADVISOR, "Hej!"),
        handover.hand_back(unknown, ADVISOR, "sv"),
    ):
        with pytest.raises(HandoverError) as refused:
            await attempt
        assert refused.value.code == "unknown_conversation"

    assert await handover.messages(unknown) == []
    assert not await handover.is_paused(unknown)
    stored = [e for e in await rasa_events(stack, unknown) if e["event"] in ("user", "bot")]
    assert stored == []


async def test_with_rasa_down_nothing_is_half_done(browsers, handover, stack):
    founder, chat = await founder_chatting(browsers)
    await asyncio.to_thread(stack.stop_rasa)
    try:
        for attempt in (
            handover.take_over(founder.conversation_id, ADVISOR, "sv"),
            handover.reply(founder.conversation_id, ADVISOR, "Hej!"),
            handover.hand_back(founder.conversation_id, ADVISOR, "sv"),
            handover.messages(founder.conversation_id),
            handover.is_paused(founder.conversation_id),
        ):
            with pytest.raises(HandoverError) as refused:
                await attempt
            assert refused.value.code == "bot_unavailable"
        assert refused.value.message("sv").startswith("Boten svarar inte just nu")
        assert "nothing was saved or sent" in refused.value.message("en")
    finally:
        await asyncio.to_thread(stack.start_rasa)

    assert await advisor_events(stack, founder.conversation_id) == []
    assert not await handover.is_paused(founder.conversation_id)
    # and it works again
    assert (await handover.take_over(founder.conversation_id, ADVISOR, "sv")).stored
    await handover.hand_back(founder.conversation_id, ADVISOR, "sv")


# ---- what the founder sees (headless Chromium)


def run_in_thread(stack, action):
    """Run `action(handover)` on its own event loop: Playwright's sync API owns this thread's."""

    async def main():
        made, close = make_handover(stack)
        try:
            return await action(made)
        finally:
            await close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


@pytest.fixture(scope="module")
def contexts():
    with chromium() as browser:
        opened = Contexts(browser)
        yield opened
        opened.close()


def test_the_founder_sees_who_answers_and_when_the_bot_is_back(stack, contexts, tmp_path):
    page = open_chat(contexts, stack, "sv-SE")
    say(page, "hej")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tv_conv")
    conversation_id = cookie["value"].partition(".")[0]
    bar = page.locator(".human-bar")
    expect(bar).to_be_hidden()

    run_in_thread(stack, lambda h: h.take_over(conversation_id, ADVISOR, "sv"))
    run_in_thread(stack, lambda h: h.reply(conversation_id, ADVISOR, "Skicka gärna ritningen."))

    expect(bar).to_be_visible()
    expect(bar).to_have_text("En person svarar dig nu")
    advisor = page.locator(".message-advisor")
    expect(advisor).to_have_count(2)
    expect(advisor.last.locator(".message-author")).to_have_text("Anna Lind, rådgivare")
    expect(advisor.last.locator(".bubble")).to_have_text("Skicka gärna ritningen.")
    page.screenshot(path=str(tmp_path / "advisor-takeover.png"))

    # a reload shows the same: the history says a person is answering
    page.reload()
    expect(page.locator(".chat-log")).to_have_attribute("aria-busy", "false")
    expect(bar).to_be_visible()
    expect(page.locator(".message-advisor .message-author").first).to_have_text(
        "Anna Lind, rådgivare"
    )
    # in English too
    page.locator(".lang-button[data-lang='en']").click()
    expect(bar).to_have_text("A person is answering you now")

    run_in_thread(stack, lambda h: h.hand_back(conversation_id, ADVISOR, "sv"))
    expect(bar).to_be_hidden()
    expect(page.locator(".message-advisor").last).to_contain_text("Nu tar boten över igen.")
    page.reload()
    expect(page.locator(".chat-log")).to_have_attribute("aria-busy", "false")
    expect(page.locator(".message-advisor")).to_have_count(3)
    expect(bar).to_be_hidden()
    assert page.problems == []
