"""Advisors' channel notices, posted from the action server to Slack's Web API.

Plain aiohttp (bot.slack.post) on purpose: the action server must stay free of spaCy and Rasa
core. A notice is a courtesy to advisors, so it never fails the founder's turn: it gives up
after a few seconds, logs why, and answers False.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from bot.slack.notice_blocks import handoff_notice, recommendation_notice
from bot.slack.post import DEFAULT_API_URL, SlackPoster, SlackPostError, method_url

logger = logging.getLogger(__name__)

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
        return method_url(self.api_url, method)


async def post_notice(
    text: str, blocks: list[dict], settings: NoticeSettings | None = None
) -> bool:
    """chat.postMessage to the advisors' channel; True only when Slack answered ok."""
    settings = settings or NoticeSettings.from_env()
    if not settings.enabled:
        return False
    poster = SlackPoster(settings.token, settings.api_url, timeout=TIMEOUT_SECONDS)
    try:
        await poster.post_message(settings.channel, text, blocks=blocks)
    except SlackPostError as error:
        logger.warning("Slack notice to %s failed: %s", settings.channel, error)
        return False
    except Exception:  # a notice never fails the founder's turn, whatever went wrong
        logger.exception("Slack notice to %s failed unexpectedly", settings.channel)
        return False
    finally:
        await poster.close()
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
