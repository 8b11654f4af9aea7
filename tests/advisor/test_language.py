"""Swedish unless the browser prefers English; ?lang= switches and the tv_lang cookie keeps it."""

from __future__ import annotations

import pytest

from tests.advisor.conftest import set_cookies


async def _page(browser, path="/advisor/leads", **headers):
    response = await browser.client.get(
        path, headers={**browser.headers(), **headers}, allow_redirects=False
    )
    assert response.status == 200
    return response, await response.text()


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("", "sv"),
        ("de-DE,de;q=0.9", "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("en-US,en;q=0.9,sv;q=0.8", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        ("de,en;q=0.5", "en"),
        ("*", "sv"),
    ],
)
async def test_the_browsers_language(browser, accept, lang):
    response, html = await _page(browser, **{"Accept-Language": accept})
    assert response.headers["Content-Language"] == lang
    assert f'<html lang="{lang}">' in html
    assert ("Sida 1 av 1" if lang == "sv" else "Page 1 of 1") in html


async def test_switching_is_remembered(browser):
    response, html = await _page(browser, "/advisor/leads?lang=en&status=new")
    assert "Page 1 of 1" in html
    cookie = set_cookies(response)["tv_lang"]["tv_lang"]
    assert (cookie.value, cookie["path"], cookie["httponly"]) == ("en", "/advisor", True)
    # the switch link leads back to Swedish, keeping the page's query
    assert 'href="/advisor/leads?status=new&amp;lang=sv"' in html
    browser.extra_cookies["tv_lang"] = "en"
    _, html = await _page(browser, "/advisor/demand")
    assert "Demand and supply" in html
    _, html = await _page(browser, "/advisor/demand?lang=sv")
    assert "Efterfrågan och utbud" in html


async def test_an_unknown_language_is_ignored(browser):
    response, html = await _page(browser, "/advisor/leads?lang=fr")
    assert "Sida 1 av 1" in html and "tv_lang" not in set_cookies(response)
    browser.extra_cookies["tv_lang"] = "<x>"
    _, html = await _page(browser)
    assert "Sida 1 av 1" in html


async def test_the_sign_in_page_in_english(client):
    response = await client.get("/advisor/login", headers={"Accept-Language": "en"})
    html = await response.text()
    assert "Sign in" in html and "E-mail address" in html and "Svenska" in html
