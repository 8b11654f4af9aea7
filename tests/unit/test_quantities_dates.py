"""Dates, word numbers, rates, corrections, tolerances, money slang, certification lists,
region compounds and electronics processes (sv and en). Dates count from 2026-12-04."""

from __future__ import annotations

import datetime

import pytest

from bot.nlu import quantities
from bot.nlu.pipeline import entity_values, extract_entities

TODAY = datetime.date(2026, 12, 4)  # a Friday in ISO week 49
SEK_PER_USD = 10.0
SEK_PER_EUR = 11.0
INCH = 25.4


@pytest.fixture(autouse=True)
def fixed_rates(monkeypatch):
    monkeypatch.setenv("TILLVERKA_SEK_PER_USD", str(SEK_PER_USD))
    monkeypatch.setenv("TILLVERKA_SEK_PER_EUR", str(SEK_PER_EUR))


def weeks_to(year: int, month: int, day: int) -> float:
    return round((datetime.date(year, month, day) - TODAY).days / 7, 1)


def values(text: str, entity: str) -> list:
    return entity_values(text, entity, TODAY)


def the_entity(text: str, entity: str) -> dict:
    found = [e for e in extract_entities(text, TODAY) if e["entity"] == entity]
    assert len(found) == 1, extract_entities(text, TODAY)
    return found[0]


# --- 1. dates -> timeline_weeks -----------------------------------------------------------
DATES_SV = [
    ("i januari", weeks_to(2027, 1, 15)),
    ("i slutet av januari", weeks_to(2027, 1, 31)),
    ("mitten av mars", weeks_to(2027, 3, 15)),
    ("någon gång i februari", weeks_to(2027, 2, 15)),
    ("i december", weeks_to(2026, 12, 15)),  # not yet past: this December
    ("till mars", weeks_to(2027, 3, 1)),
    ("i mars nästa år", weeks_to(2027, 3, 15)),
    ("i december nästa år", weeks_to(2027, 12, 15)),
    ("i mars 2028", weeks_to(2028, 3, 15)),
    ("den 15 mars", weeks_to(2027, 3, 15)),
    ("senast 15/3", weeks_to(2027, 3, 15)),
    ("i vår", weeks_to(2027, 4, 15)),
    ("till sommaren", weeks_to(2027, 6, 15)),
    ("efter sommaren", weeks_to(2027, 8, 15)),
    ("till hösten", weeks_to(2027, 9, 15)),
    ("i vinter", weeks_to(2027, 1, 15)),
    ("till hösten nästa år", weeks_to(2027, 9, 15)),
    ("före jul", weeks_to(2026, 12, 24)),
    ("efter nyår", weeks_to(2027, 1, 7)),
    ("till midsommar", weeks_to(2027, 6, 25)),  # midsommarafton 2027
    ("efter semestern", weeks_to(2027, 8, 15)),
    ("vecka 10", weeks_to(2027, 3, 8)),  # week 10 of 2026 is past: the Monday of 2027's
    ("v.12", weeks_to(2027, 3, 22)),
    ("leverans v12", weeks_to(2027, 3, 22)),
    ("i vecka 49", 0.0),  # this week
    ("kvartal 2", weeks_to(2027, 6, 30)),
    ("inom 1 vecka", 1),  # a time, no week number
    ("senast Q1 2028", weeks_to(2028, 3, 31)),
    ("andra kvartalet", weeks_to(2027, 6, 30)),
    ("före Q2", weeks_to(2027, 4, 1)),
    ("om ett år", 52),
    ("om ett halvår", 26),
    ("två veckor", 2),
    ("vi vill ha delarna i januari, typ", weeks_to(2027, 1, 15)),
    ("Maj", weeks_to(2027, 5, 15)),  # a month alone answers "when?"
]
DATES_EN = [
    ("in March", weeks_to(2027, 3, 15)),
    ("end of january", weeks_to(2027, 1, 31)),
    ("by the end of March next year", weeks_to(2027, 3, 31)),
    ("mid-March", weeks_to(2027, 3, 15)),
    ("by March", weeks_to(2027, 3, 1)),
    ("March 15th", weeks_to(2027, 3, 15)),
    ("in the spring", weeks_to(2027, 4, 15)),
    ("by summer", weeks_to(2027, 6, 15)),
    ("by autumn", weeks_to(2027, 9, 15)),
    ("by fall next year", weeks_to(2027, 9, 15)),
    ("this winter", weeks_to(2027, 1, 15)),
    ("before Christmas", weeks_to(2026, 12, 24)),
    ("after new year", weeks_to(2027, 1, 7)),
    ("after the new year", weeks_to(2027, 1, 7)),
    ("by midsummer", weeks_to(2027, 6, 25)),
    ("week 6", weeks_to(2027, 2, 8)),
    ("Q2", weeks_to(2027, 6, 30)),
    ("in Q4", weeks_to(2026, 12, 31)),
    ("2000 units by Q3", weeks_to(2027, 9, 30)),
    ("the third quarter", weeks_to(2027, 9, 30)),
    ("a fortnight", 2),
    ("in a fortnight", 2),
    ("a year from now", 52),
    ("three months from now", 3 * 4.345),
    ("In May we need the first 500", weeks_to(2027, 5, 15)),
    ("2027-03-15", weeks_to(2027, 3, 15)),
]


@pytest.mark.parametrize(("text", "weeks"), DATES_SV + DATES_EN)
def test_dates_become_weeks_from_today(text, weeks):
    assert values(text, "timeline_weeks") == [pytest.approx(weeks)], extract_entities(text, TODAY)


@pytest.mark.parametrize("text", ["i början av februari", "early February"])
def test_early_in_a_month_is_the_first_to_fifth(text):
    found = the_entity(text, "timeline_weeks")
    assert found["value"] == pytest.approx(weeks_to(2027, 2, 5))
    assert found["range"] == pytest.approx([weeks_to(2027, 2, 1), weeks_to(2027, 2, 5)])


def test_a_date_covers_its_numbers():
    for text in ("vecka 10", "Q2 2027", "senast 15/3", "i mars 2028", "den 15 mars"):
        assert values(text, "number") == [], extract_entities(text, TODAY)


def test_dates_count_from_quantities_today(monkeypatch):
    march = datetime.date(2027, 3, 1)
    monkeypatch.setattr(quantities, "today", lambda: march)
    christmas = round((datetime.date(2027, 12, 24) - march).days / 7, 1)
    january = round((datetime.date(2028, 1, 15) - march).days / 7, 1)  # past: next year's
    assert entity_values("före jul", "timeline_weeks") == [pytest.approx(christmas)]
    assert entity_values("i januari", "timeline_weeks") == [pytest.approx(january)]


def test_a_past_date_this_year_gives_nothing():
    assert values("i mars i år", "timeline_weeks") == []


NO_DATE = [
    "Maj tycker att det är bra",  # a name
    "till Maj på kontoret",
    "skicka ritningen till Jan",
    "vi firar jul",  # no preposition
    "julbordet var trevligt",
    "Juliana ringer",
    "vecka",
    "nästa vecka har jag semester vecka",
    "i vår fabrik",  # "our"
    "in spring steel",
    "it may be ready soon",
    "i år",
    "next year",
    "3 months ago",
    "per vecka 50 st",
    "kvartalet var bra",
    "15/3",  # no cue: a fraction, a score, a date?
]


@pytest.mark.parametrize("text", NO_DATE)
def test_no_date(text):
    assert values(text, "timeline_weeks") == [], extract_entities(text, TODAY)


# --- 2. word numbers, approximations, scaled ranges -----------------------------------------
WORD_NUMBERS = [
    ("tvåhundra", "number", 200),
    ("sjuttiofem tusen", "number", 75_000),
    ("ett par tusen", "number", 2_000),
    ("ett hundratal", "number", 100),
    ("ett tusental", "number", 1_000),
    ("ett par hundratal st", "annual_volume", 200),
    ("tvåhundra st", "annual_volume", 200),
    ("sixty thousand", "number", 60_000),
    ("five hundred or so", "number", 500),
    ("a couple thousand", "number", 2_000),
    ("a couple hundred", "number", 200),
    ("a couple million", "number", 2_000_000),
    ("a thousand-ish", "number", 1_000),
    ("1000-ish", "number", 1_000),
    ("~2k", "number", 2_000),
    ("sixty thousand units a year", "annual_volume", 60_000),
    ("half a mil a year", "annual_volume", 500_000),
    ("budget half a mil", "budget_sek", 500_000),
    ("half a mil in tooling", "budget_sek", 500_000),
    ("a mil dollars of investment", "budget_sek", 1e6 * SEK_PER_USD),
]


@pytest.mark.parametrize(("text", "entity", "expected"), WORD_NUMBERS)
def test_word_numbers_and_approximations(text, entity, expected):
    assert values(text, entity) == [pytest.approx(expected)], extract_entities(text, TODAY)


SCALED_RANGES = [
    ("5-10 tusen", "number", [5_000, 10_000]),
    ("fem till tio tusen", "number", [5_000, 10_000]),
    ("2 till 3 tusen", "number", [2_000, 3_000]),
    ("3-4 thousand", "number", [3_000, 4_000]),
    ("2-4k", "number", [2_000, 4_000]),
    ("3-4 thousand a year", "annual_volume", [3_000, 4_000]),
    ("500-2 tusen", "number", [500, 2_000]),  # 500 is no count of thousands
]


@pytest.mark.parametrize(("text", "entity", "ends"), SCALED_RANGES)
def test_a_scale_after_a_range_scales_both_ends(text, entity, ends):
    assert the_entity(text, entity)["range"] == pytest.approx(ends)


NOT_NUMBERS = [
    ("half a mil", "number"),  # a thou or 10 km: money or volume only
    ("tolerance half a mil", "tolerance_mm"),
    ("tolerance half a mil", "number"),
    ("a gross mistake", "number"),
    ("gross margin", "number"),
    ("hundratals varianter", "number"),
    ("a steel mill", "number"),
]


@pytest.mark.parametrize(("text", "entity"), NOT_NUMBERS)
def test_no_number(text, entity):
    assert values(text, entity) == [], extract_entities(text, TODAY)


# --- 3. rates multiplied out ------------------------------------------------------------------
RATES = [
    ("2 batchar om året på 750 st", 1_500),
    ("två batcher per år med 500 st", 1_000),
    ("en pall i veckan, 120 st per pall", 120 * 52),
    ("en leverans i månaden på 200 st", 2_400),
    ("5 om dagen, 220 arbetsdagar per år", 1_100),
    ("ett gross i veckan", 144 * 52),
    ("2 batches of 750 a year", 1_500),
    ("4 a day, about 220 working days a year", 880),
    ("a pallet a week, 96 per pallet", 96 * 52),
    ("a gross a month", 144 * 12),
    ("100 a week, 46 weeks a year", 4_600),
    ("4 a day", 1_000),  # alone: a working day is 1/250 of a year, as before
    ("4 om dagen", 1_000),
]


@pytest.mark.parametrize(("text", "yearly"), RATES)
def test_rates_are_multiplied_out(text, yearly):
    assert values(text, "annual_volume") == [pytest.approx(yearly)], extract_entities(text, TODAY)


def test_a_rate_leaves_no_stray_numbers_or_timelines():
    text = "4 a day, about 220 working days a year"
    assert values(text, "number") == []
    assert values(text, "timeline_weeks") == []


# --- 4. self-corrections --------------------------------------------------------------------
CORRECTIONS = [
    ("4000 om året, eller vänta ... i år blir det nog 6000", "annual_volume", [6_000]),
    ("500 st, nej vänta, 900", "annual_volume", [900]),
    ("500 st, eller vänta 1000", "annual_volume", [1_000]),
    ("500 st, snarare 700", "annual_volume", [700]),
    ("0,1 mm, eller vänta, 0,2", "tolerance_mm", [0.2]),
    ("120 kr/st, nej vänta, 150", "target_unit_cost_sek", [150]),
    ("500 st, wait no, 600", "annual_volume", [600]),
    ("500 st, wait, no 600", "annual_volume", [600]),
    ("500 a year, or rather 700", "annual_volume", [700]),
    ("500 pcs, no make that 800", "annual_volume", [800]),
    ("±0.1 mm, wait no, ±0.05 mm", "tolerance_mm", [0.05]),
]


@pytest.mark.parametrize(("text", "entity", "expected"), CORRECTIONS)
def test_more_correction_markers(text, entity, expected):
    assert values(text, entity) == pytest.approx(expected), extract_entities(text, TODAY)


NOT_CORRECTIONS = [
    ("Wait, no rush: 500 st", "annual_volume", [500]),
    ("Vänta, vi behöver 500 st", "annual_volume", [500]),
    ("500 st och ±0,1 mm, snarare stål än alu", "annual_volume", [500]),
]


@pytest.mark.parametrize(("text", "entity", "expected"), NOT_CORRECTIONS)
def test_not_corrections(text, entity, expected):
    assert values(text, entity) == pytest.approx(expected), extract_entities(text, TODAY)


# --- 5. tolerances ------------------------------------------------------------------------
TOLERANCES = [
    ("halv mm", 0.5),
    ("± halv millimeter", 0.5),
    ("5 my", 0.005),
    ("±5 µ", 0.005),
    ("5 mikron", 0.005),
    ("1/10 mm", 0.1),
    ("tolerans 1/100", 0.01),
    ("en halv tiondel", 0.05),
    ("en millimeter hit eller dit", 1.0),
    ("en halv mm hit eller dit", 0.5),
    ("två tiondelar åt vardera hållet", 0.2),
    ("5 micron", 0.005),
    ("±1/100 mm", 0.01),
    ('±0.001"', 0.001 * INCH),
    ('0.001" on the bore', 0.001 * INCH),
    ("half a tenth", 0.05),
    ("a mm either way", 1.0),
]


@pytest.mark.parametrize(("text", "mm"), TOLERANCES)
def test_tolerances(text, mm):
    assert values(text, "tolerance_mm") == [pytest.approx(mm)], extract_entities(text, TODAY)


def test_a_decimal_fraction_alone_is_a_bare_number():
    assert values("1/100", "number") == [pytest.approx(0.01)]
    assert values("1/10", "number") == [pytest.approx(0.1)]


NO_TOLERANCE = [
    "5 my friends",
    '"0.01" was the quote',
    'a 2" pipe',
    "24/7 support",
    "50/50",
    "en halv meter",
]


@pytest.mark.parametrize("text", NO_TOLERANCE)
def test_no_tolerance(text):
    assert values(text, "tolerance_mm") == [], extract_entities(text, TODAY)


def test_fractions_that_are_no_tenths_stay_numbers():
    assert values("24/7", "number") == [24, 7]
    assert values("500/1000", "number") == [500, 1000]


# --- 6. money slang -----------------------------------------------------------------------
MONEY = [
    ("en tia styck", 10),
    ("en tia/st", 10),
    ("max en tia per styck", 10),
    ("styckpris en tjuga", 20),
    ("en femma styck", 5),
    ("två tior styck", 20),
    ("a couple of bucks", 2 * SEK_PER_USD),
    ("a couple bucks each", 2 * SEK_PER_USD),
]


@pytest.mark.parametrize(("text", "sek"), MONEY)
def test_money_slang(text, sek):
    assert values(text, "target_unit_cost_sek") == [pytest.approx(sek)]


@pytest.mark.parametrize(("text", "number"), [("en tia", 10), ("en femma", 5), ("en tjuga", 20)])
def test_a_coin_alone_is_a_bare_number(text, number):
    assert values(text, "number") == [number]
    assert values(text, "target_unit_cost_sek") == []
    assert values(text, "annual_volume") == []


# --- 7. certifications in lists -----------------------------------------------------------
CERTIFICATION_LISTS = [
    ("EN 1090 och 3834", ["en_1090", "iso_3834"]),
    ("3834 och EN 1090", ["iso_3834", "en_1090"]),
    ("9001, 14001 and 3834", ["iso_9001", "iso_14001", "iso_3834"]),
    ("ISO 14001 och 9001", ["iso_14001", "iso_9001"]),
    ("ISO 9001 och 14001", ["iso_9001", "iso_14001"]),
    ("ISO 9001, 13485", ["iso_9001", "iso_13485"]),
    ("ISO 9001 and 16949", ["iso_9001", "iatf_16949"]),
    ("ISO 9001 samt 9100", ["iso_9001", "en_9100"]),
    ("ISO 3834 och 1090", ["iso_3834", "en_1090"]),
    ("ISO 3834, 1090 och 16949", ["iso_3834", "en_1090", "iatf_16949"]),
    ("AS9100 & 13485", ["en_9100", "iso_13485"]),
]


@pytest.mark.parametrize(("text", "ids"), CERTIFICATION_LISTS)
def test_bare_standard_numbers_in_a_list(text, ids):
    assert values(text, "certification") == ids, extract_entities(text, TODAY)
    assert values(text, "number") == []


NOT_CERTIFICATIONS = [
    ("vi gör 3834 st per år", "annual_volume", [3834]),
    ("1090 st", "annual_volume", [1090]),
    ("9100 kr", "target_unit_cost_sek", [9100]),
    ("ISO 9001. Sen 3834 st om året", "annual_volume", [3834]),
]


@pytest.mark.parametrize(("text", "entity", "expected"), NOT_CERTIFICATIONS)
def test_a_bare_number_alone_is_no_certification(text, entity, expected):
    assert values(text, entity) == expected, extract_entities(text, TODAY)
    assert not {"iso_3834", "en_1090", "en_9100"} & set(values(text, "certification"))


# --- 8. region compounds --------------------------------------------------------------------
REGIONS = [
    ("stockholmsområdet", "Stockholm"),
    ("i Stockholmsområdet", "Stockholm"),
    ("göteborgstrakten", "Västra Götaland"),
    ("i malmöregionen", "Skåne"),
    ("Uppsala-området", "Uppsala"),
    ("linköpingstrakten", "Östergötland"),
    ("Storstockholm", "Stockholm"),
    ("boråsområdet", "Västra Götaland"),
    ("the Stockholm area", "Stockholm"),
    ("greater Gothenburg", "Västra Götaland"),
    ("in the Malmö region", "Skåne"),
    ("around the Umeå area", "Västerbotten"),
]


@pytest.mark.parametrize(("text", "region"), REGIONS)
def test_region_compounds(text, region):
    assert values(text, "region") == [region], extract_entities(text, TODAY)


@pytest.mark.parametrize("text", ["området", "i trakten", "regionen är viktig", "the area"])
def test_an_area_word_alone_is_no_region(text):
    assert values(text, "region") == []


# --- 9. electronics processes -------------------------------------------------------------
PCB = [
    "SMT",
    "ytmontering",
    "ytmonterade komponenter",
    "lödning av kort",
    "kretskortsmontering",
    "PCBA",
    "reflow",
    "gerber-filer finns",
    "pick-and-place",
    "surface mount",
]


@pytest.mark.parametrize("text", PCB)
def test_electronics_assembly_is_pcb_assembly(text):
    assert values(text, "process") == ["pcb_assembly"], extract_entities(text, TODAY)


@pytest.mark.parametrize(
    ("text", "processes"),
    [
        ("montering", []),
        ("assembly", []),
        ("final assembly in Sweden", []),
        ("montering av kretskort", ["pcb_assembly"]),
        ("svetsad montering", ["welding_assembly"]),
        ("welded assembly", ["welding_assembly"]),
        ("montering och svetsning", ["welding_assembly"]),
    ],
)
def test_assembly_alone_is_no_welding(text, processes):
    assert values(text, "process") == processes, extract_entities(text, TODAY)


ALL_TEXTS = sorted(
    {c[0] for table in (DATES_SV, DATES_EN, WORD_NUMBERS, RATES, CORRECTIONS, TOLERANCES, MONEY)
     for c in table}
)  # fmt: skip


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_offsets_slice_the_text(text):
    for entity in extract_entities(text, TODAY):
        assert text[entity["start"] : entity["end"]] == entity["text"]
