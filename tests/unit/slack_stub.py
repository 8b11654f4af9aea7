"""A local stand-in for Slack's Web API `chat.postMessage`, for the advisors' notice tests."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_ADVISORS_CHANNEL", "SLACK_API_URL", "TILLVERKA_PUBLIC_URL")
TOKEN = "xoxb-test-token"
CHANNEL = "C0ADVISORS"


class SlackStub:
    """Records each posted JSON body; `answer` is what Slack says, `hang` makes it never answer."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.authorizations: list[str] = []
        self.answer: dict = {"ok": True, "channel": "C1", "ts": "1.2"}
        self.hang = False
        self.released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self._post_message)
        self.server = TestServer(app)

    async def _post_message(self, request: web.Request) -> web.Response:
        self.authorizations.append(request.headers.get("Authorization", ""))
        self.posts.append(await request.json())
        if self.hang:
            await self.released.wait()  # until teardown, so the server can close
        return web.json_response(self.answer)

    def api_url(self, slash: bool = True) -> str:
        return str(self.server.make_url("/api/" if slash else "/api"))


def clear_slack_env(monkeypatch) -> None:
    for name in SLACK_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack(monkeypatch):
    """A running stub with the SLACK_* environment pointing at it."""
    stub = SlackStub()
    await stub.server.start_server()
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_ADVISORS_CHANNEL", CHANNEL)
    monkeypatch.setenv("SLACK_API_URL", stub.api_url())
    monkeypatch.setenv("TILLVERKA_PUBLIC_URL", "https://tillverka.example/")
    yield stub
    stub.released.set()
    await stub.server.close()
