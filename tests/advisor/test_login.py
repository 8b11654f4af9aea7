"""Signing in and out: the cookie's flags, the double-submit token, wrong passwords, the
lock-out (also for addresses without an account), where the browser goes afterwards, and the
audit entries."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.advisors.audit import AuditLog
from bot.advisors.sessions import SessionStore
from tests.advisor.conftest import (
    ADVISOR_EMAIL,
    EN,
    PASSWORD,
    SV,
    Browser,
    csrf_from,
    set_cookies,
)


class SignIn:
    """The sign-in form as a browser fills it: GET sets the token cookie, POST sends both."""

    def __init__(self, client) -> None:
        self.client = client

    async def form(self, query: str = "", headers: dict | None = None):
        response = await self.client.get(
            f"/advisor/login{query}", headers={**SV, **(headers or {})}, allow_redirects=False
        )
        html = await response.text()
        assert response.status == 200, html
        cookie = set_cookies(response)["tv_login_csrf"]["tv_login_csrf"]
        return html, cookie

    async def submit(self, email, password, *, next_=None, headers=None, token=None, cookie=None):
        html, login_cookie = await self.form(headers=headers)
        token = csrf_from(html) if token is None else token
        cookie = login_cookie.value if cookie is None else cookie
        form = {"email": email, "password": password, "csrf": token}
        if next_ is not None:
            form["next"] = next_
        return await self.client.post(
            "/advisor/login",
            data=form,
            headers={**SV, **(headers or {}), "Cookie": f"tv_login_csrf={cookie}"},
            allow_redirects=False,
        )


@pytest.fixture
def sign_in(client) -> SignIn:
    return SignIn(client)


async def test_the_form_sets_a_double_submit_token(sign_in):
    html, cookie = await sign_in.form()
    assert cookie.value == csrf_from(html)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/advisor/login"
    assert 'type="password"' in html and "Logga in" in html


async def test_success_sets_the_session_cookie(sign_in, db_url, advisor):
    response = await sign_in.submit(ADVISOR_EMAIL, PASSWORD)
    assert response.status == 303
    assert response.headers["Location"] == "/advisor/leads"
    cookie = set_cookies(response)["tv_advisor"]["tv_advisor"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/advisor"
    assert cookie["secure"]  # 127.0.0.1 is a secure context for browsers
    session = SessionStore(db_url).lookup(cookie.value)
    assert session.user.id == advisor.id
    # the session opens the list
    page = await Browser(sign_in.client, cookie.value).text("/advisor/leads")
    assert "Anna Rådgivare" in page
    entries = AuditLog(db_url).recent(5)
    assert (entries[0].action, entries[0].user_id, entries[0].detail) == (
        "sign_in",
        advisor.id,
        {"outcome": "ok"},
    )


async def test_the_email_is_read_generously(sign_in):
    response = await sign_in.submit("  ANNA@Tillverka.example ", PASSWORD)
    assert response.status == 303


@pytest.mark.parametrize(
    ("headers", "expected"),
    [(SV, "Fel e-postadress eller lösenord."), (EN, "Wrong e-mail or password.")],
)
async def test_a_wrong_password(sign_in, db_url, headers, expected):
    response = await sign_in.submit(ADVISOR_EMAIL, "not the password", headers=headers)
    html = await response.text()
    assert response.status == 401
    assert expected in html
    assert "tv_advisor" not in set_cookies(response)
    assert f'value="{ADVISOR_EMAIL}"' in html  # the address stays typed in
    assert AuditLog(db_url).recent(1)[0].detail == {"outcome": "invalid"}


async def test_an_empty_form_asks_for_both_fields(sign_in):
    response = await sign_in.submit("", "")
    assert response.status == 400
    assert "Fyll i både e-postadress och lösenord." in await response.text()


@pytest.mark.parametrize("email", [ADVISOR_EMAIL, "nobody@tillverka.example"])
async def test_five_failures_lock_without_revealing_the_account(sign_in, db_url, email):
    for _ in range(4):
        response = await sign_in.submit(email, "wrong password")
        assert response.status == 401
    response = await sign_in.submit(email, "wrong password")
    html = await response.text()
    assert response.status == 429
    assert "För många misslyckade försök. Försök igen om 15 minuter." in html
    # the right password does not help while locked, and the answer is the same either way
    response = await sign_in.submit(email, PASSWORD, headers=EN)
    assert response.status == 429
    assert "Too many failed attempts; try again in 15 minutes." in await response.text()
    assert "tv_advisor" not in set_cookies(response)
    assert AuditLog(db_url).recent(1)[0].detail == {"outcome": "locked"}


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/advisor/leads",
        "/\\evil.example",
        "https:/evil.example",
        "/advisor/../evil",
        "javascript:alert(1)",
        "/somewhere-else",
        "/advisor/login",
    ],
)
async def test_next_is_only_ever_a_workspace_page(sign_in, target):
    response = await sign_in.submit(ADVISOR_EMAIL, PASSWORD, next_=target)
    assert response.status == 303
    assert response.headers["Location"] == "/advisor/leads"


async def test_next_brings_the_advisor_back(client, sign_in):
    # turned away from a filtered list ...
    response = await client.get("/advisor/leads?status=new&q=hus", allow_redirects=False)
    location = urlsplit(response.headers["Location"])
    target = parse_qs(location.query)["next"][0]
    html, _ = await sign_in.form("?" + location.query)
    assert 'name="next" value="/advisor/leads?status=new&amp;q=hus"' in html
    # ... and back there after signing in
    response = await sign_in.submit(ADVISOR_EMAIL, PASSWORD, next_=target)
    assert response.headers["Location"] == "/advisor/leads?status=new&q=hus"


@pytest.mark.parametrize(("token", "cookie"), [("", None), ("forged", None), ("a", "b")])
async def test_the_form_without_its_token_is_refused(sign_in, db_url, token, cookie):
    response = await sign_in.submit(ADVISOR_EMAIL, PASSWORD, token=token, cookie=cookie)
    assert response.status == 403
    assert "Formuläret har gått ut. Ladda om sidan och försök igen." in await response.text()
    assert "tv_advisor" not in set_cookies(response)


async def test_an_expired_session_says_so_on_the_sign_in_page(expired_browser):
    response = await expired_browser.get("/advisor/leads")
    location = response.headers["Location"]
    html = await Browser(expired_browser.client).text(location)
    assert "Din session har gått ut. Logga in igen." in html


async def test_signing_in_again_while_signed_in_goes_to_the_list(browser):
    response = await browser.get("/advisor/login")
    assert response.status == 303
    assert response.headers["Location"] == "/advisor/leads"


async def test_sign_out_ends_the_session(browser, db_url, advisor):
    response = await browser.post("/advisor/logout")
    assert response.status == 303
    assert response.headers["Location"] == "/advisor/login?signed_out=1"
    assert set_cookies(response)["tv_advisor"]["tv_advisor"]["max-age"] == "0"
    assert SessionStore(db_url).lookup(browser.token) is None
    response = await browser.get("/advisor/leads")
    assert response.status == 303  # the old cookie opens nothing any more
    html = await Browser(browser.client).text("/advisor/login?signed_out=1")
    assert "Du är utloggad." in html
    assert AuditLog(db_url).recent(1)[0].action == "sign_out"


async def test_a_disabled_account_cannot_sign_in(sign_in, users):
    users.set_disabled(ADVISOR_EMAIL, True)
    response = await sign_in.submit(ADVISOR_EMAIL, PASSWORD)
    assert response.status == 401
