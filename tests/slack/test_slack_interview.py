"""A whole interview in a Slack thread, in each language, ending in the recommendation blocks."""

from __future__ import annotations

import pytest

from tests.slack.conftest import text_of

CHANNEL = "CFOUNDERS"


def recommendation_post(posts: list[dict]) -> dict:
    found = [p for p in posts if any(b["type"] == "header" for b in p.get("blocks") or [])]
    assert len(found) == 1, posts
    return found[0]


@pytest.mark.parametrize(
    ("lang", "user", "first", "expect"),
    [
        (
            "sv",
            "USVFOUNDER",
            "vi har en testad prototyp av ett fäste i aluminium, 500 st per år, ±0,05 mm, 300 kr/st",
            {
                "header": "Rekommendation: nollserie (pilotserie)",
                "sections": [
                    "Tillverkare med kapacitet",
                    "Nästa steg",
                    "Stöd att söka",
                    "Kontakt:",
                ],
                "fallback": "Min rekommendation: nollserie",
            },
        ),
        (
            "en",
            "UENFOUNDER",
            "we have a tested prototype of an aluminium bracket, 500 a year, +/- 0.05 mm, 300 SEK each",
            {
                "header": "Recommendation: pilot series (nollserie)",
                "sections": [
                    "Manufacturers with capacity",
                    "Next steps",
                    "Support you can ask for",
                    "Contact:",
                ],
                "fallback": "My recommendation: pilot series",
            },
        ),
    ],
)
def test_a_full_interview_in_a_thread_ends_in_the_recommendation_blocks(
    slack, lang, user, first, expect
):
    thread = slack.message(user, CHANNEL, first, mention=True)
    posts = slack.wait_turn(CHANNEL, thread)
    assert "500" in text_of(posts)  # confirms what it understood, in the thread
    answers = ['/inform{"certification": "none"}', '/inform{"region": "any"}', "/skip_question"]
    for value in answers:
        posts = slack.press(user, CHANNEL, thread, value)
    posts = slack.say(user, CHANNEL, thread, "ja" if lang == "sv" else "yes")

    assert all(post["thread_ts"] == thread for post in slack.posts(CHANNEL, thread))
    rec = recommendation_post(posts)
    blocks = rec["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": expect["header"]}}
    shown = text_of([rec])
    for heading in expect["sections"]:
        assert heading in shown
    assert rec["text"].startswith(
        expect["fallback"]
    )  # plain text for notifications and old clients
    assert not any(p is not rec and expect["fallback"] in (p.get("text") or "") for p in posts)
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
