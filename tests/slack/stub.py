"""A local stand-in for Slack's Web API (https://slack.com/api/<method>), for the Slack tests.

It answers every method like Slack does (`{"ok": true, ...}`), `chat.postMessage` with the
channel and a fresh `ts`, and records each request so tests can see what the bot sent. It runs
its own event loop in a thread, so Rasa and the action server (other processes) and synchronous
tests can all use it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from urllib.parse import parse_qsl

from aiohttp import web

BOT_USER_ID = "UTILLVERKA"
BOT_ID = "BTILLVERKA"
TEAM_ID = "TTEST"


class SlackStub:
    """Attributes: api_url (".../api/", what SLACK_API_URL is set to). Methods: start(), stop(),
    requests(method=None) (recorded calls, oldest first: {"method", "params", "token"})."""

    def __init__(self) -> None:
        self._recorded: list[dict] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self.api_url = ""

    def requests(self, method: str | None = None) -> list[dict]:
        with self._lock:
            return [r for r in self._recorded if method is None or r["method"] == method]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json":
            params = json.loads(raw or "{}")
        else:
            params = dict(parse_qsl(raw)) | dict(request.query)
            for key in ("blocks", "attachments"):  # form-encoded calls send these as JSON text
                if isinstance(params.get(key), str):
                    params[key] = json.loads(params[key])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.get(
            "token"
        )
        with self._lock:
            self._recorded.append({"method": method, "params": params, "token": token})
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict) -> dict:
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            message = {
                "type": "message",
                "bot_id": BOT_ID,
                "user": BOT_USER_ID,
                "ts": ts,
                "text": params.get("text", ""),
            }
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "tillverka",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        return {"ok": True}

    def start(self) -> None:
        threading.Thread(target=self._serve, name="slack-stub", daemon=True).start()
        if not self._ready.wait(10):
            raise RuntimeError("the Slack stub did not start")

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.api_url = f"http://127.0.0.1:{port}/api/"
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
