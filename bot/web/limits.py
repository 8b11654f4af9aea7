"""Rate limits for the website chat: fixed windows, in Redis when several web-app instances share
the load (REDIS_URL), in memory otherwise.

A fixed window counts hits per key in the current period (e.g. this minute) and refuses once
the count passes the limit; cheap (one INCR) and good enough against a flooding client.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)

KEY_PREFIX = "tillverka:rate:"


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `period_s` seconds for each key of this `name`."""

    name: str
    count: int
    period_s: float = 60.0


class MemoryWindows:
    """Fixed windows in this process only (one web-app instance)."""

    # keys whose window has ended are dropped once the table holds this many
    SWEEP_AT = 10_000

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        # (limit name, key) -> (window end, hits in that window)
        self._counts: dict[tuple[str, str], tuple[float, int]] = {}

    async def hit(self, limit: Limit, key: str) -> bool:
        """Count one hit; False if it goes over the limit."""
        now = self._clock()
        ends, hits = self._counts.get((limit.name, key), (0.0, 0))
        if now >= ends:
            ends, hits = (now // limit.period_s + 1) * limit.period_s, 0
        self._counts[(limit.name, key)] = (ends, hits + 1)
        if len(self._counts) > self.SWEEP_AT:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        return hits + 1 <= limit.count


class RedisWindows:
    """Fixed windows in Redis, shared by every web-app instance.

    If Redis does not answer, the hit is allowed (and logged): a Redis outage must not lock
    every founder out of the chat.
    """

    def __init__(self, redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._clock = clock

    async def hit(self, limit: Limit, key: str) -> bool:
        window = int(self._clock() // limit.period_s)
        redis_key = f"{KEY_PREFIX}{limit.name}:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(redis_key)
                # the key outlives its window a little, so clock skew between instances is harmless
                pipe.expire(redis_key, math.ceil(limit.period_s) + 5)
                count, _ = await pipe.execute()
        except Exception as exc:  # redis.RedisError, OSError, timeouts: all mean "no answer"
            log.warning("rate limit not checked, Redis did not answer: %s", exc)
            return True
        return int(count) <= limit.count


def windows_for(redis) -> MemoryWindows | RedisWindows:
    return RedisWindows(redis) if redis is not None else MemoryWindows()


def env_int(name: str, default: int, minimum: int = 1) -> int:
    """An integer setting from the environment, with a clear error for a bad value."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def client_ip(request: web.Request, proxy_hops: int = 0) -> str:
    """The founder's IP address. Behind `proxy_hops` trusted reverse proxies it is the entry
    that many places from the end of X-Forwarded-For (earlier entries can be forged by the
    client); without proxies the header is ignored."""
    if proxy_hops > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxy_hops:
            return forwarded[-proxy_hops]
    return request.remote or "unknown"
