"""The advisor workspace through the real web app on a temporary SQLite database.

No Rasa runs: the chat's Rasa URL points at a closed port, so transcripts are "not available"
unless a test puts the FakeHandover (an in-memory conversation per id) in its place. Sessions
and cookies are sent by hand (`Browser`): the workspace's cookies are Secure, which a test
client's cookie jar would not send over http://127.0.0.1.
"""

from __future__ import annotations

import atexit
import functools
import re
import secrets
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.advisors.sessions import SessionStore
from bot.advisors.users import User, UserStore
from bot.leads import LeadStore
from bot.register.seed import ensure_seeded
from bot.register.store import RegisterStore
from bot.web.app import create_app
from bot.web.chat import ChatSettings
from bot.web.handover import HANDOVER, Delivery, HandoverError

PASSWORD = "correct horse battery staple"
SV = {"Accept-Language": "sv-SE,sv;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def closed_port() -> int:
    """A port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_app(database_url: str):
    settings = ChatSettings(
        rasa_url=f"http://127.0.0.1:{closed_port()}",
        jwt_secret=secrets.token_urlsafe(32),
        cookie_key=secrets.token_urlsafe(32),
        send_timeout_s=2.0,
        read_timeout_s=2.0,
    )
    return create_app(database_url=database_url, admin_token="t" * 40, chat_settings=settings)


@dataclass
class FakeHandover:
    """Handover's interface on an in-memory transcript per conversation (no Rasa)."""

    transcripts: dict[str, list[dict]] = field(default_factory=dict)
    paused: set[str] = field(default_factory=set)
    fail: str | None = None  # a HandoverError code every call raises

    def add(self, conversation_id: str, sender: str, text: str, **extra) -> None:
        message = {"from": sender, "text": text, "ts": time.time(), **extra}
        self.transcripts.setdefault(conversation_id, []).append(message)

    def _check(self, conversation_id: str) -> list[dict]:
        if self.fail:
            raise HandoverError(self.fail)
        if conversation_id not in self.transcripts:
            raise HandoverError("unknown_conversation")
        return self.transcripts[conversation_id]

    async def take_over(self, conversation_id: str, advisor_name: str, lang: str) -> Delivery:
        self._check(conversation_id)
        self.paused.add(conversation_id)
        self.add(conversation_id, "advisor", f"Hi, {advisor_name} here", advisor=advisor_name)
        return Delivery(stored=True, channel="web")

    async def reply(self, conversation_id: str, advisor_name: str, text: str) -> Delivery:
        self._check(conversation_id)
        if not text.strip():
            raise HandoverError("empty")
        if conversation_id not in self.paused:
            raise HandoverError("not_taken_over")
        self.add(conversation_id, "advisor", text.strip(), advisor=advisor_name)
        return Delivery(stored=True, channel=None)

    async def hand_back(self, conversation_id: str, advisor_name: str, lang: str) -> Delivery:
        self._check(conversation_id)
        if conversation_id not in self.paused:
            raise HandoverError("not_taken_over")
        self.paused.discard(conversation_id)
        self.add(conversation_id, "advisor", "The bot takes over again.", advisor=advisor_name)
        return Delivery(stored=True, channel="web")

    async def messages(self, conversation_id: str) -> list[dict]:
        if self.fail:
            raise HandoverError(self.fail)
        return list(self.transcripts.get(conversation_id, []))


ADVISOR_EMAIL = "anna@tillverka.example"
ADMIN_EMAIL = "bo@tillverka.example"


@functools.cache
def _template() -> Path:
    """One database per test run with the tables, two accounts and the sample register (Argon2
    hashing is slow on purpose); each test gets its own copy of the file."""
    folder = Path(tempfile.mkdtemp(prefix="tillverka-advisor-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    users = UserStore(url)
    users.create(ADVISOR_EMAIL, "Anna Rådgivare", PASSWORD, "advisor")
    users.create(ADMIN_EMAIL, "Bo Admin", PASSWORD, "admin")
    ensure_seeded(RegisterStore(url))
    LeadStore(url)
    return path


@pytest.fixture
def db_url(tmp_path) -> str:
    target = tmp_path / "advisor.db"
    shutil.copy(_template(), target)
    return f"sqlite:///{target}"


@pytest.fixture
def users(db_url) -> UserStore:
    return UserStore(db_url)


@pytest.fixture
def leads(db_url) -> LeadStore:
    return LeadStore(db_url)


@pytest.fixture
def advisor(users) -> User:
    return users.by_email(ADVISOR_EMAIL)


@pytest.fixture
def admin(users) -> User:
    return users.by_email(ADMIN_EMAIL)


@pytest.fixture
def app(db_url):
    return build_app(db_url)


@pytest.fixture
def fake_handover() -> FakeHandover:
    """Used by a test, it replaces the app's Handover (see `client`)."""
    return FakeHandover()


@pytest.fixture
async def client(app, request):
    if "fake_handover" in request.fixturenames:
        app[HANDOVER] = request.getfixturevalue("fake_handover")
    async with TestClient(TestServer(app), cookie_jar=DummyCookieJar()) as client:
        yield client


class Browser:
    """A signed-in (or not) browser: the session cookie, and the CSRF token for forms."""

    def __init__(self, client: TestClient, token: str | None = None, csrf: str = "") -> None:
        self.client, self.token, self.csrf = client, token, csrf
        self.extra_cookies: dict[str, str] = {}

    def headers(self, extra: dict | None = None) -> dict:
        cookies = dict(self.extra_cookies)
        if self.token:
            cookies["tv_advisor"] = self.token
        headers = dict(SV)
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        headers.update(extra or {})
        return headers

    async def get(self, path: str, headers: dict | None = None, **kwargs):
        return await self.client.get(
            path, headers=self.headers(headers), allow_redirects=False, **kwargs
        )

    async def post(self, path: str, data=None, *, csrf: str | None = None, headers=None, **kw):
        """A form POST carrying the session's CSRF token (or `csrf`; "" leaves it out)."""
        token = self.csrf if csrf is None else csrf
        if isinstance(data, dict) or data is None:
            data = dict(data or {})
            if token:
                data["csrf"] = token
        return await self.client.post(
            path, data=data, headers=self.headers(headers), allow_redirects=False, **kw
        )

    async def text(self, path: str, status: int = 200, **kwargs) -> str:
        response = await self.get(path, **kwargs)
        body = await response.text()
        assert response.status == status, body
        return body


def session_for(db_url: str, user: User, *, now: datetime | None = None) -> tuple[str, str]:
    token, session = SessionStore(db_url).create(user.id, now=now)
    return token, session.csrf_token


@pytest.fixture
def browser(client, db_url, advisor) -> Browser:
    return Browser(client, *session_for(db_url, advisor))


@pytest.fixture
def admin_browser(client, db_url, admin) -> Browser:
    return Browser(client, *session_for(db_url, admin))


@pytest.fixture
def expired_browser(client, db_url, advisor) -> Browser:
    long_ago = datetime.now(timezone.utc) - timedelta(days=30)
    return Browser(client, *session_for(db_url, advisor, now=long_ago))


def set_cookies(response) -> dict[str, SimpleCookie]:
    """The response's Set-Cookie headers by cookie name, parsed."""
    found = {}
    for header in response.headers.getall("Set-Cookie", []):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def csrf_from(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "no csrf field on the page"
    return match.group(1)


def seed_lead(
    leads: LeadStore,
    conversation_id: str,
    *,
    product: str = "Aluminiumhölje till en sensor",
    at: datetime | None = None,
    channel: str = "web",
    language: str = "sv",
    profile: dict | None = None,
    path: str | None = "pilot",
    matches: list | None = None,
) -> None:
    """A lead as the event broker and the actions make it."""
    leads.record_activity(
        conversation_id,
        at=at or datetime.now(timezone.utc),
        channel=channel,
        language=language,
        product=product,
    )
    if path is not None:
        leads.save_recommendation(
            conversation_id,
            language,
            {"product_description": product, **(profile or {})},
            path,
            matches if matches is not None else [],
        )
