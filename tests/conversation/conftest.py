"""Conversation tests: the trained model in-process (rasa Agent) and a real action server.

The action server runs as its own process, as in production, against a fresh SQLite file
holding the seeded sample register and the leads table.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from tests.stack import (
    MODEL,
    START_TIMEOUT_S,
    actions_process,
    free_port,
    require_model,
    service_env,
)


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def conversation_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("conversation")


@pytest.fixture(scope="session")
def database_url(conversation_dir) -> str:
    return f"sqlite:///{conversation_dir / 'tillverka.db'}"


@pytest.fixture(scope="session")
def action_server(conversation_dir, database_url):
    port = free_port()
    process = actions_process(service_env(conversation_dir, database_url), port, conversation_dir)
    process.start()
    try:
        process.wait_healthy(time.monotonic() + START_TIMEOUT_S)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.stop()


@pytest.fixture(scope="session")
def agent(action_server):
    require_model()
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(url=action_server))


class Chat:
    """One founder's conversation: send text, read replies and slots."""

    def __init__(self, agent):
        self.agent = agent
        self.sender = f"test-{uuid.uuid4().hex}"
        self.replies: list[dict] = []

    async def say(self, text: str) -> list[dict]:
        self.replies = await self.agent.handle_text(text, sender_id=self.sender) or []
        return self.replies

    @property
    def text(self) -> str:
        return "\n".join(r.get("text", "") for r in self.replies if r.get("text"))

    @property
    def recommendation(self) -> dict | None:
        custom = [r["custom"] for r in self.replies if r.get("custom", {}).get("type") == "recommendation"]
        return custom[-1] if custom else None

    async def tracker(self):
        return await self.agent.tracker_store.retrieve(self.sender)

    async def slot(self, name: str):
        return (await self.tracker()).get_slot(name)

    async def slots(self) -> dict:
        return (await self.tracker()).current_slot_values()


@pytest.fixture
def chat(agent) -> Chat:
    return Chat(agent)


@pytest.fixture(scope="session")
def lead_store(database_url):
    from bot.leads import LeadStore

    return LeadStore(database_url)
