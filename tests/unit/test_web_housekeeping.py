"""The web app erases transcripts on request in the background."""

import asyncio
from datetime import datetime, timedelta, timezone

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text, update

from bot import privacy
from bot.db import get_engine
from bot.web.app import create_app


async def test_queued_erasure_runs_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLVERKA_HOUSEKEEPING_SECONDS", "0.05")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT)"))
        conn.execute(text("INSERT INTO events (sender_id, timestamp) VALUES ('gone', 1e10), ('kept', 1e10)"))
    privacy.request_erasure("gone", url)
    with engine.begin() as conn:  # requested long enough ago to be quiet
        conn.execute(update(privacy.erasure_requests).values(
            requested_at=datetime.now(timezone.utc) - timedelta(minutes=5)))

    async with TestClient(TestServer(create_app(url, admin_token="x" * 40))):
        for _ in range(100):
            with engine.connect() as conn:
                senders = [r[0] for r in conn.execute(text("SELECT sender_id FROM events"))]
            if senders == ["kept"]:
                break
            await asyncio.sleep(0.05)
    assert senders == ["kept"]
