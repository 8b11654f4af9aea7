"""GET /healthz, the web app's readiness/liveness probe: the database and Redis, each asked with
a short timeout, and nothing secret in the answer."""

from __future__ import annotations

import asyncio
import os
import socket
import threading

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
from bot.web.chat import ChatSettings
from bot.web.health import HEALTH, HealthChecks

TOKEN = "test-admin-token-" + "z" * 40
# nothing listens on port 1; the passwords must never show up in an answer
DEAD_DATABASE = "postgresql://tillverka:db-s3cret@127.0.0.1:1/tillverka?connect_timeout=2"
TEST_REDIS = os.environ.get("TILLVERKA_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("TILLVERKA_TEST_REDIS_DB", "9"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


def settings(redis_url: str | None) -> ChatSettings:
    return ChatSettings(
        rasa_url="http://127.0.0.1:1", jwt_secret="j" * 48, cookie_key="c" * 48, redis_url=redis_url
    )


async def healthz(database_url: str, redis_url: str | None = None):
    app = create_app(database_url, admin_token=TOKEN, chat_settings=settings(redis_url))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        return response.status, response.headers, await response.text(), await response.json()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'health.db'}"


async def test_healthy_without_redis_says_redis_is_off(sqlite_url):
    status, headers, _, body = await healthz(sqlite_url)

    assert status == 200
    assert body == {"status": "ok", "database": "ok", "redis": "off"}
    assert headers["Cache-Control"] == "no-store"  # a probe must see the state now


async def test_healthy_with_redis(sqlite_url):
    status, _, _, body = await healthz(sqlite_url, f"{TEST_REDIS}/{REDIS_DB}")

    assert (status, body) == (200, {"status": "ok", "database": "ok", "redis": "ok"})


async def test_database_down_is_503_naming_it_without_secrets(sqlite_url):
    status, _, raw, body = await healthz(DEAD_DATABASE)

    assert status == 503
    assert body == {"status": "unavailable", "database": "down", "redis": "off"}
    assert "s3cret" not in raw and "127.0.0.1" not in raw


async def test_redis_down_is_503_naming_it_without_secrets(sqlite_url):
    status, _, raw, body = await healthz(
        sqlite_url, f"redis://:redis-s3cret@127.0.0.1:{closed_port()}/0"
    )

    assert status == 503
    assert body == {"status": "unavailable", "database": "ok", "redis": "down"}
    assert "s3cret" not in raw and "127.0.0.1" not in raw


async def test_both_down(sqlite_url):
    status, _, _, body = await healthz(DEAD_DATABASE, f"redis://127.0.0.1:{closed_port()}/0")

    assert (status, body["database"], body["redis"]) == (503, "down", "down")


async def test_a_hanging_database_is_down_after_the_timeout_and_probes_do_not_pile_up(
    sqlite_url, monkeypatch
):
    checks = HealthChecks(sqlite_url, None, timeout_s=0.2)
    release, calls = threading.Event(), []

    def hanging_select() -> None:
        calls.append(1)
        release.wait(10)

    monkeypatch.setattr(checks, "_select_one", hanging_select)
    try:
        first = await checks.report()
        second = await checks.report()  # the first query still hangs: no second thread
    finally:
        release.set()
    await asyncio.sleep(0)

    assert first == second == (503, {"status": "unavailable", "database": "down", "redis": "off"})
    assert len(calls) == 1


async def test_a_database_that_comes_back_is_healthy_again(tmp_path):
    folder = tmp_path / "not-yet"  # SQLite can't open a file in a missing folder
    app = create_app(f"sqlite:///{folder / 't.db'}", admin_token=TOKEN, chat_settings=settings(None))
    async with TestClient(TestServer(app)) as client:
        down = await client.get("/healthz")
        folder.mkdir()
        up = await client.get("/healthz")

        assert down.status == 503 and (await down.json())["database"] == "down"
        assert up.status == 200
        assert isinstance(app[HEALTH], HealthChecks)
