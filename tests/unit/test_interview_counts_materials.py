"""Which count is the yearly need and which material is the product's, through the real entity
pipeline and the interview's extraction (our own phrasings, never the held-out set)."""

import datetime

import pytest

from bot.interview.extraction import Turn, extract
from bot.nlu.pipeline import extract_entities


def answer(text, requested=None, **slots):
    slots.setdefault("language", "sv")
    return extract(Turn(text, "inform", extract_entities(text), requested, slots)).updates


@pytest.mark.parametrize("text", [
    "hej, vi har en lampa i mässing som testats av tio kunder och nu vill vi köra en nollserie på 80 st",
    "we built a sled for ice fishing, tested all winter, next is a first batch of 60 units",
    "our pump housing works, we'd like a pilot run of 200 pcs",
])
def test_a_batch_in_the_opening_is_no_yearly_need_so_the_year_is_asked(text):
    assert "annual_volume" not in answer(text)


@pytest.mark.parametrize("text, requested, expected", [
    # a batch and a year: the year
    ("piloten blir 40 st, sen kanske 900 om året", "annual_volume", 900),
    ("first batch 50, afterwards 1200-1800 a year", "annual_volume", 1500),
    # today and the plan: the plan, said last
    ("idag säljer vi 300 om året men nästa år räknar vi med 1000 om året", "annual_volume", 1000),
    ("we make 400 a year now and expect 2500 next year", "annual_volume", 2500),
    # the product's own noun as the unit
    ("kanske 200-400 pallar om året", "annual_volume", 300),
    ("about 150 pairs a month", "annual_volume", 1800),
    ("we expect 8 000 the first year", "annual_volume", 8000),
    # only a batch, while the volume question is open: that is the answer
    ("bara nollserien på 60 st, inget mer än så", "annual_volume", 60),
    # in the opening, a count with a period is a need
    ("vi gör en cykelkorg och säljer 700 om året", None, 700),
])
def test_the_yearly_need_among_several_counts(text, requested, expected):
    assert answer(text, requested)["annual_volume"] == pytest.approx(expected)


@pytest.mark.parametrize("text, requested, slots, expected", [
    # a fibre next to a polymer is a filled polymer
    ("glasfiberarmerad PA66", "material", {}, "polyamide"),
    ("carbon filled PEEK", "material", {}, "peek"),
    # said in passing, a board is a part, a generic word fills nothing, several materials ask
    ("en dosa med kretskort och batteri inuti", "product_description", {}, None),
    ("a bracket in sheet metal that holds a sensor", "product_description", {}, None),
    ("motorn sitter i ett plasthölje med ett fäste i stål och en axel i mässing", "product_description", {}, None),
    # one material said in passing is the material
    ("en skål i ek som svarvas", "product_description", {}, "wood"),
    # a material said in passing never replaces one given before
    ("the lid sits on an aluminium frame", "tolerance_mm", {"material": "polycarbonate"}, None),
    # the answer to the question wins, first named first
    ("aluminium, med lite stål i fästet", "material", {"material": "steel"}, "aluminium"),
])
def test_the_products_material(text, requested, slots, expected):
    assert answer(text, requested, **slots).get("material") == expected


TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize("text, weeks", [
    ("helst före påsk", 16),  # Easter 2027 is March 28
    ("after easter would be fine", 16.4),
    ("i början av februari", 9),
    ("by the first week of april", 17),
    ("till första maj", 21),
    ("om en och en halv månad", 6.5),
    ("in like a year", 52),
])
def test_more_dates(text, weeks):
    found = [e["value"] for e in extract_entities(text, today=TODAY) if e["entity"] == "timeline_weeks"]
    assert found and found[-1] == pytest.approx(weeks, abs=0.6)


def test_a_thou_before_a_word_is_an_inch_tolerance_and_a_preposition_is_not():
    def tolerance(text):
        return [e["value"] for e in extract_entities(text) if e["entity"] == "tolerance_mm"]

    assert tolerance("±0.002 in at the bore") == [pytest.approx(0.0508)]
    assert tolerance("± 2 in 3 weeks") == [pytest.approx(2.0)]


@pytest.mark.parametrize("text, requested, expected", [
    ("vi har ett ramavtal på 40 000 st över fyra år", None, 10_000),
    ("a contract for 9000 units spread over three years", "annual_volume", 3000),
    ("en pall i veckan, det är 50 st på en pall", "annual_volume", 2600),
])
def test_totals_over_years_and_lots_are_per_year(text, requested, expected):
    assert answer(text, requested)["annual_volume"] == pytest.approx(expected)


def test_an_approximate_number_with_ish_keeps_its_value_and_the_founders_words():
    found = {e["entity"]: e for e in extract_entities("€40ish per lamp, maybe 600-ish a year")}
    assert found["target_unit_cost_sek"]["value"] == pytest.approx(460)
    assert found["annual_volume"]["value"] == 600 and found["annual_volume"]["text"] == "600-ish a year"
