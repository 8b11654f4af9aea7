"""Erasure on request ("delete my data") and the retention period.

Everything we hold about a conversation goes together: Rasa's tracker events, the lead, the
advisors' notes, the transcript search index and the web chat's record of it. The audit log
keeps that it happened, with counts, and only a hash of the conversation id.

A founder's request is queued (`request_erasure`) and carried out by `erase_due` once
QUIET_SECONDS have passed. Rasa has no delete for trackers, and while it is still handling a
message it holds that conversation's tracker in memory; when it saves it, it writes every event
the database lacks, so events deleted under it come straight back (with the lead and index rows
our event broker makes from them). The request itself is such a message ("delete my data"), so
erasing at once would be undone by its own reply.
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
    exists,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from bot import transcript_index
from bot.advisors import audit, notes
from bot.db import get_engine, metadata
from bot.leads import leads_table

QUIET_SECONDS = 30
BATCH = 200  # conversations expired per transaction

erasure_requests = Table(
    "erasure_requests",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _chat_conversations() -> Table:
    # bot.web.session imports this module (has_messages asks about erasures)
    from bot.web.session import chat_conversations

    return chat_conversations


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


def _delete_rows(conn: Connection, conversation_id: str) -> dict[str, int]:
    """Our own rows of one conversation (not the tracker's events)."""
    chat = _chat_conversations()
    return {
        "leads": conn.execute(
            delete(leads_table).where(leads_table.c.conversation_id == conversation_id)
        ).rowcount,
        "notes": notes.delete_notes(conn, conversation_id),
        "transcript_messages": transcript_index.delete_conversation(conn, conversation_id),
        "chat_conversations": conn.execute(
            delete(chat).where(chat.c.conversation_id == conversation_id)
        ).rowcount,
    }


def _delete_events(conn: Connection, events: Table | None, conversation_ids: list[str]) -> int:
    if events is None or not conversation_ids:
        return 0
    return conn.execute(delete(events).where(events.c.sender_id.in_(conversation_ids))).rowcount


def _close_requests(conn: Connection, conversation_id: str, ref: str) -> int:
    """Mark the conversation's erasure request done, keeping only the hash of its id."""
    requests = erasure_requests.c
    found = conn.execute(
        select(func.count()).where(requests.conversation_id == conversation_id)
    ).scalar_one()
    if found:
        conn.execute(delete(erasure_requests).where(requests.conversation_id == ref))
        conn.execute(
            update(erasure_requests)
            .where(requests.conversation_id == conversation_id)
            .values(conversation_id=ref, erased_at=_now())
        )
    return found


def erase_conversation(
    conversation_id: str,
    *,
    url: str | None = None,
    tracker_url: str | None = None,
    user_id: int | None = None,
    reason: str = "founder_request",
) -> dict[str, int]:
    """Erase everything of one conversation now; returns how many rows went from each table.

    Mind the module docstring: a message Rasa is handling right now writes its events back.
    For a founder's own request use request_erasure (erase_due calls this after the quiet
    period); an advisor erasing a conversation that is active right now should do the same."""
    _chat_conversations()  # registered before get_engine creates the tables
    engine = get_engine(url)
    tracker_engine = get_engine(tracker_url) if tracker_url else engine
    events = _rasa_events_table(tracker_engine)
    with engine.begin() as conn:
        if tracker_engine is engine:
            counts = {"events": _delete_events(conn, events, [conversation_id])}
        else:
            with tracker_engine.begin() as tracker_conn:
                counts = {"events": _delete_events(tracker_conn, events, [conversation_id])}
        counts.update(_delete_rows(conn, conversation_id))
        ref = audit.pseudonymise(conn, conversation_id)
        counts["erasure_requests"] = _close_requests(conn, conversation_id, ref)
        audit.write_entry(
            conn,
            "erasure",
            user_id=user_id,
            conversation_ref=ref,
            detail={"reason": reason, **counts},
        )
    return counts


def erase_due(
    url: str | None = None, tracker_url: str | None = None, now: datetime | None = None
) -> int:
    """Erase the conversations whose erasure was requested more than QUIET_SECONDS ago (by
    then Rasa has saved the request's own reply, which would otherwise bring the deleted
    events back); returns how many."""
    engine = get_engine(url)
    cutoff = (now or _now()) - timedelta(seconds=QUIET_SECONDS)
    with engine.connect() as conn:
        due = list(
            conn.execute(
                select(erasure_requests.c.conversation_id).where(
                    erasure_requests.c.erased_at.is_(None),
                    erasure_requests.c.requested_at <= cutoff,
                )
            ).scalars()
        )
    for conversation_id in due:
        erase_conversation(conversation_id, url=url, tracker_url=tracker_url)
    return len(due)


def retention_days() -> int:
    return int(os.environ.get("TILLVERKA_RETENTION_DAYS", "365"))


def _stale_conversations(conn: Connection, events: Table | None, cutoff: datetime) -> list[str]:
    """Conversations whose latest activity is before `cutoff`: judged by the tracker's events
    where there are any, else by the lead's last message, else by the web chat's."""
    leads, chat = leads_table.c, _chat_conversations().c
    stale: list[str] = []
    no_events = []
    if events is not None:
        stale += conn.execute(
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff.timestamp())
        ).scalars()
        no_events = [
            ~exists().where(events.c.sender_id == leads.conversation_id),
        ]
    last_lead_activity = func.coalesce(leads.last_message_at, leads.updated_at)
    stale += conn.execute(
        select(leads.conversation_id).where(last_lead_activity < cutoff, *no_events)
    ).scalars()
    chat_without_events = (
        [~exists().where(events.c.sender_id == chat.conversation_id)] if events is not None else []
    )
    stale += conn.execute(
        select(chat.conversation_id).where(
            chat.last_message_at < cutoff,
            ~exists().where(leads.conversation_id == chat.conversation_id),
            *chat_without_events,
        )
    ).scalars()
    return list(dict.fromkeys(stale))


def expire_old(url: str | None = None, days: int | None = None, now: datetime | None = None) -> int:
    """Remove everything of the conversations untouched for longer than the retention period;
    returns how many conversations. The audit log gets one entry per run that removed any."""
    _chat_conversations()  # registered before get_engine creates the tables
    engine = get_engine(url)
    days = days if days is not None else retention_days()
    cutoff = (now or _now()) - timedelta(days=days)
    events = _rasa_events_table(engine)
    with engine.connect() as conn:
        stale = _stale_conversations(conn, events, cutoff)
    totals: dict[str, int] = {}
    for start in range(0, len(stale), BATCH):
        batch = stale[start : start + BATCH]
        with engine.begin() as conn:
            totals["events"] = totals.get("events", 0) + _delete_events(conn, events, batch)
            for conversation_id in batch:
                for table, count in _delete_rows(conn, conversation_id).items():
                    totals[table] = totals.get(table, 0) + count
                audit.pseudonymise(conn, conversation_id)
    if stale:
        with engine.begin() as conn:
            audit.write_entry(
                conn,
                "retention",
                detail={"conversations": len(stale), "days": days, **totals},
            )
    return len(stale)
