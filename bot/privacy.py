"""Erasure on request ("delete my data").

The lead is deleted at once. The transcript lives in Rasa's tracker store, and Rasa has no
delete for trackers; deleting the rows while Rasa is still handling that very message would
let Rasa write them back, so the request is queued and `erase_due` deletes the transcript once
the conversation has been quiet for a short while.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Engine

from bot.db import get_engine, metadata
from bot.leads import leads_table

QUIET_SECONDS = 30

erasure_requests = Table(
    "erasure_requests",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def request_erasure(conversation_id: str, url: str | None = None) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(
            delete(erasure_requests).where(erasure_requests.c.conversation_id == conversation_id)
        )
        conn.execute(
            insert(erasure_requests).values(conversation_id=conversation_id, requested_at=_now())
        )


def _rasa_events_table(engine: Engine) -> Table | None:
    if not inspect(engine).has_table("events"):
        return None
    return Table("events", MetaData(), autoload_with=engine)


def erase_due(
    url: str | None = None, tracker_url: str | None = None, now: datetime | None = None
) -> int:
    """Delete the transcripts of requests older than QUIET_SECONDS; returns how many."""
    engine = get_engine(url)
    tracker_engine = get_engine(tracker_url) if tracker_url else engine
    cutoff = (now or _now()) - timedelta(seconds=QUIET_SECONDS)
    with engine.connect() as conn:
        due = [
            row.conversation_id
            for row in conn.execute(
                select(erasure_requests.c.conversation_id).where(
                    erasure_requests.c.erased_at.is_(None),
                    erasure_requests.c.requested_at <= cutoff,
                )
            )
        ]
    events = _rasa_events_table(tracker_engine)
    for conversation_id in due:
        if events is not None:
            with tracker_engine.begin() as conn:
                conn.execute(delete(events).where(events.c.sender_id == conversation_id))
        with engine.begin() as conn:
            conn.execute(
                update(erasure_requests)
                .where(erasure_requests.c.conversation_id == conversation_id)
                .values(erased_at=_now())
            )
    return len(due)


def retention_days() -> int:
    return int(os.environ.get("TILLVERKA_RETENTION_DAYS", "365"))


def expire_old(url: str | None = None, days: int | None = None, now: datetime | None = None) -> int:
    """Delete transcripts and leads untouched for longer than the retention period."""
    engine = get_engine(url)
    cutoff = (now or _now()) - timedelta(days=days if days is not None else retention_days())
    events = _rasa_events_table(engine)
    removed = 0
    if events is not None:
        # a conversation expires as a whole, judged by its latest event
        latest = func.max(events.c.timestamp)
        with engine.begin() as conn:
            stale = [
                row.sender_id
                for row in conn.execute(
                    select(events.c.sender_id)
                    .group_by(events.c.sender_id)
                    .having(latest < cutoff.timestamp())
                )
            ]
            if stale:
                removed = conn.execute(delete(events).where(events.c.sender_id.in_(stale))).rowcount
    with engine.begin() as conn:
        conn.execute(delete(leads_table).where(leads_table.c.updated_at < cutoff))
    return removed
