"""An advisor answers a Slack founder from the workspace, in headless Chromium: the lead shows the
Slack channel, and the advisor's takeover and reply go into the founder's thread through the
Slack Web API (the local stub), where the paused bot stays quiet until the hand-back."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from bot.advisors.users import UserStore
from tests.slack.conftest import REPLY_TIMEOUT_S
from tests.web.test_browser_chat import Contexts, assert_no_page_errors, chromium

EMAIL, PASSWORD = "erik@example.se", "långt-och-hemligt-lösen"
FOUNDER, CHANNEL = "UFOUNDER9", "CFOUNDERS"


@pytest.fixture(scope="module")
def advisor(slack) -> Page:
    UserStore(slack.database_url).create(EMAIL, "Erik Holm", PASSWORD)
    with chromium() as browser:
        contexts = Contexts(browser)
        page = contexts.page("en-GB")
        page.goto(slack.web_url + "/advisor/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/advisor/leads$"))
        yield page
        contexts.close()


def wait_for_post(slack, thread: str, count: int, words: str) -> dict:
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while time.monotonic() < deadline:
        posts = slack.posts(CHANNEL, thread)
        if len(posts) > count and words in posts[-1]["text"]:
            return posts[-1]
        time.sleep(0.1)
    raise AssertionError(
        f"no post with {words!r} in thread {thread}: {slack.posts(CHANNEL, thread)}"
    )


def test_the_advisors_reply_reaches_the_founders_slack_thread(slack, advisor):
    thread = slack.message(FOUNDER, CHANNEL, "hello, we make a bike lamp in brass", mention=True)
    slack.wait_turn(CHANNEL, thread)

    advisor.fill("#f-q", "bike lamp in brass")
    advisor.locator("form.filters button[type=submit]").click()
    row = advisor.locator("table.leads tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Slack")
    row.locator("td.product a").click()

    posted = len(slack.posts(CHANNEL, thread))
    advisor.get_by_role("button", name="Take over").click()
    takeover = wait_for_post(slack, thread, posted, "Erik Holm")
    assert takeover["thread_ts"] == thread

    advisor.fill("#reply-text", "Which finish do you need on the brass?")
    advisor.get_by_role("button", name="Send").click()
    reply = wait_for_post(slack, thread, posted + 1, "Which finish")
    assert reply["text"] == "*Erik Holm (advisor):* Which finish do you need on the brass?"

    # the founder's answer shows in the workspace; the paused bot posts nothing
    before = len(slack.posts(CHANNEL, thread))
    slack.message(FOUNDER, CHANNEL, "polished, please", thread_ts=thread)
    expect(advisor.locator("#messages")).to_contain_text("polished, please")
    assert len(slack.posts(CHANNEL, thread)) == before

    advisor.get_by_role("button", name="Hand back").click()
    wait_for_post(slack, thread, before, "bot")
    assert_no_page_errors(advisor)
