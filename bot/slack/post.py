"""Posting to Slack's Web API (`chat.postMessage`) with plain aiohttp.

Shared by the advisors' channel notices (the action server, which must stay free of spaCy and
Rasa core) and advisors' replies to founders in their Slack threads (the web app). Slack answers
HTTP 200 with `{"ok": false, "error": ...}` when it refuses; both that and a network failure
raise SlackPostError, so callers decide whether a failure matters.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

import aiohttp

from bot.slack.credentials import DEFAULT_API_URL

TIMEOUT_SECONDS = 5.0


class SlackPostError(Exception):
    """Slack did not answer, or refused (the message says which, never the token)."""


def method_url(api_url: str, method: str) -> str:
    return f"{api_url.rstrip('/')}/{method}"


def escape_mrkdwn(text: str) -> str:
    """Text shown as Slack writes it, never as markup: `<!channel>` or `<@U123>` in an advisor's
    words must not ping anyone (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackPoster:
    """One bot token and one aiohttp session (made on first use; close() ends it)."""

    def __init__(
        self, token: str, api_url: str = DEFAULT_API_URL, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.api_url = api_url or DEFAULT_API_URL
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackPoster | None:
        """A poster with SLACK_BOT_TOKEN and SLACK_API_URL; None when there is no token."""
        env = os.environ if env is None else env
        token = (env.get("SLACK_BOT_TOKEN") or "").strip()
        if not token:
            return None
        return cls(token, (env.get("SLACK_API_URL") or "").strip() or DEFAULT_API_URL)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post_message(
        self,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict] | None = None,
    ) -> dict:
        """chat.postMessage; Slack's answer (`ok` is true), else SlackPostError."""
        body: dict = {"channel": channel, "text": text}
        if thread_ts:
            body["thread_ts"] = thread_ts
        if blocks:
            body["blocks"] = blocks
        return await self.call("chat.postMessage", body)

    async def call(self, method: str, body: dict) -> dict:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json; charset=utf-8",
        }
        try:
            async with self._session.post(
                method_url(self.api_url, method), json=body, headers=headers
            ) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
            raise SlackPostError(f"{method}: {error or type(error).__name__}") from error
        if not isinstance(answer, dict) or not answer.get("ok"):
            reason = answer.get("error") if isinstance(answer, dict) else answer
            raise SlackPostError(f"{method} refused (HTTP {status}): {reason}")
        return answer
