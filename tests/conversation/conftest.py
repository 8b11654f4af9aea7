"""Conversation tests: the trained model in-process (rasa Agent) and a real action server.

The action server runs as its own process, as in production, against a fresh SQLite file
holding the seeded sample register and the leads table.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "tillverka.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"action server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("conversation") / "tillverka.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def action_server(database_url):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SANIC_HOST": "127.0.0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def agent(action_server):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
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
