"""Messages from outside the bot (an advisor's reply) to a founder's open chat.

Each web-app instance keeps its open sockets by conversation id. With Redis, a push goes through
the pub/sub channel `tillverka:push:<conversation id>`, and each instance subscribes to the
channels of the conversations it has sockets for, so it does not matter which instance the
founder's socket landed on, and Redis's count of receivers tells whether the founder has the
chat open anywhere. Without Redis there is one instance and delivery is local.
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
# every instance's own subscription, so its listener runs while no chat is open (no conversation
# channel: those all start with CHANNEL_PREFIX)
HUB_CHANNEL = "tillverka:push-hub"
ADVISOR_KINDS = ("takeover", "reply", "handback")
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
        if item["from"] == "advisor":
            # who answers, and whether the bot is paused (the widget's "a person is answering")
            if isinstance(message.get("advisor"), str) and message["advisor"].strip():
                item["advisor"] = message["advisor"].strip()
            if message.get("kind") in ADVISOR_KINDS:
                item["kind"] = message["kind"]
        out.append(item)
    return out


async def publish(redis, conversation_id: str, messages: Iterable[Mapping]) -> int:
    """Publish a push through Redis from any process; the number of web-app instances that
    received it, i.e. that have a socket of the conversation open (0: the founder has no chat
    open anywhere)."""
    payload = json.dumps({"messages": push_messages(messages)}, ensure_ascii=False)
    return int(await redis.publish(CHANNEL_PREFIX + conversation_id, payload))


class PushHub:
    """This instance's open sockets, and (with `redis`) its subscriptions to their pushes.

    `subscriber` is the Redis client that listens (default `redis`): it must have no socket
    timeout, since a quiet subscription would otherwise time out and drop pushes meanwhile.
    """

    def __init__(self, redis=None, subscriber=None) -> None:
        self._redis = redis
        self._subscriber = subscriber or redis
        self._sockets: dict[str, set[Sender]] = {}
        self._listener: asyncio.Task | None = None
        self._subscribed = asyncio.Event()
        self._pubsub = None  # the listener's, while it is connected
        self._changing = asyncio.Lock()  # subscription changes reach Redis in order
        self._changes: set[asyncio.Task] = set()

    def add(self, conversation_id: str, send: Sender) -> None:
        first = not self._sockets.get(conversation_id)
        self._sockets.setdefault(conversation_id, set()).add(send)
        if first:
            self._follow(conversation_id)

    def remove(self, conversation_id: str, send: Sender) -> None:
        senders = self._sockets.get(conversation_id)
        if senders is not None:
            senders.discard(send)
            if not senders:
                del self._sockets[conversation_id]
                self._follow(conversation_id)

    def open_sockets(self, conversation_id: str) -> int:
        return len(self._sockets.get(conversation_id, ()))

    def _follow(self, conversation_id: str) -> None:
        """(Un)subscribe the conversation's channel in the background (add and remove are
        called without awaiting). Each change applies the state at the time it runs, so the
        last one leaves Redis matching the open sockets, however quickly they came and went."""
        if self._pubsub is None:
            return  # no Redis, or between connections: the listener subscribes all when it starts
        task = asyncio.get_running_loop().create_task(self._apply(conversation_id))
        self._changes.add(task)
        task.add_done_callback(self._changes.discard)

    async def _apply(self, conversation_id: str) -> None:
        async with self._changing:
            pubsub = self._pubsub
            if pubsub is None:
                return
            channel = CHANNEL_PREFIX + conversation_id
            try:
                if self._sockets.get(conversation_id):
                    await pubsub.subscribe(channel)
                else:
                    await pubsub.unsubscribe(channel)
            except Exception as exc:  # the listener reconnects and subscribes afresh
                log.warning("push subscription of a conversation not changed: %s", exc)

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

    async def publish(self, conversation_id: str, messages: Iterable[Mapping]) -> int:
        """Deliver a push wherever the founder's chat is open; how many web-app instances (with
        Redis) or sockets (without) received it: 0 when the founder has no chat open."""
        messages = push_messages(messages)
        if self._redis is not None:
            try:
                received = await publish(self._redis, conversation_id, messages)
                if self._subscribed.is_set():
                    return received  # our own listener delivers it here too
                return received + await self.deliver(conversation_id, messages)
            except Exception as exc:
                log.warning("push not published, Redis did not answer: %s", exc)
        return await self.deliver(conversation_id, messages)

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
        for task in list(self._changes):
            task.cancel()

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            pubsub = self._pubsub = self._subscriber.pubsub()
            try:
                async with self._changing:
                    # the conversations open now; sockets opened meanwhile queue their change
                    channels = [CHANNEL_PREFIX + c for c in self._sockets]
                    await pubsub.subscribe(HUB_CHANNEL, *channels)
                async for message in pubsub.listen():
                    if message.get("type") == "subscribe" and _text(message.get("channel")) == (
                        HUB_CHANNEL
                    ):
                        self._subscribed.set()
                        delay = 0.5
                    elif message.get("type") == "message":
                        await self._on_message(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("push subscription lost (%s); retrying in %.1f s", exc, delay)
            finally:
                self._pubsub = None
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    async def _on_message(self, message: Mapping) -> None:
        channel, data = _text(message.get("channel")), message.get("data")
        if not channel.startswith(CHANNEL_PREFIX):
            return
        conversation_id = channel[len(CHANNEL_PREFIX) :]
        if not self._sockets.get(conversation_id):
            return
        try:
            messages = json.loads(data)["messages"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed push on %s", channel)
            return
        await self.deliver(conversation_id, push_messages(messages))


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
