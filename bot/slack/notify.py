"""Advisors' channel notices, posted from the action server to Slack's Web API.

Plain aiohttp on purpose: the action server must stay free of spaCy and Rasa core. A notice is
a courtesy to advisors, so it never fails the founder's turn: it gives up after a few seconds,
logs why, and answers False.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

import aiohttp

from bot.slack.notice_blocks import handoff_notice, recommendation_notice

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class NoticeSettings:
    token: str | None
    channel: str | None
    api_url: str = DEFAULT_API_URL
    public_url: str | None = None

    @classmethod
    def from_env(cls) -> NoticeSettings:
        # Read per call, so a changed environment (or a test's) takes effect without a restart.
        return cls(
            token=os.environ.get("SLACK_BOT_TOKEN") or None,
            channel=os.environ.get("SLACK_ADVISORS_CHANNEL") or None,
            api_url=os.environ.get("SLACK_API_URL") or DEFAULT_API_URL,
            public_url=os.environ.get("TILLVERKA_PUBLIC_URL") or None,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.channel)

    def method_url(self, method: str) -> str:
        return f"{self.api_url.rstrip('/')}/{method}"


async def post_notice(
    text: str, blocks: list[dict], settings: NoticeSettings | None = None
) -> bool:
    """chat.postMessage to the advisors' channel; True only when Slack answered ok."""
    settings = settings or NoticeSettings.from_env()
    if not settings.enabled:
        return False
    body = {"channel": settings.channel, "text": text, "blocks": blocks}
    headers = {
        "Authorization": f"Bearer {settings.token}",
        "Content-Type": "application/json; charset=utf-8",
    }
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                settings.method_url("chat.postMessage"), json=body, headers=headers
            ) as response:
                answer = await response.json(content_type=None)
                status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
        logger.warning(
            "Slack notice to %s failed: %s", settings.channel, error or type(error).__name__
        )
        return False
    except Exception:  # a notice never fails the founder's turn, whatever went wrong
        logger.exception("Slack notice to %s failed unexpectedly", settings.channel)
        return False
    if not isinstance(answer, dict) or not answer.get("ok"):
        error = answer.get("error") if isinstance(answer, dict) else answer
        logger.warning(
            "Slack refused the notice to %s (HTTP %s): %s", settings.channel, status, error
        )
        return False
    return True


async def _notify(build, *args) -> bool:
    settings = NoticeSettings.from_env()
    if not settings.enabled:
        return False
    try:
        text, blocks = build(*args, public_url=settings.public_url)
    except Exception:  # a malformed lead must not cost the founder their answer
        logger.exception("could not build the Slack notice")
        return False
    return await post_notice(text, blocks, settings)


async def notify_handoff(
    conversation_id: str, language: str | None, text: str, profile: dict | None
) -> bool:
    """Tell advisors a founder asked for a human. False (logged) when off or failed."""
    return await _notify(handoff_notice, conversation_id, language, text, profile)


async def notify_recommendation(conversation_id: str, language: str | None, payload: dict) -> bool:
    """Tell advisors a founder finished an interview. False (logged) when off or failed."""
    return await _notify(recommendation_notice, conversation_id, language, payload)
