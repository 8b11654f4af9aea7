"""The founders' website chat end to end: the web app, real Rasa with the trained model, the
action server and Redis (tests/web/conftest.py starts them once)."""

from __future__ import annotations

import asyncio
import re
import secrets

import aiohttp
import pytest

from bot.web.session import CookieSigner, new_conversation_id
from tests.web.conftest import rasa_events


async def test_first_message_gets_the_welcome_and_a_question(browsers):
    founder = browsers()
    await founder.open_page("/", lang="en")
    chat = await founder.connect()
    assert await chat.hello("en") == []  # a new founder has no history

    await chat.send({"type": "message", "id": "first", "text": "Hello"})
    assert await chat.receive() == {"type": "ack", "id": "first"}
    assert await chat.receive() == {"type": "typing"}
    reply = await chat.receive()

    assert reply["type"] == "bot" and reply["reply_to"] == "first"
    texts = [m["text"] for m in reply["messages"]]
    assert all(m["from"] == "bot" and isinstance(m["ts"], float) for m in reply["messages"])
    assert "Tillverka" in texts[0]  # the welcome says who it is and what is stored
    assert "?" in texts[-1]  # and the interview's first question follows


async def test_the_founders_language_gets_swedish_answers(browsers):
    founder = browsers()
    await founder.open_page("/", lang="sv")
    chat = await founder.connect(lang="sv")
    await chat.hello("sv")

    reply = await chat.say("Hej")

    assert "Jag är Tillverka" in reply["messages"][0]["text"]


async def test_a_resent_message_is_answered_from_memory_not_sent_to_rasa_twice(browsers):
    founder = browsers()
    await founder.open_page()
    chat = await founder.connect()
    await chat.hello()
    first = await chat.say("We make a small aluminium sensor housing", message_id="resend-1")
    await chat.close()

    # the widget did not see the reply (connection lost) and resends after reconnecting
    again = await founder.connect()
    await again.hello()
    repeat = await again.say("We make a small aluminium sensor housing", message_id="resend-1")

    assert repeat == first
    events = await rasa_events(founder.stack, founder.conversation_id)
    users = [e for e in events if e["event"] == "user"]
    assert [e["metadata"]["message_id"] for e in users] == ["resend-1"]


async def test_history_after_reconnecting_and_nothing_for_another_browser(browsers):
    founder = browsers()
    await founder.open_page()
    chat = await founder.connect()
    await chat.hello()
    await chat.say("Hello", message_id="h1")
    await chat.say("A prototype of a bike lamp in aluminium", message_id="h2")
    await chat.close()

    history = await (await founder.connect()).hello()

    users = [m for m in history if m["from"] == "user"]
    assert [(m["text"], m["id"]) for m in users] == [
        ("Hello", "h1"),
        ("A prototype of a bike lamp in aluminium", "h2"),
    ]
    assert history[-1]["from"] == "bot" and history[-1]["text"]
    assert history[1]["from"] == "bot" and "Tillverka" in history[1]["text"]

    # a second browser (no cookie) gets its own, empty conversation
    stranger = browsers()
    await stranger.open_page()
    assert stranger.conversation_id != founder.conversation_id
    assert await (await stranger.connect()).hello() == []
    status, _, _ = await stranger.transcript()
    assert status == 404


@pytest.mark.parametrize(
    "forge",
    [
        lambda victim, key: victim + ".AAAA",  # made-up signature
        lambda victim, key: victim,  # no signature at all
        lambda victim, key: CookieSigner(secrets.token_urlsafe(48)).sign(victim),  # other key
        lambda victim, key: CookieSigner(key).sign(new_conversation_id())[:-1] + "x",
    ],
    ids=["bad-signature", "unsigned", "other-key", "altered"],
)
async def test_a_forged_cookie_never_reaches_the_victims_conversation(browsers, forge):
    victim = browsers()
    await victim.open_page()
    chat = await victim.connect()
    await chat.hello()
    await chat.say("Our secret product is a titanium hinge", message_id="v1")

    attacker = browsers()
    attacker.cookie = forge(victim.conversation_id, victim.stack.cookie_key)
    status, _, body = await attacker.transcript()
    assert status == 404 and "titanium" not in body

    socket = await attacker.connect()
    assert await socket.hello() == []
    # the handshake handed out a fresh conversation of its own
    assert attacker.conversation_id != victim.conversation_id
    assert CookieSigner(victim.stack.cookie_key).verify(attacker.cookie) == attacker.conversation_id


async def test_the_page_sets_a_signed_http_only_cookie_and_keeps_a_valid_one(browsers):
    founder = browsers()
    page = await founder.open_page("/")
    cookie = page.headers["Set-Cookie"]
    assert re.match(r"tv_conv=[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}; ", cookie)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    first = founder.conversation_id

    await founder.open_page("/")
    assert founder.conversation_id == first  # a reload keeps the conversation

    embed = await founder.open_page("/embed")
    # a third-party iframe only gets a cookie that is SameSite=None, Secure and Partitioned
    for attribute in ("SameSite=None", "Secure", "Partitioned", "HttpOnly"):
        assert attribute in embed.headers["Set-Cookie"]
    assert founder.conversation_id == first


async def test_pages_carry_their_own_policy_and_only_allowed_sites_may_frame_them(browsers):
    founder = browsers()
    for path in ("/", "/embed"):
        page = await founder.open_page(path)
        assert page.status == 200 and page.content_type == "text/html"
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "connect-src 'self'" in csp
        assert "default-src 'none'" in csp
        assert f"frame-ancestors 'self' {founder.stack.allowed_embed_origin}" in csp
        assert page.headers["Cache-Control"] == "no-store"


async def test_widget_script_and_static_files_are_served_with_their_types(browsers):
    http = browsers().http
    base = browsers().base_url
    async with http.get(base + "/widget.js") as widget:
        assert widget.status == 200
        assert widget.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert widget.headers["Cache-Control"] == "public, max-age=300"
        assert widget.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    for name, content_type in (("chat.js", "text/javascript"), ("chat.css", "text/css")):
        async with http.get(f"{base}/static/{name}") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == f"{content_type}; charset=utf-8"
            assert response.headers["Cache-Control"] == "no-cache"
            etag = response.headers["ETag"]
        async with http.get(f"{base}/static/{name}", headers={"If-None-Match": etag}) as again:
            assert again.status == 304  # revalidated, not downloaded again
    for bad in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/.hidden.js", "/static/x.py"):
        async with http.get(base + bad) as response:
            assert response.status == 404
            assert (await response.json())["error"] == "not_found"


async def test_a_socket_from_another_site_is_refused_and_an_allowed_one_accepted(browsers):
    founder = browsers()
    await founder.open_page()
    for origin in ("http://evil.example", "null", f"{founder.base_url}.evil.example"):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await founder.connect(origin=origin)
        assert refused.value.status == 403

    embedded = await founder.connect(origin=founder.stack.allowed_embed_origin)
    assert await embedded.hello() == []
    own = await founder.connect(origin=founder.base_url)
    assert await own.hello() == []


async def test_a_handshake_without_origin_is_refused_with_a_reason(browsers):
    founder = browsers()
    async with founder.http.get(
        founder.base_url + "/ws",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Accept-Language": "sv",
        },
    ) as response:
        assert response.status == 403
        body = await response.json()
    assert body["error"] == "origin_not_allowed"
    assert body["message"].startswith("Chatten får inte öppnas")


async def test_transcript_holds_both_sides_of_the_own_conversation_only(browsers):
    founder = browsers()
    await founder.open_page()
    chat = await founder.connect()
    await chat.hello()
    await chat.say("Hello")
    await chat.say("We build a prototype drone frame in carbon fibre")
    other = browsers()
    await other.open_page()
    other_chat = await other.connect()
    await other_chat.hello()
    await other_chat.say("Hej, vi gör en lampa i mässing")

    status, headers, text = await founder.transcript("en")

    assert status == 200
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Disposition"].startswith('attachment; filename="tillverka-chat-')
    assert "] You: We build a prototype drone frame in carbon fibre" in text
    assert "] Tillverka: " in text and "I'm Tillverka" in text
    assert "mässing" not in text  # the other founder's words are not in it

    status, _, swedish = await other.transcript("sv")
    assert status == 200 and "] Du: Hej, vi gör en lampa i mässing" in swedish
    assert "drone" not in swedish


async def test_rasa_down_is_told_politely_and_the_next_message_works_again(browsers, stack):
    founder = browsers()
    await founder.open_page()
    chat = await founder.connect()
    await chat.hello("sv")
    await asyncio.to_thread(stack.stop_rasa)
    try:
        error = await chat.say("Hej", message_id="down-1")
        assert error["type"] == "error" and error["code"] == "bot_unavailable"
        assert error["message"].startswith("Assistenten kan inte svara just nu")
        assert "Traceback" not in error["message"] and "127.0.0.1" not in error["message"]

        # a reload meanwhile: no empty history (it would wipe the page), but "try again later"
        reload = await founder.connect()
        await reload.send({"type": "hello", "lang": "sv"})
        error = await reload.receive()
        assert (error["type"], error["code"]) == ("error", "bot_unavailable")
        closing = await reload.ws.receive(timeout=10)
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == aiohttp.WSCloseCode.TRY_AGAIN_LATER
    finally:
        await asyncio.to_thread(stack.start_rasa)

    # the widget reconnects (the socket may have timed out meanwhile) and resends the message
    chat = await founder.connect()
    await chat.hello("sv")
    reply = await chat.say("Hej", message_id="down-1")
    assert reply["type"] == "bot" and "Tillverka" in reply["messages"][0]["text"]
