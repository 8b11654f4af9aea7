"""The embed snippet on other websites, in a real headless Chromium against the whole stack.

A host page on the allowed origin (`stack.allowed_embed_origin`) gets the launcher bubble and
the working chat in an iframe; a host page on any other origin gets a launcher whose frame is
refused (frame-ancestors), says so, and cannot open the chat's websocket.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.stack import free_port
from tests.web.test_browser_chat import Contexts, chromium, wait_for_reply

HOST_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hardware incubator</title></head>
<body>
  <h1>Hardware incubator</h1>
  <p>Our partners help you from prototype to production.</p>
  <script src="{web_url}/widget.js" defer></script>
</body>
</html>
"""


def serve_host_page(port: int, html: str) -> ThreadingHTTPServer:
    """A tiny static website on 127.0.0.1:`port` that serves `html` for every path."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def host_sites(stack) -> Iterator[dict[str, str]]:
    html = HOST_PAGE.format(web_url=stack.web_url)
    other_port = free_port()
    servers = [serve_host_page(stack.embed_port, html), serve_host_page(other_port, html)]
    yield {"allowed": stack.allowed_embed_origin, "other": f"http://127.0.0.1:{other_port}"}
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def contexts() -> Iterator[Contexts]:
    with chromium() as browser:
        opened = Contexts(browser)
        yield opened
        opened.close()


def open_launcher(page: Page):
    launcher = page.get_by_role("button", name="Chat with Tillverka")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    return launcher


def test_the_widget_opens_the_chat_on_an_allowed_site(host_sites, contexts):
    page = contexts.page("en-GB")
    page.goto(host_sites["allowed"] + "/")
    open_launcher(page)
    launcher = page.get_by_role("button", name="Chat with Tillverka")
    chat = page.frame_locator("iframe[title='Tillverka chat window']")
    box = chat.get_by_label("Your message")
    expect(box).to_be_focused()  # the keyboard lands in the chat
    expect(chat.get_by_role("log", name="Conversation with Tillverka")).to_be_visible()

    box.fill("hello")
    box.press("Enter")
    frame = page.frame(url=lambda url: url.endswith("/embed?lang=en"))
    wait_for_reply(frame, 0)
    expect(chat.locator(".message-user")).to_have_text("You: hello")

    page.keyboard.press("Escape")  # Escape in the chat closes it and gives the focus back
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()
    expect(page.locator("[data-tillverka=panel]")).to_be_hidden()

    # the conversation survives a new visit to the host page (the embed's own cookie)
    page.reload()
    open_launcher(page)
    expect(chat.locator(".message-user")).to_have_text("You: hello")
    expect(chat.locator(".message-bot")).not_to_have_count(0)
    expect(page.locator("[data-tillverka=notice]")).to_have_count(0)
    assert page.problems == [], page.problems


def test_the_widget_is_refused_on_a_site_that_is_not_allowed(stack, host_sites, contexts):
    page = contexts.page("en-GB")
    page.goto(host_sites["other"] + "/")
    open_launcher(page)
    # the frame is blocked (frame-ancestors): the visitor is told, and offered the chat's own page
    notice = page.locator("[data-tillverka=notice]")
    expect(notice).to_contain_text("The chat cannot be shown on this website.")
    expect(notice.get_by_role("link", name="Open the chat in a new tab")).to_have_attribute(
        "href", stack.web_url + "/"
    )
    expect(page.frame_locator("iframe[data-tillverka=frame]").locator("#chat-input")).to_have_count(
        0
    )
    # and the page itself cannot talk to the chat's websocket either
    outcome = page.evaluate(
        """url => new Promise((resolve) => {
            const socket = new WebSocket(url);
            socket.onopen = () => { socket.close(); resolve('open'); };
            socket.onclose = () => resolve('refused');
        })""",
        stack.ws_url,
    )
    assert outcome == "refused"
