"""Rate limits of the website chat: fixed windows in memory and in Redis, the client's address,
and the settings that tune them."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import make_mocked_request

from bot.web.chat import ChatSettings
from bot.web.limits import KEY_PREFIX, Limit, MemoryWindows, RedisWindows, client_ip, env_int

REDIS_URL = "redis://127.0.0.1:6379/6"


class Clock:
    def __init__(self, now: float = 1_000_040.0) -> None:  # 20 s into a minute
        self.now = now

    def __call__(self) -> float:
        return self.now


async def connect_redis():
    client = aioredis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception:
        await client.close()
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


@pytest.fixture
async def redis_client():
    client = await connect_redis()
    yield client
    await client.close()


@pytest.fixture(params=["memory", "redis"])
async def windows(request):
    clock = Clock()
    if request.param == "memory":
        yield MemoryWindows(clock), clock
        return
    client = await connect_redis()
    yield RedisWindows(client, clock), clock
    await client.close()


def fresh_limit(count: int = 3) -> Limit:
    return Limit(f"test-{uuid.uuid4().hex}", count, 60)  # its own keys in a shared Redis


async def test_the_limit_allows_so_many_a_minute_then_refuses(windows):
    limiter, _ = windows
    limit = fresh_limit(3)
    assert [await limiter.hit(limit, "conv") for _ in range(5)] == [True, True, True, False, False]


async def test_the_next_minute_starts_afresh(windows):
    limiter, clock = windows
    limit = fresh_limit(2)
    for _ in range(3):
        await limiter.hit(limit, "conv")
    clock.now += 39.9  # still this minute
    assert await limiter.hit(limit, "conv") is False
    clock.now += 0.2  # the next one
    assert await limiter.hit(limit, "conv") is True


async def test_keys_and_limits_count_separately(windows):
    limiter, _ = windows
    per_conversation, per_ip = fresh_limit(1), fresh_limit(1)
    assert await limiter.hit(per_conversation, "a") is True
    assert await limiter.hit(per_conversation, "a") is False
    assert await limiter.hit(per_conversation, "b") is True
    assert await limiter.hit(per_ip, "a") is True


async def test_redis_windows_expire_by_themselves(redis_client):
    clock = Clock()
    limit = fresh_limit(5)
    await RedisWindows(redis_client, clock).hit(limit, "conv")
    key = f"{KEY_PREFIX}{limit.name}:conv:{int(clock.now // 60)}"
    assert 60 <= await redis_client.ttl(key) <= 65


async def test_with_redis_down_nobody_is_locked_out():
    client = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        limiter = RedisWindows(client)
        limit = fresh_limit(1)
        assert [await limiter.hit(limit, "conv") for _ in range(3)] == [True, True, True]
    finally:
        await client.close()


async def test_memory_windows_forget_ended_windows():
    clock = Clock()
    limiter = MemoryWindows(clock)
    limiter.SWEEP_AT = 10
    limit = fresh_limit(1)
    for n in range(10):
        await limiter.hit(limit, f"old-{n}")
    clock.now += 60
    await limiter.hit(limit, "new")
    assert list(limiter._counts) == [(limit.name, "new")]


def request_from(remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("GET", "/ws", headers=headers)
    # make_mocked_request has no peer address: give it one
    return request.clone(remote=remote)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.1"),  # no proxy: the header is the client's own claim
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # what the proxy saw, not what the client wrote
        (2, "6.6.6.6, 1.2.3.4, 172.16.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1"),  # fewer entries than proxies: not trustworthy
        (1, None, "10.0.0.1"),
    ],
)
def test_the_clients_address_behind_trusted_proxies(hops, forwarded, expected):
    assert client_ip(request_from("10.0.0.1", forwarded), hops) == expected


def test_chat_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_JWT_SECRET", "j" * 40)
    monkeypatch.setenv("TILLVERKA_COOKIE_KEY", "c" * 40)
    monkeypatch.setenv("TILLVERKA_CHAT_RATE_PER_MINUTE", "5")
    monkeypatch.setenv("TILLVERKA_CHAT_RATE_PER_IP_MINUTE", "50")
    monkeypatch.setenv("TILLVERKA_ALLOWED_ORIGINS", " https://Example.se/ ,,https://b.se")
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)

    settings = ChatSettings.from_env()

    assert (settings.rate_per_minute, settings.rate_per_ip_minute) == (5, 50)
    assert settings.allowed_origins == ("https://example.se", "https://b.se")
    assert settings.rasa_url == "http://127.0.0.1:5005" and settings.redis_url is None


@pytest.mark.parametrize(("raw", "message"), [("many", "whole number"), ("0", "at least 1")])
def test_a_bad_limit_setting_says_what_is_wrong(monkeypatch, raw, message):
    monkeypatch.setenv("TILLVERKA_CHAT_RATE_PER_MINUTE", raw)
    with pytest.raises(ValueError, match=f"TILLVERKA_CHAT_RATE_PER_MINUTE must be .*{message}"):
        env_int("TILLVERKA_CHAT_RATE_PER_MINUTE", 20)


@pytest.mark.parametrize(
    "bad", ["example.se", "https://a.se; script-src *", "https://a.se/path", "*"]
)
def test_an_allowed_origin_that_is_not_an_origin_is_refused_at_start(monkeypatch, bad):
    monkeypatch.setenv("RASA_JWT_SECRET", "j" * 40)
    monkeypatch.setenv("TILLVERKA_COOKIE_KEY", "c" * 40)
    monkeypatch.setenv("TILLVERKA_ALLOWED_ORIGINS", f"https://ok.se,{bad}")
    with pytest.raises(ValueError, match="is not an origin like https://example.se"):
        ChatSettings.from_env()
