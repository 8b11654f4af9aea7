"""Pushes (an advisor's reply) reach the founder's open chat, whichever web-app instance holds
the socket."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bot.web import push
from bot.web.chat import CHAT
from bot.web.push import PushHub
from tests.web.conftest import web_instance


async def open_chat(browser):
    await browser.open_page()
    chat = await browser.connect()
    await chat.hello()
    return chat


async def test_a_push_from_another_instance_reaches_the_founders_open_chat(browsers, stack):
    founder = browsers()
    chat = await open_chat(founder)  # on the web-app process

    async with web_instance(stack) as other:  # a second instance, in this process
        await other.app[CHAT].hub.publish(
            founder.conversation_id, [{"text": "Hej! Jag är rådgivare på Almi och läser med."}]
        )

        frame = await chat.receive(timeout=5)

    assert frame["type"] == "push"
    [message] = frame["messages"]
    assert message["from"] == "advisor"
    assert message["text"] == "Hej! Jag är rådgivare på Almi och läser med."
    assert isinstance(message["ts"], float)


async def test_publish_reaches_every_tab_of_the_conversation_and_no_other(browsers, stack):
    founder = browsers()
    first_tab = await open_chat(founder)
    second_tab = await founder.connect()
    await second_tab.hello()
    someone_else = await open_chat(browsers())

    client = aioredis.from_url(stack.redis_url)
    try:
        listeners = await push.publish(
            client, founder.conversation_id, [{"from": "advisor", "text": "Vi hörs i morgon."}]
        )
    finally:
        await client.close()

    assert listeners >= 1  # the web app's subscription
    for tab in (first_tab, second_tab):
        frame = await tab.receive(timeout=5)
        assert frame["messages"][0]["text"] == "Vi hörs i morgon."
    with pytest.raises(asyncio.TimeoutError):
        await someone_else.receive(timeout=0.5)


class Socket:
    """A stand-in for an open socket: records the frames it is sent."""

    def __init__(self, fail: bool = False) -> None:
        self.frames: list[dict] = []
        self.fail = fail

    async def send(self, frame: dict) -> None:
        if self.fail:
            raise ConnectionResetError("closing")
        self.frames.append(frame)


async def test_without_redis_a_push_reaches_this_instances_sockets():
    hub = PushHub()
    tab, closing, other = Socket(), Socket(fail=True), Socket()
    hub.add("conv-a", tab.send)
    hub.add("conv-a", closing.send)  # one socket failing does not stop the others
    hub.add("conv-b", other.send)

    await hub.publish("conv-a", [{"text": "Hello from an advisor", "ts": 1700000000.0}])

    assert tab.frames == [
        {
            "type": "push",
            "messages": [{"from": "advisor", "text": "Hello from an advisor", "ts": 1700000000.0}],
        }
    ]
    assert other.frames == []
    hub.remove("conv-a", tab.send)
    hub.remove("conv-a", closing.send)
    assert hub.open_sockets("conv-a") == 0


async def test_with_redis_down_a_push_still_reaches_local_sockets():
    unreachable = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    hub = PushHub(unreachable)
    tab = Socket()
    hub.add("conv-a", tab.send)
    try:
        await hub.publish("conv-a", [{"text": "still here"}])
    finally:
        await unreachable.close()
    assert tab.frames[0]["messages"][0]["text"] == "still here"
