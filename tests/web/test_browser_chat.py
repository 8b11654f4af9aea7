"""The founders' chat page in a real headless Chromium, against the whole stack (`stack`).

What a founder sees: a Swedish and an English interview by typing and clicking, the
recommendation card with its cost chart, history after a reload, privacy between browsers,
the transcript, the language switch, start over, keyboard use, a 360 px phone, a dropped
connection and a bot that is down.

Playwright's sync API drives Debian's chromium (/usr/bin/chromium); it downloads no browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.web.push import CHANNEL_PREFIX, push_messages

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
REPLY_TIMEOUT_MS = 30_000  # the first message warms Rasa's model; a recommendation takes seconds
DOCS_SHOTS = ROOT / "docs" / "screenshots"
RESULT_SHOTS = ROOT / "results" / "screenshots"

FACTS_SV = "vi har en testad prototyp av ett fäste i aluminium, 500 st per år, ±0,05 mm, 300 kr/st"
FACTS_EN = (
    "we have a validated prototype of an aluminium bracket, 500 a year, +/- 0.05 mm, 300 SEK each"
)

expect.set_options(timeout=REPLY_TIMEOUT_MS)


# --- browser plumbing (also used by test_browser_embed.py) -----------------------------------


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Contexts:
    """Browser contexts (one per founder: own cookies and storage), closed after use. Each page
    records console errors and uncaught exceptions, e.g. content-security-policy refusals."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts = []

    def page(self, locale: str, viewport: dict | None = None) -> Page:
        context = self.browser.new_context(locale=locale, viewport=viewport or DESKTOP)
        self.contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(f"uncaught: {e}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def contexts(browser) -> Iterator[Contexts]:
    opened = Contexts(browser)
    yield opened
    opened.close()


# --- what the founder does --------------------------------------------------------------------


def open_chat(contexts: Contexts, stack, locale: str, viewport: dict | None = None) -> Page:
    page = contexts.page(locale, viewport)
    # note every typing indicator the log shows, with its accessible name
    page.add_init_script(
        """window.__typing = [];
        new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
          if (n.classList && n.classList.contains('typing')) window.__typing.push(n.getAttribute('aria-label'));
        }))).observe(document, {subtree: true, childList: true});"""
    )
    page.goto(stack.web_url + "/")
    expect(page.locator(".chat-log")).to_have_attribute("aria-busy", "false")  # history in
    return page


def say(page: Page, text: str) -> None:
    replies_before = page.locator(".message-bot").count()
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")
    wait_for_reply(page, replies_before)


def click_reply(page: Page, title: str) -> None:
    replies_before = page.locator(".message-bot").count()
    page.locator(".quick-reply:enabled", has_text=re.compile(f"^{re.escape(title)}$")).click()
    wait_for_reply(page, replies_before)


def wait_for_reply(page: Page, replies_before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.message-bot').length > n && !document.querySelector('.typing')",
        arg=replies_before,
        timeout=REPLY_TIMEOUT_MS,
    )


def user_bubbles(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".message-user .bubble").all_inner_texts()]


def interview(page: Page, facts: str, titles: list[str]) -> None:
    say(page, facts)
    for title in titles:
        click_reply(page, title)
    expect(page.locator("article.recommendation")).to_be_visible()


def full_height(page: Page) -> None:
    """Let the chat grow to its content, for a screenshot of a whole card (CSSOM, CSP allows)."""
    page.evaluate("document.querySelector('.chat').style.height = 'auto'")


def assert_no_page_errors(page: Page) -> None:
    assert page.problems == [], page.problems


# --- the Swedish founder -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def swedish(stack, contexts) -> Page:
    page = open_chat(contexts, stack, "sv-SE")
    interview(
        page, FACTS_SV, ["Inga krav", "Var som helst i Sverige", "Ingen brådska", "Ja, det stämmer"]
    )
    return page


def test_the_page_is_swedish_for_a_swedish_browser_and_labelled(swedish):
    page = swedish
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Svenska")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("log", name="Samtal med Tillverka")).to_have_attribute(
        "aria-live", "polite"
    )
    expect(page.get_by_label("Ditt meddelande")).to_be_visible()
    expect(page.get_by_role("button", name="Skicka")).to_be_visible()
    snippet = page.locator("#embed-snippet")
    expect(snippet).to_have_text(f'<script src="{page.url.rstrip("/")}/widget.js" defer></script>')
    assert_no_page_errors(page)  # nothing refused by the page's CSP, no script errors


def test_swedish_interview_shows_buttons_as_bubbles_and_disables_old_ones(swedish):
    page = swedish
    assert user_bubbles(page) == [
        FACTS_SV,
        "Inga krav",
        "Var som helst i Sverige",
        "Ingen brådska",
        "Ja, det stämmer",
    ]  # a button shows its title, never its payload
    for title in (
        "Inga krav",
        "Var som helst i Sverige",
        "Ingen brådska",
        "Ja, det stämmer",
        "Nej, ändra något",
    ):
        expect(page.get_by_role("button", name=title, exact=True)).to_be_disabled()
    # the typing indicator came with every reply, with a name a screen reader reads
    assert set(page.evaluate("window.__typing")) == {"Tillverka skriver…"}
    expect(page.locator(".typing")).to_have_count(0)


def test_swedish_recommendation_card_with_chart_in_swedish_formats(swedish):
    card = swedish.locator("article.recommendation")
    expect(card.get_by_role("heading", name="Nollserie (pilotserie)")).to_be_visible()
    chart = card.get_by_role("img", name="Kostnad per styck beroende på antal per år")
    expect(chart).to_be_visible()
    options = card.locator(".option")
    lines = chart.locator("path.chart-line")
    assert lines.count() == options.count() >= 2
    # without colour: every line has its own dash pattern and a label at its end
    dashes = [
        lines.nth(i).get_attribute("stroke-dasharray") or "solid" for i in range(lines.count())
    ]
    assert len(set(dashes)) == len(dashes)
    labels = chart.locator("text.series-label").all_text_contents()
    assert "CNC-bearbetning" in labels and len(labels) == lines.count()
    # the same figures for screen readers: the description and a table
    description = chart.locator("desc").text_content()
    assert description.startswith("Vid 500 st per år: CNC-bearbetning ")
    expect(card.locator("table.chart-table tbody tr")).to_have_count(options.count())
    # Swedish amounts: "813 kr", "4 200–10 000 kr", "0,5–3 veckor"; nothing in English format
    facts = " ".join(card.locator(".facts").all_inner_texts())
    assert re.search(r"\d\u00a0kr", facts) and "SEK" not in facts
    assert re.search(r"\d[\u00a0\u202f ]\d{3}", facts), facts  # thousands with a space
    assert re.search(r"\d,\d–\d+ veckor", facts), facts  # decimal comma
    assert not re.search(r"\d,\d{3}", facts)
    expect(card).to_contain_text("Fiktiva exempeldata")
    expect(card.locator(".firm")).not_to_have_count(0)
    expect(card.get_by_role("heading", name="Nästa steg")).to_be_visible()
    links = card.locator(".support a")
    assert links.count() >= 1
    for i in range(links.count()):
        assert "noopener" in links.nth(i).get_attribute("rel")
        assert links.nth(i).get_attribute("target") == "_blank"
    # the long plain text is not repeated, but kept behind a disclosure
    plain = card.locator("details.plain-text")
    expect(plain).to_contain_text("Min rekommendation: nollserie")
    expect(plain.locator("p").first).to_be_hidden()

    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    # the conversation: the summary, the founder's answer and the start of the card
    swedish.locator(".message-bot", has_text="Så här har jag förstått det").evaluate(
        "el => { el.parentElement.scrollTop = el.offsetTop - 8; }"
    )
    swedish.locator(".chat").screenshot(path=str(DOCS_SHOTS / "chat.png"))  # not the port
    full_height(swedish)
    card.screenshot(path=str(DOCS_SHOTS / "card.png"))
    swedish.evaluate("document.querySelector('.chat').style.height = ''")


def test_a_new_tab_shows_the_same_conversation(swedish):
    tab = swedish.context.new_page()
    try:
        tab.goto(swedish.url)
        expect(tab.locator("article.recommendation")).to_be_visible()
        assert user_bubbles(tab)[0] == FACTS_SV
    finally:
        tab.close()


def test_reload_keeps_the_history_and_the_card(swedish):
    swedish.reload()
    card = swedish.locator("article.recommendation")
    expect(card.get_by_role("heading", name="Nollserie (pilotserie)")).to_be_visible()
    expect(
        card.get_by_role("img", name="Kostnad per styck beroende på antal per år")
    ).to_be_visible()
    assert user_bubbles(swedish)[:2] == [FACTS_SV, "Inga krav"]
    expect(swedish.get_by_role("button", name="Inga krav", exact=True)).to_be_disabled()
    assert_no_page_errors(swedish)


def test_the_transcript_downloads_the_conversation(swedish):
    with swedish.expect_download() as download:
        swedish.get_by_role("link", name="Ladda ner samtalet").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert FACTS_SV in text and "Min rekommendation: nollserie" in text
    assert download.value.suggested_filename.endswith(".txt")


def test_a_phone_360_px_wide_has_no_horizontal_scroll(swedish):
    swedish.set_viewport_size(PHONE)
    swedish.reload()
    expect(swedish.locator("article.recommendation")).to_be_visible()
    widths = swedish.evaluate(
        """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
                   log: [document.querySelector('.chat-log').scrollWidth,
                         document.querySelector('.chat-log').clientWidth]})"""
    )
    assert widths["page"] <= widths["view"] == 360, widths
    assert widths["log"][0] <= widths["log"][1], widths
    expect(swedish.get_by_label("Ditt meddelande")).to_be_in_viewport()
    RESULT_SHOTS.mkdir(parents=True, exist_ok=True)
    swedish.screenshot(path=str(RESULT_SHOTS / "chat-360.png"))
    swedish.set_viewport_size(DESKTOP)


def test_another_browser_cannot_see_the_conversation(stack, contexts, swedish):
    stranger = open_chat(contexts, stack, "sv-SE")
    expect(stranger.locator(".empty-log")).to_be_visible()
    expect(stranger.locator(".message")).to_have_count(0)
    expect(stranger.locator(".chat-log")).not_to_contain_text(FACTS_SV)
    expect(stranger.get_by_role("link", name="Ladda ner samtalet")).to_be_hidden()
    response = stranger.request.get(stack.web_url + "/api/chat/transcript")
    assert response.status == 404 and FACTS_SV not in response.text()


# --- the English founder ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def english(stack, contexts) -> Page:
    page = open_chat(contexts, stack, "en-GB")
    interview(
        page, FACTS_EN, ["No requirements", "Anywhere in Sweden", "No rush", "Yes, that's right"]
    )
    return page


def test_english_interview_and_card_in_english_formats(english):
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    assert user_bubbles(english) == [
        FACTS_EN,
        "No requirements",
        "Anywhere in Sweden",
        "No rush",
        "Yes, that's right",
    ]
    card = english.locator("article.recommendation")
    expect(card.get_by_role("heading", name="Pilot series (nollserie)")).to_be_visible()
    expect(card.get_by_role("img", name="Cost per unit by volume per year")).to_be_visible()
    facts = " ".join(card.locator(".facts").all_inner_texts())
    assert re.search(r"SEK\s?\d", facts) and " kr" not in facts
    assert re.search(r"\d\.\d–\d+ weeks", facts), facts
    expect(card).to_contain_text("Fictional sample data")
    assert_no_page_errors(english)


def test_language_switch_tells_the_bot_and_start_over(english):
    replies = english.locator(".message-bot").count()
    english.get_by_role("button", name="Svenska").click()
    wait_for_reply(english, replies)
    expect(english.locator("html")).to_have_attribute("lang", "sv")
    expect(english.get_by_label("Ditt meddelande")).to_be_visible()  # the UI is Swedish now
    assert user_bubbles(english)[-1] == "Svenska"
    expect(english.locator(".message-bot").nth(replies)).to_contain_text("svenska")

    replies = english.locator(".message-bot").count()
    english.get_by_role("button", name="Börja om").click()
    wait_for_reply(english, replies)
    assert user_bubbles(english)[-1] == "Börja om"
    # starting over would forget what was said: asked first, with buttons
    expect(english.locator(".message-bot").nth(replies)).to_contain_text("Vill du börja om")
    replies = english.locator(".message-bot").count()
    english.get_by_role("button", name="Ja, börja om").click()
    wait_for_reply(english, replies)
    expect(english.locator(".message-bot").nth(replies)).to_contain_text("börjar om")
    # the choice outlives a reload, and the history names the chat's own buttons, too
    english.reload()
    expect(english.locator("html")).to_have_attribute("lang", "sv")
    expect(english.locator(".chat-log")).to_have_attribute("aria-busy", "false")
    assert user_bubbles(english)[-3:] == ["Svenska", "Börja om", "Ja, börja om"]


def test_keyboard_only_tab_to_the_input_type_and_enter(stack, contexts):
    page = open_chat(contexts, stack, "en-GB")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "chat-input":
            break
    assert page.evaluate("document.activeElement.id") == "chat-input"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.type("hello")
    replies = page.locator(".message-bot").count()
    page.keyboard.press("Enter")
    wait_for_reply(page, replies)
    assert user_bubbles(page) == ["hello"]
    expect(page.locator("#chat-input")).to_have_value("")
    # quick replies are reachable from the input with Shift+Tab... and work with Enter
    buttons = page.locator(".quick-reply:enabled")
    if buttons.count():
        buttons.first.focus()
        title = buttons.first.inner_text()
        replies = page.locator(".message-bot").count()
        page.keyboard.press("Enter")
        wait_for_reply(page, replies)
        assert user_bubbles(page)[-1] == title
        assert page.evaluate("document.activeElement.id") == "chat-input"


def test_an_advisors_message_appears_without_a_reload(stack, contexts):
    page = open_chat(contexts, stack, "sv-SE")
    say(page, "hej")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tv_conv")
    conversation_id = cookie["value"].partition(".")[0]
    words = "Hej! Jag är rådgivare på Almi och hjälper gärna till med offerterna."
    client = redis.Redis.from_url(stack.redis_url)
    try:
        payload = json.dumps({"messages": push_messages([{"text": words}])}, ensure_ascii=False)
        assert client.publish(CHANNEL_PREFIX + conversation_id, payload) >= 1
    finally:
        client.close()
    advisor = page.locator(".message-advisor")
    expect(advisor).to_have_text(f"Rådgivare: {words}")


# --- connection trouble -----------------------------------------------------------------------


def test_a_message_written_offline_is_kept_and_sent_once_the_connection_returns(stack, contexts):
    page = contexts.page("en-GB")
    state = {"allow": True, "sockets": [], "sent": []}

    def route(ws):
        if not state["allow"]:
            ws.close(code=1011, reason="test: server away")
            return
        server = ws.connect_to_server()

        def from_page(message):
            state["sent"].append(json.loads(message))
            server.send(message)

        ws.on_message(from_page)
        state["sockets"].append(ws)

    page.route_web_socket(re.compile(r".*/ws$"), route)
    page.goto(stack.web_url + "/")
    expect(page.locator(".chat-log")).to_have_attribute("aria-busy", "false")

    state["allow"] = False
    state["sockets"][-1].close(code=1001, reason="test: dropped")
    expect(page.get_by_role("status")).to_have_text("Reconnecting…")
    page.locator("#chat-input").fill("hello")
    page.locator("#chat-input").press("Enter")
    bubble = page.locator(".message-user").last
    expect(bubble).to_contain_text("Not sent yet")
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('tillverka.pending'))")
    assert [item["text"] for item in stored] == ["hello"]

    replies = page.locator(".message-bot").count()
    state["allow"] = True  # the next reconnect attempt gets through (backoff: at most ~4 s here)
    wait_for_reply(page, replies)
    expect(page.get_by_role("status")).to_have_text("")
    sent = [frame for frame in state["sent"] if frame["type"] == "message"]
    assert [(f["id"], f["text"]) for f in sent] == [(stored[0]["id"], "hello")]
    expect(bubble.locator(".message-status")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('tillverka.pending')") == "[]"


def test_a_bot_that_is_down_is_said_politely_and_the_message_sent_when_it_is_back(stack, contexts):
    page = open_chat(contexts, stack, "sv-SE")
    say(page, "hej")
    answered = page.locator(".message-bot").count()
    stack.stop_rasa()
    try:
        page.locator("#chat-input").fill("hallå")
        page.locator("#chat-input").press("Enter")
        bubble = page.locator(".message-user").last
        expect(bubble).to_contain_text("Assistenten kan inte svara just nu")
        expect(bubble.get_by_role("button", name="Försök igen")).to_be_visible()
        stored = page.evaluate("JSON.parse(sessionStorage.getItem('tillverka.pending'))")
        assert [item["text"] for item in stored] == ["hallå"]
        # a reload while the bot is down: the history cannot be read, the message is kept
        page.reload()
        expect(page.locator(".note")).to_have_text(
            "Assistenten kan inte svara just nu. Ditt meddelande finns kvar; försök igen om en stund."
        )
        expect(page.get_by_role("status")).to_have_text("Återansluter…")
        expect(page.locator(".message-user")).to_have_text(re.compile("hallå"))
    finally:
        stack.start_rasa()
    # back: the history returns and the kept message goes out once, with its id
    wait_for_reply(page, answered)
    assert user_bubbles(page) == ["hej", "hallå"]
    expect(page.locator(".message-user .message-status")).to_have_count(2)
    expect(page.locator(".message-user").last.locator(".message-status")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('tillverka.pending')") == "[]"
