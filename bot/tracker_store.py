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

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
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

    async def keys(self):
        try:
            return await super().keys()
        except SQLAlchemyError as exc:
            raise self._unavailable("listing conversations", exc) from None
