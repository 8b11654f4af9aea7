"""Swedish founder messages -> normalised entities (bot.nlu.pipeline.extract_entities)."""

from __future__ import annotations

import pytest

from bot.nlu.pipeline import entity_values, extract_entities


def assert_entity(text: str, entity: str, expected) -> None:
    assert pytest.approx(expected) in entity_values(text, entity), extract_entities(text)


CASES = [
    # annual_volume: counts with a unit and/or a frequency, per year
    ("1000 st", "annual_volume", 1000),
    ("vi behöver 10 000 st", "annual_volume", 10_000),
    ("10\u00a0000 st", "annual_volume", 10_000),
    ("10.000 st", "annual_volume", 10_000),
    ("10k st", "annual_volume", 10_000),
    ("1,5k st", "annual_volume", 1_500),
    ("500 stycken", "annual_volume", 500),
    ("500 ex per år", "annual_volume", 500),
    ("200 exemplar", "annual_volume", 200),
    ("ca 500 enheter om året", "annual_volume", 500),
    ("50 st i månaden", "annual_volume", 600),
    ("vi säljer 50 i månaden", "annual_volume", 600),
    ("20 i veckan", "annual_volume", 1_040),
    ("100/mån", "annual_volume", 1_200),
    ("5 per dag", "annual_volume", 1_250),
    ("300 st/v", "annual_volume", 15_600),
    ("2000 detaljer årligen", "annual_volume", 2_000),
    ("tusen st", "annual_volume", 1_000),
    ("tvåtusen st om året", "annual_volume", 2_000),
    ("fem hundra st", "annual_volume", 500),
    ("femhundra produkter", "annual_volume", 500),
    ("ett par hundra st", "annual_volume", 200),
    ("några hundra st", "annual_volume", 300),
    ("en serie på 500", "annual_volume", 500),
    ("först en nollserie på 200", "annual_volume", 200),
    ("volym 2000", "annual_volume", 2_000),
    ("årsvolym på ca 5000 st", "annual_volume", 5_000),
    ("500-1000 st", "annual_volume", 750),
    ("mellan 500 och 1000 st per år", "annual_volume", 750),
    ("-500 st", "annual_volume", -500),
    ("1 miljon st", "annual_volume", 1_000_000),
    ("500st", "annual_volume", 500),
    ("10 000 st/år", "annual_volume", 10_000),
    ("400 st i året", "annual_volume", 400),
    ("3 om dagen", "annual_volume", 750),
    ("1000 st per kvartal", "annual_volume", 4_000),
    # tolerance_mm
    ("±0,05 mm", "tolerance_mm", 0.05),
    ("± 0,1 mm", "tolerance_mm", 0.1),
    ("+/- 0,02mm", "tolerance_mm", 0.02),
    ("±50", "tolerance_mm", 50),
    ("0,1 mm tolerans", "tolerance_mm", 0.1),
    ("tolerans 0,05", "tolerance_mm", 0.05),
    ("toleransen är ±0,02 mm", "tolerance_mm", 0.02),
    ("fem hundradelar", "tolerance_mm", 0.05),
    # a tolerance word before a fraction must not read the count as millimetres
    ("toleransen behöver vara fem hundradelar", "tolerance_mm", 0.05),
    ("tolerans två tiondelar", "tolerance_mm", 0.2),
    ("det räcker med en hundradel", "tolerance_mm", 0.01),
    ("två tiondelar", "tolerance_mm", 0.2),
    ("5 hundradelar", "tolerance_mm", 0.05),
    ("tre tusendelar", "tolerance_mm", 0.003),
    ("ett par hundradelar", "tolerance_mm", 0.02),
    ("± en tiondels millimeter", "tolerance_mm", 0.1),
    ("20 mikrometer", "tolerance_mm", 0.02),
    ("0,5 cm tolerans", "tolerance_mm", 5),
    ("5 m tolerans", "tolerance_mm", 5_000),
    ("+0,1/-0,05 mm", "tolerance_mm", 0.05),
    ("0,05 mm räcker", "tolerance_mm", 0.05),
    ("tolerens 0.1", "tolerance_mm", 0.1),
    # target_unit_cost_sek and budget_sek
    ("120 kr/st", "target_unit_cost_sek", 120),
    ("250 kr styck", "target_unit_cost_sek", 250),
    ("under 300 kronor", "target_unit_cost_sek", 300),
    ("max 80 SEK", "target_unit_cost_sek", 80),
    ("50:-", "target_unit_cost_sek", 50),
    ("1,5k kr", "target_unit_cost_sek", 1_500),
    ("1 500 kr", "target_unit_cost_sek", 1_500),
    ("högst 45 kr per styck", "target_unit_cost_sek", 45),
    ("styckpris 250", "target_unit_cost_sek", 250),
    ("2 tkr", "target_unit_cost_sek", 2_000),
    ("10 euro", "target_unit_cost_sek", 115),
    ("budget på 200 000 kr", "budget_sek", 200_000),
    ("verktygsbudget 50 000 kr", "budget_sek", 50_000),
    ("vi har 100 000 kr totalt", "budget_sek", 100_000),
    ("ett lån på 500 000 kr", "budget_sek", 500_000),
    ("en investering på 2 miljoner kronor", "budget_sek", 2_000_000),
    # timeline_weeks
    ("inom 6 veckor", "timeline_weeks", 6),
    ("om två månader", "timeline_weeks", 2 * 4.345),
    ("på ett år", "timeline_weeks", 52),
    ("inom 2-3 veckor", "timeline_weeks", 3),
    ("om ett halvår", "timeline_weeks", 26),
    ("inom ca 14 dagar", "timeline_weeks", 2),
    ("inom ett par veckor", "timeline_weeks", 2),
    ("8 veckor", "timeline_weeks", 8),
    # volume_multiplier
    ("10x", "volume_multiplier", 10),
    ("x10", "volume_multiplier", 10),
    ("10 gånger", "volume_multiplier", 10),
    ("tio gånger mer", "volume_multiplier", 10),
    ("om vi dubbla volymen", "volume_multiplier", 2),
    ("hälften", "volume_multiplier", 0.5),
    ("3 ggr så mycket", "volume_multiplier", 3),
    # number: whatever no other entity took
    ("500", "number", 500),
    ("tusen", "number", 1_000),
    ("ett tusen", "number", 1_000),
    ("fem hundra", "number", 500),
    ("femhundra", "number", 500),
    ("tjugofem", "number", 25),
    ("tvåtusenfemhundra", "number", 2_500),
    ("0,05", "number", 0.05),
    ("0.050", "number", 0.05),
    ("1,5", "number", 1.5),
    ("-3", "number", -3),
    ("10k", "number", 10_000),
    ("2 tusen", "number", 2_000),
    ("2,5 miljoner", "number", 2_500_000),
    ("ett par hundra", "number", 200),
    ("hundra", "number", 100),
    ("ungefär 300", "number", 300),
    ("några hundra", "number", 300),
    ("1 miljon", "number", 1_000_000),
    ("en halv miljon", "number", 500_000),
    ("ett exemplar", "annual_volume", 1),
    ("en", "number", 1),
]


@pytest.mark.parametrize(("text", "entity", "expected"), CASES)
def test_swedish_quantity(text, entity, expected):
    assert_entity(text, entity, expected)


MESSAGES = [
    (
        "vi behöver 1000 st, ±0,05 mm, 250 kr/st, rostfritt",
        {
            "annual_volume": 1000,
            "tolerance_mm": 0.05,
            "target_unit_cost_sek": 250,
            "material": "stainless_steel",
        },
    ),
    (
        "Vi har en testad prototyp i aluminium och vill göra en nollserie på 300 st inom 8 veckor, "
        "gärna i Jönköpings län",
        {
            "design_maturity": "validated_prototype",
            "material": "aluminium",
            "path_mention": "pilot",
            "annual_volume": 300,
            "timeline_weeks": 8,
            "region": "Jönköping",
        },
    ),
    (
        "Formsprutade detaljer i PA12, ca 5000 st per år, styckpris under 15 kr, ISO 9001 krävs",
        {
            "process": "injection_moulding",
            "material": "polyamide",
            "annual_volume": 5000,
            "target_unit_cost_sek": 15,
            "certification": "iso_9001",
        },
    ),
    (
        "Plåtdetaljer, laserskurna och bockade, 200 i månaden, tolerans 0,1, helst nära Göteborg",
        {
            "process": "sheet_metal",
            "annual_volume": 2400,
            "tolerance_mm": 0.1,
            "region": "Västra Götaland",
        },
    ),
    (
        "Vi har bara en idé, kanske 10 prototyper i PLA från en 3D-skrivare",
        {
            "design_maturity": "idea",
            "material": "pla",
            "process": "fdm",
            "path_mention": "prototype",
            "number": 10,
        },
    ),
    (
        "Verktygsbudget 150 000 kr och styckpris max 40 kr, fem hundradelar på hålen",
        {"budget_sek": 150_000, "target_unit_cost_sek": 40, "tolerance_mm": 0.05},
    ),
    (
        "Vi tillverkar redan 50 i veckan i Malmö men vill upp till fullskalig produktion",
        {
            "design_maturity": "in_production",
            "annual_volume": 2600,
            "region": "Skåne",
            "path_mention": "full_scale",
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_swedish_message_with_several_facts(text, expected):
    for entity, value in expected.items():
        assert_entity(text, entity, value)


ABSENT = [
    ("billigt", "target_unit_cost_sek"),
    ("så billigt som möjligt", "number"),
    ("en del av detaljerna", "number"),
    ("en del av detaljerna", "annual_volume"),
    ("för 3 månader sedan började vi", "timeline_weeks"),
    ("den är 200 mm lång", "tolerance_mm"),
    ("ISO 9001", "number"),
    ("3D-printad", "number"),
    ("ett hus i 10x20 mm", "volume_multiplier"),
    ("M8-skruvar", "number"),
    ("vi har en prototyp", "number"),
    ("50 % av kostnaden", "number"),
]


@pytest.mark.parametrize(("text", "entity"), ABSENT)
def test_swedish_words_that_are_no_quantity(text, entity):
    assert entity_values(text, entity) == [], extract_entities(text)


@pytest.mark.parametrize("text", ["", "   ", "idk", "vet inte", "hmm...", "🙂"])
def test_nothing_to_extract(text):
    assert [e for e in extract_entities(text) if e["entity"] != "language"] == []


def test_offsets_point_into_the_original_text():
    text = "Ca  10\u00a0000 st/år,  ±0,05 mm"
    for entity in extract_entities(text):
        assert text[entity["start"] : entity["end"]] == entity["text"]
    volume = next(e for e in extract_entities(text) if e["entity"] == "annual_volume")
    assert volume["text"] == "10\u00a0000 st/år"
