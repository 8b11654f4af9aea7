"""An advisor takes a founder's conversation over from the bot, answers, and hands it back.

Decisions (docs/advisor.md): taking over appends Rasa's `pause` event (Rasa then logs the
founder's messages without answering), handing back appends `resume`. Advisors' messages are
`bot` events with `metadata = {"from": "advisor", "advisor": <name>, "kind": "takeover" |
"reply" | "handback"}`, stored first through Rasa's HTTP API, so they are in the transcript even
if delivery fails, then delivered on the channel of the founder's latest message: the website
through the push hub, Slack into the founder's thread.

The advisor web pages call this API (`request.app[HANDOVER]`); they check that the lead exists
and record who took it over. This module still refuses conversations Rasa has no messages for,
because Rasa's API would create a tracker for any id.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.i18n import pick
from bot.slack.post import SlackPoster, SlackPostError, escape_mrkdwn
from bot.web.chat import CHAT
from bot.web.push import PushHub
from bot.web.rasa_client import RasaClient, RasaUnavailable, advisor_message, messages_from_events

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 4000
MAX_NAME_CHARS = 100
WEB_CHANNEL = "rest"  # Rasa's REST channel: the web app forwards founders' messages through it
SLACK_CHANNEL = "slack"

# code -> (Swedish, English), for the advisor's page
MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_conversation": (
        "Det finns inget samtal med det här id:t.",
        "There is no conversation with this id.",
    ),
    "empty": ("Skriv ett meddelande först.", "Write a message first."),
    "too_long": (
        f"Meddelandet är för långt: högst {MAX_REPLY_CHARS:,} tecken.".replace(",", "\u00a0"),
        f"The message is too long: at most {MAX_REPLY_CHARS:,} characters.",
    ),
    "bot_unavailable": (
        "Boten svarar inte just nu, så ingenting sparades eller skickades. Försök igen om en stund.",
        "The bot is not answering right now, so nothing was saved or sent. Try again in a moment.",
    ),
    "not_taken_over": (
        "Samtalet är inte övertaget (boten svarar själv). Ta över det först.",
        "The conversation is not taken over (the bot is answering). Take it over first.",
    ),
}


class HandoverError(Exception):
    """Nothing was stored or sent; `code` says why (a key of MESSAGES)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def message(self, lang: str | None) -> str:
        """What to tell the advisor, in Swedish or English."""
        return pick(lang, *MESSAGES[self.code])


@dataclass(frozen=True)
class Delivery:
    """The message is stored in the conversation; `channel` is where it was delivered live:
    "web", "slack", or None (the founder has no chat open, or Slack did not take it: they see
    it in their history)."""

    stored: bool
    channel: str | None


def takeover_text(name: str, lang: str) -> str:
    return pick(
        lang,
        f"Hej! Jag heter {name} och är rådgivare. Jag svarar dig här nu; boten är pausad.",
        f"Hi! I'm {name}, an advisor. I'm answering you here now; the bot is paused.",
    )


def handback_text(lang: str) -> str:
    return pick(
        lang,
        "Nu tar boten över igen. Tack för samtalet! Vill du prata med en rådgivare igen räcker "
        "det att skriva det.",
        "The bot takes over again. Thanks for the chat! If you want to talk to an advisor again, "
        "just say so.",
    )


def slack_text(name: str, text: str, lang: str) -> str:
    """An advisor's words in a founder's Slack thread: posted by the bot's user, so the
    advisor's name comes first; escaped, so the words cannot ping @channel or mention anyone."""
    label = pick(lang, "rådgivare", "advisor")
    return f"*{escape_mrkdwn(name)} ({label}):* {escape_mrkdwn(text)}"


def _language(lang: str | None) -> str:
    return "en" if lang == "en" else "sv"  # the founders are in Sweden


def _name(advisor_name: str) -> str:
    name = re.sub(r"\s+", " ", advisor_name or "").strip()[:MAX_NAME_CHARS]
    if not name:
        raise ValueError("an advisor's message needs the advisor's name")
    return name


def _advisor_event(name: str, text: str, kind: str, ts: float) -> dict:
    return {
        "event": "bot",
        "text": text,
        "data": {},
        "metadata": {"from": "advisor", "advisor": name, "kind": kind},
        "timestamp": ts,
    }


def _latest_founder_message(events: list) -> Mapping | None:
    for event in reversed(events):
        if isinstance(event, Mapping) and event.get("event") == "user":
            return event
    return None


class Handover:
    """Takeover, replies and hand-back on one Rasa, push hub and (optionally) Slack."""

    def __init__(self, rasa: RasaClient, hub: PushHub, slack: SlackPoster | None) -> None:
        self.rasa, self.hub, self.slack = rasa, hub, slack

    async def take_over(self, conversation_id: str, advisor_name: str, lang: str) -> Delivery:
        """Pause the bot and tell the founder, in `lang` (the lead's language; default sv), who
        is answering now."""
        name, lang = _name(advisor_name), _language(lang)
        tracker = await self._known_tracker(conversation_id)
        now = time.time()
        event = _advisor_event(name, takeover_text(name, lang), "takeover", now + 0.001)
        await self._append(conversation_id, [{"event": "pause", "timestamp": now}, event])
        return await self._deliver(conversation_id, tracker, event, lang)

    async def reply(self, conversation_id: str, advisor_name: str, text: str) -> Delivery:
        """An advisor's words to the founder of a conversation that is taken over."""
        name = _name(advisor_name)
        text = (text or "").strip()
        if not text:
            raise HandoverError("empty")
        if len(text) > MAX_REPLY_CHARS:
            raise HandoverError("too_long")
        tracker = await self._known_tracker(conversation_id)
        if not tracker.get("paused"):
            raise HandoverError("not_taken_over")
        event = _advisor_event(name, text, "reply", time.time())
        await self._append(conversation_id, [event])
        slots = tracker.get("slots") if isinstance(tracker.get("slots"), Mapping) else {}
        lang = _language(slots.get("language"))  # the language the bot speaks with the founder
        return await self._deliver(conversation_id, tracker, event, lang)

    async def hand_back(self, conversation_id: str, advisor_name: str, lang: str) -> Delivery:
        """Tell the founder the bot answers again, and resume it."""
        name, lang = _name(advisor_name), _language(lang)
        tracker = await self._known_tracker(conversation_id)
        if not tracker.get("paused"):
            raise HandoverError("not_taken_over")
        now = time.time()
        event = _advisor_event(name, handback_text(lang), "handback", now)
        # the message first: it is the advisor's, said while the bot was still paused
        resume = {"event": "resume", "timestamp": now + 0.001}
        await self._append(conversation_id, [event, resume])
        return await self._deliver(conversation_id, tracker, event, lang)

    async def messages(self, conversation_id: str) -> list[dict]:
        """The conversation as protocol Messages (founder, bot, advisors with their names);
        empty for a conversation Rasa has no messages for."""
        tracker = await self._tracker(conversation_id)
        return messages_from_events(tracker.get("events") or [])

    async def is_paused(self, conversation_id: str) -> bool:
        """Whether the bot is paused (taken over). Rasa resumes by itself when the founder
        starts a new session (after a day's silence) or restarts the conversation."""
        tracker = await self._tracker(conversation_id)
        return bool(tracker.get("paused"))

    # ---- steps

    async def _tracker(self, conversation_id: str) -> dict:
        try:
            return await self.rasa.tracker(conversation_id)
        except RasaUnavailable as exc:
            log.warning("handover: tracker not available: %s", exc)
            raise HandoverError("bot_unavailable") from exc

    async def _known_tracker(self, conversation_id: str) -> dict:
        """The tracker of a conversation the founder has written in; Rasa answers any other id
        with a fresh session that appending to would store."""
        tracker = await self._tracker(conversation_id)
        if _latest_founder_message(tracker.get("events") or []) is None:
            raise HandoverError("unknown_conversation")
        return tracker

    async def _append(self, conversation_id: str, events: list[dict]) -> None:
        try:
            await self.rasa.append_events(conversation_id, events)
        except RasaUnavailable as exc:
            log.warning("handover: events not stored: %s", exc)
            raise HandoverError("bot_unavailable") from exc

    async def _deliver(
        self, conversation_id: str, tracker: Mapping, event: dict, lang: str
    ) -> Delivery:
        """Deliver a stored message where the founder last wrote. A failure is logged, never
        raised: the message is stored, and the founder sees it in the history."""
        latest = _latest_founder_message(tracker.get("events") or []) or {}
        channel = tracker.get("latest_input_channel") or latest.get("input_channel")
        message = advisor_message(event)
        if channel == WEB_CHANNEL:
            try:
                received = await self.hub.publish(conversation_id, [message])
            except Exception:
                log.exception("handover: push to the founder's chat failed")
                received = 0
            return Delivery(stored=True, channel="web" if received else None)
        if channel == SLACK_CHANNEL:
            delivered = await self._post_to_slack(latest, message, lang)
            return Delivery(stored=True, channel="slack" if delivered else None)
        return Delivery(stored=True, channel=None)

    async def _post_to_slack(self, latest: Mapping, message: dict, lang: str) -> bool:
        metadata = latest.get("metadata") if isinstance(latest.get("metadata"), Mapping) else {}
        out_channel, thread = metadata.get("out_channel"), metadata.get("thread_id")
        if self.slack is None or not out_channel:
            why = "SLACK_BOT_TOKEN is not set" if self.slack is None else "no channel is known"
            log.warning("handover: the founder wrote on Slack, but %s", why)
            return False
        try:
            await self.slack.post_message(
                str(out_channel),
                slack_text(message.get("advisor") or "", message["text"], lang),
                thread_ts=str(thread) if thread else None,
            )
        except SlackPostError as exc:
            log.warning("handover: Slack did not take the advisor's message: %s", exc)
            return False
        return True


HANDOVER = web.AppKey("handover", Handover)


def setup_handover(app: web.Application) -> None:
    """The Handover on the chat's Rasa client and push hub (call after setup_chat), with Slack
    when SLACK_BOT_TOKEN is set (SLACK_API_URL: the Web API's address)."""
    chat = app[CHAT]
    slack = SlackPoster.from_env()
    app[HANDOVER] = Handover(chat.rasa, chat.hub, slack)

    async def lifetime(app: web.Application):
        yield
        if slack is not None:
            await slack.close()

    app.cleanup_ctx.append(lifetime)
