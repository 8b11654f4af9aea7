"""A search index of what was said in each conversation, fed by Rasa's event broker.

Rasa publishes every event it saves (TranscriptBroker); we keep the founder's, the bot's and
the advisors' texts here so the advisors' lead list can search them without touching Rasa's
`events` table, and keep the lead row's channel, language, product and last activity current.
The transcript an advisor reads still comes from the tracker store.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Column, Float, Integer, String, Table, Text, delete, insert
from sqlalchemy.engine import Connection

from bot.db import get_engine, metadata
from bot.vocabulary import LANGUAGES

log = logging.getLogger(__name__)

SPEAKERS = ("founder", "bot", "advisor")
# Rasa's input channel names -> ours
CHANNELS = {"rest": "web", "slack": "slack"}

transcript_messages = Table(
    "transcript_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("ts", Float, nullable=False),
    Column("speaker", String(10), nullable=False),
    Column("text", Text, nullable=False),
)


@dataclass
class _Activity:
    """What one batch of events says about one conversation."""

    at: float
    channel: str | None = None
    language: str | None = None
    product: str | None = None
    messages: list[dict] = field(default_factory=list)


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    # PostgreSQL text cannot hold NUL; Rasa keeps it JSON-escaped, we drop it
    text = text.replace("\x00", "").strip()
    return text or None


def _timestamp(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return time.time()


def _channel(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return CHANNELS.get(value, value)


def _founder_text(event: dict, metadata_: dict) -> str | None:
    """What the founder saw themselves send: a button's title rather than its /payload."""
    text = _clean(event.get("text"))
    if text and text.startswith("/"):
        return _clean(metadata_.get("display"))
    return text


def _read(events: Iterable[dict]) -> dict[str, _Activity]:
    """Per conversation, in the order of the events: texts to index and lead updates."""
    found: dict[str, _Activity] = {}
    for event in events:
        sender = event.get("sender_id") if isinstance(event, dict) else None
        kind = event.get("event") if sender else None
        if not isinstance(sender, str) or kind not in ("user", "bot", "slot"):
            continue
        if kind == "slot" and event.get("name") not in ("language", "product_description"):
            continue
        at = _timestamp(event.get("timestamp"))
        activity = found.setdefault(sender, _Activity(at=at))
        activity.at = max(activity.at, at)
        meta = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
        if kind == "slot":
            value = event.get("value")
            if event["name"] == "language" and value in LANGUAGES:
                activity.language = value
            elif event["name"] == "product_description" and _clean(value):
                activity.product = _clean(value)
            continue
        if kind == "user":
            speaker, text = "founder", _founder_text(event, meta)
            activity.channel = _channel(event.get("input_channel")) or activity.channel
        else:
            speaker = "advisor" if meta.get("from") == "advisor" else "bot"
            text = _clean(event.get("text"))
        if text:
            activity.messages.append(
                {"conversation_id": sender, "ts": at, "speaker": speaker, "text": text}
            )
    return found


def record_events(events: Iterable[dict], url: str | None = None) -> None:
    """Index the texts of Rasa events (as published to an event broker) and update the leads
    they belong to; everything else is ignored. One transaction per call."""
    found = _read(events)
    if not found:
        return  # most events (actions, most slots) never open a connection
    from bot.leads import touch_lead  # bot.leads imports this module for its search

    with get_engine(url).begin() as conn:
        rows = [row for activity in found.values() for row in activity.messages]
        if rows:
            conn.execute(insert(transcript_messages), rows)
        for conversation_id, activity in found.items():
            touch_lead(
                conn,
                conversation_id,
                at=datetime.fromtimestamp(activity.at, timezone.utc),
                channel=activity.channel,
                language=activity.language,
                product=activity.product,
            )


def delete_conversation(conn: Connection, conversation_id: str) -> int:
    """Remove a conversation's indexed texts (erasure, retention); returns how many."""
    return conn.execute(
        delete(transcript_messages).where(transcript_messages.c.conversation_id == conversation_id)
    ).rowcount
