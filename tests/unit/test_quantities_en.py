"""English (and mixed) founder messages -> normalised entities."""

from __future__ import annotations

import pytest

from bot.nlu.pipeline import entity_values, extract_entities


def assert_entity(text: str, entity: str, expected) -> None:
    assert pytest.approx(expected) in entity_values(text, entity), extract_entities(text)


CASES = [
    # annual_volume
    ("500 pcs", "annual_volume", 500),
    ("10,000 units", "annual_volume", 10_000),
    ("10k units a year", "annual_volume", 10_000),
    ("10 K pieces", "annual_volume", 10_000),
    ("about 50 a month", "annual_volume", 600),
    ("50 per month", "annual_volume", 600),
    ("200 parts monthly", "annual_volume", 2_400),
    ("20 a week", "annual_volume", 1_040),
    ("100 units weekly", "annual_volume", 5_200),
    ("4 a day", "annual_volume", 1_000),
    ("500 items annually", "annual_volume", 500),
    ("500 a year", "annual_volume", 500),
    ("8 units daily", "annual_volume", 2_000),
    ("1000 pieces yearly", "annual_volume", 1_000),
    ("2,500 units per year", "annual_volume", 2_500),
    ("a thousand units", "annual_volume", 1_000),
    ("two thousand five hundred units", "annual_volume", 2_500),
    ("a couple of hundred pieces", "annual_volume", 200),
    ("a few hundred units", "annual_volume", 300),
    ("batch of 200", "annual_volume", 200),
    ("a pilot series of 300 units", "annual_volume", 300),
    ("annual volume of 5000", "annual_volume", 5_000),
    ("between 500 and 1000 units", "annual_volume", 750),
    ("500 to 1000 parts", "annual_volume", 750),
    ("1M units", "annual_volume", 1_000_000),
    ("one million units a year", "annual_volume", 1_000_000),
    ("500 off", "annual_volume", 500),
    ("vi need 500 pcs per år", "annual_volume", 500),
    # tolerance_mm
    ("+/- 0.1mm", "tolerance_mm", 0.1),
    ("+-0.02", "tolerance_mm", 0.02),
    ("± 50 µm", "tolerance_mm", 0.05),
    ("50 um", "tolerance_mm", 0.05),
    ("50 μm", "tolerance_mm", 0.05),
    ("25 micron", "tolerance_mm", 0.025),
    ("tolerance of 0.02 mm", "tolerance_mm", 0.02),
    ("tolerances should be within 0.05", "tolerance_mm", 0.05),
    ("0.1 mm tolerance", "tolerance_mm", 0.1),
    ("a tenth of a mm", "tolerance_mm", 0.1),
    ("two hundredths", "tolerance_mm", 0.02),
    ("tolerance should be five hundredths", "tolerance_mm", 0.05),
    ("plus or minus 0.2 mm", "tolerance_mm", 0.2),
    ("±0.001 inch", "tolerance_mm", 0.0254),
    ("tolerance 1 cm", "tolerance_mm", 10),
    # target_unit_cost_sek / budget_sek
    ("€10 each", "target_unit_cost_sek", 115),
    ("10 EUR", "target_unit_cost_sek", 115),
    ("$15", "target_unit_cost_sek", 157.5),
    ("15 USD", "target_unit_cost_sek", 157.5),
    ("15 dollars a piece", "target_unit_cost_sek", 157.5),
    ("80 sek each", "target_unit_cost_sek", 80),
    ("SEK 80 per unit", "target_unit_cost_sek", 80),
    ("unit cost around 120", "target_unit_cost_sek", 120),
    ("target price 35 kr", "target_unit_cost_sek", 35),
    ("total budget of 100k SEK", "budget_sek", 100_000),
    ("tooling budget €5,000", "budget_sek", 57_500),
    ("we can invest 200 000 kr", "budget_sek", 200_000),
    ("a loan of $20k", "budget_sek", 210_000),
    ("an investment of 2 MSEK", "budget_sek", 2_000_000),
    # timeline_weeks
    ("in 3 months", "timeline_weeks", 3 * 4.345),
    ("10 weeks", "timeline_weeks", 10),
    ("within 20 days", "timeline_weeks", 20 / 7),
    ("in a month", "timeline_weeks", 4.345),
    ("within the next 2 weeks", "timeline_weeks", 2),
    ("in half a year", "timeline_weeks", 26),
    ("ready in 6 weeks", "timeline_weeks", 6),
    # volume_multiplier
    ("ten times", "volume_multiplier", 10),
    ("10x more", "volume_multiplier", 10),
    ("double", "volume_multiplier", 2),
    ("twice as many", "volume_multiplier", 2),
    ("half", "volume_multiplier", 0.5),
    ("5 times more", "volume_multiplier", 5),
    # number
    ("500", "number", 500),
    ("10k", "number", 10_000),
    ("a thousand", "number", 1_000),
    ("two thousand five hundred", "number", 2_500),
    ("twenty-five", "number", 25),
    ("twenty five", "number", 25),
    ("three hundred and fifty", "number", 350),
    ("1,000,000", "number", 1_000_000),
    ("1,234.5", "number", 1_234.5),
    ("1.5", "number", 1.5),
    ("0.05", "number", 0.05),
    ("a few hundred", "number", 300),
    ("one", "number", 1),
    ("maybe 2 dozen", "number", 24),
    ("thousand", "number", 1_000),
    ("a million", "number", 1_000_000),
    ("half a million units", "annual_volume", 500_000),
    ("one unit a week", "annual_volume", 52),
    ("in a couple of weeks", "timeline_weeks", 2),
]


@pytest.mark.parametrize(("text", "entity", "expected"), CASES)
def test_english_quantity(text, entity, expected):
    assert_entity(text, entity, expected)


MESSAGES = [
    (
        "We'd need about 50 a month, +/- 50 µm, €10 each, aluminium, ISO 13485",
        {
            "annual_volume": 600,
            "tolerance_mm": 0.05,
            "target_unit_cost_sek": 115,
            "material": "aluminium",
            "certification": "iso_13485",
        },
    ),
    (
        "We have a works-like prototype, CNC machined in 6061, and want a pilot run of 200 units "
        "within 10 weeks, Gothenburg area",
        {
            "design_maturity": "prototype",
            "process": "cnc_machining",
            "material": "aluminium",
            "path_mention": "pilot",
            "annual_volume": 200,
            "timeline_weeks": 10,
            "region": "Västra Götaland",
        },
    ),
    (
        "Injection molded ABS housing, 20k units per year, target $2 each, tolerance ±0.1 mm",
        {
            "process": "injection_moulding",
            "material": "abs",
            "annual_volume": 20_000,
            "target_unit_cost_sek": 21,
            "tolerance_mm": 0.1,
        },
    ),
    (
        "Design frozen, welded stainless frames, EN 1090 and ISO 3834, 40 a week in Luleå",
        {
            "design_maturity": "design_frozen",
            "process": "welding_assembly",
            "material": "stainless_steel",
            "certification": "en_1090",
            "annual_volume": 2_080,
            "region": "Norrbotten",
        },
    ),
    (
        "We already sell 300 units a month and want to go to mass production, no certifications needed",
        {
            "design_maturity": "in_production",
            "annual_volume": 3_600,
            "path_mention": "full_scale",
            "certification": "none",
        },
    ),
    (
        "PCB assembly for an IoT sensor, 1,000 boards, budget 50k SEK for tooling",
        # the board is how it is made, not the product's material (materials.yml whole_message)
        {"process": "pcb_assembly", "budget_sek": 50_000},
    ),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_english_message_with_several_facts(text, expected):
    for entity, value in expected.items():
        assert_entity(text, entity, value)


def test_two_certifications_are_two_entities():
    text = "Design frozen, welded stainless frames, EN 1090 and ISO 3834"
    assert entity_values(text, "certification") == ["en_1090", "iso_3834"]


ABSENT = [
    ("cheap", "target_unit_cost_sek"),
    ("as cheap as possible", "number"),
    ("a part of the assembly", "annual_volume"),
    ("one of our customers", "number"),
    ("we started 3 months ago", "timeline_weeks"),
    ("it is 200 mm long", "tolerance_mm"),
    ("a 10 x 20 mm plate", "volume_multiplier"),
    ("the 1st prototype", "number"),
    ("our 2nd batch", "number"),
    ("3D printed", "number"),
    ("316L", "number"),
    ("half a year", "volume_multiplier"),
    ("half a year", "number"),
    ("ISO 9001:2015", "number"),
    ("a PC", "material"),
]


@pytest.mark.parametrize(("text", "entity"), ABSENT)
def test_english_words_that_are_no_quantity(text, entity):
    assert entity_values(text, entity) == [], extract_entities(text)


@pytest.mark.parametrize(
    "text", ["", "idk", "no idea", "?", "\x00\x01\x02", "a" * 10_000, "💥" * 500, "\u200b\n\t"]
)
def test_junk_gives_no_quantities(text):
    assert [e for e in extract_entities(text) if e["entity"] not in ("language",)] == []


def test_currency_rates_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TILLVERKA_SEK_PER_EUR", "12")
    monkeypatch.setenv("TILLVERKA_SEK_PER_USD", "9.5")
    assert entity_values("€10 each", "target_unit_cost_sek") == [pytest.approx(120)]
    assert entity_values("$10 each", "target_unit_cost_sek") == [pytest.approx(95)]
