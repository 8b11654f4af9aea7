"""The Slack side of the stack as real processes, once per test session: a local Slack Web API
stub, the action server and Rasa (the trained model, our Slack channel, a fresh SQLite
database). Tests post signed Events API requests to Rasa's Slack webhook the way Slack does, and
read what the bot posted back from the stub.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import secrets
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.slack.stub import BOT_ID, BOT_USER_ID, TEAM_ID, SlackStub
from tests.stack import (
    ROOT,
    START_TIMEOUT_S,
    actions_process,
    free_port,
    rasa_process,
    require_model,
    seed_register,
    service_env,
    web_process,
    write_test_endpoints,
)

ADVISORS_CHANNEL = "CADVISORS"
REPLY_TIMEOUT_S = 30.0  # Rasa answers in well under a second; this only bounds a hang
QUIET_S = 0.6  # no further post for this long: the bot has finished its turn


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"v0={digest}"


class SlackStack:
    """Attributes: stub (SlackStub), rasa_url, jwt_secret (Rasa's HTTP API), web_url (the web
    app, whose advisor replies reach Slack through the stub), signing_secret, token, log_dir.

    Methods post what Slack would post (signed unless told otherwise) and wait for the bot's
    posts in a thread."""

    def __init__(self, tmp: Path, stub: SlackStub) -> None:
        self.tmp, self.stub = tmp, stub
        self.log_dir = tmp / "logs"
        self.log_dir.mkdir()
        self.signing_secret = secrets.token_hex(32)
        self.token = "xoxb-" + secrets.token_hex(12)
        self.database_url = f"sqlite:///{tmp / 'tillverka.db'}"
        self._ts = itertools.count(1)
        rasa_port, actions_port = free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_URL"))}
        slack_env = {
            "SLACK_BOT_TOKEN": self.token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": stub.api_url,
            "SLACK_ADVISORS_CHANNEL": ADVISORS_CHANNEL,
        }
        base = service_env(tmp, self.database_url, {**env, **slack_env})
        self.actions = actions_process(base, actions_port, self.log_dir)
        self.jwt_secret = secrets.token_urlsafe(48)
        self.rasa = rasa_process(
            base,
            rasa_port,
            write_test_endpoints(tmp, self.database_url, actions_port),
            self._credentials(slack_env),
            self.log_dir,
            self.jwt_secret,
            health_path="/webhooks/slack/",  # answers once the Slack channel is mounted
        )
        # the web app, for the advisor workspace: replies go to Slack through the stub
        web_port = free_port()
        self.web_url = f"http://localhost:{web_port}"
        self.web = web_process(
            {
                **base,
                "RASA_URL": self.rasa_url,
                "RASA_JWT_SECRET": self.jwt_secret,
                "TILLVERKA_COOKIE_KEY": secrets.token_urlsafe(48),
                "TILLVERKA_ADMIN_TOKEN": secrets.token_urlsafe(48),
            },
            web_port,
            self.log_dir,
        )

    def _credentials(self, slack_env: dict) -> Path:
        from bot.slack.credentials import write_credentials

        return write_credentials(ROOT, slack_env, out=self.tmp / "credentials.yml")

    def start(self) -> None:
        for process in (self.actions, self.rasa, self.web):
            process.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        for process in (self.actions, self.web, self.rasa):
            process.wait_healthy(deadline)

    def stop(self) -> None:
        for process in (self.web, self.rasa, self.actions):
            process.stop()

    # ---- what Slack sends

    def new_ts(self) -> str:
        """A message timestamp no other test uses."""
        return f"{int(time.time())}.{next(self._ts):06d}"

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict | None = None,
        secret: str | None = None,
        timestamp: str | None = None,
    ) -> tuple[int, str]:
        timestamp = timestamp or str(int(time.time()))
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(secret or self.signing_secret, timestamp, body),
            **(headers or {}),
        }
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/slack/webhook", body, all_headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, event: dict, *, event_id: str | None = None, **post_options) -> tuple[int, str]:
        """Post an Events API callback carrying `event`."""
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "ATILLVERKA",
            "event": {"event_ts": event.get("ts"), **event},
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        return self.post(json.dumps(envelope).encode(), "application/json", **post_options)

    def message(
        self,
        user: str,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        ts: str | None = None,
        mention: bool = False,
        channel_type: str | None = None,
        **post_options,
    ) -> str:
        """A founder's message (`app_mention` when `mention`); its ts."""
        ts = ts or self.new_ts()
        event = {
            "type": "app_mention" if mention else "message",
            "user": user,
            "text": f"<@{BOT_USER_ID}> {text}" if mention else text,
            "ts": ts,
            "channel": channel,
            "channel_type": channel_type or ("im" if channel.startswith("D") else "channel"),
        }
        if mention:
            del event["channel_type"]  # app_mention events carry none
        if thread_ts:
            event["thread_ts"] = thread_ts
        status, _ = self.event(event, **post_options)
        assert status == 200, status
        return ts

    def click(self, user: str, channel: str, thread_ts: str, value: str, title: str = "") -> int:
        """A click on a bot button with `value`, in the thread `thread_ts` (block_actions)."""
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "ATILLVERKA",
            "team": {"id": TEAM_ID},
            "container": {"type": "message", "message_ts": self.new_ts(), "channel_id": channel},
            "trigger_id": secrets.token_hex(8),
            "channel": {"id": channel, "name": "founders"},
            "message": {
                "type": "message",
                "bot_id": BOT_ID,
                "ts": self.new_ts(),
                "thread_ts": thread_ts,
                "text": "question",
            },
            "actions": [
                {
                    "type": "button",
                    "action_id": "quick_reply_0",
                    "block_id": "b1",
                    "text": {"type": "plain_text", "text": title or value},
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        status, _ = self.post(body, "application/x-www-form-urlencoded")
        return status

    # ---- what the bot posts

    def posts(self, channel: str, thread_ts: str | None = None) -> list[dict]:
        """chat.postMessage parameters sent to `channel` (in thread `thread_ts`), oldest first."""
        return [
            r["params"]
            for r in self.stub.requests("chat.postMessage")
            if r["params"].get("channel") == channel
            and (thread_ts is None or r["params"].get("thread_ts") == thread_ts)
        ]

    def wait_turn(
        self, channel: str, thread_ts: str, already: int = 0, timeout: float = REPLY_TIMEOUT_S
    ) -> list[dict]:
        """The bot's posts in the thread after the first `already`, once it has answered and
        posted nothing more for a moment."""
        deadline = time.monotonic() + timeout
        count, changed = already, time.monotonic()
        while time.monotonic() < deadline:
            now = len(self.posts(channel, thread_ts))
            if now != count:
                count, changed = now, time.monotonic()
            elif count > already and time.monotonic() - changed >= QUIET_S:
                return self.posts(channel, thread_ts)[already:]
            time.sleep(0.05)
        raise AssertionError(
            f"no answer in thread {thread_ts} of {channel} within {timeout} s\n{self.rasa.tail()}"
        )

    def say(self, user: str, channel: str, thread_ts: str, text: str) -> list[dict]:
        """A typed reply in the thread; the bot's answer."""
        before = len(self.posts(channel, thread_ts))
        self.message(user, channel, text, thread_ts=thread_ts)
        return self.wait_turn(channel, thread_ts, before)

    def press(self, user: str, channel: str, thread_ts: str, value: str) -> list[dict]:
        """A button click in the thread; the bot's answer."""
        before = len(self.posts(channel, thread_ts))
        assert self.click(user, channel, thread_ts, value) == 200
        return self.wait_turn(channel, thread_ts, before)


def text_of(posts: list[dict]) -> str:
    """Everything the founder can read in these posts: fallback texts and block texts."""
    parts = []
    for post in posts:
        parts.append(post.get("text") or "")
        for block in post.get("blocks") or []:
            if isinstance(block.get("text"), dict):
                parts.append(block["text"]["text"])
            for element in block.get("elements") or []:
                if isinstance(element.get("text"), dict):
                    parts.append(element["text"]["text"])
                elif isinstance(element.get("text"), str):
                    parts.append(element["text"])
    return "\n".join(parts)


def button_values(posts: list[dict]) -> list[str]:
    return [
        element["value"]
        for post in posts
        for block in post.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


@pytest.fixture(scope="session")
def slack():
    require_model()
    tmp = Path(tempfile.mkdtemp(prefix="tillverka-slack-"))
    stub = SlackStub()
    stub.start()
    running = SlackStack(tmp, stub)
    try:
        seed_register(running.database_url)
        running.start()
        yield running
    finally:
        running.stop()
        stub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
