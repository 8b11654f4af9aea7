"""Advisors' notes on a lead, and the audit log that never holds what anybody said."""

from __future__ import annotations

import hashlib

import pytest

from bot.advisors.audit import AuditLog, pseudonymise
from bot.advisors.notes import MAX_NOTE_CHARS, NoteStore, delete_notes
from bot.db import get_engine
from tests.unit.postgres_schema import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def test_notes_are_kept_per_lead_oldest_first(url):
    notes = NoteStore(url)
    first = notes.add("c1", 3, "Anna Advisor", "  Ringde, svarar i morgon.  ")
    notes.add("c2", 4, "Bo Advisor", "Other lead")
    notes.add("c1", 4, "Bo Advisor", "Skickade offert från Testdals Mekaniska")
    assert first.text == "Ringde, svarar i morgon." and first.id
    listed = notes.list("c1")
    assert [(n.author_name, n.text) for n in listed] == [
        ("Anna Advisor", "Ringde, svarar i morgon."),
        ("Bo Advisor", "Skickade offert från Testdals Mekaniska"),
    ]
    assert listed[0].created_at.tzinfo is not None and listed[0].author_id == 3
    assert notes.list("nobody") == []


@pytest.mark.parametrize(
    "text, error", [("", "empty"), (" \n\t ", "empty"), ("\x00", "empty"), ("x" * 5001, "too_long")]
)
def test_an_empty_or_too_long_note_is_refused_and_nothing_is_stored(url, text, error):
    notes = NoteStore(url)
    with pytest.raises(ValueError, match=error):
        notes.add("c1", 3, "Anna", text)
    assert notes.list("c1") == []


def test_a_note_of_the_maximum_length_is_kept(url):
    assert len(NoteStore(url).add("c1", 3, "Anna", "å" * MAX_NOTE_CHARS).text) == MAX_NOTE_CHARS


def test_delete_notes_removes_one_leads_notes(url):
    notes = NoteStore(url)
    notes.add("c1", 3, "Anna", "one")
    notes.add("c1", 3, "Anna", "two")
    notes.add("c2", 3, "Anna", "three")
    with get_engine(url).begin() as conn:
        assert delete_notes(conn, "c1") == 2
    assert notes.list("c1") == [] and len(notes.list("c2")) == 1


def test_the_audit_log_lists_the_newest_first(url):
    log = AuditLog(url)
    log.record("sign_in", user_id=3)
    log.record("status", user_id=3, conversation_id="c1", status="contacted")
    log.record("export", user_id=4, rows=120, filters={"path": "pilot", "handoff": True})
    entries = log.recent()
    assert [e.action for e in entries] == ["export", "status", "sign_in"]
    assert entries[0].detail == {"rows": 120, "filters": {"path": "pilot", "handoff": True}}
    assert entries[1].conversation_ref == "c1" and entries[1].user_id == 3
    assert entries[2].at.tzinfo is not None
    assert [e.action for e in log.recent(limit=1)] == ["export"]
    assert [e.action for e in log.recent(conversation_id="c1")] == ["status"]
    assert len(log.recent(limit=0)) == 1  # clamped, never "everything"


@pytest.mark.parametrize(
    "detail",
    [
        {"text": "Vi gör sensorhus i aluminium åt en kund i Örebro, cirka 2000 st per år, ungefär"},
        {"note": object()},
        {"lines": ["ok", "y" * 200]},
    ],
)
def test_the_audit_log_refuses_details_that_could_hold_founder_content(url, detail):
    log = AuditLog(url)
    with pytest.raises(ValueError):
        log.record("note_added", user_id=3, conversation_id="c1", **detail)
    assert log.recent() == []


@pytest.mark.parametrize("action", ["", "x" * 41])
def test_an_unusable_action_name_is_refused(url, action):
    with pytest.raises(ValueError):
        AuditLog(url).record(action)


def test_pseudonymise_replaces_the_id_with_a_stable_hash(url):
    log = AuditLog(url)
    log.record("status", user_id=3, conversation_id="c1", status="closed")
    log.record("status", user_id=3, conversation_id="c2", status="new")
    with get_engine(url).begin() as conn:
        ref = pseudonymise(conn, "c1")
    assert ref == "erased:" + hashlib.sha256(b"c1").hexdigest()[:16]
    assert {e.conversation_ref for e in log.recent()} == {ref, "c2"}
    assert log.recent(conversation_id="c1") == []
