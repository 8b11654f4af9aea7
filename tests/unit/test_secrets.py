"""Secrets come from the environment or are created once under var/secrets with mode 0600."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor

import pytest

from bot import config
from bot.secrets import get_or_create_secret


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    monkeypatch.delenv("TEST_SECRET", raising=False)
    return tmp_path


def test_the_environment_wins(var_dir, monkeypatch):
    monkeypatch.setenv("TEST_SECRET", "x" * 32)

    assert get_or_create_secret("test", "TEST_SECRET") == "x" * 32
    assert not (var_dir / "secrets").exists()  # nothing written when the operator set one


def test_a_short_secret_in_the_environment_is_refused_clearly(var_dir, monkeypatch):
    monkeypatch.setenv("TEST_SECRET", "hunter2")

    with pytest.raises(ValueError, match="TEST_SECRET is too short: it must be at least 32 bytes"):
        get_or_create_secret("test", "TEST_SECRET")


def test_created_once_private_and_long(var_dir):
    first = get_or_create_secret("rasa_jwt", "TEST_SECRET")

    path = var_dir / "secrets" / "rasa_jwt"
    assert path.read_text().strip() == first
    assert len(first.encode()) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert get_or_create_secret("rasa_jwt", "TEST_SECRET") == first
    assert get_or_create_secret("admin_token", "TEST_SECRET") != first
    assert sorted(p.name for p in path.parent.iterdir()) == ["admin_token", "rasa_jwt"]


def _secret_in_fresh_process(var_dir: str) -> str:
    config.VAR_DIR = var_dir
    return get_or_create_secret("shared", "TEST_SECRET")


def test_processes_starting_together_agree_on_one_secret(var_dir):
    with ProcessPoolExecutor(max_workers=4) as pool:
        values = list(pool.map(_secret_in_fresh_process, [str(var_dir)] * 8))

    assert len(set(values)) == 1
    assert (var_dir / "secrets" / "shared").read_text().strip() == values[0]
    assert [p.name for p in (var_dir / "secrets").iterdir()] == ["shared"]  # no temp files left


def test_a_damaged_secret_file_is_reported_not_silently_replaced(var_dir):
    (var_dir / "secrets").mkdir()
    (var_dir / "secrets" / "rasa_jwt").write_text("short\n")

    with pytest.raises(ValueError, match=r"rasa_jwt \(delete it .*\) is too short"):
        get_or_create_secret("rasa_jwt", "TEST_SECRET")


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "", ".hidden"])
def test_secret_names_cannot_escape_the_secrets_folder(var_dir, name):
    with pytest.raises(ValueError, match="invalid secret name"):
        get_or_create_secret(name, "TEST_SECRET")
