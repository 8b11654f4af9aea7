"""Leads: the structured result of an interview, kept for advisors to follow up.

One row per conversation, written by the actions; advisors list leads from this table and
read transcripts from the tracker store (DESIGN section 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, String, Table, Text, delete, insert, select, update

from bot.db import get_engine, metadata

leads_table = Table(
    "leads",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("language", String(2)),
    Column("profile", Text, nullable=False),
    Column("path", String(20)),
    Column("matches", Text, nullable=False),
    Column("handoff_state", String(20), nullable=False, default="none"),
    Column("handoff_reason", Text),
    Column("status", String(20), nullable=False, default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)


@dataclass
class Lead:
    conversation_id: str
    language: str | None
    profile: dict
    path: str | None
    matches: list
    handoff_state: str
    status: str
    updated_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


class LeadStore:
    def __init__(self, url: str | None = None):
        self.engine = get_engine(url)

    def _upsert(self, conversation_id: str, values: dict) -> None:
        now = _now()
        with self.engine.begin() as conn:
            found = conn.execute(
                select(leads_table.c.conversation_id).where(
                    leads_table.c.conversation_id == conversation_id
                )
            ).first()
            if found:
                conn.execute(
                    update(leads_table)
                    .where(leads_table.c.conversation_id == conversation_id)
                    .values(updated_at=now, **values)
                )
            else:
                defaults = {
                    "profile": "{}",
                    "matches": "[]",
                    "handoff_state": "none",
                    "status": "open",
                }
                conn.execute(
                    insert(leads_table).values(
                        conversation_id=conversation_id,
                        created_at=now,
                        updated_at=now,
                        **{**defaults, **values},
                    )
                )

    def save_recommendation(
        self, conversation_id: str, language: str | None, profile: dict, path: str, matches: list
    ) -> None:
        self._upsert(
            conversation_id,
            {
                "language": language,
                "profile": json.dumps(profile, ensure_ascii=False),
                "path": path,
                "matches": json.dumps(matches, ensure_ascii=False),
            },
        )

    def request_handoff(self, conversation_id: str, language: str | None, reason: str) -> None:
        self._upsert(
            conversation_id,
            {"language": language, "handoff_state": "requested", "handoff_reason": reason},
        )

    def get(self, conversation_id: str) -> Lead | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(leads_table).where(leads_table.c.conversation_id == conversation_id)
            ).first()
        if row is None:
            return None
        return Lead(
            conversation_id=row.conversation_id,
            language=row.language,
            profile=json.loads(row.profile),
            path=row.path,
            matches=json.loads(row.matches),
            handoff_state=row.handoff_state,
            status=row.status,
            updated_at=row.updated_at,
        )

    def delete(self, conversation_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(leads_table).where(leads_table.c.conversation_id == conversation_id)
            )
        return result.rowcount > 0
