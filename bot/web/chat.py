"""The founders' website chat: its pages, the widget script, the websocket and the transcript
download (the protocol is docs/chat-protocol.md).

Settings (environment):
  RASA_URL                          Rasa's internal address (default http://127.0.0.1:5005)
  RASA_JWT_SECRET                   key of the JWT for Rasa's API (else var/secrets/rasa_jwt)
  TILLVERKA_COOKIE_KEY              key that signs the conversation cookie (else var/secrets/cookie_key)
  TILLVERKA_ALLOWED_ORIGINS         comma-separated origins that may embed the chat and open the
                                    websocket, besides the web app's own
  REDIS_URL                         shared rate limits, de-duplication and pushes (optional)
  TILLVERKA_CHAT_RATE_PER_MINUTE    messages a minute per conversation (default 20)
  TILLVERKA_CHAT_RATE_PER_IP_MINUTE messages a minute per IP address (default 60)
  TILLVERKA_PROXY_HOPS              reverse proxies in front of the web app whose
                                    X-Forwarded-For is trusted for the client's IP (default 0)
  TILLVERKA_CHAT_COOKIE_DAYS        lifetime of the conversation cookie (default 30)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from sqlalchemy.exc import SQLAlchemyError

from bot.secrets import get_or_create_secret
from bot.web.errors import ApiError, message, preferred_language
from bot.web.limits import Limit, client_ip, env_int, windows_for
from bot.web.push import PushHub
from bot.web.rasa_client import (
    READ_TIMEOUT_S,
    SEND_TIMEOUT_S,
    RasaClient,
    RasaUnavailable,
    transcript,
)
from bot.web.session import (
    ChatConversations,
    CookieSigner,
    ReplyStore,
    conversation_from_request,
    cookie_header,
    is_secure_context,
    new_conversation_id,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_TEXT_CHARS = 2000
MAX_FRAME_BYTES = 16 * 1024
MAX_BAD_FRAMES = 3  # in a row, then the socket is closed
MAX_QUEUED = 10  # messages waiting for Rasa on one socket
HEARTBEAT_S = 30.0
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_LANGS = ("sv", "en")
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
_dumps = functools.partial(json.dumps, ensure_ascii=False)


@dataclass(frozen=True)
class ChatSettings:
    rasa_url: str
    jwt_secret: str
    cookie_key: str
    allowed_origins: tuple[str, ...] = ()
    redis_url: str | None = None
    rate_per_minute: int = 20
    rate_per_ip_minute: int = 60
    proxy_hops: int = 0
    cookie_days: int = 30
    send_timeout_s: float = SEND_TIMEOUT_S
    read_timeout_s: float = READ_TIMEOUT_S

    @classmethod
    def from_env(cls) -> ChatSettings:
        origins = os.environ.get("TILLVERKA_ALLOWED_ORIGINS", "")
        return cls(
            rasa_url=os.environ.get("RASA_URL", "").strip() or "http://127.0.0.1:5005",
            jwt_secret=get_or_create_secret("rasa_jwt", "RASA_JWT_SECRET"),
            cookie_key=get_or_create_secret("cookie_key", "TILLVERKA_COOKIE_KEY"),
            allowed_origins=tuple(allowed_origin(o) for o in origins.split(",") if o.strip()),
            redis_url=os.environ.get("REDIS_URL", "").strip() or None,
            rate_per_minute=env_int("TILLVERKA_CHAT_RATE_PER_MINUTE", 20),
            rate_per_ip_minute=env_int("TILLVERKA_CHAT_RATE_PER_IP_MINUTE", 60),
            proxy_hops=env_int("TILLVERKA_PROXY_HOPS", 0, minimum=0),
            cookie_days=env_int("TILLVERKA_CHAT_COOKIE_DAYS", 30),
        )


_ORIGIN = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$")


def normalise_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def allowed_origin(origin: str) -> str:
    """An origin for TILLVERKA_ALLOWED_ORIGINS, checked: it goes into the pages' CSP header."""
    normal = normalise_origin(origin)
    if not _ORIGIN.match(normal):
        raise ValueError(
            f"TILLVERKA_ALLOWED_ORIGINS: {origin.strip()!r} is not an origin like https://example.se"
        )
    return normal


class Chat:
    """The chat's shared parts in one web-app instance."""

    def __init__(self, settings: ChatSettings, database_url: str | None) -> None:
        self.settings = settings
        self.signer = CookieSigner(settings.cookie_key)
        self.rasa = RasaClient(
            settings.rasa_url,
            settings.jwt_secret,
            send_timeout=settings.send_timeout_s,
            read_timeout=settings.read_timeout_s,
        )
        self.conversations = ChatConversations(database_url)
        self.per_conversation = Limit("conversation", settings.rate_per_minute)
        self.per_ip = Limit("ip", settings.rate_per_ip_minute)
        self.redis = self.subscriber = None
        if settings.redis_url:
            import redis.asyncio as aioredis

            # short timeouts: a Redis outage slows no founder's message by more than a moment
            self.redis = aioredis.from_url(
                settings.redis_url, socket_timeout=2, socket_connect_timeout=2
            )
            self.subscriber = aioredis.from_url(
                settings.redis_url, socket_connect_timeout=2, socket_keepalive=True
            )
        self.windows = windows_for(self.redis)
        self.replies = ReplyStore(self.redis, pending_ttl_s=int(settings.send_timeout_s) + 30)
        self.hub = PushHub(self.redis, self.subscriber)

    async def close(self) -> None:
        await self.hub.stop()
        await self.rasa.close()
        for client in (self.redis, self.subscriber):
            if client is not None:
                await client.close()

    def cookie(self, request: web.Request, conversation_id: str, *, embed: bool) -> str:
        return cookie_header(
            self.signer.sign(conversation_id),
            embed=embed,
            secure=request.secure,
            max_age=self.settings.cookie_days * 86400,
        )

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """The web app's own origin (whatever the scheme: TLS may end at a proxy) or one of
        TILLVERKA_ALLOWED_ORIGINS. A browser always sends Origin on a websocket handshake."""
        if not origin:
            return False
        origin = normalise_origin(origin)
        if origin in self.settings.allowed_origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host.lower()

    def page_csp(self) -> str:
        ancestors = " ".join(("'self'", *self.settings.allowed_origins))
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
        )


CHAT = web.AppKey("chat", Chat)
_SOCKETS = web.AppKey("chat_sockets", set)  # open sockets, closed when the app shuts down


def setup_chat(
    app: web.Application, database_url: str | None, settings: ChatSettings | None = None
) -> None:
    """Add the chat's routes to `app` (settings from the environment unless given)."""
    app[CHAT] = Chat(settings or ChatSettings.from_env(), database_url)
    app[_SOCKETS] = set()

    async def lifetime(app: web.Application):
        await app[CHAT].hub.start()
        yield
        await app[CHAT].close()

    app.cleanup_ctx.append(lifetime)
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/", chat_page)
    app.router.add_get("/embed", embed_page)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_get("/static/{path:.+}", static_file)
    app.router.add_get("/ws", websocket)
    app.router.add_get("/api/chat/transcript", transcript_download)


# ---- pages and files


async def chat_page(request: web.Request) -> web.Response:
    return _page(request, "index.html", embed=False)


async def embed_page(request: web.Request) -> web.Response:
    return _page(request, "embed.html", embed=True)


def _page(request: web.Request, name: str, *, embed: bool) -> web.Response:
    """A chat page; it (re)sets the conversation cookie, keeping a valid one's conversation."""
    chat = request.app[CHAT]
    path = STATIC_DIR / name
    if not path.is_file():
        raise web.HTTPNotFound()
    conversation_id = conversation_from_request(request, chat.signer) or new_conversation_id()
    response = web.Response(
        body=path.read_bytes(),
        content_type="text/html",
        charset="utf-8",
        headers={
            "Cache-Control": "no-store",  # it carries this browser's cookie
            "Content-Security-Policy": chat.page_csp(),
            "Content-Language": preferred_language(request),
            "Vary": "Accept-Language, Cookie",
        },
    )
    response.headers.add("Set-Cookie", chat.cookie(request, conversation_id, embed=embed))
    return response


async def widget_script(request: web.Request) -> web.FileResponse:
    # loaded by other sites' pages: cached a little, and allowed across origins
    return _file(
        STATIC_DIR / "widget.js",
        {"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"},
    )


async def static_file(request: web.Request) -> web.FileResponse:
    """The chat's own JS and CSS; no build step, so no hashed names: browsers revalidate."""
    relative = Path(request.match_info["path"])
    if relative.is_absolute() or any(p in ("..", "") or p.startswith(".") for p in relative.parts):
        raise web.HTTPNotFound()
    return _file(STATIC_DIR / relative, {"Cache-Control": "no-cache"})


def _file(path: Path, headers: dict[str, str]) -> web.FileResponse:
    content_type = STATIC_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={**headers, "Content-Type": content_type})


async def transcript_download(request: web.Request) -> web.Response:
    """The cookie's own conversation as a text file (no cookie, no conversation: 404)."""
    chat = request.app[CHAT]
    conversation_id = conversation_from_request(request, chat.signer)
    if conversation_id is None:
        raise ApiError(404, "no_conversation", headers={"Cache-Control": "no-store"})
    try:
        known = await asyncio.get_running_loop().run_in_executor(
            None, chat.conversations.has_messages, conversation_id
        )
        if not known:
            raise ApiError(404, "no_conversation", headers={"Cache-Control": "no-store"})
        messages = await chat.rasa.history(conversation_id)
    except (RasaUnavailable, SQLAlchemyError) as exc:
        log.warning("transcript not available: %s", exc)
        raise ApiError(503, "bot_unavailable", headers={"Retry-After": "5"}) from exc
    lang = request.query.get("lang") if request.query.get("lang") in _LANGS else None
    lang = lang or preferred_language(request)
    day = datetime.now(timezone.utc).strftime("%Y%m%d")
    return web.Response(
        text=transcript(messages, lang),
        content_type="text/plain",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="tillverka-chat-{day}.txt"',
            "Cache-Control": "no-store",
        },
    )


# ---- the websocket


async def websocket(request: web.Request) -> web.WebSocketResponse:
    chat = request.app[CHAT]
    origin = request.headers.get("Origin")
    if not chat.origin_allowed(origin, request.host):
        log.info("websocket refused for origin %r", origin)
        raise ApiError(403, "origin_not_allowed", origin=(origin or "-")[:100])
    ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, heartbeat=HEARTBEAT_S)
    conversation_id = conversation_from_request(request, chat.signer)
    if conversation_id is None:
        # pages set the cookie; a socket without one (expired, blocked) still gets its own chat
        conversation_id = new_conversation_id()
        embed = is_secure_context(request)  # works framed or not wherever Secure is possible
        ws.headers.add("Set-Cookie", chat.cookie(request, conversation_id, embed=embed))
    await ws.prepare(request)
    sockets = request.app[_SOCKETS]
    sockets.add(ws)
    try:
        await _Connection(chat, ws, request, conversation_id).run()
    finally:
        sockets.discard(ws)
    return ws


async def _close_sockets(app: web.Application) -> None:
    for ws in list(app.get(_SOCKETS, ())):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


def _count(n: int) -> tuple[str, str]:
    """A whole number as Swedish (2 000) and English (2,000) write it."""
    return f"{n:,}".replace(",", "\u00a0"), f"{n:,}"


# answers still on their way to Rasa (kept referenced until done)
_in_flight: set[asyncio.Task] = set()


class _BadFrame(Exception):
    def __init__(self, reply_to: str | None = None) -> None:
        super().__init__("bad frame")
        self.reply_to = reply_to


class _Connection:
    """One open chat socket. Frames are read at once (errors answered at once); messages for
    Rasa are answered one at a time, in order, by a worker task."""

    def __init__(
        self, chat: Chat, ws: web.WebSocketResponse, request: web.Request, conversation_id: str
    ) -> None:
        self.chat, self.ws, self.conversation_id = chat, ws, conversation_id
        self.lang = preferred_language(request)
        self.ip = client_ip(request, chat.settings.proxy_hops)
        self.queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=MAX_QUEUED)
        self.send_lock = asyncio.Lock()
        self.bad_frames = 0
        self.closing: asyncio.Task | None = None

    async def send(self, frame: dict) -> None:
        async with self.send_lock:
            if not self.ws.closed:
                await self.ws.send_str(_dumps(frame))

    async def error(self, code: str, reply_to: str | None = None, **params: object) -> None:
        frame = {"type": "error", "code": code, "message": message(code, self.lang, **params)}
        if reply_to is not None:
            frame["reply_to"] = reply_to
        await self.send(frame)

    async def run(self) -> None:
        self.chat.hub.add(self.conversation_id, self.send)
        worker = asyncio.create_task(self._work())
        try:
            async for frame in self.ws:
                if frame.type == WSMsgType.ERROR:
                    break  # e.g. a frame over MAX_FRAME_BYTES: aiohttp has closed with 1009
                try:
                    await self._receive(frame)
                    self.bad_frames = 0
                except _BadFrame as bad:
                    self.bad_frames += 1
                    await self.error("bad_frame", bad.reply_to)
                    if self.bad_frames >= MAX_BAD_FRAMES:
                        await self.ws.close(
                            code=WSCloseCode.POLICY_VIOLATION, message=b"too many bad frames"
                        )
                        break
        finally:
            self.chat.hub.remove(self.conversation_id, self.send)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            if self.closing is not None:
                await self.closing

    async def _receive(self, frame) -> None:
        if frame.type != WSMsgType.TEXT:
            raise _BadFrame()
        try:
            data = json.loads(frame.data)
        except ValueError:
            raise _BadFrame() from None
        if not isinstance(data, dict):
            raise _BadFrame()
        kind = data.get("type")
        if kind == "hello":
            if data.get("lang") in _LANGS:
                self.lang = data["lang"]
            await self._enqueue(data)
        elif kind == "message":
            await self._message(data)
        else:
            raise _BadFrame()

    async def _message(self, data: dict) -> None:
        message_id, text, display = data.get("id"), data.get("text"), data.get("display")
        if not isinstance(message_id, str) or not _MESSAGE_ID.match(message_id):
            raise _BadFrame()
        if (
            not isinstance(text, str)
            or not text.strip()
            or not isinstance(display, (str, type(None)))
        ):
            raise _BadFrame(message_id)
        if len(text) > MAX_TEXT_CHARS:
            await self.error(
                "too_long",
                message_id,
                max=_count(MAX_TEXT_CHARS),
                length=_count(len(text)),
            )
            return
        windows, chat = self.chat.windows, self.chat
        if not (
            await windows.hit(chat.per_conversation, self.conversation_id)
            and await windows.hit(chat.per_ip, self.ip)
        ):
            await self.error("rate_limited", message_id)
            return
        if not await self._enqueue({"type": "message", "id": message_id, "text": text, "display": display}):
            await self.error("rate_limited", message_id)
            return
        await self.send({"type": "ack", "id": message_id})

    async def _enqueue(self, item: dict) -> bool:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            return False
        return True

    async def _work(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                if item["type"] == "hello":
                    await self._history()
                else:
                    await self._answer(item["id"], item["text"], item.get("display"))
            except asyncio.CancelledError:
                raise
            except Exception:
                # a bug must not end the chat silently: log it, tell the founder politely
                log.exception("chat message could not be handled")
                with contextlib.suppress(Exception):
                    await self.error("bot_unavailable", item.get("id"))

    async def _history(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            known = await loop.run_in_executor(
                None, self.chat.conversations.has_messages, self.conversation_id
            )
            messages = await self.chat.rasa.history(self.conversation_id) if known else []
        except (RasaUnavailable, SQLAlchemyError) as exc:
            # an empty history would wipe what the widget shows; closing makes it reconnect
            # (with back-off) and say hello again
            log.warning("chat history not available: %s", exc)
            await self.error("bot_unavailable")
            # in its own task: closing ends the reader, which cancels this worker
            self.closing = asyncio.create_task(
                self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"history unavailable")
            )
            return
        await self.send({"type": "history", "messages": messages})

    async def _answer(self, message_id: str, text: str, display: str | None = None) -> None:
        replies, conversation_id = self.chat.replies, self.conversation_id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.chat.settings.send_timeout_s + 5
        while (claimed := await replies.claim(conversation_id, message_id)) is not None:
            if isinstance(claimed, dict):
                await self.send(claimed)  # a resend: the reply it got the first time
                return
            # the same message is being answered on another socket (the founder reconnected
            # meanwhile): wait for that reply rather than asking Rasa again
            if loop.time() > deadline:
                await self.error("bot_unavailable", message_id)
                return
            await asyncio.sleep(0.25)
        await self.send({"type": "typing"})
        # shielded: if the founder disconnects meanwhile, the reply is still stored for the
        # resend after the reconnect, instead of Rasa getting the message twice
        task = asyncio.create_task(self._ask_rasa(message_id, text, display))
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)
        reply = await asyncio.shield(task)
        if reply is None:
            await self.error("bot_unavailable", message_id)
        else:
            await self.send(reply)

    async def _ask_rasa(self, message_id: str, text: str, display: str | None = None) -> dict | None:
        """The bot's reply frame, stored for resends; None (and nothing stored) on failure."""
        replies, conversation_id = self.chat.replies, self.conversation_id
        try:
            # the database first: if it is down, Rasa's fail-safe tracker store would
            # silently start the conversation over
            await asyncio.get_running_loop().run_in_executor(
                None, self.chat.conversations.touch, conversation_id
            )
            messages = await self.chat.rasa.send(conversation_id, text, message_id, display)
            if not messages and not await self._stored(message_id):
                # Rasa's REST channel answers an empty list also when it could not take the
                # message at all (its Redis lock store down); a paused conversation has it stored
                raise RasaUnavailable("Rasa did not take the message")
        except (RasaUnavailable, SQLAlchemyError) as exc:
            log.warning("message not answered: %s", exc)
            await replies.release(conversation_id, message_id)
            return None
        except Exception:
            log.exception("message not answered")
            await replies.release(conversation_id, message_id)
            return None
        reply = {"type": "bot", "reply_to": message_id, "messages": messages}
        await replies.finish(conversation_id, message_id, reply)
        return reply

    async def _stored(self, message_id: str) -> bool:
        """Whether the founder's message `message_id` is in the conversation's tracker."""
        tracker = await self.chat.rasa.tracker(self.conversation_id)
        return any(
            isinstance(event, dict)
            and event.get("event") == "user"
            and isinstance(event.get("metadata"), dict)
            and event["metadata"].get("message_id") == message_id
            for event in tracker.get("events") or []
        )
