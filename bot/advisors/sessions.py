"""Advisors' server-side sessions: a random token in the cookie, only its SHA-256 in the table.

A session lasts IDLE_TIMEOUT after the last request and never longer than ABSOLUTE_TIMEOUT
after sign-in; each carries its own CSRF token for the forms.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.advisors.users import AccountError, User, advisor_users, as_utc, user_from_row
from bot.db import get_engine, metadata

IDLE_TIMEOUT = timedelta(hours=8)
ABSOLUTE_TIMEOUT = timedelta(days=7)
# sliding the expiry on every request would be a write per page view
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_CHARS = 100  # token_urlsafe(32) has 43; anything much longer is not ours

advisor_sessions = Table(
    "advisor_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class SessionStore:
    """Sessions in the shared database (DATABASE_URL unless a url is given)."""

    def __init__(self, url: str | None = None):
        self.engine: Engine = get_engine(url)

    def create(self, user_id: int, now: datetime | None = None) -> tuple[str, Session]:
        """A new session for an enabled user: (cookie token, session)."""
        now = as_utc(now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires_at = min(now + IDLE_TIMEOUT, now + ABSOLUTE_TIMEOUT)
        with self.engine.begin() as conn:
            row = conn.execute(select(advisor_users).where(advisor_users.c.id == user_id)).first()
            if row is None or row.disabled:
                raise AccountError(
                    "no_such_user", f"There is no enabled account with id {user_id}."
                )
            conn.execute(
                insert(advisor_sessions).values(
                    token_hash=_hash(token),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                    expires_at=expires_at,
                )
            )
        return token, Session(user_from_row(row), csrf, expires_at)

    def lookup(self, token: str | None, now: datetime | None = None) -> Session | None:
        """The live session of a cookie token, its expiry slid forward; None for anything else
        (unknown, expired, a disabled user, not a token at all)."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            return None
        now = as_utc(now)
        token_hash = _hash(token)
        s, u = advisor_sessions.c, advisor_users.c
        query = (
            select(s.csrf_token, s.created_at, s.last_seen, s.expires_at)
            .add_columns(u.id, u.email, u.name, u.role, u.disabled)
            .join_from(advisor_sessions, advisor_users, u.id == s.user_id)
            .where(s.token_hash == token_hash)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        expires_at = as_utc(m["expires_at"])
        if expires_at <= now or m["disabled"]:
            return None
        if now - as_utc(m["last_seen"]) >= TOUCH_INTERVAL:
            expires_at = min(now + IDLE_TIMEOUT, as_utc(m["created_at"]) + ABSOLUTE_TIMEOUT)
            with self.engine.begin() as conn:
                conn.execute(
                    update(advisor_sessions)
                    .where(s.token_hash == token_hash)
                    .values(last_seen=now, expires_at=expires_at)
                )
        return Session(user_from_row(row), m["csrf_token"], expires_at)

    def delete(self, token: str) -> None:
        """Sign out: the session of this token ends (an unknown token is no error)."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            return
        with self.engine.begin() as conn:
            conn.execute(
                delete(advisor_sessions).where(advisor_sessions.c.token_hash == _hash(token))
            )

    def delete_for_user(self, user_id: int) -> int:
        """End every session of a user; how many there were."""
        with self.engine.begin() as conn:
            return conn.execute(
                delete(advisor_sessions).where(advisor_sessions.c.user_id == user_id)
            ).rowcount

    def purge_expired(self, now: datetime | None = None) -> int:
        """Remove sessions past their expiry (housekeeping); how many."""
        with self.engine.begin() as conn:
            return conn.execute(
                delete(advisor_sessions).where(advisor_sessions.c.expires_at <= as_utc(now))
            ).rowcount
