"""Who a founder is in the website chat: an unguessable conversation id in a signed cookie.

Rasa's REST channel trusts whatever sender id it is given, so the id must come from us: the web
app draws it (192 random bits), signs it with HMAC-SHA256 and only ever believes a cookie whose
signature checks out. A missing or forged cookie gets a fresh id, never the one it claims.

Also here, what the chat remembers about a conversation: which conversations have messages
(`ChatConversations`) and the replies to recent message ids (`ReplyStore`). Rasa's
`GET /conversations/{id}/tracker` creates a tracker for an unknown id, so history is fetched only
for conversations this table knows about.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from datetime import datetime, timedelta, timezone

from aiohttp import web
from sqlalchemy import Column, DateTime, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot import privacy
from bot.db import get_engine, metadata

log = logging.getLogger(__name__)

COOKIE_NAME = "tv_conv"
ID_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits
_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
# the signature covers a purpose label, so a MAC made with this key for anything else never fits
_PURPOSE = b"tillverka-chat-conversation-v1:"


def new_conversation_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


class CookieSigner:
    """`<id>.<signature>` values for the conversation cookie."""

    def __init__(self, key: str) -> None:
        self._key = key.encode("utf-8")

    def _mac(self, conversation_id: str) -> str:
        digest = hmac.new(self._key, _PURPOSE + conversation_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def sign(self, conversation_id: str) -> str:
        if not _ID.match(conversation_id):
            raise ValueError("not a conversation id issued by new_conversation_id()")
        return f"{conversation_id}.{self._mac(conversation_id)}"

    def verify(self, value: str | None) -> str | None:
        """The conversation id in a cookie value we signed, else None."""
        if not value or len(value) > 200:
            return None
        conversation_id, dot, signature = value.partition(".")
        if not dot or not _ID.match(conversation_id):
            return None
        expected = self._mac(conversation_id)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return None
        return conversation_id


def cookie_values(request: web.Request, name: str = COOKIE_NAME) -> list[str]:
    """Every value sent for cookie `name`: a browser may send a partitioned (embed) and an
    unpartitioned one under the same name, and aiohttp's request.cookies keeps only one."""
    values = []
    for header in request.headers.getall("Cookie", []):
        for pair in header.split(";"):
            key, eq, value = pair.strip().partition("=")
            if eq and key == name:
                values.append(value.strip().strip('"'))
    return values


def conversation_from_request(request: web.Request, signer: CookieSigner) -> str | None:
    """The conversation id of the request's valid cookie, or None."""
    for value in cookie_values(request):
        conversation_id = signer.verify(value)
        if conversation_id:
            return conversation_id
    return None


def cookie_header(value: str, *, embed: bool, secure: bool, max_age: int) -> str:
    """The Set-Cookie value. The chat page's cookie is SameSite=Lax. The embed lives in a
    third-party iframe, which only gets cookies that are SameSite=None, Secure and Partitioned
    (CHIPS); Python's cookie module cannot write Partitioned, hence a hand-made header."""
    parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly"]
    if embed:
        parts += ["Secure", "SameSite=None", "Partitioned"]
    else:
        parts += (["Secure"] if secure else []) + ["SameSite=Lax"]
    return "; ".join(parts)


def is_secure_context(request: web.Request) -> bool:
    """Whether the browser treats this page as secure: HTTPS, or plain HTTP on localhost
    (where browsers accept Secure cookies too)."""
    host = (request.host or "").rsplit(":", 1)[0].strip("[]").lower()
    return request.secure or host in ("localhost", "127.0.0.1", "::1")


chat_conversations = Table(
    "chat_conversations",
    metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("last_message_at", DateTime(timezone=True), nullable=False),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class ChatConversations:
    """The website conversations that have messages, and when they last had one (blocking:
    call from a worker thread)."""

    def __init__(self, database_url: str | None) -> None:
        self._url = database_url

    def touch(self, conversation_id: str) -> None:
        """Record a founder's message. Raises SQLAlchemyError if the database is down, which is
        also how the chat notices an outage that Rasa's fail-safe tracker store would hide."""
        engine = get_engine(self._url)
        now = _now()
        with engine.begin() as conn:
            changed = conn.execute(
                update(chat_conversations)
                .where(chat_conversations.c.conversation_id == conversation_id)
                .values(last_message_at=now)
            ).rowcount
        if changed:
            return
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(chat_conversations).values(
                        conversation_id=conversation_id, started_at=now, last_message_at=now
                    )
                )
        except IntegrityError:
            pass  # another tab inserted it a moment ago

    def has_messages(self, conversation_id: str) -> bool:
        """Whether Rasa holds a transcript worth fetching: the conversation had a message
        within the retention period, and none of it was erased on request since."""
        engine = get_engine(self._url)
        with engine.connect() as conn:
            last = conn.execute(
                select(chat_conversations.c.last_message_at).where(
                    chat_conversations.c.conversation_id == conversation_id
                )
            ).scalar()
            if last is None:
                return False
            last = _aware(last)
            if last < _now() - timedelta(days=privacy.retention_days()):
                return False
            erased = conn.execute(
                select(privacy.erasure_requests.c.requested_at).where(
                    privacy.erasure_requests.c.conversation_id == conversation_id
                )
            ).scalar()
        return erased is None or _aware(erased) < last


class ReplyStore:
    """The bot's reply to each message id, so a message resent after a reconnect is answered
    from here instead of reaching Rasa twice. In Redis (shared by every instance) or memory.

    claim() marks an id as being answered; it returns None if the caller should answer it,
    PENDING if someone else is answering it right now, or the stored reply frame.
    """

    PENDING = "pending"
    KEY_PREFIX = "tillverka:reply:"
    MEMORY_MAX = 10_000

    def __init__(self, redis=None, *, ttl_s: int = 3600, pending_ttl_s: int = 60) -> None:
        self._redis = redis
        self._ttl, self._pending_ttl = ttl_s, pending_ttl_s
        self._memory: dict[str, tuple[float, object]] = {}  # key -> (expires, value)

    def _key(self, conversation_id: str, message_id: str) -> str:
        return f"{self.KEY_PREFIX}{conversation_id}:{message_id}"

    async def claim(self, conversation_id: str, message_id: str) -> dict | str | None:
        key = self._key(conversation_id, message_id)
        if self._redis is None:
            current = self._get_memory(key)
            if current is None:
                self._set_memory(key, self.PENDING, self._pending_ttl)
            return current
        try:
            if await self._redis.set(key, self.PENDING, nx=True, ex=self._pending_ttl):
                return None
            raw = await self._redis.get(key)
        except Exception as exc:  # without Redis, answer rather than refuse: Rasa may see a repeat
            log.warning("reply store unavailable, message not de-duplicated: %s", exc)
            return None
        if raw is None:
            return None  # expired between SET and GET: ours to answer
        raw = raw.decode() if isinstance(raw, bytes) else raw
        return self.PENDING if raw == self.PENDING else json.loads(raw)

    async def finish(self, conversation_id: str, message_id: str, frame: dict) -> None:
        key = self._key(conversation_id, message_id)
        if self._redis is None:
            self._set_memory(key, frame, self._ttl)
            return
        try:
            await self._redis.set(key, json.dumps(frame, ensure_ascii=False), ex=self._ttl)
        except Exception as exc:
            log.warning("reply not stored for de-duplication: %s", exc)

    async def release(self, conversation_id: str, message_id: str) -> None:
        """Forget a claim whose answer failed, so the founder's resend is answered."""
        key = self._key(conversation_id, message_id)
        if self._redis is None:
            self._memory.pop(key, None)
            return
        try:
            await self._redis.delete(key)
        except Exception as exc:
            log.warning("reply claim not released (expires by itself): %s", exc)

    def _get_memory(self, key: str) -> object | None:
        entry = self._memory.get(key)
        if entry is None or entry[0] < time.monotonic():
            self._memory.pop(key, None)
            return None
        return entry[1]

    def _set_memory(self, key: str, value: object, ttl: float) -> None:
        self._memory.pop(key, None)  # re-inserted last: the dict's order is the eviction order
        self._memory[key] = (time.monotonic() + ttl, value)
        while len(self._memory) > self.MEMORY_MAX:
            del self._memory[next(iter(self._memory))]
