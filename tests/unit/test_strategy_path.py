"""Choosing the path: maturity outweighs volume; a frozen design goes to full scale only above
the tooling break-even of its material."""

from __future__ import annotations

import pytest

from bot.strategy import Profile, recommend
from bot.strategy.parameters import load_parameters
from bot.strategy.path import decide_path, full_scale_threshold, nollserie_size
from bot.strategy.profile import resolve_material


@pytest.fixture(scope="module")
def params():
    return load_parameters()


# maturity, volume, material, expected path, words in the first reason (sv, en)
PATH_CASES = [
    ("idea", 10_000, "plastic", "prototype", ("5 000–50 000 USD", "USD 5,000–50,000")),
    ("prototype", 1_000_000, "aluminium", "prototype", ("inga formverktyg", "no tooling")),
    ("prototype", 5, None, "prototype", ("validerad", "validated")),
    ("validated_prototype", 500, "polyamide", "pilot", ("nollserie", "nollserie")),
    ("validated_prototype", 100_000, "plastic", "pilot", ("nollserie", "nollserie")),
    (
        "design_frozen",
        20_000,
        "plastic",
        "full_scale",
        ("2 000 st per år för formsprutning", "2,000 units a year for injection moulding"),
    ),
    ("design_frozen", 1_500, "plastic", "pilot", ("under", "below")),
    (
        "design_frozen",
        300,
        "aluminium",
        "pilot",
        ("3 000 st per år för stansning", "3,000 units a year for stamping"),
    ),
    ("design_frozen", 5_000, "aluminium", "full_scale", ("låst", "frozen")),
    (
        "in_production",
        10_000,
        "zinc",
        "pilot",
        ("50 000 st per år för pressgjutning", "50,000 units a year for high-pressure die casting"),
    ),
    (
        "in_production",
        60_000,
        "zinc",
        "full_scale",
        ("redan i produktion", "already in production"),
    ),
    (
        "design_frozen",
        5_000,
        "titanium",
        "full_scale",
        ("omkring 2 000 st per år", "about 2,000 units a year"),
    ),
    ("design_frozen", 30, "steel", "pilot", ("under", "below")),
]


@pytest.mark.parametrize("maturity, volume, material, path, words", PATH_CASES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_path_follows_maturity_then_break_even(maturity, volume, material, path, words, lang):
    strategy = recommend(
        Profile(design_maturity=maturity, annual_volume=volume, material=material), lang
    )
    assert strategy.path == path
    assert (words[0] if lang == "sv" else words[1]) in strategy.reasons[0]


@pytest.mark.parametrize("lang, word", [("sv", "prototyper"), ("en", "prototypes")])
def test_a_small_frozen_series_is_told_its_routes_are_those_of_prototypes(lang, word):
    strategy = recommend(
        Profile(design_maturity="design_frozen", annual_volume=30, material="steel"), lang
    )
    assert strategy.path == "pilot"
    assert any(word in r and "50" in r for r in strategy.reasons)


def test_volume_alone_never_skips_validation(params):
    for volume in (1, 1_000, 1_000_000):
        profile = Profile(design_maturity="prototype", annual_volume=volume, material="abs")
        assert decide_path(profile, params, "en").path == "prototype"
        profile = Profile(
            design_maturity="validated_prototype", annual_volume=volume, material="abs"
        )
        assert decide_path(profile, params, "en").path == "pilot"


@pytest.mark.parametrize(
    "material, threshold, process",
    [
        ("plastic", 2000, "injection_moulding"),
        ("abs", 2000, "injection_moulding"),
        ("aluminium", 3000, "stamping"),
        ("metal", 3000, "stamping"),
        ("zinc", 50000, "die_casting"),
        ("titanium", 2000, None),  # no hard-tooled process: the pilot range's upper end
        (None, 2000, "injection_moulding"),
        ("unobtainium", 2000, "injection_moulding"),
    ],
)
def test_full_scale_threshold_is_the_best_hard_tooled_process_for_the_material(
    params, material, threshold, process
):
    assert full_scale_threshold(params, resolve_material(material)) == (threshold, process)


@pytest.mark.parametrize(
    "volume, size", [(10, 10), (300, 50), (500, 50), (5_000, 500), (100_000, 1000)]
)
def test_nollserie_is_about_a_tenth_of_a_year_within_the_pilot_range(params, volume, size):
    assert nollserie_size(params, volume) == size


@pytest.mark.parametrize(
    "maturity, volume, evaluated",
    [
        ("idea", 10_000, 10),  # a prototype run
        ("prototype", 3, 3),
        ("validated_prototype", 500, 500),
        ("validated_prototype", 100_000, 2000),  # pilot scale
        ("design_frozen", 20_000, 20_000),
        ("design_frozen", 300, 300),
    ],
)
def test_costs_are_evaluated_at_the_volume_the_path_is_about(params, maturity, volume, evaluated):
    profile = Profile(design_maturity=maturity, annual_volume=volume, material="abs")
    assert decide_path(profile, params, "en").evaluate_volume == evaluated


# --- missing values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, words", [("sv", "antog att du har en prototyp"), ("en", "assumed you have a prototype")]
)
def test_missing_maturity_is_assumed_to_be_a_prototype_and_said(lang, words):
    strategy = recommend(Profile(annual_volume=20_000, material="abs"), lang)
    assert strategy.path == "prototype"
    assert any(words in a for a in strategy.assumptions)


@pytest.mark.parametrize(
    "maturity, lang, words",
    [
        ("idea", "en", "assumed 10 units a year, typical of a prototype"),
        ("idea", "sv", "antog 10 st per år, typiskt för prototyp"),
        ("validated_prototype", "en", "assumed 500 units a year, typical of a pilot series"),
        ("design_frozen", "en", "Tell me your volume"),
        ("design_frozen", "sv", "Berätta din volym"),
    ],
)
def test_missing_volume_is_assumed_from_the_path_and_said(params, maturity, lang, words):
    decision = decide_path(Profile(design_maturity=maturity, material="abs"), params, lang)
    assert decision.volume_assumed
    assert any(words in a for a in decision.assumptions)


def test_a_frozen_design_without_volume_gets_a_pilot_not_a_guess_at_full_scale(params):
    assert decide_path(Profile(design_maturity="design_frozen"), params, "en").path == "pilot"
