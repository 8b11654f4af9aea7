"""The cost model and the number formatting the engine's texts use."""

from __future__ import annotations

import math

import pytest

from bot.strategy.costs import HIGH, LOW, MID, CostModel, Route, break_even_units
from bot.strategy.format import (
    format_mm,
    format_percent,
    format_range,
    format_sek,
    format_units,
    format_weeks,
    round_sig,
)
from bot.strategy.parameters import load_parameters


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def model(params):
    return CostModel(params)


def route(params, pid, tool=None, materials=None):
    process = params.processes[pid]
    tooling = next(t for t in process.tooling if t.id == tool) if tool else None
    return Route(process, tooling, materials or (process.reference_material,))


# --- break-even --------------------------------------------------------------------------------


def test_design_example_laser_cut_against_stamped_breaks_even_near_3600_parts():
    # DESIGN.md 5: laser-cut USD 1.50 vs stamped USD 0.40 with a USD 4,000 die
    n = break_even_units(tooling=4000, unit_without=1.50, unit_with=0.40)
    assert n == pytest.approx(3636.4, abs=0.1)
    assert round_sig(n) == 3600
    # the same parts in kronor break even at the same count
    assert break_even_units(4000 * 10.5, 1.50 * 10.5, 0.40 * 10.5) == pytest.approx(n)


@pytest.mark.parametrize("without, with_tool", [(0.40, 0.40), (0.40, 1.50)])
def test_a_tool_that_saves_nothing_never_breaks_even(without, with_tool):
    assert break_even_units(4000, without, with_tool) is None


def test_the_model_puts_the_design_example_inside_its_laser_against_die_range(params, model):
    low, high = model.break_even_range(
        route(params, "stamping", "simple_die", ("steel",)),
        route(params, "sheet_metal", None, ("steel",)),
    )
    assert low < 3600 < high


def test_3d_printing_against_moulding_is_a_range_not_a_point(params, model):
    # DESIGN.md 5: the crossover is quoted between 100 and 2,000 parts depending on the part
    low, high = model.break_even_range(
        route(params, "injection_moulding", "aluminium_mould", ("polyamide",)),
        route(params, "mjf", None, ("polyamide",)),
    )
    assert high > 2 * low
    assert low < 2000 and high > 100  # overlaps the published span
    assert 20 <= low and high <= 5000  # and stays in its neighbourhood


def test_above_break_even_the_tool_is_cheaper_per_part_and_below_it_is_not(params, model):
    mould = route(params, "injection_moulding", "aluminium_mould", ("abs",))
    printing = route(params, "fdm", None, ("abs",))
    n = model.crossing(mould, MID, printing, MID)
    assert model.total_per_unit(mould, n * 2, MID) < model.total_per_unit(printing, n * 2, MID)
    assert model.total_per_unit(mould, n / 2, MID) > model.total_per_unit(printing, n / 2, MID)


# --- unit cost, tooling, currency ------------------------------------------------------------


@pytest.mark.parametrize(
    "volume, batch", [(1, 1), (10, 10), (50, 50), (100, 50), (400, 100), (20000, 5000)]
)
def test_a_year_is_ordered_in_four_call_offs_and_small_volumes_at_once(model, volume, batch):
    assert model.batch_size(volume) == batch


def test_unit_cost_is_setup_plus_machine_time_plus_material(params, model):
    cnc = route(params, "cnc_machining", None, ("aluminium",))
    p = params.processes["cnc_machining"]
    rate = params.rates.machine_rates["cnc"][0]
    mass = params.rates.reference_volume_cm3 * params.rates.materials["aluminium"].density / 1000
    material = (
        mass * p.material_utilisation[0] * params.rates.materials["aluminium"].price_sek_per_kg[0]
    )
    material *= p.feedstock_premium[0]
    expected = p.setup_hours[0] * rate / 10 + p.cycle_minutes[0] / 60 * rate + material
    assert model.unit_cost(cnc, 10, LOW) == pytest.approx(expected)
    assert model.unit_cost(cnc, 10, LOW) < model.unit_cost(cnc, 10, HIGH)


def test_setup_spreads_over_larger_batches(params, model):
    cnc = route(params, "cnc_machining")
    assert (
        model.unit_cost(cnc, 1, MID)
        > model.unit_cost(cnc, 10, MID)
        > model.unit_cost(cnc, 1000, MID)
    )


def test_precision_work_costs_more_machine_time(params, model):
    standard = route(params, "cnc_machining")
    precise = Route(standard.process, None, standard.materials, (1.2, 1.6))
    assert model.unit_cost(precise, 100, MID) > model.unit_cost(standard, 100, MID)


def test_worn_out_silicone_moulds_are_replaced(params, model):
    casting = route(params, "urethane_casting", "silicone_mould")
    assert model.tools_needed(casting, 20) == (1.0, pytest.approx(20 / 15))
    assert model.tools_needed(casting, 300) == (10.0, 20.0)
    assert model.tooling_cost(casting, 300, MID) > model.tooling_cost(casting, 20, MID)


def test_a_route_without_tooling_costs_nothing_up_front(params, model):
    assert model.tooling_range(route(params, "fdm"), 100) == (0.0, 0.0)


def test_usd_tooling_follows_the_configured_exchange_rate(params, model, monkeypatch):
    mould = route(params, "injection_moulding", "steel_mould")
    monkeypatch.setenv("TILLVERKA_SEK_PER_USD", "10")
    assert model.tooling_cost(mould, 1000, LOW) == pytest.approx(150_000)
    monkeypatch.setenv("TILLVERKA_SEK_PER_USD", "12")
    assert model.tooling_cost(mould, 1000, LOW) == pytest.approx(180_000)


def test_a_steel_mould_beats_an_aluminium_one_at_high_volume_and_not_at_low(params, model):
    alu = route(params, "injection_moulding", "aluminium_mould")
    steel = route(params, "injection_moulding", "steel_mould")
    assert model.total_per_unit(steel, 100_000, MID) < model.total_per_unit(alu, 100_000, MID)
    assert model.total_per_unit(alu, 1000, MID) < model.total_per_unit(steel, 1000, MID)


# --- formatting --------------------------------------------------------------------------------

FORMATS = [
    (format_sek, (12500,), "12 500 kr", "SEK 12,500"),
    (format_sek, (9.5,), "9,50 kr", "SEK 9.50"),
    (format_sek, (120,), "120 kr", "SEK 120"),
    (format_mm, (0.05,), "±0,05 mm", "±0.05 mm"),
    (format_mm, (0.013,), "±0,013 mm", "±0.013 mm"),
    (format_mm, (1,), "±1 mm", "±1 mm"),
    (format_units, (10000,), "10 000 st", "10,000 units"),
    (format_units, (1,), "1 st", "1 unit"),
    (format_weeks, (3,), "3 veckor", "3 weeks"),
    (format_weeks, (0.5,), "4 dagar", "4 days"),
    (format_percent, (0.25,), "25 %", "25%"),
    (format_range, (12000, 15000, None, "sek"), "12 000–15 000 kr", "SEK 12,000–15,000"),
    (format_range, (5000, 50000, None, "usd"), "5 000–50 000 USD", "USD 5,000–50,000"),
    (format_range, (500, 2000, None, "units"), "500–2 000 st", "500–2,000 units"),
    (format_range, (2, 4, None, "weeks"), "2–4 veckor", "2–4 weeks"),
    (format_range, (0.3, 1, None, "weeks"), "2–7 dagar", "2–7 days"),
    (format_range, (0.05, 0.1, None, "mm"), "±0,05–0,1 mm", "±0.05–0.1 mm"),
    (format_range, (4, 4, None, "units"), "4 st", "4 units"),
    (format_range, (2000, 500, None, "units"), "500–2 000 st", "500–2,000 units"),
    (format_range, (1.5, 2.5, None, None), "1,5–2,5", "1.5–2.5"),
]


@pytest.mark.parametrize("func, args, sv, en", FORMATS)
def test_numbers_read_naturally_in_both_languages(func, args, sv, en):
    def call(lang):
        if func is format_range:
            lo, hi, _, unit = args
            return format_range(lo, hi, lang, unit)
        return func(*args, lang)

    assert call("sv") == sv
    assert call("en") == en


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        format_range(1, 2, "en", "furlongs")


@pytest.mark.parametrize("value, rounded", [(3636.36, 3600), (157500, 160000), (6.34, 6.3), (0, 0)])
def test_estimates_are_rounded_to_two_significant_figures(value, rounded):
    assert math.isclose(round_sig(value), rounded)
