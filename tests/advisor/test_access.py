"""Who gets in: every route of the workspace (read from its router, so a new route is covered
automatically) without a session, with a dead or foreign cookie, in the wrong role, and POSTs
without the CSRF token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.register.store import RegisterStore
from bot.web.advisor import advisor_app
from bot.web.advisor.render import PAGE_CSP
from tests.advisor.conftest import Browser, seed_lead, set_cookies

LEAD = "conv-access-1"
FIRM = "m-00001"  # a sample firm (the register is seeded on start-up)


def _routes():
    """(method, path, handler) of every workspace route, with its {id} filled in."""
    found = []
    for route in advisor_app("sqlite://").router.routes():
        if route.method == "HEAD" or getattr(route.handler, "advisor_public", False):
            continue
        path = "/advisor" + route.resource.canonical
        ident = FIRM if "/register/" in path else LEAD
        found.append((route.method, path.replace("{id}", ident), route.handler))
    return found


ROUTES = _routes()
GUARDED_GETS = [(m, p) for m, p, _ in ROUTES if m == "GET"]
POSTS = [(m, p) for m, p, _ in ROUTES if m == "POST"]
ADMIN = [(m, p) for m, p, h in ROUTES if getattr(h, "advisor_admin", False)]


def test_the_route_list_is_complete():
    paths = {p for _, p, _ in ROUTES}
    assert "/advisor/leads" in paths and "/advisor/register" in paths
    assert f"/advisor/leads/{LEAD}/erase" in paths
    assert len(POSTS) >= 10 and len(ADMIN) == 4


@pytest.fixture
def seeded(leads):
    seed_lead(leads, LEAD)


async def _assert_turned_away(response, method: str, path: str, *, expired: bool) -> None:
    body = await response.text()
    if method == "GET" and not path.endswith(".json"):
        assert response.status == 303, (path, body)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/advisor/login"
        query = parse_qs(location.query)
        assert query["next"] == [path]  # back here after signing in
        assert ("expired" in query) == expired
    else:
        assert response.status == 401, (method, path, body)
    assert "Aluminiumhölje" not in body  # nothing of the lead leaks


@pytest.mark.parametrize(("method", "path"), GUARDED_GETS + POSTS)
async def test_without_a_session(client, seeded, method, path):
    response = await Browser(client).client.request(method, path, allow_redirects=False)
    await _assert_turned_away(response, method, path, expired=False)


@pytest.mark.parametrize(("method", "path"), GUARDED_GETS + POSTS)
async def test_with_an_expired_session(expired_browser, seeded, method, path):
    b = expired_browser
    response = await b.client.request(method, path, headers=b.headers(), allow_redirects=False)
    await _assert_turned_away(response, method, path, expired=True)
    # the dead cookie is cleared
    assert set_cookies(response)["tv_advisor"]["tv_advisor"]["max-age"] == "0"


@pytest.mark.parametrize(("method", "path"), GUARDED_GETS + POSTS)
async def test_a_founders_chat_cookie_grants_nothing(client, seeded, method, path):
    # a real, signed chat cookie from the founders' page
    page = await client.get("/", allow_redirects=False)
    founder = Browser(client)
    founder.extra_cookies["tv_conv"] = set_cookies(page)["tv_conv"]["tv_conv"].value
    # the conversation id itself as the advisor cookie grants nothing either
    response = await founder.client.request(
        method, path, headers=founder.headers(), allow_redirects=False
    )
    await _assert_turned_away(response, method, path, expired=False)
    conversation_id = founder.extra_cookies["tv_conv"].split(".")[0]
    forged = Browser(client, token=conversation_id)
    response = await forged.client.request(
        method, path, headers=forged.headers(), allow_redirects=False
    )
    await _assert_turned_away(response, method, path, expired=True)


@pytest.mark.parametrize("garbage", ["x", "a" * 500, "%00%ff", "tv_advisor"])
@pytest.mark.parametrize(("method", "path"), [("GET", "/advisor/leads"), POSTS[0]])
async def test_a_garbage_cookie(client, seeded, garbage, method, path):
    b = Browser(client, token=garbage)
    response = await b.client.request(method, path, headers=b.headers(), allow_redirects=False)
    await _assert_turned_away(response, method, path, expired=True)


@pytest.mark.parametrize(("method", "path"), ADMIN)
async def test_admin_pages_are_refused_to_advisors(browser, seeded, method, path):
    if method == "GET":
        response = await browser.get(path)
    else:
        response = await browser.post(path, {"name": "Changed"})
    body = await response.text()
    assert response.status == 403, body
    assert "bara för administratörer" in body
    assert "text/html" in response.headers["Content-Type"]


async def test_admins_see_the_register_in_the_menu_and_advisors_do_not(browser, admin_browser):
    assert 'href="/advisor/register"' not in await browser.text("/advisor/leads")
    assert 'href="/advisor/register"' in await admin_browser.text("/advisor/leads")


def _state(db_url):
    from bot.advisors.notes import NoteStore
    from bot.leads import LeadStore

    lead = LeadStore(db_url).get(LEAD)
    firm = RegisterStore(db_url).row_fields(FIRM)
    return (
        lead and (lead.status, lead.assigned_to, lead.taken_over_by),
        len(NoteStore(db_url).list(LEAD)),
        firm,
    )


@pytest.mark.parametrize("token", ["", "wrong-token"])
@pytest.mark.parametrize(("method", "path"), POSTS)
async def test_posts_without_the_csrf_token_change_nothing(
    admin_browser, db_url, seeded, token, method, path
):
    await admin_browser.text("/advisor/register")  # the register is seeded by now
    before = _state(db_url)
    form = {
        "text": "a note",
        "status": "closed",
        "assigned_to": "1",
        "confirm": "yes",
        "name": "Renamed AB",
    }
    response = await admin_browser.post(path, form, csrf=token)
    body = await response.text()
    assert response.status == 403, body
    assert "Formuläret har gått ut. Ladda om sidan och försök igen." in body
    assert _state(db_url) == before


async def test_the_csrf_token_of_another_session_is_refused(client, db_url, seeded, advisor, admin):
    from tests.advisor.conftest import session_for

    anna = Browser(client, *session_for(db_url, advisor))
    bo = Browser(client, *session_for(db_url, admin))
    response = await anna.post(f"/advisor/leads/{LEAD}/status", {"status": "closed"}, csrf=bo.csrf)
    assert response.status == 403
    assert _state(db_url)[0][0] == "new"


async def test_pages_carry_their_own_headers(browser, seeded):
    for path in ("/advisor/leads", f"/advisor/leads/{LEAD}", "/advisor/demand"):
        response = await browser.get(path)
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == PAGE_CSP
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Language"] == "sv"


async def test_advisor_and_its_slash_lead_to_the_list(browser):
    for path in ("/advisor", "/advisor/"):
        response = await browser.get(path)
        assert response.status == 303
        assert response.headers["Location"] == "/advisor/leads"


async def test_errors_are_pages_in_the_advisors_language(browser):
    response = await browser.get("/advisor/nothing-here")
    assert response.status == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "Här finns ingen sida." in await response.text()
    response = await browser.get("/advisor/nothing-here", headers={"Accept-Language": "en"})
    assert "There is no page here." in await response.text()
    response = await browser.get("/advisor/leads/unknown-lead")
    assert response.status == 404
    assert "Det finns ingen lead med det id:t" in await response.text()
    response = await browser.client.put(
        "/advisor/leads", headers=browser.headers(), allow_redirects=False
    )
    assert response.status == 405
    assert "Den här adressen tar inte emot PUT." in await response.text()
    # the parent app's API still answers in JSON
    response = await browser.get("/api/register/manufacturers/none")
    assert response.content_type == "application/json"


async def test_a_bug_is_a_polite_page(browser, monkeypatch):
    from bot.web.advisor import demand_views

    def broken(url):
        raise RuntimeError("a bug, with a secret: postgresql://user:pw@db/x")

    monkeypatch.setattr(demand_views, "demand_supply", broken)
    response = await browser.get("/advisor/demand")
    html = await response.text()
    assert response.status == 500
    assert "Något gick fel hos oss. Försök igen om en stund." in html
    assert "secret" not in html and "Traceback" not in html


async def test_a_database_outage_is_a_503_page(browser, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from bot.web.advisor import demand_views

    def down(url):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(demand_views, "demand_supply", down)
    response = await browser.get("/advisor/demand")
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    assert "Databasen går inte att nå just nu." in await response.text()
