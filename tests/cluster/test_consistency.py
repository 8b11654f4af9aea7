"""Consistency on the cluster (`make cluster`, two of each behind nginx, PostgreSQL and Redis).

Twenty founders interview at once. Each founder has the chat open on both web apps (two tabs
that landed on different instances) and sends each message on the other tab than the one
before, so consecutive messages go web app 1 -> Rasa 1, then web app 2 -> Rasa 2; two of them
are sent at the same moment, one on each. Afterwards Rasa's tracker API must show every
founder's messages exactly once and in order, the right slots and exactly one recommendation.
An advisor's takeover and reply, posted on one web app, reach a founder whose chat is open on
the other only (Redis pub/sub). And a founder can chat through nginx (websocket upgrade).
"""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import jwt
import pytest

from tests.cluster.conftest import REDIS_DB
from tests.web.conftest import Browser, ChatSocket

FOUNDERS = 20
FACTS = {
    "sv": "vi har en testad prototyp av ett fäste i aluminium, {volume} st per år, ±0,05 mm, "
    "300 kr/st",
    "en": "we have a validated prototype of an aluminium bracket, {volume} a year, +/- 0.05 mm, "
    "300 SEK each",
}
# the quick replies as a founder clicks them: (title shown, payload sent)
CERTIFICATION = {
    "sv": ("Inga krav", '/inform{"certification": "none"}'),
    "en": ("No requirements", '/inform{"certification": "none"}'),
}
REGION = {
    "sv": ("Var som helst i Sverige", '/inform{"region": "any"}'),
    "en": ("Anywhere in Sweden", '/inform{"region": "any"}'),
}
NO_RUSH = {"sv": ("Ingen brådska", "/skip_question"), "en": ("No rush", "/skip_question")}
CONFIRM = {"sv": ("Ja, det stämmer", "/affirm"), "en": ("Yes, that's right", "/affirm")}
# a knowledge question mid-interview: answered, then the interview goes on where it was
QUESTION = {"sv": "vad är en nollserie?", "en": "what is a pilot series?"}
ADVISOR_NAME = "Anna Lind"


def volume_of(founder: int) -> int:
    return 200 + 20 * founder  # 200 to 580 a year: a pilot series for a validated prototype


def language_of(founder: int) -> str:
    return "sv" if founder % 2 == 0 else "en"


class Founder:
    """One founder with the chat open on every web app (same cookie), from an address of their
    own (as nginx would forward it)."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.lang = language_of(number)
        self.ip = f"198.51.100.{number + 1}"
        self.browsers: list[Browser] = []
        self.sockets: list[ChatSocket] = []
        self.sent: list[str | frozenset[str]] = []  # message ids; a set for simultaneous ones
        self.replies: list[dict] = []
        self.turn = 0

    @property
    def conversation_id(self) -> str:
        return self.browsers[0].conversation_id

    async def open(self, cluster, http, web_urls: list[str]) -> None:
        for url in web_urls:
            browser = Browser(cluster, http, url)
            browser.extra_headers = {"X-Forwarded-For": self.ip}
            if self.browsers:
                browser.cookie = self.browsers[0].cookie  # the same browser's cookie
            else:
                await browser.open_page(lang=self.lang)
            self.browsers.append(browser)
            socket = await browser.connect(lang=self.lang)
            assert await socket.hello(self.lang) == []
            self.sockets.append(socket)

    def next_socket(self) -> ChatSocket:
        # alternate between the web apps, starting on a different one per founder
        socket = self.sockets[(self.number + self.turn) % len(self.sockets)]
        self.turn += 1
        return socket

    async def send(self, socket: ChatSocket, text: str, display: str | None = None) -> str:
        message_id = uuid.uuid4().hex
        frame = {"type": "message", "id": message_id, "text": text}
        if display:
            frame["display"] = display
        await socket.send(frame)
        reply = await socket.settled(message_id)
        assert reply["type"] == "bot" and reply["messages"], (self.number, text, reply)
        self.replies.append(reply)
        return message_id

    async def say(self, text: str, display: str | None = None) -> None:
        self.sent.append(await self.send(self.next_socket(), text, display))

    async def click(self, button: dict[str, tuple[str, str]]) -> None:
        title, payload = button[self.lang]
        await self.say(payload, title)

    async def at_once(self, first: tuple[str, str | None], second: tuple[str, str | None]) -> None:
        """Two messages sent at the same moment, on two different web apps."""
        a, b = self.next_socket(), self.next_socket()
        ids = await asyncio.gather(self.send(a, *first), self.send(b, *second))
        self.sent.append(frozenset(ids))

    async def interview(self) -> None:
        await self.say(FACTS[self.lang].format(volume=volume_of(self.number)))
        title, payload = CERTIFICATION[self.lang]
        await self.at_once((payload, title), (QUESTION[self.lang], None))
        await self.click(REGION)
        await self.click(NO_RUSH)
        await self.click(CONFIRM)


def admin_token(secret: str) -> str:
    return jwt.encode({"user": {"username": "consistency-test", "role": "admin"}}, secret, "HS256")


async def tracker(http, rasa_url: str, secret: str, conversation_id: str) -> dict:
    async with http.get(
        f"{rasa_url}/conversations/{conversation_id}/tracker",
        params={"include_events": "ALL"},
        headers={"Authorization": f"Bearer {admin_token(secret)}"},
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


def user_message_ids(events: list[dict]) -> list[str]:
    return [
        (e.get("metadata") or {}).get("message_id", f"<no id: {e.get('text')!r}>")
        for e in events
        if e["event"] == "user"
    ]


def in_sent_order(ids: list[str], sent: list[str | frozenset[str]]) -> bool:
    """`ids` is `sent` with each simultaneous set in some order."""
    position = 0
    for item in sent:
        group = item if isinstance(item, frozenset) else frozenset([item])
        if frozenset(ids[position : position + len(group)]) != group:
            return False
        position += len(group)
    return position == len(ids)


def recommendations(events: list[dict]) -> list[dict]:
    return [
        e["data"]["custom"]
        for e in events
        if e["event"] == "bot"
        and isinstance((e.get("data") or {}).get("custom"), dict)
        and e["data"]["custom"].get("type") == "recommendation"
    ]


@pytest.fixture
async def http():
    # each Browser keeps its own cookie: a shared jar would mix the founders up
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


def test_the_launcher_says_once_that_every_instance_is_up(cluster):
    line = cluster.ready_line
    assert line.startswith(f"Tillverka cluster is ready: {cluster.nginx_url} (nginx in front of 2 ")
    first_web, last_web = (url.rsplit(":", 1)[1] for url in cluster.web_urls)
    assert f"web apps on 127.0.0.1:{first_web}-{last_web}" in line
    assert f"/{cluster.database_name}, Redis {cluster.redis_url})" in line
    output = cluster.log.read_text()
    assert output.count("Tillverka cluster is ready") == 1
    # the launcher made the fresh database itself, then the tables and the sample register
    created = [ln for ln in output.splitlines() if ln.startswith("Created the database ")]
    assert len(created) == 1 and created[0].endswith(f"/{cluster.database_name}")
    assert "Register seeded with" in output
    for name in ("actions-1", "actions-2", "rasa-1", "rasa-2", "web-1", "web-2", "nginx"):
        assert output.index(f"{name} is up (") < output.index("Tillverka cluster is ready")


async def test_twenty_founders_on_alternating_instances_keep_consistent_transcripts(
    cluster, http
):
    founders = [Founder(n) for n in range(FOUNDERS)]
    for founder in founders:
        await founder.open(cluster, http, cluster.web_urls)

    await asyncio.gather(*(founder.interview() for founder in founders))

    # live: every message got its own answer, and the last one the recommendation
    for founder in founders:
        last = founder.replies[-1]["messages"]
        assert [m["custom"]["path"] for m in last if m.get("custom")] == ["pilot"], founder.number
    # stored: read back through Rasa's API (either server: they share the tracker store)
    for founder in founders:
        rasa_url = cluster.rasa_urls[founder.number % len(cluster.rasa_urls)]
        state = await tracker(http, rasa_url, cluster.jwt_secret, founder.conversation_id)
        events = state["events"]
        ids = user_message_ids(events)
        expected = [sorted(s) if isinstance(s, frozenset) else s for s in founder.sent]
        assert len(ids) == len(set(ids)) == 6, (founder.number, ids, expected)
        assert in_sent_order(ids, founder.sent), (founder.number, ids, expected)
        slots = state["slots"]
        assert {
            name: slots.get(name)
            for name in (
                "design_maturity",
                "annual_volume",
                "tolerance_mm",
                "target_unit_cost_sek",
                "material",
                "certifications",
                "production_path",
                "language",
            )
        } == {
            "design_maturity": "validated_prototype",
            "annual_volume": float(volume_of(founder.number)),
            "tolerance_mm": 0.05,
            "target_unit_cost_sek": 300.0,
            "material": "aluminium",
            "certifications": [],
            "production_path": "pilot",
            "language": founder.lang,
        }, founder.number
        cards = recommendations(events)
        assert len(cards) == 1, (founder.number, len(cards))
        assert cards[0]["path"] == "pilot"
        assert cards[0]["profile"]["annual_volume"] == volume_of(founder.number)
        assert not state.get("paused")


async def advisor_session(database_url: str) -> tuple[str, str]:
    """A signed-in advisor: (session cookie value, CSRF token)."""
    from bot.advisors.sessions import SessionStore
    from bot.advisors.users import UserStore

    def make() -> tuple[str, str]:
        email = f"anna.{uuid.uuid4().hex[:8]}@example.se"
        user = UserStore(database_url).create(email, ADVISOR_NAME, uuid.uuid4().hex, "advisor")
        token, session = SessionStore(database_url).create(user.id)
        return token, session.csrf_token

    return await asyncio.get_running_loop().run_in_executor(None, make)


async def next_push(socket: ChatSocket) -> list[dict]:
    while True:
        frame = await socket.receive()
        if frame["type"] == "push":
            return frame["messages"]
        assert frame["type"] in ("ack", "typing"), frame


async def test_an_advisor_on_one_web_app_reaches_a_founder_on_the_other(cluster, http):
    advisor_web, founder_web = cluster.web_urls
    founder = Founder(FOUNDERS)  # a Swedish founder of their own
    await founder.open(cluster, http, [founder_web])  # the chat is open on web app 2 only
    await founder.say(FACTS[founder.lang].format(volume=300))
    token, csrf = await advisor_session(cluster.database_url)
    headers = {"Cookie": f"tv_advisor={token}", "Origin": advisor_web}

    async def post(action: str, **form: str) -> None:
        async with http.post(
            f"{advisor_web}/advisor/leads/{founder.conversation_id}/{action}",
            data={"csrf": csrf, **form},
            headers=headers,
            allow_redirects=False,
        ) as response:
            assert response.status in (302, 303), await response.text()

    await post("takeover")
    takeover = await next_push(founder.sockets[0])
    await post("reply", text="Hej! Jag kan hjälpa er hitta en nollserieleverantör.")
    reply = await next_push(founder.sockets[0])

    assert [(m["from"], m.get("advisor"), m.get("kind")) for m in takeover] == [
        ("advisor", ADVISOR_NAME, "takeover")
    ]
    assert ADVISOR_NAME.split()[0] in takeover[0]["text"]
    assert [(m["from"], m["text"]) for m in reply] == [
        ("advisor", "Hej! Jag kan hjälpa er hitta en nollserieleverantör.")
    ]


async def test_a_founder_chats_through_nginx(cluster, http):
    browser = Browser(cluster, http, cluster.nginx_url)
    page = await browser.open_page(lang="sv")
    assert page.status == 200 and browser.cookie
    socket = await browser.connect(lang="sv")  # the Upgrade passes nginx
    await socket.hello("sv")

    reply = await socket.say(FACTS["sv"].format(volume=400))

    assert reply["type"] == "bot" and reply["messages"], reply
    async with http.get(f"{cluster.nginx_url}/api/register/manufacturers?limit=1") as response:
        assert response.status == 200
        assert len((await response.json())["items"]) == 1


def test_every_rasa_server_shares_the_tracker_store_and_the_redis_lock_store(cluster):
    import yaml

    for rasa_url in cluster.rasa_urls:
        port = rasa_url.rsplit(":", 1)[1]
        endpoints = yaml.safe_load(
            (cluster.var_dir / "cluster" / f"rasa-{port}" / "endpoints.yml").read_text()
        )
        assert endpoints["tracker_store"]["db"] == cluster.database_name
        assert endpoints["lock_store"]["type"] == "redis"
        assert endpoints["lock_store"]["db"] == REDIS_DB
