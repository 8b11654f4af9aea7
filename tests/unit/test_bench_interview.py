"""The scoring of bench/bench_interview.py: fact comparison, the founder's replies and the
report's aggregation, on small made-up examples (never held-out text)."""

from __future__ import annotations

import pytest

from bench.bench_interview import (
    QUESTIONS,
    compare_fact,
    count_reasks,
    fact_table,
    is_clarification,
    is_failure,
    markdown_report,
    next_message,
    persona_problems,
    persona_summary,
    recommendation_of,
    requested_of,
    score_answer,
    score_facts,
)
from bot.interview import texts

AREAS = {"Småland": ("Jönköping", "Kronoberg", "Kalmar")}


# ---- numbers


@pytest.mark.parametrize(
    ("fact", "expected", "got", "right"),
    [
        ("annual_volume", 1000, 1029, True),
        ("annual_volume", 1000, 971, True),
        ("annual_volume", 1000, 1040, False),
        ("tolerance_mm", 0.0254, 0.025, True),
        ("tolerance_mm", 0.05, 0.1, False),
        ("target_unit_cost_sek", 350, 350.0, True),
        ("target_unit_cost_sek", 350, None, False),
        ("annual_volume", 1000, True, False),  # a bool is no number
        ("timeline_weeks", 3, 4, True),  # 1 week is more than 20 % of 3
        ("timeline_weeks", 3, 4.5, False),
        ("timeline_weeks", 20, 24, True),  # 20 % of 20 is 4 weeks
        ("timeline_weeks", 20, 25, False),
    ],
)
def test_numbers_within_their_tolerance(fact, expected, got, right):
    assert compare_fact(fact, expected, got, areas=AREAS) is right


# ---- "no preference"


@pytest.mark.parametrize("fact", ["process", "timeline_weeks"])
def test_none_is_an_empty_or_skipped_slot_in_the_final_state(fact):
    assert compare_fact(fact, "none", None, areas=AREAS)
    assert compare_fact(fact, "none", "cnc_machining" if fact == "process" else 8, skipped=True)
    assert not compare_fact(fact, "none", "cnc_machining" if fact == "process" else 8)


@pytest.mark.parametrize("fact", ["process", "timeline_weeks"])
def test_none_in_an_update_must_be_said(fact):
    # the extraction doing nothing is no answer
    assert not compare_fact(fact, "none", None, present=False, update=True, areas=AREAS)
    assert compare_fact(fact, "none", None, skipped=True, present=False, update=True)
    assert compare_fact(fact, "none", None, present=True, update=True, areas=AREAS)


def test_a_process_is_compared_exactly():
    assert compare_fact("process", "sheet_metal", "sheet_metal")
    assert not compare_fact("process", "sheet_metal", "stamping")
    assert not compare_fact("process", "sheet_metal", None)


# ---- certifications


def test_certifications_are_sets():
    assert compare_fact("certifications", ["iso_9001", "iso_13485"], ["iso_13485", "iso_9001"])
    assert not compare_fact("certifications", ["iso_9001", "iso_13485"], ["iso_9001"])
    assert not compare_fact("certifications", ["iso_9001"], [])


def test_no_certifications_in_the_final_state():
    assert compare_fact("certifications", [], [])
    assert compare_fact("certifications", [], None)
    assert compare_fact("certifications", [], None, skipped=True)
    assert not compare_fact("certifications", [], ["iso_9001"])


def test_no_certifications_in_an_update_is_an_empty_list():
    assert compare_fact("certifications", [], [], present=True, update=True)
    assert not compare_fact("certifications", [], None, present=False, update=True)


# ---- region


def test_region_is_one_of_the_accepted_counties():
    assert compare_fact("region", ["Jönköping", "Kronoberg"], "Kronoberg", areas=AREAS)
    assert not compare_fact("region", ["Jönköping"], "Skåne", areas=AREAS)
    assert not compare_fact("region", ["Jönköping"], None, areas=AREAS)
    assert compare_fact("region", "Skåne", "Skåne", areas=AREAS)  # one county, not a list


def test_an_area_is_right_when_it_overlaps_the_accepted_counties():
    assert compare_fact("region", ["Kalmar"], "Småland", areas=AREAS)
    assert not compare_fact("region", ["Skåne"], "Småland", areas=AREAS)
    assert not compare_fact("region", ["Skåne"], "Småland", areas={})  # no areas known


def test_anywhere():
    assert compare_fact("region", "any", None, areas=AREAS)
    assert compare_fact("region", "any", "any", areas=AREAS)
    assert compare_fact("region", "any", None, skipped=True, areas=AREAS)
    assert not compare_fact("region", "any", "Skåne", areas=AREAS)
    assert not compare_fact("region", "any", None, present=False, update=True, areas=AREAS)
    assert compare_fact("region", "any", None, skipped=True, present=False, update=True)


# ---- the rest


def test_goal_maturity_and_material():
    assert compare_fact("founder_goal", None, None)
    assert not compare_fact("founder_goal", None, "pilot")
    assert compare_fact("founder_goal", "reshore", "reshore")
    assert compare_fact("design_maturity", "validated_prototype", "validated_prototype")
    assert not compare_fact("design_maturity", "validated_prototype", "prototype")
    assert compare_fact("material_family", "aluminium", "aluminium")
    assert not compare_fact("material_family", "aluminium", "metal")


def test_score_facts_reads_the_final_slots():
    slots = {
        "design_maturity": "prototype",
        "annual_volume": 500.0,
        "material": "pom",
        "certifications": [],
        "region": None,
        "skipped_slots": ["region"],
    }
    expected = {
        "design_maturity": "prototype",
        "annual_volume": 800,
        "material_family": "pom",
        "certifications": [],
        "region": "any",
        "founder_goal": None,
    }
    facts = {f["fact"]: f for f in score_facts(expected, slots, asked=["annual_volume"], areas={})}
    assert [f for f, r in facts.items() if not r["right"]] == ["annual_volume"]
    assert facts["annual_volume"] == {
        "fact": "annual_volume", "right": False, "got": 500.0, "expected": 800, "asked": True
    }  # fmt: skip
    assert facts["region"]["got"] == "skipped"
    assert facts["material_family"]["asked"] is False


def test_score_answer_scores_the_asked_slot_of_the_updates():
    item = {"slot": "annual_volume", "text": "x", "expected": 1200}
    assert score_answer(item, {"annual_volume": 1200.0})["right"]
    missed = score_answer(item, {"product_description": "x"})
    assert not missed["right"] and missed["got"] == "(nothing)"
    material = {"slot": "material", "text": "x", "expected": "polyamide"}
    assert score_answer(material, {"material": "polyamide"})["fact"] == "material_family"
    assert score_answer(material, {"material": "polyamide"})["right"]
    region = {"slot": "region", "text": "x", "expected": "any"}
    said = score_answer(region, {"skipped_slots": ["region"]}, areas={})
    assert said["right"] and said["got"] == "skipped"
    assert not score_answer(region, {}, areas={})["right"]
    goal = {"slot": "founder_goal", "text": "x", "expected": None}
    assert score_answer(goal, {"annual_volume": 3.0})["right"]
    assert not score_answer(goal, {"founder_goal": "pilot"})["right"]
    certs = {"slot": "certifications", "text": "x", "expected": []}
    assert score_answer(certs, {"certifications": []})["right"]
    assert not score_answer(certs, {})["right"]


# ---- the founder's side


PERSONA = {
    "id": "xx-01",
    "language": "sv",
    "answers": {"annual_volume": "first", "material": "mat"},
    "retry": {"annual_volume": "second"},
}


def test_next_message_answers_then_retries_then_answers_again():
    assert next_message(PERSONA, "annual_volume", 1, []) == ("first", None)
    assert next_message(PERSONA, "annual_volume", 2, []) == ("second", None)
    assert next_message(PERSONA, "annual_volume", 3, []) == ("first", None)
    assert next_message(PERSONA, "material", 2, []) == ("mat", None)  # no retry: same again


def test_next_message_confirms_in_the_founders_language():
    assert next_message(PERSONA, "profile_confirmed", 1, []) == ("ja", None)
    assert next_message({**PERSONA, "language": "en"}, "profile_confirmed", 1, []) == (
        "yes",
        None,
    )


def test_without_an_answer_the_first_button_or_stop():
    buttons = [{"title": "A", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    assert next_message(PERSONA, "region", 1, buttons) == ("/a", None)
    assert next_message(PERSONA, "region", 1, []) == (None, "no answer")
    assert next_message(PERSONA, None, 0, []) == (None, "no answer")


def test_the_recommendation_is_a_custom_payload_with_a_path():
    assert recommendation_of([{"text": "hi"}, {"text": "r", "custom": {"path": "pilot"}}]) == {
        "path": "pilot"
    }
    assert recommendation_of([{"text": "m", "custom": {"type": "manufacturers"}}]) is None


def test_requested_slot_only_while_a_form_is_active():
    tracker = {"slots": {"requested_slot": "material"}, "active_loop": {"name": "interview_form"}}
    assert requested_of(tracker) == ("material", "interview_form")
    assert requested_of({**tracker, "active_loop": {}}) == (None, None)


def test_reasks_count_questions_asked_again_and_clarifications():
    # the domain's own question texts (its first and last variation)
    ask_volume = [start for start, slot in QUESTIONS.items() if slot == "annual_volume"]
    asked: set[str] = set()
    assert count_reasks([ask_volume[0] + " ..."], asked) == 0
    assert asked == {"annual_volume"}
    assert count_reasks(["Noted: 500 a year.", ask_volume[-1] + " ..."], asked) == 1
    clarification = texts.not_understood("annual_volume", "en")
    assert is_clarification(clarification)
    assert count_reasks([clarification], asked) == 1
    assert not is_clarification("Thanks!")


# ---- aggregation and report


def persona(id_, lang="sv", *, reached=True, path="pilot", facts=(True, True), **extra):
    return {
        "id": id_,
        "set": "heldout",
        "language": lang,
        "reached": reached,
        "reason": None if reached else "turn limit",
        "path": path if reached else None,
        "expected_path": "pilot",
        "right_path": reached and path == "pilot",
        "facts": [
            {"fact": f"f{i}", "right": right, "got": 1, "expected": 2, "asked": True}
            for i, right in enumerate(facts)
        ],
        "turns": extra.pop("turns", 10),
        "repeats": extra.pop("repeats", {}),
        "reasks": extra.pop("reasks", 0),
        "transcript": ["founder: a", "bot: b"],
        **extra,
    }


def test_persona_summary_per_set_and_language():
    results = [
        persona("a", turns=8, repeats={"material": 1}, reasks=1),
        persona("b", path="full_scale", facts=(True, False), turns=12, repeats={"region": 2}),
        persona("c", reached=False, turns=40),
        persona("d", "en"),
    ]
    sv, en = persona_summary(results)
    assert (sv["language"], en["language"]) == ("sv", "en")
    assert sv["personas"] == 3 and sv["reached"] == 2 and sv["right_path"] == 1
    assert (sv["facts_right"], sv["facts"]) == (5, 6)
    assert sv["any_repeat"] == 2 and sv["repeated_more_than_once"] == 1
    assert sv["mean_turns"] == 20.0 and sv["mean_reasks"] == pytest.approx(0.3)
    assert en["personas"] == 1 and en["right_path"] == 1


def test_fact_table_counts_right_per_fact_and_group():
    table = fact_table([persona("a", facts=(True, False)), persona("b", facts=(True, True))])
    assert table["f0"][("heldout", "sv")] == [2, 2]
    assert table["f1"][("heldout", "sv")] == [1, 2]


def test_failures_and_their_reasons():
    assert not is_failure(persona("a"))
    assert is_failure(persona("b", facts=(False,)))
    assert is_failure(persona("c", reached=False))
    problems = persona_problems(persona("c", reached=False, repeats={"material": 2}))
    assert problems[0] == "no recommendation (turn limit)"
    assert "path None, expected pilot" in problems
    assert problems[-1] == "asked again: material ×2"


def test_report_has_the_tables_and_lists_failures_with_their_tail():
    answers = [
        {"set": "heldout", "language": "en", "slot": "annual_volume", "text": "t1",
         "fact": "annual_volume", "right": True, "got": 5.0, "expected": 5, "intent": "inform"},
        {"set": "heldout", "language": "en", "slot": "annual_volume", "text": "t2",
         "fact": "annual_volume", "right": False, "got": 7.0, "expected": 5, "intent": "inform"},
    ]  # fmt: skip
    report = markdown_report([persona("a"), persona("b", facts=(False,))], answers)
    assert "## Personas" in report and "### Facts right, per fact" in report
    assert "| heldout | sv | 2 | 100% (2/2) | 100% (2/2) | 67% (2/3) |" in report
    assert "| annual_volume | 50% (1/2) |" in report
    assert "**b** (heldout, sv): f0: got 1, expected 2" in report
    assert "  bot: b" in report
    assert "'t2' → got 7.0, expected 5" in report
    assert "**a**" not in report


def test_report_without_any_cases():
    assert "Nothing to run" in markdown_report([], [])
