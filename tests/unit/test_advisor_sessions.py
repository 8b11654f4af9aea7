"""Advisor sessions: a cookie token that only the server can turn into a signed-in advisor."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.advisors import users as users_module
from bot.advisors.sessions import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    SessionStore,
    advisor_sessions,
)
from bot.advisors.users import AccountError, UserStore, advisor_users
from tests.unit.postgres_schema import BACKENDS, database_url

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Sessions don't care how costly a password hash is; the tests shouldn't wait for one."""
    monkeypatch.setattr(
        users_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    monkeypatch.setattr(users_module, "_dummy_hash", None)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def users(url):
    return UserStore(url)


@pytest.fixture
def sessions(url):
    return SessionStore(url)


@pytest.fixture
def anna(users):
    return users.create("anna@example.se", "Anna Berg", "correct horse battery")


def test_a_new_session_is_found_by_its_token_which_is_never_stored(sessions, anna):
    token, session = sessions.create(anna.id, now=NOW)
    assert session.user == anna and session.expires_at == NOW + IDLE_TIMEOUT
    found = sessions.lookup(token, now=NOW + timedelta(seconds=5))
    assert found.user == anna and found.csrf_token == session.csrf_token
    with sessions.engine.connect() as conn:
        stored = conn.execute(select(advisor_sessions.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_each_session_has_its_own_token_and_csrf_token(sessions, anna):
    (one, first), (two, second) = (
        sessions.create(anna.id, now=NOW),
        sessions.create(anna.id, now=NOW),
    )
    assert one != two and first.csrf_token != second.csrf_token


@pytest.mark.parametrize("token", [None, "", "no-such-token", "x" * 10_000, 12345, b"bytes"])
def test_anything_but_a_live_token_is_no_session(sessions, anna, token):
    sessions.create(anna.id, now=NOW)
    assert sessions.lookup(token, now=NOW) is None
    sessions.delete(token)  # signing out with a bad cookie is no error either


def test_a_session_ends_after_eight_idle_hours(sessions, anna):
    token, _ = sessions.create(anna.id, now=NOW)
    assert sessions.lookup(token, now=NOW + IDLE_TIMEOUT + timedelta(seconds=1)) is None


def test_activity_keeps_a_session_alive_up_to_seven_days(sessions, anna):
    token, _ = sessions.create(anna.id, now=NOW)
    at = NOW
    while at + timedelta(hours=7) < NOW + ABSOLUTE_TIMEOUT:
        at += timedelta(hours=7)
        session = sessions.lookup(token, now=at)
        assert session is not None
        assert session.expires_at == min(at + IDLE_TIMEOUT, NOW + ABSOLUTE_TIMEOUT)
    assert sessions.lookup(token, now=NOW + ABSOLUTE_TIMEOUT) is None


def test_the_expiry_is_written_at_most_once_a_minute(sessions, anna):
    token, _ = sessions.create(anna.id, now=NOW)
    assert sessions.lookup(token, now=NOW + timedelta(seconds=30)).expires_at == NOW + IDLE_TIMEOUT
    later = NOW + timedelta(minutes=2)
    assert sessions.lookup(token, now=later).expires_at == later + IDLE_TIMEOUT
    with sessions.engine.connect() as conn:
        seen = conn.execute(select(advisor_sessions.c.last_seen)).scalar_one()
    assert seen.replace(tzinfo=seen.tzinfo or timezone.utc) == later


def test_signing_out_ends_only_that_session(sessions, anna):
    (one, _), (two, _) = sessions.create(anna.id, now=NOW), sessions.create(anna.id, now=NOW)
    sessions.delete(one)
    assert sessions.lookup(one, now=NOW) is None and sessions.lookup(two, now=NOW) is not None


def test_disabling_an_account_or_changing_its_password_ends_its_sessions(sessions, users, anna):
    bertil = users.create("bertil@example.se", "Bertil Ek", "another good passphrase")
    token, _ = sessions.create(anna.id, now=NOW)
    other, _ = sessions.create(bertil.id, now=NOW)
    users.set_disabled(anna.email, True)
    assert sessions.lookup(token, now=NOW) is None
    users.set_disabled(anna.email, False)
    token, _ = sessions.create(anna.id, now=NOW)
    users.set_password(anna.email, "a brand new passphrase")
    assert sessions.lookup(token, now=NOW) is None
    assert sessions.lookup(other, now=NOW).user == bertil


def test_a_disabled_account_has_no_session_even_if_one_is_left(sessions, users, anna):
    token, _ = sessions.create(anna.id, now=NOW)
    with users.engine.begin() as conn:  # disabled behind the store's back
        conn.execute(advisor_users.update().values(disabled=True))
    assert sessions.lookup(token, now=NOW) is None


def test_no_session_is_made_for_an_unknown_or_disabled_account(sessions, users, anna):
    with pytest.raises(AccountError):
        sessions.create(anna.id + 100, now=NOW)
    users.set_disabled(anna.email, True)
    with pytest.raises(AccountError):
        sessions.create(anna.id, now=NOW)


def test_all_sessions_of_a_user_end_and_expired_ones_are_purged(sessions, users, anna):
    bertil = users.create("bertil@example.se", "Bertil Ek", "another good passphrase")
    sessions.create(anna.id, now=NOW)
    sessions.create(anna.id, now=NOW)
    sessions.create(bertil.id, now=NOW - timedelta(days=1))  # idle since yesterday
    kept, _ = sessions.create(bertil.id, now=NOW)
    assert sessions.delete_for_user(anna.id) == 2
    assert sessions.purge_expired(now=NOW) == 1
    assert sessions.lookup(kept, now=NOW).user == bertil
