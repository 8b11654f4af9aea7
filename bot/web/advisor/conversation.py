"""A lead's transcript for the advisor: fetched from Rasa through the Handover (or the chat's
Rasa client), and turned into the lines the page, the live updates and the exports show."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from bot.web.advisor.render import Formatter
from bot.web.advisor.texts import text
from bot.web.chat import CHAT
from bot.web.handover import HANDOVER, HandoverError
from bot.web.rasa_client import RasaUnavailable

log = logging.getLogger(__name__)


async def fetch_messages(request: web.Request, conversation_id: str) -> list[dict] | None:
    """The conversation's protocol messages, or None while Rasa can't be reached."""
    handover = request.config_dict.get(HANDOVER)
    try:
        if handover is not None:
            return await handover.messages(conversation_id)
        # the Handover not wired in: read through the chat's client
        return await request.config_dict[CHAT].rasa.history(conversation_id)
    except (HandoverError, RasaUnavailable) as exc:
        log.warning("advisor workspace: transcript not available: %s", exc)
        return None


def speaker(message: Mapping, lang: str) -> str:
    sender = message.get("from")
    if sender == "user":
        return text("speaker_user", lang)
    if sender == "advisor":
        return text("speaker_advisor", lang, name=str(message.get("advisor") or "")).strip()
    return text("speaker_bot", lang)


def _recommendation(message: Mapping) -> Mapping | None:
    custom = message.get("custom")
    if isinstance(custom, Mapping) and custom.get("type") == "recommendation":
        return custom
    return None


def transcript_items(messages: list[Mapping], lang: str) -> list[dict]:
    """One line per message, in order: who, when (Stockholm time), what, and the options the
    founder was offered. Plain data: templates escape it, advisor.js sets it as text."""
    fmt = Formatter(lang)
    items = []
    for message in messages:
        ts = message.get("ts")
        item = {
            "from": message.get("from") if message.get("from") in ("user", "advisor") else "bot",
            "speaker": speaker(message, lang),
            "time": fmt.when(float(ts)) if isinstance(ts, (int, float)) else "",
            "iso": fmt.iso(float(ts)) if isinstance(ts, (int, float)) else "",
            "text": str(message.get("text") or ""),
            "options": "",
            "note": "",
        }
        titles = [str(b.get("title")) for b in message.get("buttons") or [] if b.get("title")]
        if titles:
            item["options"] = f"{text('options', lang)}: " + " | ".join(titles)
        recommendation = _recommendation(message)
        if recommendation is not None:
            item["note"] = text(
                "recommendation_sent", lang, path=fmt.path(recommendation.get("path"))
            )
        items.append(item)
    return items


def latest_recommendation(messages: list[Mapping] | None) -> Mapping | None:
    """The payload of the conversation's latest recommendation message, if any."""
    for message in reversed(messages or []):
        found = _recommendation(message)
        if found is not None:
            return found
    return None
