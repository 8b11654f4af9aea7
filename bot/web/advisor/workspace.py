"""The workspace's stores, opened on first use and called off the event loop.

Every store blocks (SQLAlchemy), so handlers call them through `run`, like register_api.py does.
Stores are made lazily: a database that is down when the web app starts must not stop it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from bot.advisors.audit import AuditLog
from bot.advisors.notes import NoteStore
from bot.advisors.sessions import SessionStore
from bot.advisors.users import UserStore
from bot.leads import LeadStore
from bot.register.history import ImportHistory

log = logging.getLogger(__name__)

T = TypeVar("T")


class Workspace:
    """One web app's handles on the advisor tables (DATABASE_URL unless a url is given)."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url

    # cached_property: the first call (in a worker thread) opens the engine and its tables
    @functools.cached_property
    def leads(self) -> LeadStore:
        return LeadStore(self.database_url)

    @functools.cached_property
    def notes(self) -> NoteStore:
        return NoteStore(self.database_url)

    @functools.cached_property
    def audit_log(self) -> AuditLog:
        return AuditLog(self.database_url)

    @functools.cached_property
    def users(self) -> UserStore:
        return UserStore(self.database_url)

    @functools.cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.database_url)

    @functools.cached_property
    def imports(self) -> ImportHistory:
        return ImportHistory(self.database_url)

    async def run(self, work: Callable[[Workspace], T]) -> T:
        """`work(self)` in the default executor: the stores block."""
        return await asyncio.get_running_loop().run_in_executor(None, work, self)

    async def audit(
        self,
        action: str,
        *,
        user_id: int | None = None,
        conversation_id: str | None = None,
        **detail: object,
    ) -> None:
        """Record an action; a failing audit write is logged, never shown as the change failing
        (the change itself is already done)."""
        try:
            await self.run(
                lambda ws: ws.audit_log.record(
                    action, user_id=user_id, conversation_id=conversation_id, **detail
                )
            )
        except Exception:
            log.exception("audit entry %s not recorded", action)


WORKSPACE = web.AppKey("advisor_workspace", Workspace)


def workspace(request: web.Request) -> Workspace:
    return request.config_dict[WORKSPACE]
