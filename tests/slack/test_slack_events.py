"""Slack's Events API against the real Rasa server with our Slack channel: who is answered,
where, once, and who is refused."""

from __future__ import annotations

import time

from tests.slack.conftest import button_values, text_of
from tests.slack.stub import BOT_ID, BOT_USER_ID

FOUNDER, OTHER_FOUNDER = "UFOUNDER1", "UFOUNDER2"
DM, CHANNEL = "DFOUNDER1", "CFOUNDERS"
PAUSE_S = 1.0  # how long to watch for a reply that must not come


def quiet_everywhere(slack, before: int) -> bool:
    """Nothing at all was posted since `before` posts, watching for PAUSE_S."""
    time.sleep(PAUSE_S)
    return len(slack.stub.requests("chat.postMessage")) == before


def total(slack) -> int:
    return len(slack.stub.requests("chat.postMessage"))


def test_a_direct_message_is_answered_in_a_thread_under_it(slack):
    ts = slack.message(FOUNDER, DM, "hello")

    posts = slack.wait_turn(DM, ts)

    assert posts and all(post["thread_ts"] == ts for post in posts)
    assert "I'm Tillverka" in text_of(posts)
    assert all(r["token"] == slack.token for r in slack.stub.requests("chat.postMessage"))


def test_a_mention_in_a_channel_is_answered_in_its_thread_without_the_mention_and_buttons_work(
    slack,
):
    thread = slack.message(FOUNDER, CHANNEL, "hej, vi bygger en drönare", mention=True)
    posts = slack.wait_turn(CHANNEL, thread)
    assert "Tillverka" in text_of(posts) and "Hej" in text_of(posts)  # Swedish, as spoken
    assert BOT_USER_ID not in text_of(posts)

    # the bot asks with Block Kit buttons whose values are the quick replies' payloads
    asking = [p for p in posts if any(b["type"] == "actions" for b in p.get("blocks") or [])]
    assert asking and '/inform{"design_maturity": "idea"}' in button_values(posts), posts
    question = asking[-1]
    assert question["blocks"][0]["type"] == "section" and question["text"]
    actions = next(b for b in question["blocks"] if b["type"] == "actions")
    assert all(
        e["type"] == "button" and e["text"]["type"] == "plain_text" for e in actions["elements"]
    )

    # clicking a button answers in the same thread and conversation
    posts = slack.press(FOUNDER, CHANNEL, thread, '/inform{"design_maturity": "idea"}')
    assert posts and all(p["thread_ts"] == thread for p in posts)
    assert "per år" in text_of(posts)  # next question: the volume

    # a typed reply in the thread needs no new mention
    posts = slack.say(FOUNDER, CHANNEL, thread, "ungefär 200 st per år")
    assert "200" in text_of(posts)


def test_a_retry_of_the_same_event_is_answered_once(slack):
    ts = slack.new_ts()
    event_id = "EvRETRY0001"
    slack.message(FOUNDER, DM, "hello", ts=ts, event_id=event_id)
    first = slack.wait_turn(DM, ts)
    before = total(slack)

    slack.message(
        FOUNDER,
        DM,
        "hello",
        ts=ts,
        event_id=event_id,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"},
    )

    assert quiet_everywhere(slack, before)
    assert slack.posts(DM, ts) == first


def test_message_and_app_mention_for_one_message_are_answered_once(slack):
    ts = slack.new_ts()
    slack.message(FOUNDER, CHANNEL, "hello", ts=ts, mention=True)
    first = slack.wait_turn(CHANNEL, ts)
    before = total(slack)

    # the same message, as the message.channels subscription delivers it (another event_id)
    slack.message(FOUNDER, CHANNEL, f"<@{BOT_USER_ID}> hello", ts=ts)

    assert quiet_everywhere(slack, before)
    assert slack.posts(CHANNEL, ts) == first


def test_a_reply_in_a_channel_thread_the_bot_is_not_part_of_is_ignored(slack):
    before = total(slack)
    slack.message(FOUNDER, CHANNEL, "lunch anyone?", thread_ts=slack.new_ts())
    assert quiet_everywhere(slack, before)


def test_forged_and_stale_requests_are_refused_and_never_processed(slack):
    before = total(slack)
    forged = slack.event(
        {
            "type": "message",
            "user": FOUNDER,
            "text": "hello",
            "ts": slack.new_ts(),
            "channel": DM,
            "channel_type": "im",
        },
        secret="not-the-signing-secret",
    )
    stale = slack.event(
        {
            "type": "message",
            "user": FOUNDER,
            "text": "hello",
            "ts": slack.new_ts(),
            "channel": DM,
            "channel_type": "im",
        },
        timestamp=str(int(time.time()) - 6 * 60),
    )
    unsigned = slack.post(
        b'{"type": "event_callback"}', "application/json", headers={"X-Slack-Signature": ""}
    )

    assert forged[0] in (400, 401) and stale[0] in (400, 401) and unsigned[0] in (400, 401)
    assert quiet_everywhere(slack, before)
    log = slack.rasa.log.read_text(errors="replace")
    assert "bad signature" in log and "missing or stale timestamp" in log


def test_the_bots_own_messages_and_edits_are_ignored(slack):
    before = total(slack)
    thread = slack.new_ts()
    slack.event(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": BOT_ID,
            "text": "Hi! I'm Tillverka",
            "ts": thread,
            "channel": DM,
            "channel_type": "im",
        }
    )
    slack.event(
        {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "text": "What do you want to make?",
            "ts": slack.new_ts(),
            "thread_ts": thread,
            "channel": DM,
            "channel_type": "im",
        }
    )
    slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": DM,
            "channel_type": "im",
            "ts": slack.new_ts(),
            "text": "hello",
            "message": {"type": "message", "user": FOUNDER, "text": "hello (edited)", "ts": thread},
        }
    )
    assert quiet_everywhere(slack, before)


def test_threads_and_founders_never_share_answers(slack):
    thread_a = slack.message(
        FOUNDER,
        CHANNEL,
        "we have a validated prototype of an aluminium bracket, 700 a year",
        mention=True,
    )
    text_a = text_of(slack.wait_turn(CHANNEL, thread_a))
    assert "700" in text_a and "aluminium" in text_a.lower()

    # the same founder in another thread starts afresh
    thread_b = slack.message(FOUNDER, CHANNEL, "we need 2000 a year", mention=True)
    text_b = text_of(slack.wait_turn(CHANNEL, thread_b))
    assert "2,000" in text_b or "2000" in text_b or "2 000" in text_b
    assert "700" not in text_b and "aluminium" not in text_b.lower()

    # another founder in thread A has a conversation of their own
    text_c = text_of(slack.say(OTHER_FOUNDER, CHANNEL, thread_a, "we need 3000 a year"))
    assert "700" not in text_c and "aluminium" not in text_c.lower()
    assert all(p["thread_ts"] == thread_a for p in slack.posts(CHANNEL, thread_a))
