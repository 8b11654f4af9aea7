"""The recommendation a founder sees: options, reasons, assumptions, next steps, support, and
the follow-up answers, in Swedish and English."""

from __future__ import annotations

import json
import math

import pytest

from bot.strategy import (
    Profile,
    explain_field,
    explain_not_path,
    nollserie_explainer,
    recommend,
    stage_overview,
    support_overview,
    tooling_overview,
    with_volume,
)
from bot.strategy.parameters import load_parameters
from bot.vocabulary import PROCESSES
from bot.vocabulary import PROFILE_FIELDS as SLOTS

PROFILES = {
    "idea_plastic": Profile(design_maturity="idea", annual_volume=10_000, material="plastic"),
    "validated_nylon": Profile(
        design_maturity="validated_prototype", annual_volume=500, material="polyamide"
    ),
    "frozen_plastic": Profile(
        design_maturity="design_frozen", annual_volume=20_000, material="plastic"
    ),
    "frozen_aluminium": Profile(
        design_maturity="design_frozen", annual_volume=300, material="aluminium", tolerance_mm=0.05
    ),
    "abs_fdm": Profile(
        design_maturity="prototype",
        annual_volume=10,
        material="abs",
        tolerance_mm=0.05,
        process="fdm",
    ),
    "empty": Profile(),
    "electronics": Profile(
        design_maturity="validated_prototype", annual_volume=1_000, material="fr4"
    ),
    "everything": Profile(
        product_description="a sensor housing",
        design_maturity="design_frozen",
        annual_volume=5_000,
        tolerance_mm=0.1,
        target_unit_cost_sek=40,
        material="steel",
        process="welding_assembly",
        certifications=["iso_13485"],
        region="Jönköping",
        timeline_weeks=2,
    ),
}


def first(strategy):
    return strategy.processes[0]


def option(strategy, pid):
    return next(o for o in strategy.processes if o.process == pid)


# --- clear cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_frozen_plastic_at_20000_goes_full_scale_with_injection_moulding_first(lang):
    strategy = recommend(PROFILES["frozen_plastic"], lang)
    assert strategy.path == "full_scale"
    best = first(strategy)
    assert best.process == "injection_moulding"
    assert best.tooling == "steel_mould"
    assert best.tooling_sek > 0 and best.fits_tolerance
    assert best.label == ("formsprutning" if lang == "sv" else "injection moulding")


@pytest.mark.parametrize(
    "lang, word", [("sv", "precisionsbearbetning"), ("en", "precision machining")]
)
def test_frozen_aluminium_at_300_with_tight_tolerance_is_a_pilot_on_cnc(lang, word):
    strategy = recommend(PROFILES["frozen_aluminium"], lang)
    assert strategy.path == "pilot"
    best = first(strategy)
    assert best.process == "cnc_machining"
    assert best.fits_tolerance
    assert any(word in r for r in best.reasons)


def test_an_idea_is_costed_as_a_prototype_run_without_tooling():
    strategy = recommend(PROFILES["idea_plastic"], "en")
    assert strategy.path == "prototype"
    assert all(o.tooling_sek == 0 for o in strategy.processes)
    assert "injection_moulding" not in [o.process for o in strategy.processes]


def test_options_are_ranked_by_fit_then_total_cost_per_unit():
    for profile in PROFILES.values():
        options = [o for o in recommend(profile, "en").processes if o.suitable]
        keys = [(not o.fits_tolerance, o.total_cost_per_unit_sek) for o in options]
        assert keys == sorted(keys)
        assert (
            1 <= len(options) <= 4 + (profile.process is not None)
        )  # the founder's own may come fifth


def test_circuit_boards_get_pcb_assembly_and_no_mechanical_process():
    strategy = recommend(PROFILES["electronics"], "en")
    assert [o.process for o in strategy.processes] == ["pcb_assembly"]
    assert any("IPC" in r for r in first(strategy).reasons)


# --- tolerance -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_fdm_cannot_hold_five_hundredths_and_ranks_below_a_process_that_can(lang):
    strategy = recommend(PROFILES["abs_fdm"], lang)
    fdm = option(strategy, "fdm")
    cnc = option(strategy, "cnc_machining")
    assert not fdm.fits_tolerance and cnc.fits_tolerance
    order = [o.process for o in strategy.processes]
    assert order.index("cnc_machining") < order.index("fdm")
    assert any(("snävare" if lang == "sv" else "tighter") in r for r in fdm.reasons)


@pytest.mark.parametrize(
    "lang, words",
    [
        ("sv", "Ingen av processerna håller ±0,01 mm"),
        ("en", "None of the processes holds ±0.01 mm"),
    ],
)
def test_a_hundredth_with_fdm_fits_nowhere_and_the_founder_is_told(lang, words):
    profile = Profile(
        design_maturity="prototype",
        annual_volume=10,
        material="abs",
        tolerance_mm=0.01,
        process="fdm",
    )
    strategy = recommend(profile, lang)
    assert not option(strategy, "fdm").fits_tolerance
    assert not any(o.fits_tolerance for o in strategy.processes)
    assert any(words in r for r in strategy.reasons)


# --- the founder's own process ------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("sv", "vänta tills"), ("en", "wait until")])
def test_a_mould_the_founder_wants_too_early_is_costed_and_explained(lang, words):
    profile = Profile(
        design_maturity="idea", annual_volume=10_000, material="abs", process="injection_moulding"
    )
    moulding = option(recommend(profile, lang), "injection_moulding")
    assert not moulding.suitable
    assert moulding.tooling_sek > 0
    assert any(words in r for r in moulding.reasons)


@pytest.mark.parametrize(
    "lang, words", [("sv", "kan inte bearbeta aluminium"), ("en", "cannot work aluminium")]
)
def test_a_process_that_cannot_work_the_material_is_reported_with_why(lang, words):
    profile = Profile(
        design_maturity="prototype", annual_volume=10, material="aluminium", process="sla"
    )
    strategy = recommend(profile, lang)
    sla = option(strategy, "sla")
    assert not sla.suitable
    assert sla is strategy.processes[-1]
    assert any(words in r for r in sla.reasons)


def test_a_named_process_among_the_best_is_marked_as_the_founders():
    strategy = recommend(
        Profile(
            design_maturity="design_frozen",
            annual_volume=300,
            material="aluminium",
            tolerance_mm=0.05,
            process="cnc_machining",
        ),
        "en",
    )
    assert first(strategy).process == "cnc_machining"
    assert first(strategy).reasons[0].startswith("You mentioned this process")


def test_a_joining_process_is_only_offered_when_named():
    steel = Profile(design_maturity="design_frozen", annual_volume=300, material="steel")
    assert "welding_assembly" not in [o.process for o in recommend(steel, "en").processes]
    assert "welding_assembly" in [
        o.process for o in recommend(PROFILES["everything"], "en").processes
    ]


# --- break-even ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("sv", "lönar sig mot"), ("en", "pays off against")])
def test_moulding_against_3d_printing_shows_a_break_even_range(lang, words):
    moulding = option(recommend(PROFILES["validated_nylon"], lang), "injection_moulding")
    assert moulding.break_even_against in ("mjf", "sls", "fdm")
    low, high = moulding.break_even_units
    assert 10 <= low < high <= 5000
    assert any(words in r for r in moulding.reasons)


def test_printing_shows_up_to_where_it_stays_cheaper():
    mjf = option(recommend(PROFILES["validated_nylon"], "en"), "mjf")
    assert mjf.break_even_against == "injection_moulding"
    assert any("Cheaper than injection moulding" in r for r in mjf.reasons)


# --- target cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, words",
    [
        ("sv", ["Ditt mål på 2 kr", "under alla alternativ"]),
        ("en", ["Your target of SEK 2", "below every option"]),
    ],
)
def test_a_target_below_every_option_is_said_with_the_gap(lang, words):
    profile = Profile(
        design_maturity="design_frozen",
        annual_volume=20_000,
        material="plastic",
        target_unit_cost_sek=2,
    )
    strategy = recommend(profile, lang)
    gap = next(r for r in strategy.reasons if words[1] in r)
    assert words[0] in gap
    cheapest = min(o.unit_cost_sek for o in strategy.processes if o.suitable)
    assert cheapest > 2
    assert "%" in gap


def test_a_target_reachable_per_part_but_not_with_tooling_is_explained():
    profile = Profile(
        design_maturity="design_frozen",
        annual_volume=20_000,
        material="plastic",
        target_unit_cost_sek=20,
    )
    assert any("tooling adds" in r for r in recommend(profile, "en").reasons)


def test_a_target_is_not_judged_on_prototype_prices():
    profile = Profile(
        design_maturity="idea", annual_volume=10_000, material="abs", target_unit_cost_sek=20
    )
    assert any("checked when you plan the series" in r for r in recommend(profile, "en").reasons)


# --- assumptions, next steps, support ------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, words",
    [
        ("sv", ["konstruktionen", "årsvolym", "inget material", "ingen tolerans", "40 cm³"]),
        ("en", ["design", "yearly volume", "material", "tolerance", "40 cm³"]),
    ],
)
def test_every_missing_value_is_named_in_the_assumptions(lang, words):
    assumptions = recommend(PROFILES["empty"], lang).assumptions
    assert len(assumptions) == 5
    for word, text in zip(words, assumptions, strict=True):
        assert word in text


def test_an_unknown_material_filters_nothing_and_is_said():
    strategy = recommend(Profile(design_maturity="prototype", material="unobtainium"), "en")
    assert any("unobtainium" in a for a in strategy.assumptions)
    assert strategy.processes


def test_an_unknown_process_is_said_and_not_costed():
    strategy = recommend(Profile(design_maturity="prototype", process="alchemy"), "sv")
    assert any("alchemy" in a for a in strategy.assumptions)
    assert all(o.process in PROCESSES for o in strategy.processes)


@pytest.mark.parametrize(
    "key, words",
    [
        ("idea_plastic", ["DFM", "3–10"]),
        ("validated_nylon", ["Freeze the design", "nollserie of about 50 units"]),
        ("frozen_plastic", ["FAI", "PPAP", "Audit"]),
    ],
)
def test_next_steps_fit_the_path(key, words):
    steps = " ".join(recommend(PROFILES[key], "en").next_steps)
    for word in words:
        assert word in steps


def test_a_frozen_design_is_not_told_to_freeze_it():
    steps = recommend(PROFILES["frozen_aluminium"], "en").next_steps
    assert not any("Freeze the design" in s for s in steps)


@pytest.mark.parametrize(
    "weeks, words",
    [(1, "shorter than the lead time"), (10, "tight"), (30, None)],
)
def test_the_timeline_is_compared_with_the_lead_time(weeks, words):
    profile = Profile(
        design_maturity="design_frozen",
        annual_volume=20_000,
        material="plastic",
        timeline_weeks=weeks,
    )
    steps = recommend(profile, "en").next_steps
    remarks = [s for s in steps if "timeline" in s]
    assert (remarks == []) if words is None else (words in remarks[0])


def test_certifications_region_and_support_follow_the_profile():
    strategy = recommend(PROFILES["everything"], "sv")
    assert any("ISO 13485" in s for s in strategy.next_steps)
    names = [s["name"] for s in strategy.support]
    assert "RISE" in names  # certification help, also at full scale
    iuc = next(s for s in strategy.support if s["name"] == "IUC")
    assert "Jönköping" in iuc["offer"]


@pytest.mark.parametrize(
    "path_key, expected, absent",
    [
        (
            "idea_plastic",
            ["Almi", "Vinnova", "RISE", "Production Angels (KTH / Södertälje Science Park)"],
            ["Business Sweden"],
        ),
        ("validated_nylon", ["IUC", "Almi", "RISE"], ["Business Sweden", "Vinnova"]),
        ("frozen_plastic", ["IUC", "Tillväxtverket", "Business Sweden", "Almi"], ["Vinnova"]),
    ],
)
def test_support_is_picked_by_path_with_amounts_from_the_data(path_key, expected, absent):
    support = recommend(PROFILES[path_key], "en").support
    names = [s["name"] for s in support]
    for name in expected:
        assert name in names
    for name in absent:
        assert name not in names
    for entry in support:
        assert set(entry) == {"name", "offer", "url", "checked"}
        assert entry["url"].startswith("https://")


def test_almi_amounts_come_from_the_data_file():
    support = recommend(PROFILES["idea_plastic"], "sv").support
    almi = next(s for s in support if s["name"] == "Almi")
    assert "250 000 kr" in almi["offer"] and "50 000–500 000 kr" in almi["offer"]


# --- payload contract and language ---------------------------------------------------------------


def test_payload_has_the_contract_keys_and_is_json():
    payload = recommend(PROFILES["everything"], "en").to_payload()
    assert set(payload) == {"path", "reasons", "assumptions", "processes", "next_steps", "support"}
    for item in payload["processes"]:
        for key in (
            "process",
            "unit_cost_sek",
            "tooling_sek",
            "lead_time_weeks",
            "fits_tolerance",
            "label",
        ):
            assert key in item
        assert (
            item["unit_cost_sek_range"][0]
            <= item["unit_cost_sek"]
            <= item["unit_cost_sek_range"][1]
        )
        assert item["tooling_sek_range"][0] <= item["tooling_sek"] <= item["tooling_sek_range"][1]
    json.dumps(payload)


def founder_strings(strategy):
    texts = strategy.reasons + strategy.assumptions + strategy.next_steps
    for o in strategy.processes:
        texts += o.reasons + [o.label]
    for entry in strategy.support:
        texts += [entry["name"], entry["offer"]]
    return texts


@pytest.mark.parametrize("key", PROFILES)
def test_every_founder_facing_string_exists_in_both_languages(key):
    sv = founder_strings(recommend(PROFILES[key], "sv"))
    en = founder_strings(recommend(PROFILES[key], "en"))
    assert len(sv) == len(en)
    for text in sv + en:
        assert text.strip()
        assert "{" not in text and "}" not in text
    translated = [s for s, e in zip(sv, en, strict=True) if s != e]
    assert (
        len(translated) >= len(sv) - 8
    )  # only names (RISE, Almi, ...) and labels like "PLA" may match
    assert not any(" a year" in s or " units" in s for s in sv)


def test_an_unknown_language_gets_english():
    assert (
        recommend(PROFILES["idea_plastic"], "de").reasons
        == recommend(PROFILES["idea_plastic"], "en").reasons
    )


# --- follow-ups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, words",
    [
        ("sv", ["låst konstruktion", "2 000 st per år", "4 gånger"]),
        ("en", ["frozen design", "2,000 units a year", "4 times"]),
    ],
)
def test_why_not_full_scale_says_what_would_have_to_change(lang, words):
    text = explain_not_path(PROFILES["validated_nylon"], "full_scale", lang)
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    "profile_key, other, words",
    [
        ("validated_nylon", "pilot", "already my recommendation"),
        ("validated_nylon", "nollserie", "already my recommendation"),
        ("idea_plastic", "pilot", "needs a validated prototype"),
        ("frozen_plastic", "pilot", "above where tooling pays off"),
        ("frozen_plastic", "prototype", "still change"),
        ("validated_nylon", "Full scale", "Full-scale production would need"),
    ],
)
def test_why_not_other_paths(profile_key, other, words):
    assert words in explain_not_path(PROFILES[profile_key], other, "en")


@pytest.mark.parametrize(
    "lang, words", [("sv", "Vilken av dem menar du?"), ("en", "Which one do you mean?")]
)
def test_why_not_an_unknown_path_asks_back_politely(lang, words):
    assert words in explain_not_path(PROFILES["idea_plastic"], "moonshot", lang)
    assert words in explain_not_path(PROFILES["idea_plastic"], None, lang)


def test_ten_times_the_volume_can_change_the_path():
    profile = Profile(design_maturity="design_frozen", annual_volume=1_500, material="plastic")
    bigger = with_volume(profile, factor=10)
    assert bigger.annual_volume == 15_000
    assert profile.annual_volume == 1_500
    assert recommend(profile).path == "pilot" and recommend(bigger).path == "full_scale"
    assert with_volume(profile, volume=250).annual_volume == 250
    assert (
        with_volume(profile, factor=10, volume=10).annual_volume == 15_000
    )  # "10x" also yields a bare 10


def test_ten_times_a_missing_volume_starts_from_the_assumed_one():
    assert (
        with_volume(Profile(design_maturity="validated_prototype"), factor=10).annual_volume
        == 5_000
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"factor": 0},
        {"factor": -3},
        {"volume": math.nan},
        {"factor": "ten"},
        {"volume": True},
    ],
)
def test_with_volume_refuses_bad_input_clearly(kwargs):
    with pytest.raises(ValueError):
        with_volume(PROFILES["frozen_plastic"], **kwargs)


@pytest.mark.parametrize("slot", SLOTS)
def test_why_do_you_ask_is_answered_for_every_slot_in_both_languages(slot):
    sv, en = explain_field(slot, "sv"), explain_field(slot, "en")
    assert sv.strip() and en.strip() and sv != en
    assert sv != explain_field("no_such_slot", "sv")


def test_why_do_you_ask_quotes_the_data():
    assert "2,000" in explain_field("annual_volume", "en")
    assert "±0,13 mm" in explain_field("tolerance_mm", "sv")
    assert "6–16 weeks" in explain_field("timeline_weeks", "en")


@pytest.mark.parametrize(
    "func", [stage_overview, tooling_overview, nollserie_explainer, support_overview]
)
def test_knowledge_answers_exist_in_both_languages(func):
    sv, en = func("sv"), func("en")
    assert sv.strip() and en.strip() and sv != en
    assert "{" not in sv + en


def test_overviews_come_from_the_data():
    params = load_parameters()
    tooling = tooling_overview("en")
    for process in params.processes.values():
        for tool in process.tooling:
            assert tool.label["en"] in tooling
    support = support_overview("sv")
    for actor in params.support:
        assert actor.url in support
    assert "50–1,000 units" in nollserie_explainer("en")
    assert stage_overview("sv").count("•") == 3


# --- profile from slots --------------------------------------------------------------------------


def test_profile_from_slots_normalises_loose_values():
    profile = Profile.from_slots(
        {
            "design_maturity": "Validated prototype",
            "annual_volume": "10 000",
            "tolerance_mm": "0,05",
            "target_unit_cost_sek": "abc",
            "material": "Aluminium",
            "process": "CNC machining",
            "certifications": "iso_9001, iso_13485",
            "region": "västra götaland",
            "timeline_weeks": -2,
        }
    )
    assert profile.design_maturity == "validated_prototype"
    assert profile.annual_volume == 10_000
    assert profile.tolerance_mm == 0.05
    assert profile.target_unit_cost_sek is None
    assert profile.material == "aluminium"
    assert profile.process == "cnc_machining"
    assert profile.certifications == ["iso_9001", "iso_13485"]
    assert profile.region == "Västra Götaland"
    assert profile.timeline_weeks is None


@pytest.mark.parametrize(
    "slots", [None, {}, {"annual_volume": None, "certifications": None, "material": " "}]
)
def test_profile_from_empty_slots_is_empty(slots):
    assert Profile.from_slots(slots) == Profile()


def test_profile_payload_has_the_contract_keys():
    payload = PROFILES["everything"].to_payload()
    assert list(payload) == list(SLOTS)
    assert payload["annual_volume"] == 5_000 and payload["certifications"] == ["iso_13485"]


def test_impossible_numbers_in_a_hand_built_profile_count_as_missing():
    profile = Profile(
        design_maturity="design_frozen", annual_volume=0, tolerance_mm=-1, timeline_weeks=math.nan
    )
    strategy = recommend(profile, "en")
    assert strategy.path == "pilot"
    assert any("yearly volume" in a for a in strategy.assumptions)
    assert any("tolerance" in a for a in strategy.assumptions)
    assert all(o.fits_tolerance for o in strategy.processes)


@pytest.mark.parametrize("lang, words", [("sv", "kräver verktyg"), ("en", "needs tooling")])
def test_a_material_only_tooled_processes_work_is_flagged_at_low_volume(lang, words):
    strategy = recommend(
        Profile(design_maturity="design_frozen", annual_volume=10_000, material="zinc"), lang
    )
    assert [o.process for o in strategy.processes] == ["die_casting"]
    assert any(words in r for r in strategy.reasons)


@pytest.mark.parametrize(
    "lang, words", [("sv", "ersättningsmaterial"), ("en", "substitute material")]
)
def test_prototypes_of_a_die_cast_material_use_a_substitute_and_say_so(lang, words):
    strategy = recommend(
        Profile(design_maturity="prototype", annual_volume=20_000, material="zinc"), lang
    )
    assert strategy.processes and all(o.tooling_sek == 0 for o in strategy.processes)
    assert any(words in r for r in strategy.reasons)
