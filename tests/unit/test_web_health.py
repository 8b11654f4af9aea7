"""/health, start-up seeding and what every response carries (JSON errors, security headers)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.register.store import RegisterStore
from bot.web import register_api
from bot.web.app import create_app

TOKEN = "test-admin-token-" + "y" * 40
SV = {"Accept-Language": "sv"}
EN = {"Accept-Language": "en"}
ROOT = Path(__file__).resolve().parents[2]
# nothing listens on port 1; the password must never show up in an answer
UNREACHABLE = "postgresql://tillverka:s3cret-pw@127.0.0.1:1/tillverka?connect_timeout=2"


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("secret internal detail /etc/tillverka")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
async def client(db_url):
    app = create_app(db_url, admin_token=TOKEN)
    app.router.add_get("/boom", boom)  # a handler with a bug
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_health_reports_the_register_seeded_at_start_up(client, db_url):
    response = await client.get("/health")

    assert response.status == 200
    count = RegisterStore(db_url).count()
    assert count > 0  # the empty database got the fictional sample manufacturers
    assert await response.json() == {"status": "ok", "register": {"manufacturers": count}}


async def test_unreachable_database_gives_503_without_secrets():
    app = create_app(UNREACHABLE, admin_token=TOKEN)
    async with TestClient(TestServer(app)) as client:  # starts although the database is down
        health = await client.get("/health")
        search = await client.get("/api/register/manufacturers", headers=SV)

        assert health.status == 503
        assert await health.json() == {"status": "error", "reason": "database unreachable"}
        assert search.status == 503
        assert search.headers["Retry-After"] == "5"
        assert await search.json() == {
            "error": "register_unavailable",
            "message": "Registret går inte att nå just nu. Försök igen om en stund.",
        }
        for response in (health, search):
            assert "s3cret" not in await response.text()


async def test_a_database_that_comes_back_is_used_without_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(register_api, "RETRY_OPEN_AFTER_S", 0.0)
    folder = tmp_path / "not-yet"  # SQLite can't open a file in a missing folder
    app = create_app(f"sqlite:///{folder / 'register.db'}", admin_token=TOKEN)
    async with TestClient(TestServer(app)) as client:
        down = await client.get("/health")
        folder.mkdir()
        up = await client.get("/health")

        assert down.status == 503
        assert up.status == 200
        assert (await up.json())["register"]["manufacturers"] > 0  # seeded once it was reachable


async def test_unknown_routes_are_json_404s_in_both_languages(client):
    english = await client.get("/wp-admin", headers=EN)
    swedish = await client.get("/wp-admin", headers=SV)

    assert english.status == swedish.status == 404
    assert await english.json() == {
        "error": "not_found",
        "message": "There is nothing here (/wp-admin).",
    }
    assert await swedish.json() == {
        "error": "not_found",
        "message": "Här finns ingenting (/wp-admin).",
    }


async def test_a_wrong_method_is_a_json_405(client):
    response = await client.delete("/health", headers=EN)

    assert response.status == 405
    assert response.headers["Allow"] == "GET,HEAD"
    assert await response.json() == {
        "error": "method_not_allowed",
        "message": "Method DELETE is not supported here; use GET, HEAD.",
    }


async def test_an_unexpected_error_is_a_json_500_without_details(client, caplog):
    with caplog.at_level(logging.ERROR):
        english = await client.get("/boom", headers=EN)
        swedish = await client.get("/boom", headers=SV)

    assert english.status == swedish.status == 500
    assert await english.json() == {
        "error": "internal_error",
        "message": "Something went wrong on our side. Please try again in a moment.",
    }
    assert (await swedish.json())["message"] == "Något gick fel hos oss. Försök igen om en stund."
    assert "secret internal detail" not in await english.text()
    assert "secret internal detail" in caplog.text  # but the operator sees it in the log


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/nowhere"), ("GET", "/boom"), ("POST", "/api/register/import")],
)
async def test_every_response_carries_the_security_headers(client, method, path):
    response = await client.request(method, path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "aiohttp" not in response.headers.get("Server", "").lower()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_m_bot_web_serves_on_the_given_address_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TILLVERKA_ADMIN_TOKEN": TOKEN,
        "TILLVERKA_WEB_PORT": "1",  # the --port flag wins over the environment
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, body = time.monotonic() + 15, None
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.1)
        assert body is not None and '"status": "ok"' in body
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        output = proc.communicate()[0].decode()
    assert f"Tillverka web app on http://127.0.0.1:{port}" in output


def test_python_m_bot_web_refuses_a_bad_port():
    result = subprocess.run(
        [sys.executable, "-m", "bot.web", "--port", "http"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "'http' is not a port number (1-65535)" in result.stderr
