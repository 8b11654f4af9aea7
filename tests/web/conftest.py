"""The whole chat stack as real processes, once per test session: the action server, Rasa (the
trained model, on a fresh SQLite database) and the web app, on free ports, with real Redis.

The `stack` fixture is also what the browser tests use; its interface (attributes and
`stop_rasa()` / `start_rasa()`) is documented on `Stack`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.stack import (
    START_TIMEOUT_S,
    actions_process,
    flush_redis,
    free_port,
    rasa_process,
    require_model,
    seed_register,
    service_env,
    web_process,
    write_test_endpoints,
)

# Redis database the stack uses (flushed at start); change it to run two test sessions at once
REDIS_DB = int(os.environ.get("TILLVERKA_TEST_REDIS_DB", "5"))
REDIS_BASE = os.environ.get("TILLVERKA_TEST_REDIS", "redis://127.0.0.1:6379")


class Stack:
    """The running stack.

    Attributes: web_url (http://localhost:<port>), ws_url (ws://localhost:<port>/ws), rasa_url,
    jwt_secret, database_url, redis_url, allowed_embed_origin (http://127.0.0.1:<embed_port>),
    embed_port (free, for the browser tests' host page), cookie_key, admin_token, web_env (the
    web app's environment, for a second in-process instance), log_dir.
    Methods: stop_rasa(), start_rasa() (returns once Rasa answers again).
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.log_dir = tmp / "logs"
        self.log_dir.mkdir()
        web_port, rasa_port, actions_port = free_port(), free_port(), free_port()
        self.embed_port = free_port()
        self.web_url = f"http://localhost:{web_port}"
        self.ws_url = f"ws://localhost:{web_port}/ws"
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.allowed_embed_origin = f"http://127.0.0.1:{self.embed_port}"
        self.jwt_secret = secrets.token_urlsafe(48)
        self.cookie_key = secrets.token_urlsafe(48)
        self.admin_token = secrets.token_urlsafe(48)
        self.database_url = f"sqlite:///{tmp / 'tillverka.db'}"
        self.redis_url = f"{REDIS_BASE}/{REDIS_DB}"

        base = service_env(tmp, self.database_url)
        self.web_env = {
            **base,
            "REDIS_URL": self.redis_url,
            "RASA_URL": self.rasa_url,
            "RASA_JWT_SECRET": self.jwt_secret,
            "TILLVERKA_ALLOWED_ORIGINS": self.allowed_embed_origin,
            "TILLVERKA_COOKIE_KEY": self.cookie_key,
            "TILLVERKA_ADMIN_TOKEN": self.admin_token,
            # every test connects from 127.0.0.1: the per-IP limit would throttle the suite
            "TILLVERKA_CHAT_RATE_PER_IP_MINUTE": "100000",
        }
        self.actions = actions_process(base, actions_port, self.log_dir)
        self.rasa = rasa_process(
            base,
            rasa_port,
            write_test_endpoints(tmp, self.database_url, actions_port),
            "credentials.yml",
            self.log_dir,
            self.jwt_secret,
        )
        self.web = web_process(self.web_env, web_port, self.log_dir)

    def start(self) -> None:
        for process in (self.actions, self.rasa, self.web):
            process.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        for process in (self.actions, self.web, self.rasa):
            process.wait_healthy(deadline)

    def stop_rasa(self) -> None:
        self.rasa.stop()

    def start_rasa(self) -> None:
        if self.rasa.proc is not None and self.rasa.proc.poll() is None:
            return
        self.rasa.start()
        self.rasa.wait_healthy(time.monotonic() + START_TIMEOUT_S)

    def stop(self) -> None:
        for process in (self.web, self.rasa, self.actions):
            process.stop()


@pytest.fixture(scope="session")
def stack():
    require_model()
    tmp = Path(tempfile.mkdtemp(prefix="tillverka-web-"))
    running = Stack(tmp)
    try:
        flush_redis(running.redis_url, "web")
        seed_register(running.database_url)
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# ---- a founder's browser, for the websocket tests

RECEIVE_TIMEOUT_S = 30.0  # Rasa answers in well under a second; this only bounds a hang


class ChatSocket:
    """One open chat socket."""

    def __init__(self, ws) -> None:
        self.ws = ws

    async def send(self, frame: dict) -> None:
        await self.ws.send_json(frame)

    async def receive(self, timeout: float = RECEIVE_TIMEOUT_S) -> dict:
        message = await self.ws.receive(timeout=timeout)
        if message.type.name != "TEXT":
            raise AssertionError(f"expected a text frame, got {message.type.name} {message.data!r}")
        return json.loads(message.data)

    async def hello(self, lang: str = "en") -> list[dict]:
        """Say hello; the history the server answers with."""
        await self.send({"type": "hello", "lang": lang})
        frame = await self.receive()
        assert frame["type"] == "history", frame
        return frame["messages"]

    async def say(self, text: str, message_id: str | None = None) -> dict:
        """Send a message; the frame that settles it (bot or error), after its ack."""
        message_id = message_id or uuid.uuid4().hex
        await self.send({"type": "message", "id": message_id, "text": text})
        return await self.settled(message_id)

    async def settled(self, message_id: str) -> dict:
        while True:
            frame = await self.receive()
            if frame["type"] in ("ack", "typing"):
                continue
            assert frame.get("reply_to") == message_id, frame
            return frame

    async def close(self) -> None:
        await self.ws.close()


class Browser:
    """A founder's browser: one cookie jar (by hand: aiohttp's jar keeps Secure cookies off
    plain http) and the chat sockets it opens."""

    def __init__(self, stack: Stack, http, base_url: str | None = None) -> None:
        self.stack, self.http = stack, http
        self.base_url = base_url or stack.web_url
        self.cookie: str | None = None  # the tv_conv value
        self.sockets: list[ChatSocket] = []
        self.extra_headers: dict[str, str] = {}  # e.g. X-Forwarded-For

    @property
    def conversation_id(self) -> str:
        return self.cookie.split(".")[0]

    def headers(self, lang: str = "en") -> dict[str, str]:
        headers = {"Accept-Language": lang, **self.extra_headers}
        if self.cookie:
            headers["Cookie"] = f"tv_conv={self.cookie}"
        return headers

    def remember(self, response) -> None:
        for value in response.headers.getall("Set-Cookie", []):
            name, _, rest = value.partition("=")
            if name == "tv_conv":
                self.cookie = rest.split(";")[0]

    async def open_page(self, path: str = "/", lang: str = "en"):
        async with self.http.get(self.base_url + path, headers=self.headers(lang)) as response:
            await response.read()
            self.remember(response)
            return response

    async def connect(self, origin: str | None = None, lang: str = "en") -> ChatSocket:
        ws_url = self.base_url.replace("http", "ws", 1) + "/ws"
        ws = await self.http.ws_connect(
            ws_url, origin=origin or self.base_url, headers=self.headers(lang), autoping=True
        )
        self.remember(ws._response)
        socket = ChatSocket(ws)
        self.sockets.append(socket)
        return socket

    async def transcript(self, lang: str = "en"):
        async with self.http.get(
            self.base_url + "/api/chat/transcript", headers=self.headers(lang)
        ) as response:
            return response.status, dict(response.headers), await response.text()


@pytest.fixture
async def browsers(stack):
    """Make Browser()s on the stack's web app (or on base_url); all closed afterwards."""
    import aiohttp

    made: list[Browser] = []
    # each Browser keeps its own cookie: the session's shared jar would mix them up
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:

        def browser(base_url: str | None = None) -> Browser:
            made.append(Browser(stack, http, base_url))
            return made[-1]

        yield browser
        for b in made:
            for socket in b.sockets:
                await socket.close()


@contextlib.asynccontextmanager
async def web_instance(stack: Stack, **env: str):
    """Another web-app instance, in this process, on the stack's Rasa, database and Redis;
    `env` overrides its settings (e.g. TILLVERKA_CHAT_RATE_PER_MINUTE="3"). Yields its
    TestServer (base URL: str(server.make_url(""))); the app is server.app."""
    from unittest import mock

    from aiohttp.test_utils import TestServer

    from bot.web.app import create_app

    settings = {
        k: v for k, v in stack.web_env.items() if k.startswith(("TILLVERKA_", "RASA_", "REDIS_"))
    }
    with mock.patch.dict(os.environ, {**settings, **env}):
        app = create_app(stack.database_url, admin_token=stack.admin_token)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


async def rasa_events(stack: Stack, conversation_id: str) -> list[dict]:
    """The conversation's events straight from Rasa's API (with the JWT), for checks."""
    import aiohttp
    import jwt

    token = jwt.encode({"user": {"username": "test", "role": "admin"}}, stack.jwt_secret, "HS256")
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
            params={"include_events": "ALL"},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            assert response.status == 200
            return (await response.json())["events"]
