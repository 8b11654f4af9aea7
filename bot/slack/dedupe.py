"""Remember which Slack deliveries were already handled, for a while.

Slack retries an event it thinks was not acknowledged (same `event_id`), and a mention in a
channel the app listens to arrives twice (`message` and `app_mention`, same channel and `ts`).
Each must be answered once, also across several Rasa instances: Redis when REDIS_URL is set,
this process's memory otherwise. Entries expire, so memory stays bounded.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

DEFAULT_TTL_S = 3600  # Slack gives up retrying after about an hour at most
KEY_PREFIX = "tillverka:slack:"


class MemorySeen:
    """Keys seen in this process, each forgotten `ttl_s` after it was first seen."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S, clock=time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self._expires: dict[str, float] = {}

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is offered within its lifetime (and remembers it)."""
        now = self.clock()
        if len(self._expires) > 1000:
            self._expires = {k: t for k, t in self._expires.items() if t > now}
        if self._expires.get(key, 0) > now:
            return False
        self._expires[key] = now + self.ttl_s
        return True

    async def seen(self, key: str) -> bool:
        """Whether `key` was offered within its lifetime (without remembering it)."""
        return self._expires.get(key, 0) > self.clock()


class RedisSeen:
    """Keys seen by any instance sharing the Redis database (SET NX with expiry)."""

    def __init__(
        self, redis_url: str, ttl_s: float = DEFAULT_TTL_S, prefix: str = KEY_PREFIX
    ) -> None:
        import redis.asyncio

        self.ttl_s, self.prefix = int(ttl_s), prefix
        self.client = redis.asyncio.Redis.from_url(
            redis_url, socket_connect_timeout=2, socket_timeout=2
        )

    async def first_time(self, key: str) -> bool:
        import redis

        try:
            return bool(await self.client.set(self.prefix + key, b"1", nx=True, ex=self.ttl_s))
        except redis.RedisError:
            # Answering twice beats not answering at all.
            logger.exception("Redis unavailable for Slack de-duplication; handling %s anyway", key)
            return True

    async def seen(self, key: str) -> bool:
        import redis

        try:
            return bool(await self.client.exists(self.prefix + key))
        except redis.RedisError:
            logger.exception("Redis unavailable for Slack de-duplication; assuming %s is new", key)
            return False

    async def close(self) -> None:
        await self.client.close()


def seen_store(
    redis_url: str | None, ttl_s: float = DEFAULT_TTL_S, prefix: str = KEY_PREFIX
) -> MemorySeen | RedisSeen:
    """Redis-backed when `redis_url` is set, else in this process's memory."""
    return RedisSeen(redis_url, ttl_s, prefix) if redis_url else MemorySeen(ttl_s)
