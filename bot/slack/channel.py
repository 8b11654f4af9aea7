"""Rasa's Slack channel, adjusted for founders (DESIGN section 2).

Rasa's SlackInput already verifies Slack's signature (and refuses timestamps older than five
minutes), acknowledges at once and runs the bot in a background task; we keep all of that and
only add what it lacks:
- each delivery is handled once: Slack retries (same `event_id`), and a mention arrives both as
  `message` and `app_mention` (same channel and `ts`);
- edits, deletions and the bot's own messages are ignored;
- replies in a thread the bot takes part in are answered without a new mention;
- every mention is stripped from the text the NLU sees;
- replies go into the founder's thread, with Block Kit buttons and the recommendation as
  sections (plain-text fallback in `text`), through the Web API at SLACK_API_URL;
- a message Rasa cannot handle because the database or Redis is down gets a short apology in
  the thread (Rasa handles it in a background task, where the error would go unnoticed).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.lock_store import LockError
from redis.exceptions import RedisError
from sanic import response
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import pick
from bot.nlu.language import detect_language
from bot.slack import blocks
from bot.slack.credentials import DEFAULT_API_URL
from bot.slack.dedupe import DEFAULT_TTL_S, seen_store
from bot.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

THREAD_TTL_S = 30 * 24 * 3600  # a founder may come back to an interview thread weeks later
MAX_SIGNATURE_AGE_S = 300
# plain messages only: edits (message_changed), deletions, joins etc. are not founders' words
HANDLED_SUBTYPES = (None, "thread_broadcast", "file_share")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_SPECIAL_MENTION = re.compile(r"<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_LINK = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# the tracker store's database down, Rasa's Redis lock store down (before or after the lock)
STORE_ERRORS = (TrackerStoreUnavailable, LockError, RedisError)
TROUBLE_SV = (
    "Förlåt, jag har tekniska problem just nu och kunde inte ta emot ditt meddelande. "
    "Skicka det gärna igen om en liten stund; det du har berättat hittills finns kvar."
)
TROUBLE_EN = (
    "Sorry, I'm having technical trouble right now and could not take your message. "
    "Please send it again in a moment; what you have told me so far is kept."
)


def trouble_text(text: str | None) -> str:
    """The apology in the language of the founder's message; both when it does not tell."""
    lang = detect_language(text or "")
    return pick(lang, TROUBLE_SV, TROUBLE_EN) if lang else f"{TROUBLE_SV}\n{TROUBLE_EN}"


class TillverkaSlackBot(SlackBot):
    """Posts replies into the thread, with Block Kit for buttons and our payloads."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str | None = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url or DEFAULT_API_URL)

    def _target(self, recipient_id: str) -> str:
        return self.slack_channel or recipient_id

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # Rasa would post a bot message's text and its custom payload as two Slack messages;
        # ours become one message: blocks, with the text as the notification/fallback.
        custom = message.get("custom")
        rendered = blocks.payload_blocks(custom, message.get("text") or "") if custom else None
        if rendered is None:
            return await super().send_response(recipient_id, message)
        rest = dict(message)
        text = rest.pop("text", None) or ""
        rest.pop("custom")
        buttons = rest.pop("buttons", None) or rest.pop("quick_replies", None)
        if buttons:
            rendered = rendered + blocks.button_blocks("", buttons)
        await self._post_message(
            channel=self._target(recipient_id), text=text, blocks=blocks._capped(rendered)
        )
        await super().send_response(recipient_id, rest)  # images, attachments, ...

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._post_message(channel=self._target(recipient_id), text=part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post_message(
            channel=self._target(recipient_id),
            text=text,
            blocks=blocks.button_blocks(text, buttons),
        )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        rendered = blocks.payload_blocks(json_message)
        if rendered is not None:
            await self._post_message(channel=self._target(recipient_id), text="", blocks=rendered)
        elif "blocks" in json_message or "text" in json_message:
            await super().send_custom_json(recipient_id, json_message, **kwargs)  # Slack-native
        else:
            logger.info(
                "custom payload of type %r has no Slack form; not sent", json_message.get("type")
            )


def _bot_user_ids(body: dict) -> set[str]:
    return {
        a.get("user_id")
        for a in body.get("authorizations") or []
        if a.get("is_bot") and a.get("user_id")
    }


class TillverkaSlackInput(SlackInput):
    """Rasa's SlackInput, each delivery handled once, in the founder's thread."""

    def __init__(
        self,
        *args: Any,
        slack_api_url: str | None = None,
        redis_url: str | None = None,
        dedupe_ttl_s: float = DEFAULT_TTL_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.api_url = slack_api_url or DEFAULT_API_URL
        self.deliveries = seen_store(redis_url, dedupe_ttl_s, prefix="tillverka:slack:seen:")
        self.threads = seen_store(redis_url, THREAD_TTL_S, prefix="tillverka:slack:thread:")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TillverkaSlackInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("slack_token"),
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            credentials.get("errors_ignore_retry"),
            credentials.get("use_threads", True),
            credentials.get("slack_signing_secret", ""),
            credentials.get("conversation_granularity", "thread"),
            slack_api_url=credentials.get("slack_api_url") or os.environ.get("SLACK_API_URL"),
            redis_url=credentials.get("redis_url") or os.environ.get("REDIS_URL") or None,
        )

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return TillverkaSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    def is_request_from_slack_authentic(self, request) -> bool:
        if super().is_request_from_slack_authentic(request):
            return True
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        try:
            stale = abs(time.time() - int(stamp)) > MAX_SIGNATURE_AGE_S
        except ValueError:
            stale = True
        logger.warning(
            "refused a Slack request from %s: %s",
            request.ip,
            "missing or stale timestamp" if stale else "bad signature",
        )
        return False

    @staticmethod
    def _is_user_message(slack_event: dict[str, Any]) -> bool:
        event = slack_event.get("event") or {}
        return bool(
            SlackInput._is_user_message(slack_event)
            and event.get("subtype") in HANDLED_SUBTYPES
            and not event.get("bot_profile")
        )

    def _is_supported_channel(self, slack_event: dict, metadata: dict) -> bool:
        # A reply in a channel thread may continue an interview; process_message checks that
        # the bot takes part in the thread (which needs an await).
        event = slack_event.get("event") or {}
        in_thread = bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")
        return super()._is_supported_channel(slack_event, metadata) or in_thread

    @staticmethod
    def _sanitize_user_message(text: str, uids_to_remove: list[str] | None) -> str:
        text = _CHANNEL_LINK.sub(r"#\1", _SPECIAL_MENTION.sub(" ", _MENTION.sub(" ", text)))
        text = SlackInput._sanitize_user_message(text, uids_to_remove)
        for escaped, plain in _SLACK_ESCAPES:
            text = text.replace(escaped, plain)
        return re.sub(r"[ \t]+", " ", text).strip()

    async def process_message(self, request, on_new_message, text, sender_id, metadata) -> Any:
        if request.headers.get("content-type") == "application/json":
            handle = await self._first_event_delivery(request.json, metadata or {})
        else:
            handle = await self._first_click(request)
        if not handle:
            return response.text("")
        if not text:
            return response.text("")  # only a mention: nothing to answer
        return await super().process_message(
            request, _telling_trouble(on_new_message), text, sender_id, metadata
        )

    async def _first_event_delivery(self, body: dict, metadata: dict) -> bool:
        event = body.get("event") or {}
        if event.get("user") in _bot_user_ids(body):
            return False
        event_id = body.get("event_id")
        if event_id and not await self.deliveries.first_time(f"event:{event_id}"):
            logger.info("Slack delivered event %s again; already handled", event_id)
            return False
        channel, thread = metadata.get("out_channel"), metadata.get("thread_id")
        addressed = self._is_direct_message(body) or self._is_app_mention(body)
        if not addressed and not await self.threads.seen(f"{channel}:{thread}"):
            return False  # someone else's thread in a channel
        if not await self.deliveries.first_time(f"message:{channel}:{event.get('ts')}"):
            logger.info(
                "message %s in %s arrived as two events; answering once", event.get("ts"), channel
            )
            return False
        await self.threads.first_time(f"{channel}:{thread}")
        return True

    async def _first_click(self, request) -> bool:
        payload = json.loads(request.form["payload"][0])
        action = (payload.get("actions") or [{}])[0]
        user = (payload.get("user") or {}).get("id")
        key = f"action:{user}:{action.get('action_ts') or payload.get('trigger_id')}"
        return await self.deliveries.first_time(key)


def _telling_trouble(on_new_message):
    """`on_new_message`, except that a store outage gets an apology in the founder's thread
    instead of silence (as a rule nothing of the message was stored: it may be sent again)."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except STORE_ERRORS as exc:
            logger.error("Slack message not handled, a store is down (%s)", type(exc).__name__)
            try:
                await message.output_channel.send_text_message(
                    message.sender_id, trouble_text(message.text)
                )
            except Exception:
                logger.exception("could not tell the founder about the outage on Slack")

    return handle
