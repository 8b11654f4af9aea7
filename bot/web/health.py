"""GET /healthz: can this web-app instance serve founders now? For a load balancer's or an
orchestrator's readiness and liveness probes (docs/scale-out.md).

200 {"status": "ok", "database": "ok", "redis": "ok"}: the database answers `SELECT 1` and Redis
answers PING ("redis": "off" when REDIS_URL is not set); otherwise 503 with "unavailable" and
"down" for what did not answer within CHECK_TIMEOUT_S. The body never carries an exception's
text or a URL: both may hold a password, and a probe's answer is often public.
(/health, in app.py, is the older check that also counts the register.)
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from bot.db import get_engine
from bot.web.errors import json_response

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0


class HealthChecks:
    """The database and Redis, each asked with a short timeout."""

    def __init__(
        self, database_url: str | None, redis_url: str | None, timeout_s: float = CHECK_TIMEOUT_S
    ) -> None:
        self.database_url = database_url  # None: DATABASE_URL
        self.timeout_s = timeout_s
        self.redis = None
        if redis_url:
            import redis.asyncio as aioredis

            self.redis = aioredis.from_url(
                redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
            )
        self._probe: asyncio.Future | None = None

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()

    async def database(self) -> str:
        # One query at a time, in a thread: a hanging database must not pile up blocked
        # threads when probes keep coming; later probes wait for the same query.
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().run_in_executor(None, self._select_one)
        try:
            await asyncio.wait_for(asyncio.shield(self._probe), self.timeout_s)
        except Exception as exc:
            log.warning("health: the database did not answer (%s)", type(exc).__name__)
            return "down"
        return "ok"

    def _select_one(self) -> None:
        with get_engine(self.database_url).connect() as conn:
            conn.execute(text("SELECT 1"))

    async def redis_state(self) -> str:
        if self.redis is None:
            return "off"
        try:
            await asyncio.wait_for(self.redis.ping(), self.timeout_s)
        except Exception as exc:
            log.warning("health: Redis did not answer (%s)", type(exc).__name__)
            return "down"
        return "ok"

    async def report(self) -> tuple[int, dict]:
        database, redis = await asyncio.gather(self.database(), self.redis_state())
        healthy = database == "ok" and redis != "down"
        body = {"status": "ok" if healthy else "unavailable", "database": database, "redis": redis}
        return (200 if healthy else 503), body


HEALTH = web.AppKey("health_checks", HealthChecks)


def setup_health(app: web.Application, database_url: str | None, redis_url: str | None) -> None:
    """Add GET /healthz to `app`, checking `database_url` and, when set, `redis_url`."""
    app[HEALTH] = HealthChecks(database_url, redis_url)

    async def close(app: web.Application) -> None:
        await app[HEALTH].close()

    app.on_cleanup.append(close)
    app.router.add_get("/healthz", healthz)


async def healthz(request: web.Request) -> web.Response:
    status, body = await request.app[HEALTH].report()
    return json_response(body, status=status, headers={"Cache-Control": "no-store"})
