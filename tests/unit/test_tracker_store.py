"""During a database outage a conversation is refused, not silently started over.

Rasa wraps every tracker store in FailSafeTrackerStore (rasa.core.agent), which would answer an
outage with a fresh in-memory tracker; these tests go through that same wrapper.
"""

from __future__ import annotations

import logging

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.tracker_store import StrictSQLTrackerStore, TrackerStoreUnavailable
from tests.unit.postgres_schema import BACKENDS, database_url

SECRET_WORDS = "our secret titanium hinge"


@pytest.fixture
def store(tmp_path):
    strict = StrictSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db")
    )
    yield strict
    strict.engine.dispose()


def lose_the_database(store: StrictSQLTrackerStore) -> None:
    # what an outage looks like to SQLAlchemy: every statement fails with OperationalError
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE events"))


async def test_a_stored_conversation_is_read_back_through_rasas_wrapper(store):
    wrapped = FailSafeTrackerStore(store)
    tracker = await wrapped.get_or_create_tracker("founder-1")
    tracker.update(UserUttered("hello"))
    await wrapped.save(tracker)

    again = await wrapped.get_or_create_tracker("founder-1")

    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello"]


async def test_an_outage_is_refused_instead_of_starting_a_new_conversation(store, caplog):
    wrapped = FailSafeTrackerStore(store)
    tracker = await wrapped.get_or_create_tracker("founder-1")
    tracker.update(UserUttered("hello"))
    await wrapped.save(tracker)
    lose_the_database(store)

    with caplog.at_level(logging.ERROR), pytest.raises(TrackerStoreUnavailable):
        await wrapped.get_or_create_tracker("founder-1")
    with pytest.raises(TrackerStoreUnavailable):
        await wrapped.retrieve_full_tracker("founder-1")  # the HTTP API's transcript
    tracker.update(UserUttered(SECRET_WORDS))
    with caplog.at_level(logging.ERROR), pytest.raises(TrackerStoreUnavailable):
        await wrapped.save(tracker)

    # nothing went to Rasa's in-memory fallback, where it would be lost at the next restart
    assert wrapped._fallback_tracker_store is None
    assert "tracker store unavailable while saving a conversation" in caplog.text
    assert "no such table" in caplog.text  # the operator sees why
    assert SECRET_WORDS not in caplog.text  # but not the founder's words (SQLAlchemy's params)


def test_the_outage_passes_every_except_exception_on_its_way_to_the_channel():
    assert not issubclass(TrackerStoreUnavailable, Exception)
    assert issubclass(TrackerStoreUnavailable, BaseException)


# Our store reads and counts the events with its own cached statements instead of Rasa's
# ORM query; over several sessions it must see exactly what Rasa's own store sees.
@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def session(n: int, ts: float) -> list:
    return [
        ActionExecuted("action_session_start", timestamp=ts),
        SessionStarted(timestamp=ts + 0.1),
        ActionExecuted("action_listen", timestamp=ts + 0.2),
        UserUttered(f"message {n}", timestamp=ts + 0.3),
        BotUttered(f"answer {n}", timestamp=ts + 0.4),
    ]


async def test_sessions_are_read_and_counted_as_rasas_store_does(url):
    ours = StrictSQLTrackerStore(Domain.empty(), host=url)
    rasas = SQLTrackerStore(Domain.empty(), host=url)
    try:
        assert await ours.retrieve("founder-2") is None
        tracker = DialogueStateTracker.from_events("founder-2", session(1, 1000.0))
        await ours.save(tracker)
        for event in session(2, 2000.0):
            tracker.update(event)
        await ours.save(tracker)  # only the second session's events are added
        # as Rasa does on the next message: the latest session read back, saved, nothing added
        await ours.save(await ours.retrieve("founder-2"))

        for read in ("retrieve", "retrieve_full_tracker"):
            mine, theirs = (
                await getattr(ours, read)("founder-2"),
                await getattr(rasas, read)("founder-2"),
            )
            assert list(mine.events) == list(theirs.events), read
        latest = await ours.retrieve("founder-2")
        full = await ours.retrieve_full_tracker("founder-2")
    finally:
        ours.engine.dispose()
        rasas.engine.dispose()
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["message 2"]
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["message 1", "message 2"]
