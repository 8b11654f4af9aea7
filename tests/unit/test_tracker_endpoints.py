"""Rasa's tracker store follows DATABASE_URL, so transcripts sit beside our tables; its lock
store follows REDIS_URL, so several Rasa instances take one conversation's messages in turn."""

import pytest
import yaml

from bot.tracker_endpoints import (
    lock_store_config,
    tracker_store_config,
    write_endpoints,
)

STRICT = "bot.tracker_store.StrictSQLTrackerStore"


def test_postgres_url_becomes_rasa_sql_tracker_store_settings():
    assert tracker_store_config("postgresql://tv:s3cret@db.internal:5433/tillverka") == {
        "type": STRICT, "dialect": "postgresql", "db": "tillverka",
        "url": "db.internal", "port": 5433, "username": "tv", "password": "s3cret",
    }


def test_sqlite_file_keeps_its_path(tmp_path):
    assert tracker_store_config(f"sqlite:///{tmp_path}/t.db") == {
        "type": STRICT, "dialect": "sqlite", "db": f"{tmp_path}/t.db"
    }


def test_generated_endpoints_keep_the_action_server(tmp_path):
    (tmp_path / "endpoints.yml").write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n')
    out = write_endpoints(tmp_path, f"sqlite:///{tmp_path}/x.db", out=tmp_path / "var" / "endpoints.yml")
    written = yaml.safe_load(out.read_text())
    assert written["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert written["tracker_store"]["db"] == f"{tmp_path}/x.db"
    assert out.stat().st_mode & 0o077 == 0


def test_generated_endpoints_send_rasas_events_to_our_broker_on_the_same_database(tmp_path):
    (tmp_path / "endpoints.yml").write_text("event_broker:\n  type: pika\n")
    url = "postgresql://tv:s3cret@db.internal:5433/tillverka"
    written = yaml.safe_load(write_endpoints(tmp_path, url, out=tmp_path / "e.yml").read_text())
    assert written["event_broker"] == {"type": "bot.transcript_broker.TranscriptBroker", "url": url}
    assert written["tracker_store"]["db"] == "tillverka"


# ---- the Redis lock store


def test_redis_url_becomes_rasas_redis_lock_store_settings():
    assert lock_store_config("redis://:s3cret@cache.internal:6380/3") == {
        "type": "redis", "url": "cache.internal", "port": 6380, "db": 3,
        "key_prefix": "tillverka", "socket_timeout": 2, "password": "s3cret",
    }


def test_redis_url_defaults_user_and_tls():
    # no port, no database: Redis's own defaults (Rasa's lock store alone would pick db 1)
    assert lock_store_config("redis://127.0.0.1") == {
        "type": "redis", "url": "127.0.0.1", "port": 6379, "db": 0,
        "key_prefix": "tillverka", "socket_timeout": 2,
    }
    tls = lock_store_config("rediss://tillverka:p%40ss@cache.example.se:6390/0")
    assert (tls["use_ssl"], tls["username"], tls["password"]) == (True, "tillverka", "p@ss")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("unix:///run/redis.sock", "REDIS_URL must look like redis://"),
        ("http://127.0.0.1:6379", "REDIS_URL must look like redis://"),
        ("redis://", "REDIS_URL must look like redis://"),
        ("redis://127.0.0.1:6379/cache", "the database must be a number, not 'cache'"),
    ],
)
def test_a_redis_url_rasa_cannot_use_is_refused_clearly(url, says):
    with pytest.raises(ValueError, match=says):
        lock_store_config(url)


def test_lock_store_only_with_redis(tmp_path, monkeypatch):
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n")
    db = f"sqlite:///{tmp_path}/x.db"
    monkeypatch.delenv("REDIS_URL", raising=False)
    alone = yaml.safe_load(write_endpoints(tmp_path, db, out=tmp_path / "a.yml").read_text())
    monkeypatch.setenv("REDIS_URL", "redis://:pw@127.0.0.1:6379/4")
    from_env = yaml.safe_load(write_endpoints(tmp_path, db, out=tmp_path / "b.yml").read_text())
    told_off = yaml.safe_load(
        write_endpoints(tmp_path, db, out=tmp_path / "c.yml", redis_url="").read_text()
    )

    assert "lock_store" not in alone and "lock_store" not in told_off
    assert from_env["lock_store"]["db"] == 4 and from_env["lock_store"]["password"] == "pw"
    assert (tmp_path / "b.yml").stat().st_mode & 0o077 == 0  # it holds Redis's password


def test_rasa_builds_our_stores_from_the_generated_endpoints(tmp_path):
    """What `rasa run` does with the file: a wrong module path would silently give Rasa's
    in-memory tracker store (transcripts lost at every restart)."""
    from rasa.core.lock_store import LockStore, RedisLockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    from bot.tracker_store import StrictSQLTrackerStore

    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n")
    path = write_endpoints(
        tmp_path, f"sqlite:///{tmp_path}/x.db", out=tmp_path / "e.yml",
        redis_url="redis://127.0.0.1:6399/9",
    )
    endpoints = AvailableEndpoints.read_endpoints(str(path))

    store = TrackerStore.create(endpoints.tracker_store)
    lock_store = LockStore.create(endpoints.lock_store)  # connects at first use only

    assert isinstance(store, StrictSQLTrackerStore)
    assert isinstance(lock_store, RedisLockStore)
    assert lock_store.key_prefix == "tillverka:lock:"
    kwargs = lock_store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6399, 9)
