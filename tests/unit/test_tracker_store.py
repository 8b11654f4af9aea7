"""During a database outage a conversation is refused, not silently started over.

Rasa wraps every tracker store in FailSafeTrackerStore (rasa.core.agent), which would answer an
outage with a fresh in-memory tracker; these tests go through that same wrapper.
"""

from __future__ import annotations

import logging

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from sqlalchemy import text

from bot.tracker_store import StrictSQLTrackerStore, TrackerStoreUnavailable

SECRET_WORDS = "our secret titanium hinge"


@pytest.fixture
def store(tmp_path):
    strict = StrictSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
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

