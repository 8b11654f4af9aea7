"""Each Slack delivery is handled once (bot/slack/dedupe.py), in memory or across instances."""

from __future__ import annotations

import os
import uuid

import pytest

from bot.slack.dedupe import MemorySeen, RedisSeen, seen_store

REDIS_URL = os.environ.get("TILLVERKA_TEST_REDIS", "redis://127.0.0.1:6379") + "/5"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_remembers_a_key_until_it_expires():
    clock = Clock()
    seen = MemorySeen(ttl_s=60, clock=clock)

    assert await seen.first_time("event:Ev1") is True
    assert await seen.first_time("event:Ev1") is False  # a retry
    assert await seen.first_time("event:Ev2") is True
    assert await seen.seen("event:Ev1") and not await seen.seen("event:Ev3")
    assert not await seen.seen("event:Ev3")  # asking does not remember

    clock.now += 61
    assert not await seen.seen("event:Ev1")
    assert await seen.first_time("event:Ev1") is True


async def test_memory_forgets_expired_keys_so_it_stays_small():
    clock = Clock()
    seen = MemorySeen(ttl_s=1, clock=clock)
    for n in range(1500):
        await seen.first_time(f"k{n}")
        clock.now += 0.01
    assert len(seen._expires) < 1100


def test_redis_is_used_when_configured():
    assert isinstance(seen_store(None), MemorySeen)
    assert isinstance(seen_store("redis://127.0.0.1:1/0"), RedisSeen)


@pytest.fixture
async def redis_pair():
    prefix = f"test:{uuid.uuid4().hex}:"
    first, second = RedisSeen(REDIS_URL, 60, prefix), RedisSeen(REDIS_URL, 60, prefix)
    try:
        await first.client.ping()
    except Exception as exc:  # noqa: BLE001 - any connection failure means: no Redis here
        await first.close()
        await second.close()
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield first, second
    await first.client.delete(*[k async for k in first.client.scan_iter(prefix + "*")] or [prefix])
    await first.close()
    await second.close()


async def test_two_instances_sharing_redis_handle_a_delivery_once(redis_pair):
    first, second = redis_pair

    assert await first.first_time("event:Ev1") is True
    assert await second.first_time("event:Ev1") is False  # the other Rasa instance got the retry
    assert await second.seen("event:Ev1") and not await second.seen("event:Ev2")
    assert 0 < await first.client.ttl(first.prefix + "event:Ev1") <= 60  # it expires


async def test_without_redis_a_message_is_still_answered():
    seen = RedisSeen("redis://127.0.0.1:1/0", 60)  # nothing listens on port 1
    try:
        assert await seen.first_time("event:Ev1") is True
        assert await seen.seen("thread") is False
    finally:
        await seen.close()
