"""The audit log: who did what to which conversation, never what anybody said.

Entries name a conversation by its id until the conversation is erased or expires; then
`pseudonymise` replaces the id with a hash, so the log still shows that something happened to
one (and the same) conversation without pointing at a person. Details are counts, statuses and
ids: `record` refuses anything that looks like free text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection

from bot.db import get_engine, metadata, utc

MAX_ACTION_CHARS = 40
MAX_DETAIL_STRING = 64  # statuses, reasons and ids; a founder's sentence is longer
MAX_RECENT = 1000
ERASED_PREFIX = "erased:"

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user_id", Integer),
    Column("action", String(MAX_ACTION_CHARS), nullable=False),
    Column("conversation_ref", String(255), index=True),
    Column("detail", Text, nullable=False),
)


@dataclass
class AuditEntry:
    id: int
    at: datetime
    user_id: int | None
    action: str
    conversation_ref: str | None
    detail: dict


def _check_detail(value: object, key: str) -> None:
    if value is None or isinstance(value, (bool, int, float)):
        return
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_STRING:
            raise ValueError(f"audit detail {key!r} is too long to be a status or id")
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_detail(item, key)
        return
    if isinstance(value, dict):
        for name, item in value.items():
            _check_detail(item, f"{key}.{name}")
        return
    raise ValueError(f"audit detail {key!r} must be a number, status, id, or a list/dict of them")


def write_entry(
    conn: Connection,
    action: str,
    *,
    user_id: int | None = None,
    conversation_ref: str | None = None,
    detail: dict | None = None,
) -> None:
    """Add one entry inside the caller's transaction (erasure writes it with its deletes)."""
    if not action or len(action) > MAX_ACTION_CHARS:
        raise ValueError(f"audit action must be 1-{MAX_ACTION_CHARS} characters")
    detail = detail or {}
    for key, value in detail.items():
        _check_detail(value, key)
    conn.execute(
        insert(audit_log).values(
            at=datetime.now(timezone.utc),
            user_id=user_id,
            action=action,
            conversation_ref=conversation_ref,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )


class AuditLog:
    def __init__(self, url: str | None = None):
        self.engine = get_engine(url)

    def record(
        self,
        action: str,
        *,
        user_id: int | None = None,
        conversation_id: str | None = None,
        **detail,
    ) -> None:
        """Log `action`; `detail` holds no founder content: pass counts, statuses and ids."""
        with self.engine.begin() as conn:
            write_entry(
                conn, action, user_id=user_id, conversation_ref=conversation_id, detail=detail
            )

    def recent(self, limit: int = 100, conversation_id: str | None = None) -> list[AuditEntry]:
        """The newest entries first, optionally only those about one conversation."""
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if conversation_id is not None:
            query = query.where(audit_log.c.conversation_ref == conversation_id)
        query = query.limit(min(max(1, limit), MAX_RECENT))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                id=row.id,
                at=utc(row.at),
                user_id=row.user_id,
                action=row.action,
                conversation_ref=row.conversation_ref,
                detail=json.loads(row.detail),
            )
            for row in rows
        ]


def erased_ref(conversation_id: str) -> str:
    """What the log calls a conversation once it is erased: the same for the same id."""
    digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()
    return ERASED_PREFIX + digest[:16]


def pseudonymise(conn: Connection, conversation_id: str) -> str:
    """Replace the conversation's id in its entries by `erased_ref`; returns that ref."""
    ref = erased_ref(conversation_id)
    conn.execute(
        update(audit_log)
        .where(audit_log.c.conversation_ref == conversation_id)
        .values(conversation_ref=ref)
    )
    return ref
