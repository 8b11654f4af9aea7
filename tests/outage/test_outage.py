"""Redis, then PostgreSQL, stopped in the middle of a founder's interview (private servers, see
conftest.py): the founder is told politely, /healthz says what is down, nothing stored is lost,
and once the server is back the interview goes on where it was."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid

import aiohttp
import jwt
import pytest

from tests.web.conftest import Browser

FACTS = (
    "Hi, we have a validated prototype of an aluminium sensor housing. "
    "We need 500 a year, +/- 0.05 mm, around $40 each."
)
UNAVAILABLE_EN = "The assistant can't answer right now."
HEALTH_WAIT_S = 30.0  # a probe answers within its 2 s timeouts; this only bounds a hang


def _auth(stack) -> dict[str, str]:
    token = jwt.encode({"user": {"username": "test", "role": "admin"}}, stack.jwt_secret, "HS256")
    return {"Authorization": f"Bearer {token}"}


async def healthz(http, stack) -> tuple[int, dict]:
    async with http.get(f"{stack.web_url}/healthz") as response:
        return response.status, await response.json()


async def wait_health(http, stack, code: int, **expected: str) -> dict:
    """Poll /healthz until it answers `code` with `expected` in its body (e.g. redis="down")."""
    deadline = time.monotonic() + HEALTH_WAIT_S
    while True:
        got, body = await healthz(http, stack)
        if got == code and all(body.get(k) == v for k, v in expected.items()):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/healthz still says {got} {body}, expected {code} {expected}")
        await asyncio.sleep(0.2)


async def tracker(http, stack, conversation_id: str) -> dict:
    async with http.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"include_events": "ALL"},
        headers=_auth(stack),
    ) as response:
        assert response.status == 200
        return await response.json()


async def rasa_rest(http, stack, sender: str, text: str) -> list | None:
    """A message straight to Rasa's REST channel, past the web app's own database check; its
    reply, or None when Rasa gave none (an error or a dropped connection)."""
    try:
        async with http.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=30),
        ) as response:
            return await response.json() if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None


def user_ids(events: list[dict]) -> list[str]:
    return [e["metadata"]["message_id"] for e in events if e["event"] == "user"]


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def test_rasa_takes_each_conversations_lock_in_redis(outage_stack, http):
    """Rasa's Redis lock store is in use: the conversation's ticket lock appears in Redis."""
    redis = outage_stack.redis
    sender = f"lock-check-{uuid.uuid4().hex}"
    log = outage_stack.log_dir / "monitor.log"
    with log.open("wb") as out:
        monitor = subprocess.Popen(
            ["redis-cli", "-p", str(redis.port), "monitor"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + HEALTH_WAIT_S
        while b"OK" not in log.read_bytes():  # MONITOR is on once it says OK
            assert time.monotonic() < deadline and monitor.poll() is None, log.read_text()
            await asyncio.sleep(0.05)
        reply = await rasa_rest(http, outage_stack, sender, "Hello")
    finally:
        monitor.terminate()
        monitor.wait(timeout=10)

    assert reply, "Rasa did not answer"
    assert f'"tillverka:lock:{sender}"' in log.read_text()


async def test_outages_are_told_and_the_interview_continues_where_it_was(outage_stack, http):
    stack = outage_stack
    founder = Browser(stack, http)
    await founder.open_page("/", lang="en")
    chat = await founder.connect(lang="en")
    assert await chat.hello("en") == []
    welcome = await chat.say(FACTS, "m1")
    assert welcome["type"] == "bot"
    conversation = founder.conversation_id

    async def asked() -> str | None:
        return (await tracker(http, stack, conversation))["slots"].get("requested_slot")

    assert await asked() == "certifications"
    assert await healthz(http, stack) == (200, {"status": "ok", "database": "ok", "redis": "ok"})

    # ---- Redis down: Rasa cannot take the conversation's lock
    await asyncio.to_thread(stack.redis.stop)
    try:
        await wait_health(http, stack, 503, status="unavailable", database="ok", redis="down")
        error = await chat.say("ISO 9001", "m2")
        assert error["type"] == "error" and error["code"] == "bot_unavailable", error
        assert error["message"].startswith(UNAVAILABLE_EN)
        assert await asked() == "certifications"  # nothing half-done
    finally:
        await asyncio.to_thread(stack.redis.start)
    await wait_health(http, stack, 200, redis="ok")

    # the widget resends the message: the next question, not a new interview
    reply = await chat.say("ISO 9001", "m2")
    assert reply["type"] == "bot", reply
    assert await asked() == "region"
    assert not any("delete my data" in m["text"] for m in reply["messages"])

    # ---- PostgreSQL down: the conversation cannot be read
    await asyncio.to_thread(stack.postgres.stop)
    try:
        await wait_health(http, stack, 503, status="unavailable", database="down", redis="ok")
        error = await chat.say("Jönköping", "m3")
        assert error["type"] == "error" and error["code"] == "bot_unavailable", error
        # straight to Rasa, past the web app's own check: refused, not answered as a new
        # conversation (Rasa's fail-safe store would start it afresh in memory)
        assert await rasa_rest(http, stack, conversation, "Jönköping") is None
    finally:
        await asyncio.to_thread(stack.postgres.start)
    await wait_health(http, stack, 200, database="ok")

    reply = await chat.say("Jönköping", "m3")
    assert reply["type"] == "bot", reply
    assert await asked() == "timeline_weeks"
    await chat.say("within 8 weeks", "m4")
    assert await asked() == "profile_confirmed"
    final = await chat.say("yes", "m5")
    assert any(
        (m.get("custom") or {}).get("type") == "recommendation" for m in final["messages"]
    ), final

    # every message exactly once, in the history a reloaded page shows and in the tracker
    reload = await founder.connect(lang="en")
    history = await reload.hello("en")
    said = [m for m in history if m["from"] == "user"]
    assert [m["id"] for m in said] == ["m1", "m2", "m3", "m4", "m5"]
    assert [m["text"] for m in said] == [FACTS, "ISO 9001", "Jönköping", "within 8 weeks", "yes"]
    assert user_ids((await tracker(http, stack, conversation))["events"]) == [
        "m1", "m2", "m3", "m4", "m5"
    ]
    assert "TrackerStoreUnavailable" in stack.rasa_log() or "tracker store unavailable" in (
        stack.rasa_log()
    )
