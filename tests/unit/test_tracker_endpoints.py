"""Rasa's tracker store follows DATABASE_URL, so transcripts sit beside our tables."""

import yaml

from bot.tracker_endpoints import tracker_store_config, write_endpoints


def test_postgres_url_becomes_rasa_sql_tracker_store_settings():
    assert tracker_store_config("postgresql://tv:s3cret@db.internal:5433/tillverka") == {
        "type": "SQL", "dialect": "postgresql", "db": "tillverka",
        "url": "db.internal", "port": 5433, "username": "tv", "password": "s3cret",
    }


def test_sqlite_file_keeps_its_path(tmp_path):
    assert tracker_store_config(f"sqlite:///{tmp_path}/t.db") == {
        "type": "SQL", "dialect": "sqlite", "db": f"{tmp_path}/t.db"
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
