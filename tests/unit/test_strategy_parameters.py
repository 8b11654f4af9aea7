"""The strategy parameter files: complete, sourced, consistent with the vocabulary, and a bad
edit fails loudly with the file and row named."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from bot.strategy.costs import CostModel, Route
from bot.strategy.parameters import DEFAULT_DIR, FILES, ParameterError, load_parameters
from bot.vocabulary import MATERIALS, MATURITY_LEVELS, PATHS, PROCESS_MATERIALS, PROCESSES


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def raw(name):
    return yaml.safe_load((DEFAULT_DIR / name).read_text(encoding="utf-8"))


def test_processes_file_covers_every_process_id_exactly():
    assert sorted(raw("processes.yml")["processes"]) == sorted(PROCESSES)


@pytest.mark.parametrize("pid", PROCESSES)
def test_every_process_row_is_sourced_and_complete(params, pid):
    process = params.processes[pid]
    assert process.source.strip()
    assert (
        process.suits["sv"] and process.suits["en"] and process.suits["sv"] != process.suits["en"]
    )
    assert process.note["sv"] and process.note["en"]
    assert process.economic_volume[0] >= 1
    assert process.lead_time_weeks[0] > 0
    assert process.reference_material in PROCESS_MATERIALS[pid]
    assert process.machine in params.rates.machine_rates
    for tool in process.tooling:
        assert tool.label["sv"] and tool.label["en"]
        assert tool.cost.range[0] > 0


def test_rate_tables_and_stages_name_their_source(params):
    assert set(params.rates.sources) == {
        "machine_rates_sek_per_hour",
        "materials",
        "reference_part",
        "batching",
        "candidates",
        "tooling_amortisation",
    }
    assert all(source.strip() for source in params.rates.sources.values())
    assert params.stages.source.strip()


def test_every_material_has_density_and_price(params):
    for material in MATERIALS:
        row = params.rates.materials[material]
        assert row.density > 0
        assert 0 < row.price_sek_per_kg[0] <= row.price_sek_per_kg[1]


def test_hard_tooling_waits_for_a_validated_design_and_sets_a_full_scale_threshold(params):
    validated = MATURITY_LEVELS.index("validated_prototype")
    hard = {
        pid for pid, p in params.processes.items() if any(t.tool_class == "hard" for t in p.tooling)
    }
    assert hard == {"injection_moulding", "stamping", "die_casting"}
    for pid in hard:
        process = params.processes[pid]
        assert process.full_scale_from is not None
        for tool in process.tooling:
            if tool.tool_class == "hard":
                assert MATURITY_LEVELS.index(tool.min_maturity) >= validated
    # thresholds from DESIGN.md section 5
    assert params.processes["injection_moulding"].full_scale_from == 2000
    assert params.processes["stamping"].full_scale_from == 3000
    assert params.processes["die_casting"].full_scale_from == 50000


def test_design_ranges_are_kept_as_ranges(params):
    mould = {t.id: t for t in params.processes["injection_moulding"].tooling}
    assert mould["aluminium_mould"].cost.range == (3000, 15000)
    assert mould["aluminium_mould"].life_parts == (1000, 10000)
    assert mould["steel_mould"].cost.range == (15000, 50000)
    assert mould["steel_mould"].lead_time_weeks == (6, 16)
    die = {t.id: t for t in params.processes["stamping"].tooling}
    assert die["progressive_die"].cost.range == (50000, 200000)
    assert params.stages.mould_change_cost_usd == (5000, 50000)
    assert params.stages.stages["prototype"].typical_volume == (1, 50)
    assert params.stages.stages["pilot"].typical_volume == (50, 1000)


def test_stages_cover_every_path_and_maturity(params):
    assert set(params.stages.stages) == set(PATHS)
    assert set(params.stages.maturity_path) == set(MATURITY_LEVELS)
    for stage in params.stages.stages.values():
        assert stage.next_steps
        for step in stage.next_steps:
            assert step.text["sv"] and step.text["en"] and step.text["sv"] != step.text["en"]


def test_support_actors_have_offer_link_and_check_date(params):
    assert {a.id for a in params.support} >= {
        "almi_early",
        "vinnova_innovative_startups",
        "rise",
        "production_angels",
        "iuc",
        "tillvaxtverket",
        "business_sweden",
    }
    for actor in params.support:
        assert actor.source.strip()
        assert actor.url.startswith("https://")
        dt.date.fromisoformat(actor.checked)
        assert actor.offer["sv"] != actor.offer["en"]
    for path in PATHS:
        assert any(path in a.paths for a in params.support), path


def test_loading_is_cached(params):
    assert load_parameters() is params


# --- bad files ---------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    for name in FILES:
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    return tmp_path


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


BAD_EDITS = [
    ("processes.yml", lambda d: d["processes"].pop("sla"), ["processes.yml", "sla"]),
    ("processes.yml", lambda d: d["processes"].__setitem__("laser_magic", {}), ["laser_magic"]),
    ("processes.yml", lambda d: d["processes"]["fdm"].pop("source"), ["fdm", "source"]),
    (
        "processes.yml",
        lambda d: d["processes"]["cnc_machining"].__setitem__("cycle_minutes", [45, 15]),
        ["cnc_machining.cycle_minutes"],
    ),
    (
        "processes.yml",
        lambda d: d["processes"]["fdm"].__setitem__("machine", "teleporter"),
        ["teleporter"],
    ),
    (
        "processes.yml",
        lambda d: d["processes"]["sla"].__setitem__("reference_material", "steel"),
        ["sla", "steel"],
    ),
    (
        "processes.yml",
        lambda d: d["processes"]["stamping"].pop("full_scale_from"),
        ["stamping", "full_scale_from"],
    ),
    ("rates.yml", lambda d: d["materials"]["rows"].pop("zinc"), ["rates.yml", "zinc"]),
    (
        "rates.yml",
        lambda d: d["machine_rates_sek_per_hour"]["rates"].__setitem__("cnc", "cheap"),
        ["rates.yml: machine_rates_sek_per_hour.rates.cnc", "[low, high]"],
    ),
    ("stages.yml", lambda d: d["stages"].pop("pilot"), ["stages.yml", "pilot"]),
    ("stages.yml", lambda d: d["maturity_path"].__setitem__("idea", "moon"), ["idea", "moon"]),
    (
        "support_actors.yml",
        lambda d: d["actors"][0].__setitem__("url", "http://insecure"),
        ["actors[0].url"],
    ),
    (
        "support_actors.yml",
        lambda d: d["actors"][0].__setitem__("checked", "last week"),
        ["checked"],
    ),
    (
        "support_actors.yml",
        lambda d: d["actors"][0]["offer"].__setitem__("en", "up to {unknown}"),
        ["unknown"],
    ),
]


@pytest.mark.parametrize("name, change, words", BAD_EDITS)
def test_a_bad_edit_is_reported_with_file_and_row(data_copy, name, change, words):
    edit(data_copy / name, change)
    with pytest.raises(ParameterError) as error:
        load_parameters(data_copy)
    for word in words:
        assert word in str(error.value)


def test_a_missing_or_broken_file_is_reported(data_copy):
    (data_copy / "rates.yml").unlink()
    with pytest.raises(ParameterError, match="rates.yml: file not found"):
        load_parameters(data_copy)
    (data_copy / "rates.yml").write_text("machine_rates: [unclosed", encoding="utf-8")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_parameters(data_copy)


def test_machine_rates_are_configurable_through_another_data_directory(
    data_copy, monkeypatch, params
):
    edit(
        data_copy / "rates.yml",
        lambda d: d["machine_rates_sek_per_hour"]["rates"].__setitem__("cnc", [1400, 2200]),
    )
    monkeypatch.setenv("TILLVERKA_STRATEGY_DATA", str(data_copy))
    mine = load_parameters()
    assert mine.rates.machine_rates["cnc"] == (1400, 2200)
    cnc_default = Route(params.processes["cnc_machining"], None, ("aluminium",))
    cnc_mine = Route(mine.processes["cnc_machining"], None, ("aluminium",))
    assert CostModel(mine).unit_cost(cnc_mine, 100, 0.5) > CostModel(params).unit_cost(
        cnc_default, 100, 0.5
    )
