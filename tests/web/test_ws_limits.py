"""What the chat refuses, and how the founder hears about it: too long, too big, garbled,
too fast."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from tests.web.conftest import web_instance

NBSP = "\u00a0"


async def open_chat(browser, lang: str = "en"):
    await browser.open_page()
    chat = await browser.connect(lang=lang)
    await chat.hello(lang)
    return chat


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", f"Meddelandet är för långt: högst 2{NBSP}000 tecken (ditt har 2{NBSP}001)."),
        ("en", "The message is too long: at most 2,000 characters (yours has 2,001)."),
    ],
)
async def test_a_too_long_message_is_refused_in_the_founders_language(browsers, lang, expected):
    chat = await open_chat(browsers(), lang)

    error = await chat.say("x" * 2001, message_id="long")

    assert error["type"] == "error" and error["code"] == "too_long"
    assert error["reply_to"] == "long"
    assert error["message"].startswith(expected)
    # the socket stays usable
    assert (await chat.say("Hello"))["type"] == "bot"


async def test_a_message_of_exactly_the_limit_is_answered(browsers):
    chat = await open_chat(browsers())
    reply = await chat.say(("a lamp " * 300)[:2000])
    assert reply["type"] == "bot"


async def test_an_oversized_frame_closes_the_socket_with_1009(browsers):
    chat = await open_chat(browsers())

    await chat.ws.send_str(json.dumps({"type": "message", "id": "big", "text": "x" * 17000}))
    closing = await chat.ws.receive(timeout=10)

    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


@pytest.mark.parametrize(
    "frame",
    [
        "this is not JSON",
        b"\x00\x01binary",
        json.dumps(["a", "list"]),
        json.dumps({"type": "shout", "text": "hi"}),
        json.dumps({"type": "message", "text": "no id"}),
        json.dumps({"type": "message", "id": "has id", "text": "a space in the id"}),
    ],
    ids=["not-json", "binary", "list", "unknown-type", "no-id", "bad-id"],
)
async def test_a_garbled_frame_gets_bad_frame(browsers, frame):
    chat = await open_chat(browsers(), "sv")
    send = chat.ws.send_bytes if isinstance(frame, bytes) else chat.ws.send_str

    await send(frame)
    error = await chat.receive()

    assert error["type"] == "error" and error["code"] == "bad_frame"
    assert error["message"] == "Chatten fick något den inte förstod och hoppade över det."
    assert "reply_to" not in error


async def test_a_message_without_text_names_the_message_it_refuses(browsers):
    chat = await open_chat(browsers())
    await chat.send({"type": "message", "id": "empty", "text": "   "})
    error = await chat.receive()
    assert (error["code"], error["reply_to"]) == ("bad_frame", "empty")


async def test_three_bad_frames_in_a_row_close_the_socket_with_1008(browsers):
    chat = await open_chat(browsers())

    # a good frame in between starts the count again
    for frame in ("bad 1", "bad 2", json.dumps({"type": "hello", "lang": "en"}), "bad 3", "bad 4"):
        await chat.ws.send_str(frame)
    received = sorted([(await chat.receive())["type"] for _ in range(5)])
    assert received == ["error", "error", "error", "error", "history"]

    await chat.ws.send_str("bad 5")
    assert (await chat.receive())["code"] == "bad_frame"
    closing = await chat.ws.receive(timeout=10)
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.POLICY_VIOLATION
    assert closing.extra == "too many bad frames"


async def _same_minute(seconds_needed: float = 8.0) -> None:
    """The limits are per calendar minute: start a counting test early enough in one."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        await asyncio.sleep(left + 0.05)


@pytest.fixture
async def limited(stack):
    """A second web-app instance with low limits; founders behind one proxy (X-Forwarded-For)."""
    async with web_instance(
        stack,
        TILLVERKA_CHAT_RATE_PER_MINUTE="3",
        TILLVERKA_CHAT_RATE_PER_IP_MINUTE="4",
        TILLVERKA_PROXY_HOPS="1",
    ) as server:
        yield str(server.make_url("")).rstrip("/")


def behind_proxy(browser, ip: str):
    # the proxy appends the address it saw; what comes before is the client's and can be forged
    browser.extra_headers["X-Forwarded-For"] = f"10.9.9.9, {ip}"
    return browser


async def test_a_conversation_sending_too_fast_is_asked_to_wait(browsers, limited):
    founder = behind_proxy(browsers(limited), f"192.0.2.{uuid.uuid4().int % 250}")
    chat = await open_chat(founder, "sv")
    await _same_minute()

    answers = [await chat.say(f"meddelande {n}", message_id=f"r{n}") for n in range(4)]

    assert [a["type"] for a in answers] == ["bot", "bot", "bot", "error"]
    assert answers[3]["code"] == "rate_limited" and answers[3]["reply_to"] == "r3"
    assert answers[3]["message"].startswith("Du skickar meddelanden lite för snabbt")


async def test_one_address_sending_too_fast_is_asked_to_wait(browsers, limited):
    ip = f"198.51.100.{uuid.uuid4().int % 250}"
    first = await open_chat(behind_proxy(browsers(limited), ip))
    second = await open_chat(behind_proxy(browsers(limited), ip))
    elsewhere = await open_chat(behind_proxy(browsers(limited), "203.0.113.7"))
    await _same_minute()

    for n in range(3):
        answer = await first.say(f"hello {n}")
        assert answer["type"] == "bot", answer
    assert (await second.say("hello"))["type"] == "bot"  # the address's fourth
    refused = await second.say("hello again")
    assert refused["code"] == "rate_limited"
    assert refused["message"].startswith("You are sending messages a little too fast")
    # another address is not affected
    answer = await elsewhere.say("hello")
    assert answer["type"] == "bot", answer


async def test_messages_on_one_socket_are_answered_in_order(browsers):
    chat = await open_chat(browsers())
    ids = [f"o{n}" for n in range(3)]
    for n, message_id in enumerate(ids):
        await chat.send({"type": "message", "id": message_id, "text": f"hello {n}"})
    replies = []
    while len(replies) < 3:
        frame = await asyncio.wait_for(chat.receive(), 30)
        if frame["type"] == "bot":
            replies.append(frame["reply_to"])
    assert replies == ids
