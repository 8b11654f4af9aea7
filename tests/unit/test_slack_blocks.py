"""Block Kit rendering of quick replies and the recommendation payload (bot/slack/blocks.py)."""

from __future__ import annotations

from bot.slack.blocks import (
    button_blocks,
    manufacturers_blocks,
    payload_blocks,
    recommendation_blocks,
)

FIRM = {
    "id": "m-1",
    "name": "Exempel Mekaniska <AB> & Co",
    "county": "Jönköping",
    "municipality": "Gnosjö",
    "processes": ["cnc_machining"],
    "score": 0.87,
    "reasons": ["CNC machining to ±0.03 mm", "lead time 2 weeks"],
    "contact": "info@exempel.example",
    "sample_data": True,
}


def payload(lang: str = "en", **changes) -> dict:
    base = {
        "type": "recommendation",
        "language": lang,
        "path": "pilot",
        "profile": {"annual_volume": 500},
        "reasons": ["Your prototype is validated."],
        "assumptions": ["Costs are for a hand-sized part."],
        "processes": [
            {
                "process": "cnc_machining",
                "unit_cost_sek": 810,
                "unit_cost_sek_range": [228, 1400],
                "tooling_sek": 0,
                "tooling_sek_range": [0, 0],
                "lead_time_weeks": 2,
                "lead_time_weeks_range": [0.5, 3],
                "fits_tolerance": True,
                "break_even_units": None,
                "break_even_against": None,
            }
        ],
        "manufacturers": [FIRM],
        "next_steps": ["Freeze the design."],
        "support": [{"name": "Almi", "offer": "Loans & mentors", "url": "https://www.almi.se/"}],
    }
    return {**base, **changes}


def texts(blocks: list[dict]) -> str:
    out = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements") or [] if isinstance(e.get("text"), str)]
    return "\n".join(out)


def test_quick_replies_become_a_section_and_buttons_that_send_their_payload():
    blocks = button_blocks(
        "How far along is the design?",
        [
            {"title": "Just an idea", "payload": '/inform{"design_maturity": "idea"}'},
            {"title": "Skip", "payload": "/skip_question"},
        ],
    )

    assert blocks[0] == {
        "type": "section",
        "text": {"type": "plain_text", "text": "How far along is the design?"},
    }
    actions = blocks[1]
    assert actions["type"] == "actions"
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("Just an idea", '/inform{"design_maturity": "idea"}'),
        ("Skip", "/skip_question"),
    ]
    assert len({e["action_id"] for e in actions["elements"]}) == 2  # Slack needs them distinct


def test_buttons_respect_block_kit_limits_and_never_send_a_cut_payload():
    long_title = "x" * 100
    buttons = [
        {"title": long_title, "payload": "/affirm"},
        {"title": "huge", "payload": "/inform" + "y" * 2001},
    ]
    buttons += [{"title": f"b{n}", "payload": f"/choose{n}"} for n in range(30)]

    blocks = button_blocks("q" * 4000, buttons)

    assert len(blocks[0]["text"]["text"]) == 3000
    elements = blocks[1]["elements"]
    assert len(elements[0]["text"]["text"]) == 75 and elements[0]["text"]["text"].endswith("…")
    assert all(len(e["value"]) <= 2000 for e in elements)
    assert "huge" not in [e["text"]["text"] for e in elements]
    assert len(elements) == 25


def test_the_recommendation_in_english_has_every_part_of_the_payload():
    blocks = recommendation_blocks(payload("en"))
    shown = texts(blocks)

    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Recommendation: pilot series (nollserie)"},
    }
    assert "Your prototype is validated." in shown and "Costs are for a hand-sized part." in shown
    assert "CNC machining: SEK 228–1,400 per unit, tooling no tooling" in shown
    assert "Exempel Mekaniska &lt;AB&gt; &amp; Co" in shown  # Slack control characters escaped
    assert "(Gnosjö, Jönköping)" in shown and "• lead time 2 weeks" in shown
    assert "Contact: <mailto:info@exempel.example|info@exempel.example>" in shown
    assert "*Next steps*\n• Freeze the design." in shown
    assert "*<https://www.almi.se/|Almi>*: Loans &amp; mentors" in shown
    assert "fictional sample data" in shown


def test_the_recommendation_in_swedish():
    shown = texts(recommendation_blocks(payload("sv")))

    assert shown.startswith("Rekommendation: nollserie (pilotserie)")
    for heading in (
        "Tillverkningsmetoder",
        "Tillverkare med kapacitet",
        "Kontakt:",
        "Nästa steg",
        "Stöd att söka",
    ):
        assert heading in shown
    assert "fiktiva exempeldata" in shown


def test_no_matching_manufacturer_says_why():
    shown = texts(
        recommendation_blocks(
            payload(
                "en",
                manufacturers=[],
                no_match={"reason": "Nobody holds ±0.001 mm.", "relaxations": ["Accept ±0.01 mm"]},
            )
        )
    )
    assert "No manufacturer in the register meets every requirement." in shown
    assert "Nobody holds ±0.001 mm." in shown and "- Accept ±0.01 mm" in shown


def test_a_huge_recommendation_stays_within_block_kit_limits():
    firms = [{**FIRM, "id": f"m-{n}", "reasons": ["r" * 5000]} for n in range(80)]

    blocks = recommendation_blocks(payload("en", manufacturers=firms))

    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if isinstance(b.get("text"), dict))
    assert blocks[-1]["text"]["text"] == "…"  # says that something was left out


def test_more_manufacturers_are_numbered_on_from_the_offset():
    text = "More manufacturers (6–6 of 9):\n6. Exempel Mekaniska (Jönköping): ..."
    blocks = manufacturers_blocks(
        {"type": "manufacturers", "offset": 5, "manufacturers": [FIRM]}, text
    )

    assert blocks[0]["text"]["text"] == "*More manufacturers (6–6 of 9):*"
    assert blocks[1]["text"]["text"].startswith("*6. Exempel Mekaniska")
    assert "Contact:" in texts(blocks)
    swedish = manufacturers_blocks(
        {"type": "manufacturers", "language": "sv", "offset": 5, "manufacturers": [FIRM]},
        "Fler tillverkare (6–6 av 9):",
    )
    assert "Kontakt:" in texts(swedish)


def test_only_our_payloads_are_rendered():
    assert payload_blocks({"type": "recommendation", **payload()}) is not None
    assert payload_blocks({"type": "ui", "lang": "sv"}) is None
    assert payload_blocks("not a dict") is None
