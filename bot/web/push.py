"""Messages from outside the bot (an advisor's reply) to a founder's open chat.

Each web-app instance keeps its open sockets by conversation id. With Redis, a push goes through
the pub/sub channel `tillverka:push:<conversation id>` and every instance delivers it to its own
sockets, so it does not matter which instance the founder's socket landed on. Without Redis
there is one instance and delivery is local.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "tillverka:push:"
SUBSCRIBE_WAIT_S = 2.0  # how long start() waits for the first subscription
RETRY_MAX_S = 10.0

# sends one frame to one socket
Sender = Callable[[dict], Awaitable[None]]


def push_messages(messages: Iterable[Mapping]) -> list[dict]:
    """Protocol Messages for a push: from an advisor unless said otherwise, stamped now."""
    now = round(time.time(), 3)
    out = []
    for message in messages:
        item = {
            "from": message.get("from") if message.get("from") in ("bot", "advisor") else "advisor",
            "text": str(message.get("text") or ""),
            "ts": message.get("ts") or now,
        }
        for optional in ("buttons", "custom"):
            if message.get(optional):
                item[optional] = message[optional]
        out.append(item)
    return out


async def publish(redis, conversation_id: str, messages: Iterable[Mapping]) -> int:
    """Publish a push through Redis from any process; the number of web-app instances that
    received it (0: the founder has no chat open anywhere, or no instance listens)."""
    payload = json.dumps({"messages": push_messages(messages)}, ensure_ascii=False)
    return int(await redis.publish(CHANNEL_PREFIX + conversation_id, payload))


class PushHub:
    """This instance's open sockets, and (with `redis`) its subscription to everyone's pushes.

    `subscriber` is the Redis client that listens (default `redis`): it must have no socket
    timeout, since a quiet subscription would otherwise time out and drop pushes meanwhile.
    """

    def __init__(self, redis=None, subscriber=None) -> None:
        self._redis = redis
        self._subscriber = subscriber or redis
        self._sockets: dict[str, set[Sender]] = {}
        self._listener: asyncio.Task | None = None
        self._subscribed = asyncio.Event()

    def add(self, conversation_id: str, send: Sender) -> None:
        self._sockets.setdefault(conversation_id, set()).add(send)

    def remove(self, conversation_id: str, send: Sender) -> None:
        senders = self._sockets.get(conversation_id)
        if senders is not None:
            senders.discard(send)
            if not senders:
                del self._sockets[conversation_id]

    def open_sockets(self, conversation_id: str) -> int:
        return len(self._sockets.get(conversation_id, ()))

    async def deliver(self, conversation_id: str, messages: list[dict]) -> int:
        """Send a push to this instance's sockets of the conversation; how many got it."""
        frame = {"type": "push", "messages": messages}
        delivered = 0
        for send in list(self._sockets.get(conversation_id, ())):
            try:
                await send(frame)
                delivered += 1
            except Exception:  # a socket closing meanwhile must not stop the others
                log.debug("push to a closing socket failed", exc_info=True)
        return delivered

    async def publish(self, conversation_id: str, messages: Iterable[Mapping]) -> None:
        """Deliver a push wherever the founder's chat is open."""
        messages = push_messages(messages)
        if self._redis is not None:
            try:
                await publish(self._redis, conversation_id, messages)
                if self._subscribed.is_set():
                    return  # our own listener delivers it here too
            except Exception as exc:
                log.warning("push not published, Redis did not answer: %s", exc)
        await self.deliver(conversation_id, messages)

    async def start(self) -> None:
        """Start listening (with Redis); waits briefly for the subscription, so a push published
        right after start-up is not missed."""
        if self._redis is None or self._listener is not None:
            return
        self._listener = asyncio.create_task(self._listen())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_WAIT_S)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                async for message in pubsub.listen():
                    if message.get("type") == "psubscribe":
                        self._subscribed.set()
                        delay = 0.5
                    elif message.get("type") == "pmessage":
                        await self._on_message(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("push subscription lost (%s); retrying in %.1f s", exc, delay)
            finally:
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    async def _on_message(self, message: Mapping) -> None:
        channel, data = message.get("channel"), message.get("data")
        if isinstance(channel, bytes):
            channel = channel.decode("utf-8", "replace")
        conversation_id = str(channel)[len(CHANNEL_PREFIX) :]
        if not self._sockets.get(conversation_id):
            return
        try:
            messages = json.loads(data)["messages"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed push on %s", channel)
            return
        await self.deliver(conversation_id, push_messages(messages))
