"""Rasa's SQL tracker store, except that a database outage reaches the channel.

Rasa 3.6's Agent wraps whatever tracker store the endpoints name in FailSafeTrackerStore, which
catches every `Exception`: a failed read becomes "no tracker yet" and a failed write goes to an
in-memory store. During a database outage each message would silently start a new conversation
(the welcome again, the founder's answers forgotten) and nothing said meanwhile would reach the
database. Rasa has no setting against it, and the wrapper is built inside Agent.

So this store raises TrackerStoreUnavailable, a BaseException like asyncio.CancelledError: it
passes FailSafeTrackerStore's `except Exception`, and every other broad handler, up to the
channel, and the message is neither answered as new nor stored half:
- Slack: bot.slack.channel catches it and tells the founder in the thread;
- the REST channel and the HTTP API: Sanic drops the connection without an answer, which the
  web app reports to the founder as `bot_unavailable` (it checks the database itself first too).

Configured by bot.tracker_endpoints as `tracker_store: {type: bot.tracker_store.StrictSQLTrackerStore,
...}` with SQLTrackerStore's own settings.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(BaseException):  # noqa: N818 (a BaseException on purpose, see above)
    """The conversation store did not answer; the message was not handled."""


def _describe(exc: SQLAlchemyError) -> str:
    # never SQLAlchemy's own text: it lists the statement's parameters, the founder's words
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first_line = (str(exc.orig).strip().splitlines() or [""])[0]
        return f"{type(exc).__name__}: {first_line}"
    return type(exc).__name__


class _EventQueries:
    """SQLTrackerStore's event queries (its `_event_query`) as Core statements."""

    def __init__(self, events: sa.Table) -> None:
        sender = events.c.sender_id == sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        latest_session = sa.and_(
            sender, sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        )
        self.count = sa.select(sa.func.count()).select_from(events).where(latest_session)
        self.latest = sa.select(events.c.data).where(latest_session).order_by(events.c.id)
        self.every = sa.select(events.c.data).where(sender).order_by(events.c.id)


class StrictSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose database errors raise TrackerStoreUnavailable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # After a database restart every pooled connection is dead; without a ping the first
        # message after the outage would fail too. (Rasa builds its engine without one.)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._queries = _EventQueries(self.SQLEvent.__table__)

    def _unavailable(self, doing: str, exc: SQLAlchemyError) -> TrackerStoreUnavailable:
        logger.error("tracker store unavailable while %s: %s", doing, _describe(exc))
        return TrackerStoreUnavailable(f"tracker store unavailable while {doing}")

    async def retrieve(self, sender_id: str):
        try:
            return await super().retrieve(sender_id)
        except SQLAlchemyError as exc:
            raise self._unavailable("reading a conversation", exc) from None

    async def retrieve_full_tracker(self, conversation_id: str):
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except SQLAlchemyError as exc:
            raise self._unavailable("reading a conversation", exc) from None

    async def save(self, tracker) -> None:
        try:
            await super().save(tracker)
        except SQLAlchemyError as exc:
            raise self._unavailable("saving a conversation", exc) from None

    # Rasa builds its event queries with the ORM's Query on every call, which SQLAlchemy 1.4
    # compiles anew each time (about 3 ms per query in our profile, against 0.03 ms for the
    # SQL itself); the same statements in Core are compiled once and cached.

    def _additional_events(self, session, tracker):
        stored = session.execute(self._queries.count, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool):
        query = self._queries.every if fetch_events_from_all_sessions else self._queries.latest
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        events = [json.loads(data) for data in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def stream_events(self, tracker) -> None:
        """The new events to the event broker, found by counting the stored ones.

        Rasa's version reads and deserialises the whole stored conversation to diff it with
        the tracker, on every save (a tenth of the Rasa process's CPU per message in our
        profile, growing with the conversation); the store's own count gives the same events.
        A broker with `publish_many` (ours) gets them in one call, so in one transaction.
        """
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        bodies = [{"sender_id": tracker.sender_id, **event.as_dict()} for event in new_events]
        publish_many = getattr(self.event_broker, "publish_many", None)
        if publish_many is not None:
            publish_many(bodies)
            return
        for body in bodies:
            self.event_broker.publish(body)

    async def keys(self):
        try:
            return await super().keys()
        except SQLAlchemyError as exc:
            raise self._unavailable("listing conversations", exc) from None
