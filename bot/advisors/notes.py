"""Advisors' notes on a lead: free text, oldest first, erased with the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, delete, insert, select
from sqlalchemy.engine import Connection

from bot.db import get_engine, metadata, utc

MAX_NOTE_CHARS = 5000
MAX_AUTHOR_CHARS = 200

lead_notes = Table(
    "lead_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("author_id", Integer, nullable=False),
    # kept beside the id: the note still says who wrote it after the account is removed
    Column("author_name", String(MAX_AUTHOR_CHARS), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass
class Note:
    id: int
    conversation_id: str
    author_id: int
    author_name: str
    text: str
    created_at: datetime


class NoteStore:
    def __init__(self, url: str | None = None):
        self.engine = get_engine(url)

    def add(self, conversation_id: str, author_id: int, author_name: str, text: str) -> Note:
        """Store a note; ValueError("empty") or ValueError("too_long") for unusable text."""
        # PostgreSQL text cannot hold NUL, and nobody means to type one
        text = (text or "").replace("\x00", "").strip()
        if not text:
            raise ValueError("empty")
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError("too_long")
        values = {
            "conversation_id": conversation_id,
            "author_id": author_id,
            "author_name": author_name[:MAX_AUTHOR_CHARS],
            "text": text,
            "created_at": datetime.now(timezone.utc),
        }
        with self.engine.begin() as conn:
            note_id = conn.execute(insert(lead_notes).values(**values)).inserted_primary_key[0]
        return Note(id=note_id, **values)

    def list(self, conversation_id: str) -> list[Note]:
        """The lead's notes, oldest first."""
        query = (
            select(lead_notes)
            .where(lead_notes.c.conversation_id == conversation_id)
            .order_by(lead_notes.c.created_at, lead_notes.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Note(
                id=row.id,
                conversation_id=row.conversation_id,
                author_id=row.author_id,
                author_name=row.author_name,
                text=row.text,
                created_at=utc(row.created_at),
            )
            for row in rows
        ]


def delete_notes(conn: Connection, conversation_id: str) -> int:
    """Remove a conversation's notes (erasure, retention); returns how many."""
    return conn.execute(
        delete(lead_notes).where(lead_notes.c.conversation_id == conversation_id)
    ).rowcount
