"""Advisors' Slack notices: what advisors read, and that a broken Slack never hurts the founder."""

from __future__ import annotations

import json

import pytest

from bot.slack import notify
from bot.slack.notice_blocks import handoff_notice, lead_link, recommendation_notice
from tests.unit.slack_stub import CHANNEL, TOKEN, clear_slack_env, slack  # noqa: F401

SV_PROFILE = {
    "product_description": "ett sensorhölje i aluminium",
    "design_maturity": "validated_prototype",
    "annual_volume": 500.0,
    "tolerance_mm": 0.05,
    "target_unit_cost_sek": 420.0,
    "material": "aluminium",
    "process": None,
    "certifications": [],
    "region": "Jönköping",
    "timeline_weeks": None,
}
MANUFACTURERS = [
    {
        "name": f"Exempelverkstan {n} AB (fiktiv)",
        "county": county,
        "score": score,
        "reasons": [f"gör CNC-bearbetning ({n})"],
        "contact": f"info{n}@exempel.invalid",
    }
    for n, county, score in [
        (1, "Jönköping", 0.91),
        (2, "Västra Götaland", 0.84),
        (3, "Skåne", 0.8),
        (4, "Kalmar", 0.5),
    ]
]
SV_PAYLOAD = {
    "type": "recommendation",
    "path": "pilot",
    "profile": SV_PROFILE,
    "reasons": ["Konstruktionen är validerad"],
    "manufacturers": MANUFACTURERS,
    "manufacturers_total": 12,
}


@pytest.fixture(autouse=True)
def no_slack_env(monkeypatch):
    clear_slack_env(monkeypatch)


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_handoff_notice_shows_who_what_and_the_lead_so_far_in_swedish():
    text, blocks = handoff_notice(
        "U1_C1_1700000000.123",
        "sv",
        "Kan jag prata med en människa?",
        SV_PROFILE,
        "https://tillverka.example/",
    )
    body = all_text(blocks)
    assert blocks[0]["text"]["text"] == "A founder asked for a human"
    assert "Swedish (sv)" in body and "`U1_C1_1700000000.123`" in body
    assert ">Kan jag prata med en människa?" in body
    for value in (
        "ett sensorhölje i aluminium",
        "validated prototype",
        "500 units a year",
        "±0.05 mm",
        "SEK 420 per unit",
        "aluminium",
        "Jönköping",
    ):
        assert value in body, value
    link = "https://tillverka.example/advisor/leads/U1_C1_1700000000.123"
    assert blocks[-1]["elements"][0]["url"] == link and link in text


def test_handoff_before_the_interview_says_what_is_missing_in_english():
    _, blocks = handoff_notice("web 1/2", "en", "a human please", {}, None)
    body = all_text(blocks)
    assert "English (en)" in body and ">a human please" in body
    assert body.count("_not given_") == 7
    assert blocks[-1]["elements"][0]["url"] == "http://localhost:8000/advisor/leads/web%201%2F2"


def test_founder_text_cannot_ping_the_channel_or_forge_a_link():
    _, blocks = handoff_notice("c1", "en", "<!channel> see <http://evil.example|docs> & more", {})
    body = all_text(blocks)
    assert "<!channel>" not in body and "&lt;!channel&gt;" in body and "&amp; more" in body


def test_recommendation_notice_has_the_path_profile_and_top_three_matches():
    text, blocks = recommendation_notice("c-sv", "sv", SV_PAYLOAD, "https://tillverka.example")
    body = all_text(blocks)
    assert blocks[0]["text"]["text"] == "Interview finished: pilot series (nollserie)"
    assert "Swedish (sv)" in body and "500 units a year" in body and "Jönköping" in body
    matches = blocks[-2]["text"]["text"]
    assert matches.startswith("*Top matches* (of 12)")
    assert "1. *Exempelverkstan 1 AB (fiktiv)* (Jönköping), score 0.91" in matches
    assert "gör CNC-bearbetning (1)" in matches and "info3@exempel.invalid" in matches
    assert "Exempelverkstan 4" not in matches
    assert (
        "pilot series (nollserie)" in text
        and "https://tillverka.example/advisor/leads/c-sv" in text
    )


def test_recommendation_notice_without_matches_says_so_in_english_lead():
    payload = {
        "path": "prototype",
        "profile": {**SV_PROFILE, "material": "bamboo"},
        "manufacturers": [],
    }
    _, blocks = recommendation_notice("c-en", "en", payload)
    body = all_text(blocks)
    assert "Interview finished: prototype" in body and "English (en)" in body
    assert "bamboo" in body  # a value outside the vocabulary is shown as given
    assert "No manufacturer in the register meets every requirement." in body


def test_blocks_keep_within_slack_limits_for_long_words():
    _, blocks = handoff_notice("c1", "en", "x" * 5000, {"product_description": "y" * 5000})
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000


def test_lead_link_works_with_and_without_a_trailing_slash():
    assert lead_link("a b", "https://h.example") == lead_link("a b", "https://h.example/")
    assert lead_link("a b", "https://h.example") == "https://h.example/advisor/leads/a%20b"


async def test_unconfigured_is_a_quiet_no_op():
    assert await notify.notify_handoff("c1", "en", "hi", {}) is False
    assert await notify.notify_recommendation("c1", "en", SV_PAYLOAD) is False


async def test_only_a_token_is_not_enough(slack, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SLACK_ADVISORS_CHANNEL")
    assert await notify.notify_handoff("c1", "en", "hi", {}) is False
    assert slack.posts == []


@pytest.mark.parametrize("slash", [True, False])
async def test_posts_to_the_advisors_channel_with_the_bot_token(slack, monkeypatch, slash):  # noqa: F811
    monkeypatch.setenv("SLACK_API_URL", slack.api_url(slash))
    assert await notify.notify_handoff("c1", "sv", "hjälp", SV_PROFILE) is True
    assert await notify.notify_recommendation("c1", "sv", SV_PAYLOAD) is True
    assert slack.authorizations == [f"Bearer {TOKEN}"] * 2
    assert [post["channel"] for post in slack.posts] == [CHANNEL, CHANNEL]
    assert all(post["text"] and post["blocks"] for post in slack.posts)
    assert "https://tillverka.example/advisor/leads/c1" in slack.posts[1]["text"]


async def test_slack_refusal_is_logged_and_false(slack, caplog):  # noqa: F811
    slack.answer = {"ok": False, "error": "not_in_channel"}
    assert await notify.notify_handoff("c1", "en", "hi", {}) is False
    assert "not_in_channel" in caplog.text and TOKEN not in caplog.text


async def test_a_hanging_slack_times_out_without_raising(slack, monkeypatch, caplog):  # noqa: F811
    slack.hang = True
    monkeypatch.setattr(notify, "TIMEOUT_SECONDS", 0.2)
    assert await notify.notify_recommendation("c1", "en", SV_PAYLOAD) is False
    assert "failed" in caplog.text


async def test_an_unreachable_slack_is_false(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_ADVISORS_CHANNEL", CHANNEL)
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert await notify.notify_handoff("c1", "en", "hi", {}) is False


async def test_a_malformed_payload_is_false_not_an_exception(slack):  # noqa: F811
    assert await notify.notify_recommendation("c1", "en", {"manufacturers": [None]}) is False
    assert slack.posts == []
