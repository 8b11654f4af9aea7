"""The web app's side of Rasa: forward a founder's message to the REST channel, read a
conversation's history from the tracker, and write it out as a transcript.

Rasa listens on the internal network only; its HTTP API wants a JWT (DESIGN section 2). Both
live replies and history become protocol Messages (docs/chat-protocol.md) the same way, so a
reloaded page shows what the founder saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from urllib.parse import quote

import aiohttp
import jwt

from bot.i18n import pick

JWT_USER = {"username": "tillverka-web", "role": "admin"}
JWT_LIFETIME_S = 3600
SEND_TIMEOUT_S = 30.0  # a recommendation runs the strategy engine and the register: seconds
READ_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 3.0


MAX_DISPLAY_CHARS = 200


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error (never shown to the founder as is)."""


class RasaClient:
    """One aiohttp session to Rasa at `base_url`, authenticated with `jwt_secret`."""

    def __init__(
        self,
        base_url: str,
        jwt_secret: str,
        *,
        send_timeout: float = SEND_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._secret = jwt_secret
        self._send_timeout = aiohttp.ClientTimeout(total=send_timeout, connect=CONNECT_TIMEOUT_S)
        self._read_timeout = aiohttp.ClientTimeout(total=read_timeout, connect=CONNECT_TIMEOUT_S)
        self._session: aiohttp.ClientSession | None = None
        self._token: tuple[str, float] | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _auth(self) -> dict[str, str]:
        now = time.time()
        if self._token is None or self._token[1] - now < JWT_LIFETIME_S / 4:
            expires = now + JWT_LIFETIME_S
            payload = {"user": JWT_USER, "exp": int(expires)}
            self._token = (jwt.encode(payload, self._secret, algorithm="HS256"), expires)
        return {"Authorization": f"Bearer {self._token[0]}"}

    async def _json(self, method: str, path: str, timeout: aiohttp.ClientTimeout, **kwargs):
        url = f"{self.base_url}{path}"
        try:
            async with self._http().request(
                method, url, headers=self._auth(), timeout=timeout, **kwargs
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"{method} {path} answered {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, OSError) as exc:
            raise RasaUnavailable(f"{method} {path} failed: {exc!r}") from exc

    async def send(
        self,
        conversation_id: str,
        text: str,
        message_id: str | None = None,
        display: str | None = None,
    ) -> list[dict]:
        """The bot's reply to `text` as protocol Messages. Rasa gets the sender, the text and
        the message's id (kept in the tracker, so history can tell the widget which of its
        messages were answered): nothing else the browser sent."""
        body: dict = {"sender": conversation_id, "message": text}
        metadata: dict = {}
        if message_id is not None:
            metadata["message_id"] = message_id
        if display and text.startswith("/"):
            # what the founder saw on the button, for history and the transcript
            metadata["display"] = display[:MAX_DISPLAY_CHARS]
        if metadata:
            body["metadata"] = metadata
        items = await self._json("POST", "/webhooks/rest/webhook", self._send_timeout, json=body)
        if not isinstance(items, list):
            raise RasaUnavailable("the REST channel did not answer with a list")
        return messages_from_reply(items)

    async def history(self, conversation_id: str) -> list[dict]:
        """Every message of the conversation. Rasa creates a tracker for an id it does not know:
        call this only for conversations that have messages."""
        tracker = await self.tracker(conversation_id)
        return messages_from_events(tracker.get("events") or [])

    async def tracker(self, conversation_id: str) -> dict:
        """The tracker as Rasa's API gives it: every event, `paused`, `latest_input_channel`,
        `slots`. For an id Rasa does not know, it answers a fresh session (session start
        events, no `user` event) without storing it."""
        tracker = await self._json(
            "GET",
            f"/conversations/{quote(conversation_id, safe='')}/tracker",
            self._read_timeout,
            params={"include_events": "ALL"},
        )
        if not isinstance(tracker, dict):
            raise RasaUnavailable("the tracker is not a JSON object")
        return tracker

    async def append_events(self, conversation_id: str, events: list[dict]) -> None:
        """Append `events` to the tracker in one request, so they are stored together or not at
        all (Rasa holds the conversation's lock meanwhile, so they land after a reply in
        progress; hence the send timeout). Creates the tracker if there is none: check first."""
        await self._json(
            "POST",
            f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
            self._send_timeout,
            params={"include_events": "NONE"},  # the answer is the tracker: keep it small
            json=events,
        )


def _buttons(raw: object) -> list[dict]:
    buttons = []
    for button in raw if isinstance(raw, list) else []:
        if isinstance(button, Mapping) and button.get("title"):
            buttons.append(
                {"title": str(button["title"]), "payload": str(button.get("payload", ""))}
            )
    return buttons


class _Grouper:
    """Rasa's REST channel sends one utterance as several items (a text split at blank lines,
    then its custom payload on its own): a custom payload joins the text before it."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.messages: list[dict] = []

    def add(self, item: Mapping, ts: float) -> None:
        text = item.get("text")
        buttons = _buttons(item.get("buttons") or item.get("quick_replies"))
        custom = item.get("custom") if isinstance(item.get("custom"), Mapping) else None
        last = self.messages[-1] if self.messages else None
        if text is None and not buttons and custom is not None and last and "custom" not in last:
            last["custom"] = dict(custom)
            return
        if text is None and not buttons and custom is None:
            return  # images, attachments: the chat has no place for them
        message = {"from": self.sender, "text": str(text or ""), "ts": ts}
        if buttons:
            message["buttons"] = buttons
        if custom is not None:
            message["custom"] = dict(custom)
        self.messages.append(message)


def messages_from_reply(items: Iterable[Mapping], ts: float | None = None) -> list[dict]:
    """Protocol Messages from the REST channel's answer."""
    ts = round(time.time() if ts is None else ts, 3)
    grouper = _Grouper("bot")
    for item in items:
        if isinstance(item, Mapping):
            grouper.add(item, ts)
    return grouper.messages


def _channel_items(event: Mapping) -> list[dict]:
    """A bot event as the REST channel would have sent it (Rasa's OutputChannel.send_response
    and CollectingOutputChannel), so history and live replies look the same."""
    data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
    text = event.get("text")
    buttons = data.get("buttons") or data.get("quick_replies")
    items: list[dict] = []
    if buttons:
        items.append({"text": text, "buttons": buttons})
    elif text:
        items.extend({"text": part} for part in str(text).strip().split("\n\n"))
    if data.get("custom"):
        items.append({"custom": data["custom"]})
    return items


def messages_from_events(events: Iterable[Mapping]) -> list[dict]:
    """Protocol Messages from tracker events: the founder's words, the bot's and advisors'
    (bot events marked `metadata.from == "advisor"`, one Message each, see advisor_message). A
    button the founder clicked shows as its title, not as its payload; the founder's messages
    keep the id the widget sent them with."""
    messages: list[dict] = []
    last_buttons: list[dict] = []
    for event in events:
        if not isinstance(event, Mapping):
            continue
        ts = round(float(event.get("timestamp") or 0), 3)
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            text = str(event["text"])
            metadata = event.get("metadata") if isinstance(event.get("metadata"), Mapping) else {}
            title = next((b["title"] for b in last_buttons if b["payload"] == text), None)
            if text.startswith("/") and isinstance(metadata.get("display"), str):
                title = metadata["display"]
            message = {"from": "user", "text": title or text, "ts": ts}
            if isinstance(metadata.get("message_id"), str):
                message["id"] = metadata["message_id"]
            messages.append(message)
        elif kind == "bot":
            metadata = event.get("metadata") if isinstance(event.get("metadata"), Mapping) else {}
            if metadata.get("from") == "advisor":
                if event.get("text"):
                    messages.append(advisor_message(event, ts))
                continue
            grouper = _Grouper("bot")
            for item in _channel_items(event):
                grouper.add(item, ts)
            messages.extend(grouper.messages)
            buttons = [b for m in grouper.messages for b in m.get("buttons", [])]
            if buttons:
                last_buttons = buttons
    return messages


ADVISOR_KINDS = ("takeover", "reply", "handback")


def advisor_message(event: Mapping, ts: float | None = None) -> dict:
    """An advisor's bot event as one protocol Message (the widget shows paragraphs itself), with
    the advisor's display name and the kind of message, when the event carries them."""
    metadata = event.get("metadata") if isinstance(event.get("metadata"), Mapping) else {}
    if ts is None:
        ts = round(float(event.get("timestamp") or 0), 3)
    message = {"from": "advisor", "text": str(event.get("text") or "").strip(), "ts": ts}
    if isinstance(metadata.get("advisor"), str) and metadata["advisor"].strip():
        message["advisor"] = metadata["advisor"].strip()
    if metadata.get("kind") in ADVISOR_KINDS:
        message["kind"] = metadata["kind"]
    return message


_SPEAKERS = {
    "user": ("Du", "You"),
    "bot": ("Tillverka", "Tillverka"),
    "advisor": ("Rådgivare", "Advisor"),
}


def _local_time(ts: float) -> datetime:
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("Europe/Stockholm")  # the founders are in Sweden
    except Exception:  # no time zone data on this machine
        zone = timezone.utc
    return datetime.fromtimestamp(ts, zone)


def transcript(messages: Iterable[Mapping], lang: str, now: float | None = None) -> str:
    """The conversation as plain text, one line per message, in the founder's language."""
    fetched = _local_time(time.time() if now is None else now)
    lines = [
        pick(lang, "Tillverka: ditt samtal", "Tillverka: your conversation"),
        pick(lang, "Hämtat", "Downloaded") + f" {fetched:%Y-%m-%d %H:%M %Z}",
        "",
    ]
    for message in messages:
        speaker = pick(lang, *_SPEAKERS.get(message.get("from"), _SPEAKERS["bot"]))
        if message.get("from") == "advisor" and message.get("advisor"):
            speaker = f"{message['advisor']} ({speaker.lower()})"
        stamp = f"{_local_time(float(message.get('ts') or 0)):%Y-%m-%d %H:%M}"
        text = str(message.get("text") or "").strip()
        body = text.replace("\n", "\n    ")
        lines.append(f"[{stamp}] {speaker}: {body}")
        titles = [b["title"] for b in message.get("buttons") or []]
        if titles:
            lines.append("    " + pick(lang, "Val", "Options") + ": " + " | ".join(titles))
    return "\n".join(lines) + "\n"
