"""`python -m bot.advisors`: accounts are made and changed on the command line only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.advisors import __main__ as cli
from bot.advisors.users import UserStore

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'advisors.db'}"


def run(url, *args, stdin="", **env):
    return subprocess.run(
        [sys.executable, "-m", "bot.advisors", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        timeout=120,
    )


def create_anna(url, role="admin"):
    return run(
        url, "create-user", "Anna@Example.se", "--name", "Anna Berg", "--role", role,
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip


def test_create_user_makes_an_account_that_can_sign_in(url):
    done = create_anna(url)
    assert (done.returncode, done.stdout.strip()) == (0, "Created admin anna@example.se (id 1)")
    result = UserStore(url).sign_in("anna@example.se", PASSWORD)
    assert result.outcome == "ok" and result.user.is_admin


def test_an_advisor_is_listed_with_role_and_state(url):
    run(url, "create-user", "bo@example.se", "--name", "Bo Ek", "--password-stdin", stdin=PASSWORD)
    create_anna(url)
    run(url, "disable", "bo@example.se")
    listed = run(url, "list-users")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert "anna@example.se" in lines[0] and "admin" in lines[0]
    assert "bo@example.se" in lines[1] and "advisor" in lines[1] and "disabled" in lines[1]


def test_an_empty_register_of_accounts_says_how_to_make_one(url):
    listed = run(url, "list-users")
    assert listed.returncode == 0 and "create-user" in listed.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["create-user", "anna@example.se", "--name", "Anna"], "short\n", "at least 12"),
        (["create-user", "no-address", "--name", "Anna"], PASSWORD, "not an e-mail address"),
        (["create-user", "anna@example.se", "--name", " "], PASSWORD, "name"),
        (["create-user", "anna@example.se", "--name", "Anna"], "", "empty"),
    ],
)
def test_a_refused_account_is_one_line_on_stderr_and_nothing_is_made(url, args, stdin, words):
    refused = run(url, *args, "--password-stdin", stdin=stdin)
    assert refused.returncode == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and words in refused.stderr
    assert UserStore(url).list() == []


def test_an_address_can_have_one_account_only(url):
    create_anna(url)
    again = create_anna(url, role="advisor")
    assert again.returncode == 1 and "already" in again.stderr
    assert [u.role for u in UserStore(url).list()] == ["admin"]


@pytest.mark.parametrize(
    "args",
    [
        ["create-user", "anna@example.se"],  # no --name
        ["create-user", "anna@example.se", "--name", "Anna", "--role", "owner"],
        ["expire", "--days", "0"],
        ["expire", "--days", "a year"],
        ["rename", "anna@example.se"],
        [],
    ],
)
def test_wrong_usage_exits_with_2_and_says_why(url, args):
    wrong = run(url, *args)
    assert wrong.returncode == 2 and "usage:" in wrong.stderr


def test_set_password_replaces_the_password(url):
    create_anna(url)
    done = run(
        url, "set-password", "ANNA@example.se", "--password-stdin", stdin="a new passphrase!\n"
    )
    assert done.returncode == 0 and "anna@example.se" in done.stdout
    users = UserStore(url)
    assert users.sign_in("anna@example.se", PASSWORD).outcome == "invalid"
    assert users.sign_in("anna@example.se", "a new passphrase!").outcome == "ok"


def test_set_password_for_an_unknown_or_with_a_weak_password_changes_nothing(url):
    create_anna(url)
    unknown = run(url, "set-password", "bo@example.se", "--password-stdin", stdin=PASSWORD)
    weak = run(url, "set-password", "anna@example.se", "--password-stdin", stdin="short")
    assert (unknown.returncode, weak.returncode) == (1, 1)
    assert "no account for bo@example.se" in unknown.stderr and "at least 12" in weak.stderr
    assert UserStore(url).sign_in("anna@example.se", PASSWORD).outcome == "ok"


def test_disable_and_enable(url):
    create_anna(url)
    users = UserStore(url)
    assert run(url, "disable", "anna@example.se").returncode == 0
    assert users.sign_in("anna@example.se", PASSWORD).outcome == "invalid"
    assert run(url, "enable", "anna@example.se").returncode == 0
    assert users.sign_in("anna@example.se", PASSWORD).outcome == "ok"
    unknown = run(url, "disable", "bo@example.se")
    assert unknown.returncode == 1 and "no account" in unknown.stderr


def test_dev_admin_prints_a_password_that_signs_in_and_resets_it_when_run_again(url):
    first = run(url, "dev-admin", TILLVERKA_DEV_ADMIN_PASSWORD="dev admin password")
    assert first.returncode == 0
    assert "admin@localhost" in first.stdout and "dev admin password" in first.stdout
    second = run(url, "dev-admin", TILLVERKA_DEV_ADMIN_PASSWORD="")  # a random one
    password = second.stdout.split()[-1]
    assert len(password) == 16 and password != "dev admin password"
    users = UserStore(url)
    assert users.sign_in("admin@localhost", "dev admin password").outcome == "invalid"
    result = users.sign_in("admin@localhost", password)
    assert result.outcome == "ok" and result.user.is_admin and result.user.name == "Dev admin"


def test_expire_reports_how_many_conversations_it_removed(url):
    done = run(url, "expire", "--days", "30")
    assert (done.returncode, done.stdout.strip()) == (0, "Expired 0 conversations.")


def test_typed_passwords_must_match(url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(typed))
    assert cli.main(["create-user", "anna@example.se", "--name", "Anna"]) == 1
    assert "differ" in capsys.readouterr().err
    assert UserStore(url).list() == []


def test_typed_passwords_that_match_make_the_account(url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": PASSWORD)
    assert cli.main(["create-user", "anna@example.se", "--name", "Anna"]) == 0
    assert "Created advisor anna@example.se" in capsys.readouterr().out


def test_an_unreachable_database_is_one_line_on_stderr(tmp_path):
    broken = run(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite'}", "list-users")
    assert broken.returncode == 1
    assert broken.stderr.startswith("Error: the database can't be used")
    assert len(broken.stderr.strip().splitlines()) == 1
