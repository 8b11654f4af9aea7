"""The interview's slot extraction: what a founder's message does to the profile."""

import pytest

from bot.interview.extraction import Turn, extract
from bot.interview.language import choose_language
from bot.interview.slots import required_slots


def ent(name, value, role=None):
    entity = {"entity": name, "value": value}
    if name == "annual_volume":
        entity["text"] = f"{value} per år"  # a count without a period may be a head count
    if role:
        entity["role"] = role
    return entity


def turn(entities=(), intent="inform", requested=None, text="x", **slots):
    return Turn(text=text, intent=intent, entities=list(entities), requested_slot=requested, slots=slots)


def test_several_facts_in_one_message_are_all_kept():
    result = extract(turn([
        ent("annual_volume", 1000.0), ent("tolerance_mm", 0.05),
        ent("target_unit_cost_sek", 250.0), ent("material", "stainless_steel"),
    ]))
    assert result.updates == {
        "annual_volume": 1000.0, "tolerance_mm": 0.05,
        "target_unit_cost_sek": 250.0, "material": "stainless_steel",
    }
    assert result.problems == []


@pytest.mark.parametrize("requested, expected", [
    ("annual_volume", {"annual_volume": 500.0}),
    ("tolerance_mm", {"tolerance_mm": 0.05}),
    ("target_unit_cost_sek", {"target_unit_cost_sek": 250.0}),
    ("timeline_weeks", {"timeline_weeks": 8.0}),
])
def test_a_bare_number_answers_the_question_asked(requested, expected):
    value = list(expected.values())[0]
    result = extract(turn([ent("number", value)], requested=requested))
    assert result.updates == expected


@pytest.mark.parametrize("text", ["{}[]<script>alert(1)</script>", "we sold 3 of them to a customer last spring in Lund"])
def test_a_number_buried_in_a_long_or_odd_message_is_no_answer(text):
    assert extract(turn([ent("number", 1.0)], requested="tolerance_mm", text=text)).updates == {}


def test_a_bare_number_without_a_numeric_question_is_ignored():
    assert extract(turn([ent("number", 500.0)], requested="material")).updates == {}


@pytest.mark.parametrize("entity, value, code", [
    ("annual_volume", -500.0, "not_positive"),
    ("tolerance_mm", 5000.0, "too_large"),
    ("target_unit_cost_sek", 0.0, "not_positive"),
    ("annual_volume", 0.3, "too_small"),
])
def test_impossible_values_are_problems_not_slots(entity, value, code):
    result = extract(turn([ent(entity, value)]))
    assert entity not in result.updates
    assert [(p.slot, p.code) for p in result.problems] == [(entity, code)]


def test_questions_do_not_change_the_profile():
    result = extract(turn([ent("design_maturity", "prototype")], intent="why_not_path"))
    assert result.updates == {}


def test_certifications_collects_all_and_none_means_empty_list():
    both = extract(turn([ent("certification", "iso_9001"), ent("certification", "iso_13485")]))
    assert both.updates["certifications"] == ["iso_9001", "iso_13485"]
    none = extract(turn([ent("certification", "none")]))
    assert none.updates["certifications"] == []


def test_anywhere_settles_the_region_question_without_a_region():
    result = extract(turn([ent("region", "any")], requested="region"))
    assert "region" not in result.updates
    assert result.updates["skipped_slots"] == ["region"]


def test_the_answer_to_the_product_question_is_the_description():
    result = extract(turn(text="en cykellampa i aluminium", requested="product_description"))
    assert result.updates["product_description"] == "en cykellampa i aluminium"


def test_a_long_first_message_is_taken_as_the_description():
    text = "we make a handheld sensor housing for farms"
    assert extract(turn(text=text)).updates["product_description"] == text
    assert "product_description" not in extract(turn(text="hello there", intent="greet")).updates


def test_confirmation_and_a_changed_fact_resets_it():
    assert extract(turn(intent="affirm", requested="profile_confirmed")).updates == {"profile_confirmed": True}
    changed = extract(turn([ent("annual_volume", 2000.0)], annual_volume=1000.0, profile_confirmed=True))
    assert changed.updates == {"annual_volume": 2000.0, "profile_confirmed": None}


def test_an_unchanged_fact_is_not_reported_again():
    result = extract(turn([ent("annual_volume", 1000.0)], annual_volume=1000.0))
    assert result.updates == {} and result.understood == []


@pytest.mark.parametrize("entities, current, locked, intent, expected", [
    ([ent("language", "en", "explicit")], "sv", False, "switch_language", ("en", True)),
    ([ent("language", "sv", "detected")], "en", True, "inform", ("en", True)),
    ([ent("language", "sv", "detected")], "en", False, "inform", ("sv", False)),
    ([], "sv", False, "switch_language", ("en", True)),
    ([], None, False, "inform", (None, False)),
])
def test_language_choice(entities, current, locked, intent, expected):
    assert choose_language(entities, current, locked, intent) == expected


@pytest.mark.parametrize("slots, goal, expected_extra", [
    ({"design_maturity": "idea"}, False, []),
    ({"design_maturity": "prototype", "product_description": "ett implantat för sjukvården"}, True,
     ["certifications"]),
    ({"design_maturity": "validated_prototype"}, False, ["certifications", "region", "timeline_weeks"]),
    ({"design_maturity": "design_frozen"}, False, ["process", "certifications", "region", "timeline_weeks"]),
    ({"design_maturity": "design_frozen", "skipped_slots": ["process", "region", "founder_goal"]}, False,
     ["certifications", "timeline_weeks"]),
])
def test_required_slots_depend_on_relevance(slots, goal, expected_extra):
    core = ["product_description", "design_maturity", "annual_volume", "tolerance_mm", "target_unit_cost_sek", "material"]
    if goal:  # the founder's next step, for a prototype (a pilot run changes the path)
        core.insert(2, "founder_goal")
    assert required_slots(slots) == core + expected_extra + ["profile_confirmed"]


def test_the_tightest_of_several_tolerances_is_kept():
    result = extract(turn([ent("tolerance_mm", 0.1), ent("tolerance_mm", 0.02), ent("tolerance_mm", 0.5)]))
    assert result.updates == {"tolerance_mm": 0.02}


@pytest.mark.parametrize("requested", ["process", "region", "timeline_weeks"])
def test_a_plain_no_settles_an_optional_question(requested):
    result = extract(turn(intent="deny", requested=requested))
    assert result.updates == {"skipped_slots": [requested]} and result.understood == [requested]


def test_no_to_certifications_means_none_required():
    assert extract(turn(intent="deny", requested="certifications")).updates == {"certifications": []}
    assert extract(turn(intent="deny", requested="annual_volume")).updates == {}


@pytest.mark.parametrize("description, regulated", [
    ("ett implantat för sjukvården", True),
    ("a bracket for cars", True),
    ("en drönare för lantbruk", True),
    ("konstruktionen är en mobilhållare", False),
    ("a carbon phone stand", False),
])
def test_regulated_products_are_asked_about_certifications(description, regulated):
    needed = required_slots({"design_maturity": "prototype", "product_description": description})
    assert ("certifications" in needed) is regulated


def test_a_pasted_wall_of_text_is_cut_to_a_short_description():
    text = "aluminium housing " * 500
    description = extract(turn(text=text, requested="product_description")).updates["product_description"]
    assert len(description) == 500 and description.endswith("…")


def test_a_language_button_payload_sets_the_language():
    assert choose_language([ent("language", "sv")], "en", False, "switch_language") == ("sv", True)
