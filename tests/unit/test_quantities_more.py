"""Inches, fractions, cents and banknotes, dozens, ranges and self-corrections (sv and en)."""

from __future__ import annotations

import pytest

from bot.nlu.pipeline import entity_values, extract_entities

SEK_PER_USD = 10.0
SEK_PER_EUR = 11.0
INCH = 25.4


@pytest.fixture(autouse=True)
def fixed_rates(monkeypatch):
    monkeypatch.setenv("TILLVERKA_SEK_PER_USD", str(SEK_PER_USD))
    monkeypatch.setenv("TILLVERKA_SEK_PER_EUR", str(SEK_PER_EUR))


def assert_entity(text: str, entity: str, expected) -> None:
    assert pytest.approx(expected) in entity_values(text, entity), extract_entities(text)


def the_entity(text: str, entity: str) -> dict:
    found = [e for e in extract_entities(text) if e["entity"] == entity]
    assert len(found) == 1, extract_entities(text)
    return found[0]


INCHES = [
    ("±0.002 in", 0.002 * INCH),
    ("+/- 0.005 in", 0.005 * INCH),
    ('tolerance 0.001"', 0.001 * INCH),
    ("0.002 inches", 0.002 * INCH),
    ("tolerance of 0.0005 inch", 0.0005 * INCH),
    ("2 thou", 0.002 * INCH),
    ("two thou", 0.002 * INCH),
    ("half a thou", 0.0005 * INCH),
    ("a thousandth of an inch", 0.001 * INCH),
    ("three thousandths of an inch", 0.003 * INCH),
    ("±0,002 tum", 0.002 * INCH),
    ("0,001 tum tolerans", 0.001 * INCH),
    ("toleransen är 0,002 in", 0.002 * INCH),
    ("två tusendels tum", 0.002 * INCH),
]


@pytest.mark.parametrize(("text", "mm"), INCHES)
def test_inch_tolerances_become_millimetres(text, mm):
    assert_entity(text, "tolerance_mm", mm)


FRACTIONS = [
    ("three quarters of a million", "number", 750_000),
    ("half a million", "number", 500_000),
    ("a third of a million", "number", 1e6 / 3),
    ("one and a half thousand", "number", 1_500),
    ("one and a half", "number", 1.5),
    ("two and a half thousand units", "annual_volume", 2_500),
    ("three quarters of a million units a year", "annual_volume", 750_000),
    ("a quarter of a mm", "tolerance_mm", 0.25),
    ("two thirds of a mm", "tolerance_mm", 2 / 3),
    ("half a mm", "tolerance_mm", 0.5),
    ("en kvarts miljon", "number", 250_000),
    ("1,5 miljoner", "number", 1_500_000),
    ("ett och ett halvt tusen", "number", 1_500),
    ("en och en halv miljon st", "annual_volume", 1_500_000),
    ("en kvarts millimeter", "tolerance_mm", 0.25),
    ("en halv mm", "tolerance_mm", 0.5),
    ("± en halv millimeter", "tolerance_mm", 0.5),
    ("tre fjärdedels mm", "tolerance_mm", 0.75),
    ("en tiondel", "tolerance_mm", 0.1),
    ("två tiondelar", "tolerance_mm", 0.2),
    ("fem hundradelar", "tolerance_mm", 0.05),
    ("inom en och en halv vecka", "timeline_weeks", 1.5),
]


@pytest.mark.parametrize(("text", "entity", "expected"), FRACTIONS)
def test_fractions_and_multipliers(text, entity, expected):
    assert_entity(text, entity, expected)


MONEY = [
    ("20 öre", 0.20),
    ("99 öre per styck", 0.99),
    ("50 cents", 0.50 * SEK_PER_USD),
    ("50 cent each", 0.50 * SEK_PER_USD),
    ("75 euro cents", 0.75 * SEK_PER_EUR),
    ("50 eurocent per unit", 0.50 * SEK_PER_EUR),
    ("en hundralapp", 100),
    ("en hundring", 100),
    ("två lappar", 200),
    ("2 lappar", 200),
    ("ett par lappar per styck", 200),
    ("tre hundralappar", 300),
    ("en femhundring", 500),
    ("en femhundralapp", 500),
    ("en tusenlapp per styck", 1_000),
    ("50 spänn", 50),
    ("45:-", 45),
    ("45:- /st", 45),
]


@pytest.mark.parametrize(("text", "sek"), MONEY)
def test_cents_and_swedish_money_slang(text, sek):
    assert_entity(text, "target_unit_cost_sek", sek)


def test_a_banknote_entity_covers_the_note_word():
    text = "max en hundralapp styck"
    assert the_entity(text, "target_unit_cost_sek")["text"] == "hundralapp styck"


DOZENS = [
    ("a dozen a week", "annual_volume", 12 * 52),
    ("2 dozen a month", "annual_volume", 24 * 12),
    ("half a dozen a week", "annual_volume", 6 * 52),
    ("a couple of dozen per day", "annual_volume", 24 * 250),
    ("twelve dozen a year", "annual_volume", 144),
    ("maybe a dozen", "number", 12),
    ("två dussin i månaden", "annual_volume", 24 * 12),
    ("ett dussin i veckan", "annual_volume", 12 * 52),
    ("tre dussin st", "annual_volume", 36),
    ("ett par dussin", "number", 24),
]


@pytest.mark.parametrize(("text", "entity", "expected"), DOZENS)
def test_dozens(text, entity, expected):
    assert_entity(text, entity, expected)


RANGES = [
    # volume: the middle (see range_values in quantities.yml)
    ("300-500 per year", "annual_volume", 400, [300, 500]),
    ("300 to 500 units", "annual_volume", 400, [300, 500]),
    ("mellan 500 och 1000 st per år", "annual_volume", 750, [500, 1_000]),
    # price and budget: the middle
    ("mellan 80 och 120 kr", "target_unit_cost_sek", 100, [80, 120]),
    ("80-120 kr/st", "target_unit_cost_sek", 100, [80, 120]),
    ("between 10 and 20 euro", "target_unit_cost_sek", 15 * SEK_PER_EUR, [110, 220]),
    ("budget 100-200 tkr", "budget_sek", 150_000, [100_000, 200_000]),
    # tolerance: the tightest end
    ("0,05-0,1 mm", "tolerance_mm", 0.05, [0.05, 0.1]),
    ("± 0,02-0,05 mm", "tolerance_mm", 0.02, [0.02, 0.05]),
    ("between 0.01 and 0.02 mm", "tolerance_mm", 0.01, [0.01, 0.02]),
    # timeline: the latest
    ("inom 2-3 veckor", "timeline_weeks", 3, [2, 3]),
    # a bare range: the upper end, both ends kept for the question being asked (the interview
    # takes the middle for a volume or a price, the tightest end for a tolerance)
    ("300 to 500", "number", 500, [300, 500]),
    ("0,05 till 0,1", "number", 0.1, [0.05, 0.1]),
]


@pytest.mark.parametrize(("text", "entity", "value", "ends"), RANGES)
def test_ranges_keep_both_ends(text, entity, value, ends):
    found = the_entity(text, entity)
    assert found["value"] == pytest.approx(value)
    assert found["range"] == pytest.approx(ends)


def test_a_single_value_has_no_range():
    assert "range" not in the_entity("500 st", "annual_volume")


CORRECTIONS = [
    ("500, no sorry, 5000 a year", "annual_volume", [5_000]),
    ("500 a year, actually make that 300", "annual_volume", [300]),
    ("500 pcs, sorry I mean 600", "annual_volume", [600]),
    ("10 euro each, I mean 12", "target_unit_cost_sek", [12 * SEK_PER_EUR]),
    ("±0.1 mm, correction: ±0.2 mm", "tolerance_mm", [0.2]),
    ("0,1 mm, nej förlåt 0,2", "tolerance_mm", [0.2]),
    ("0,1 mm, jag menar 0,05 mm", "tolerance_mm", [0.05]),
    ("±0,1 mm, rättelse: ±0,2 mm", "tolerance_mm", [0.2]),
    ("fem hundradelar, nej förlåt sex", "tolerance_mm", [0.06]),
    ("50 i månaden, förlåt 60", "annual_volume", [720]),
    ("1000 st, ±0,05 mm, förlåt 0,1", "tolerance_mm", [0.1]),
    ("1000 st, ±0,05 mm, förlåt 0,1", "annual_volume", [1_000]),
]


@pytest.mark.parametrize(("text", "entity", "values"), CORRECTIONS)
def test_a_self_correction_replaces_the_earlier_value(text, entity, values):
    assert entity_values(text, entity) == pytest.approx(values), extract_entities(text)


def test_the_corrected_bare_number_is_gone():
    assert entity_values("500, no sorry, 5000 a year", "number") == []


BARE_NUMBERS = [
    ("500", 500),
    ("ca 0,05", 0.05),
    ("one and a half", 1.5),
    ("ett och ett halvt tusen", 1_500),
    ("a dozen", 12),
    ("300-500", 500),
]


@pytest.mark.parametrize(("text", "expected"), BARE_NUMBERS)
def test_a_bare_answer_is_still_a_number(text, expected):
    assert entity_values(text, "number") == [pytest.approx(expected)]


ABSENT = [
    # inches: "mil" is a Swedish 10 km or a US thou, "in" a preposition, quotes quotes
    ("0.5 mil", "tolerance_mm"),
    ("0.5 mil", "number"),
    ("5 mil bort", "number"),
    ("we ship in 3 weeks", "tolerance_mm"),
    ('"0.01" was the quote', "tolerance_mm"),
    ("half an inch", "tolerance_mm"),
    # fractions without a scale or a length
    ("en kvarts", "number"),
    ("en kvarts", "tolerance_mm"),
    ("three quarters", "number"),
    ("a third of the parts", "number"),
    ("en halv meter", "tolerance_mm"),
    ("half a year", "number"),
    ("500 a quarter", "number"),
    # banknotes and cents
    ("en lapp på kylen", "target_unit_cost_sek"),
    ("en lapp på kylen", "number"),
    ("skriv en lapp", "number"),
    ("lappen på dörren", "target_unit_cost_sek"),
    ("lappar på kylen", "target_unit_cost_sek"),
    # dozens
    ("a dozen ideas", "number"),
    ("a dozen ideas", "annual_volume"),
    ("ett dussin idéer", "number"),
    ("dozens", "number"),
    ("dozens a week", "annual_volume"),
    ("dussintals varianter", "number"),
    # other units
    ("2 kg", "number"),
    ("50 %", "number"),
]


@pytest.mark.parametrize(("text", "entity"), ABSENT)
def test_no_value(text, entity):
    assert entity_values(text, entity) == [], extract_entities(text)


NOT_CORRECTIONS = [
    ("Sorry, 500 st", "annual_volume", [500]),
    ("I mean, it is 500 pcs a year", "annual_volume", [500]),
    ("±0,1 mm generellt, ±0,02 på hålen", "tolerance_mm", [0.1, 0.02]),
    ("500 st, sorry for the slow reply, we also need ±0.1 mm", "annual_volume", [500]),
    ("500 st, sorry for the slow reply, we also need ±0.1 mm", "tolerance_mm", [0.1]),
    ("± 2 in 3 weeks", "tolerance_mm", [2]),  # "in" is no inch here
    ("± 2 in 3 weeks", "timeline_weeks", [3]),
    ("på ett halvt år", "timeline_weeks", [26]),
]


@pytest.mark.parametrize(("text", "entity", "values"), NOT_CORRECTIONS)
def test_values_that_stay_as_they_are(text, entity, values):
    assert entity_values(text, entity) == pytest.approx(values), extract_entities(text)


ALL_TEXTS = sorted(
    {c[0] for table in (INCHES, FRACTIONS, MONEY, DOZENS, RANGES, CORRECTIONS) for c in table}
)


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_offsets_slice_the_text(text):
    for entity in extract_entities(text):
        assert text[entity["start"] : entity["end"]] == entity["text"]
