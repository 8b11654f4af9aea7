"""Background privacy work of the web app: queued erasures and the retention period."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot import privacy

log = logging.getLogger(__name__)


def interval_seconds() -> float:
    return float(os.environ.get("TILLVERKA_HOUSEKEEPING_SECONDS", "60"))


def run_once(database_url: str | None) -> tuple[int, int]:
    """(transcripts erased on request, conversations expired)."""
    return privacy.erase_due(database_url), privacy.expire_old(database_url)


def setup_housekeeping(app: web.Application, database_url: str | None) -> None:
    async def loop_forever():
        while True:
            try:
                erased, expired = await asyncio.get_running_loop().run_in_executor(
                    None, run_once, database_url
                )
                if erased or expired:
                    log.info("privacy: erased %s on request, expired %s", erased, expired)
            except SQLAlchemyError:
                # the database may be down; /health reports that, we just try again later
                log.warning("privacy housekeeping could not reach the database", exc_info=True)
            await asyncio.sleep(interval_seconds())

    async def context(app: web.Application):
        task = asyncio.create_task(loop_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(context)
