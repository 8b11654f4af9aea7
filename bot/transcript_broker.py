"""Rasa's event broker for our tables: what Rasa saves reaches the leads and the search index.

Configured in the generated endpoints (bot.tracker_endpoints) as
`event_broker: {type: bot.transcript_broker.TranscriptBroker, url: <DATABASE_URL>}`. Rasa's
tracker store calls `publish` for every new event when it saves a tracker, synchronously on
its event loop, before it writes the events itself; an exception here would fail the founder's
message, so none may leave.
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.exc import DBAPIError

from bot.db import get_engine
from bot.transcript_index import record_events

log = logging.getLogger(__name__)


def _describe(exc: Exception) -> str:
    # SQLAlchemy's message lists the statement's parameters: the founder's words
    if isinstance(exc, DBAPIError):
        return f"{type(exc).__name__}: {str(exc.orig).strip()}"
    return type(exc).__name__


class TranscriptBroker(EventBroker):
    def __init__(self, url: str | None = None) -> None:
        self.url = url  # None: DATABASE_URL

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: AbstractEventLoop | None = None
    ) -> TranscriptBroker:
        broker = cls(broker_config.url if broker_config else None)
        try:
            get_engine(broker.url)  # create our tables now, not during a founder's message
        except Exception as exc:
            log.error(
                "transcript broker: database not ready, retrying per event (%s)", _describe(exc)
            )
        return broker

    def publish(self, event: dict) -> None:
        self.publish_many([event])

    def publish_many(self, events: list[dict]) -> None:
        """The events of one save in one transaction (bot.tracker_store.StrictSQLTrackerStore
        calls this; Rasa's own stores call `publish` per event)."""
        try:
            record_events(events, self.url)
        except Exception as exc:
            kinds = {e.get("event") if isinstance(e, dict) else type(e).__name__ for e in events}
            log.error(
                "transcript broker: %d events not recorded (%s; %s)",
                len(events), ", ".join(sorted(map(str, kinds))), _describe(exc),
            )  # fmt: skip

    def is_ready(self) -> bool:
        return True
