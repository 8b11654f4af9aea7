"""Leads for advisors, and erasure on request."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bot import privacy
from bot.db import get_engine
from bot.leads import LeadStore


def test_a_recommendation_is_stored_and_updated(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = LeadStore(url)
    store.save_recommendation("c1", "sv", {"annual_volume": 500}, "pilot", [{"id": "m-1"}])
    store.save_recommendation("c1", "sv", {"annual_volume": 5000}, "full_scale", [])
    lead = store.get("c1")
    assert (lead.path, lead.profile, lead.matches, lead.handoff_requested) == (
        "full_scale", {"annual_volume": 5000}, [], False
    )


def test_a_handoff_request_is_recorded_without_a_recommendation(tmp_path):
    store = LeadStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.request_handoff("c2", "en", "can I talk to a person")
    lead = store.get("c2")
    assert lead.handoff_requested and lead.path is None


def test_erasure_deletes_the_lead_and_later_the_transcript(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = LeadStore(url)
    store.save_recommendation("c3", "en", {}, "prototype", [])
    engine = get_engine(url)
    with engine.begin() as conn:  # the shape of Rasa's SQL tracker store table
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        conn.execute(text("INSERT INTO events (sender_id, data) VALUES ('c3', '{}'), ('other', '{}')"))
    assert store.delete("c3") and store.get("c3") is None
    privacy.request_erasure("c3", url)

    assert privacy.erase_due(url) == 0  # still within the quiet period
    later = datetime.now(timezone.utc) + timedelta(seconds=privacy.QUIET_SECONDS + 1)
    assert privacy.erase_due(url, now=later) == 1
    with engine.connect() as conn:
        senders = [row[0] for row in conn.execute(text("SELECT sender_id FROM events"))]
    assert senders == ["other"]
    assert privacy.erase_due(url, now=later) == 0


def test_conversations_expire_after_the_retention_period(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    LeadStore(url).save_recommendation("old", "en", {}, "pilot", [])
    LeadStore(url).save_recommendation("new", "en", {}, "pilot", [])
    engine = get_engine(url)
    now = datetime.now(timezone.utc)
    old, recent = (now - timedelta(days=400)).timestamp(), (now - timedelta(days=2)).timestamp()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT)"))
        conn.execute(text(f"INSERT INTO events (sender_id, timestamp) VALUES ('old', {old}), ('new', {old}), ('new', {recent})"))
    later = now + timedelta(days=400)
    assert privacy.expire_old(url, days=365) == 1
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT DISTINCT sender_id FROM events"))] == ["new"]
    # the lead goes with its conversation, however recently the lead itself was updated
    assert LeadStore(url).get("old") is None and LeadStore(url).get("new") is not None
    assert privacy.expire_old(url, days=365, now=later) == 1
    assert LeadStore(url).get("new") is None
