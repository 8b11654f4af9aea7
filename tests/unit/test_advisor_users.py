"""Advisor accounts: creating them, signing in, and locking after repeated wrong passwords."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.advisors import users as users_module
from bot.advisors.sessions import SessionStore
from bot.advisors.users import (
    LOCK_TIME,
    MAX_FAILURES,
    AccountError,
    UserStore,
    advisor_users,
)
from tests.unit.postgres_schema import BACKENDS, database_url

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2 at its real cost takes a good part of a second per hash on a busy test machine."""
    monkeypatch.setattr(users_module, "_hasher", CHEAP)
    monkeypatch.setattr(users_module, "_dummy_hash", None)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def users(url):
    return UserStore(url)


@pytest.fixture
def anna(users):
    return users.create(" Anna@Example.SE ", "Anna Berg", PASSWORD, role="admin")


def fail(users, email, times, now=NOW):
    return [users.sign_in(email, "wrong password!", now=now).outcome for _ in range(times)]


def test_an_account_is_created_and_signs_in_whatever_the_case_of_the_address(users, anna):
    assert (anna.email, anna.name, anna.role, anna.is_admin) == (
        "anna@example.se",
        "Anna Berg",
        "admin",
        True,
    )
    result = users.sign_in("ANNA@example.se ", PASSWORD, now=NOW)
    assert result.outcome == "ok" and result.user == anna
    assert users.get(anna.id) == anna and users.by_email("anna@EXAMPLE.se") == anna
    with users.engine.connect() as conn:
        stored = conn.execute(select(advisor_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_accounts_are_listed_and_advisor_is_the_default_role(users, anna):
    bertil = users.create("bertil@example.se", "Bertil Ek", PASSWORD)
    assert not bertil.is_admin
    assert [u.email for u in users.list()] == ["anna@example.se", "bertil@example.se"]


@pytest.mark.parametrize(
    ("email", "name", "password", "role", "code"),
    [
        ("not-an-address", "Cilla", PASSWORD, "advisor", "bad_email"),
        ("", "Cilla", PASSWORD, "advisor", "bad_email"),
        ("c" * 250 + "@x.se", "Cilla", PASSWORD, "advisor", "bad_email"),
        ("cilla@example.se", "", PASSWORD, "advisor", "bad_name"),
        ("cilla@example.se", "C" * 201, PASSWORD, "advisor", "bad_name"),
        ("cilla@example.se", "Cilla", "short", "advisor", "weak_password"),
        ("cilla@example.se", "Cilla", " " * 20, "advisor", "weak_password"),
        ("cilla@example.se", "Cilla", "x" * 2000, "advisor", "weak_password"),
        ("cilla@example.se", "Cilla", PASSWORD, "owner", "bad_role"),
        ("ANNA@example.se", "Anna again", PASSWORD, "advisor", "exists"),
    ],
)
def test_a_bad_account_is_refused_and_nothing_is_written(
    users, anna, email, name, password, role, code
):
    with pytest.raises(AccountError) as refused:
        users.create(email, name, password, role=role)
    assert refused.value.code == code and str(refused.value)
    assert users.list() == [anna]


def test_a_wrong_password_is_invalid_and_the_fifth_locks_for_fifteen_minutes(users, anna):
    assert fail(users, anna.email, MAX_FAILURES - 1) == ["invalid"] * (MAX_FAILURES - 1)
    locked = users.sign_in(anna.email, "wrong password!", now=NOW)
    assert (locked.outcome, locked.locked_until, locked.user) == ("locked", NOW + LOCK_TIME, None)

    # while locked even the right password is refused, and trying doesn't extend the lock
    later = NOW + timedelta(minutes=10)
    again = users.sign_in(anna.email, PASSWORD, now=later)
    assert (again.outcome, again.locked_until) == ("locked", NOW + LOCK_TIME)
    assert (
        users.sign_in(anna.email, PASSWORD, now=NOW + LOCK_TIME + timedelta(seconds=1)).outcome
        == "ok"
    )


def test_an_unknown_address_is_answered_and_locked_like_a_real_one(users, anna):
    outcomes = fail(users, "nobody@example.se", MAX_FAILURES)
    assert outcomes == fail(users, anna.email, MAX_FAILURES)
    assert outcomes[-1] == "locked"


def test_failures_older_than_the_window_are_forgotten(users, anna):
    fail(users, anna.email, MAX_FAILURES - 1)
    later = NOW + timedelta(minutes=16)
    assert fail(users, anna.email, MAX_FAILURES - 1, now=later)[-1] == "invalid"


def test_a_good_sign_in_clears_the_count(users, anna):
    fail(users, anna.email, MAX_FAILURES - 1)
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "ok"
    assert fail(users, anna.email, MAX_FAILURES - 1)[-1] == "invalid"


def test_a_disabled_account_cannot_sign_in_until_enabled(users, anna):
    users.set_disabled(anna.email, True)
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "invalid"
    assert users.get(anna.id).disabled
    users.set_disabled(anna.email, False)
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "ok"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (None, PASSWORD),
        ("", PASSWORD),
        (123, PASSWORD),
        ("a" * 300 + "@example.se", PASSWORD),
        ("anna@example.se", None),
        ("anna@example.se", ""),
        ("anna@example.se", b"bytes are no password"),
        ("anna@example.se", "x" * 100_000),
    ],
)
def test_bad_input_is_invalid_and_never_an_exception(users, anna, email, password):
    result = users.sign_in(email, password, now=NOW)
    assert (result.outcome, result.user) == ("invalid", None)


def test_a_new_password_replaces_the_old_ends_sessions_and_lifts_a_lock(users, anna, url):
    sessions = SessionStore(url)
    token, _ = sessions.create(anna.id, now=NOW)
    fail(users, anna.email, MAX_FAILURES)
    users.set_password("ANNA@example.se", "a brand new passphrase")
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "invalid"
    assert users.sign_in(anna.email, "a brand new passphrase", now=NOW).outcome == "ok"
    assert sessions.lookup(token, now=NOW) is None


def test_a_refused_new_password_keeps_the_old_one(users, anna):
    with pytest.raises(AccountError) as weak:
        users.set_password(anna.email, "short")
    assert weak.value.code == "weak_password"
    with pytest.raises(AccountError) as unknown:
        users.set_password("nobody@example.se", "a brand new passphrase")
    assert unknown.value.code == "no_such_user"
    with pytest.raises(AccountError):
        users.set_disabled("nobody@example.se", True)
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "ok"


def test_a_hash_made_with_older_parameters_is_upgraded_at_sign_in(users, anna, monkeypatch):
    with users.engine.connect() as conn:
        old = conn.execute(select(advisor_users.c.password_hash)).scalar_one()
    monkeypatch.setattr(users_module, "_hasher", PasswordHasher())  # the parameters were raised
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "ok"
    with users.engine.connect() as conn:
        stored = conn.execute(select(advisor_users.c.password_hash)).scalar_one()
    assert stored != old and not PasswordHasher().check_needs_rehash(stored)
    assert users.sign_in(anna.email, PASSWORD, now=NOW).outcome == "ok"


def test_unknown_ids_and_addresses_find_nobody(users, anna):
    assert users.get(anna.id + 1) is None and users.get("1") is None
    assert users.by_email("nobody@example.se") is None and users.by_email(None) is None
