"""The map of supply and demand: what founders asked for against what the register offers."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.db import get_engine
from bot.demand import demand_supply
from bot.leads import LeadStore
from bot.register.store import RegisterStore
from tests.unit.postgres_schema import BACKENDS, database_url
from tests.unit.register_fixtures import csv_text, row

FIRMS = [  # fictional
    row(id="m-1", county="Jönköping", processes="cnc_machining", materials="aluminium;steel",
        tolerances="cnc_machining:0.01", batch_min=1, batch_max=1000, annual_capacity=10000),
    row(id="m-2", county="Skåne", processes="sheet_metal;welding_assembly",
        materials="steel;stainless_steel", tolerances="sheet_metal:0.2;welding_assembly:0.5",
        batch_min=10, batch_max=5000, annual_capacity=50000),
    row(id="m-3", county="Stockholm", processes="injection_moulding", materials="abs;polypropylene",
        tolerances="injection_moulding:0.05", batch_min=1000, batch_max=100000,
        annual_capacity=1000000),
    row(id="m-4", county="Jönköping", processes="fdm", materials="pla;petg",
        tolerances="fdm:0.3", batch_min=1, batch_max=50, annual_capacity=2000),
]  # fmt: skip


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def lead(leads, conversation_id, path, matches, **profile):
    leads.save_recommendation(conversation_id, "sv", profile, path, [{"id": "m"}] * matches)


@pytest.fixture
def asked(url):
    """A register of four firms and five founders who got a recommendation (one who didn't)."""
    assert RegisterStore(url).import_csv(csv_text(FIRMS)).ok
    leads = LeadStore(url)
    lead(
        leads,
        "c1",
        "prototype",
        1,
        product_description="Cykelhållare",
        process="cnc_machining",
        material="aluminium",
        tolerance_mm=0.02,
        annual_volume=20,
        region="Jönköping",
    )
    lead(
        leads,
        "c2",
        "pilot",
        0,
        product_description="Sensorhus",
        process="cnc_machining",
        material="steel",
        tolerance_mm=0.005,
        annual_volume=500,
        region="skåne",
    )
    lead(
        leads,
        "c3",
        "full_scale",
        3,
        process="injection_moulding",
        material="plastic",
        tolerance_mm=0.1,
        annual_volume=20000,
        region="Stockholm",
    )
    lead(leads, "c4", "pilot", 0, material="bambu")
    lead(
        leads,
        "c6",
        "prototype",
        5,
        process="Sheet metal",
        tolerance_mm=2.0,
        annual_volume=5,
        region="anywhere",
    )
    leads.request_handoff("c5", "en", "I want to talk to a person")  # no recommendation
    return url


def by_key(rows):
    return {r.key: (r.demand, r.supply) for r in rows}


def test_only_leads_with_a_recommendation_count(asked):
    assert demand_supply(asked).total_leads == 5


def test_paths_in_their_order_with_firms_fitting_the_stages_volumes(asked):
    rows = demand_supply(asked).by_path
    assert [r.key for r in rows] == ["prototype", "pilot", "full_scale"]
    assert by_key(rows) == {"prototype": (2, 3), "pilot": (2, 4), "full_scale": (1, 3)}
    assert (rows[1].label_sv, rows[1].label_en) == (
        "nollserie (pilotserie)",
        "pilot series (nollserie)",
    )


def test_processes_most_asked_first_with_every_process_of_the_vocabulary(asked):
    rows = demand_supply(asked).by_process
    assert [r.key for r in rows[:3]] == ["cnc_machining", "injection_moulding", "sheet_metal"]
    assert rows[0].label_sv == "CNC-bearbetning" and rows[0].label_en == "CNC machining"
    counts = by_key(rows)
    assert counts["cnc_machining"] == (2, 1) and counts["sheet_metal"] == (1, 1)
    assert counts["fdm"] == (0, 1) and counts["sla"] == (0, 0)
    assert counts["unspecified"] == (1, 4)  # "any process" can go to every firm
    assert rows[-1].label_en == "not stated" and rows[-1].label_sv == "inte angivet"


def test_materials_count_families_and_free_text(asked):
    rows = demand_supply(asked).by_material
    counts = by_key(rows)
    assert counts["aluminium"] == (1, 1) and counts["steel"] == (1, 2)
    assert counts["plastic"] == (1, 1)  # any plastic: only m-3 moulds ABS and PP
    assert counts["other"] == (1, 0) and counts["unspecified"] == (1, 4)
    assert "metal" not in counts  # a family shows only when somebody asked for it
    assert next(r for r in rows if r.key == "other").label_en == "other (free text)"


def test_tolerance_bands_count_firms_holding_the_band(asked):
    rows = demand_supply(asked).by_tolerance
    assert [r.key for r in rows] == ["0.01", "0.05", "0.1", "0.5", "coarser", "unspecified"]
    assert [(r.demand, r.supply) for r in rows] == [(1, 1), (1, 2), (1, 2), (0, 4), (1, 4), (1, 4)]
    assert rows[0].label_sv == "±0,01 mm eller snävare" and rows[1].label_en == "±0.01–0.05 mm"
    assert rows[4].label_en == "coarser than ±0.5 mm"


def test_volume_bands_count_firms_whose_batches_fit(asked):
    rows = demand_supply(asked).by_volume
    assert [r.key for r in rows] == ["1-50", "51-1000", "1001-10000", "10001+", "unspecified"]
    assert [(r.demand, r.supply) for r in rows] == [(2, 3), (1, 4), (0, 4), (1, 3), (1, 4)]
    assert (rows[1].label_sv, rows[1].label_en) == ("51–1\u00a0000 per år", "51–1,000 a year")
    assert rows[3].label_en == "more than 10,000 a year"


def test_regions_by_county_with_anywhere_as_not_stated(asked):
    rows = demand_supply(asked).by_region
    counts = by_key(rows)
    assert counts["Jönköping"] == (1, 2) and counts["Skåne"] == (1, 1)
    assert counts["Gotland"] == (0, 0) and counts["unspecified"] == (2, 4)
    assert len(rows) == 21 + 1
    jonkoping = next(r for r in rows if r.key == "Jönköping")
    assert (jonkoping.label_sv, jonkoping.label_en) == ("Jönköpings län", "Jönköping County")


def test_gaps_are_leads_with_few_matches_fewest_first(asked):
    gaps = demand_supply(asked, few=2).gaps
    assert [(g.conversation_id, g.match_count) for g in gaps] == [("c4", 0), ("c2", 0), ("c1", 1)]
    c2 = gaps[1]
    assert (c2.product, c2.path, c2.process, c2.material, c2.tolerance_mm, c2.annual_volume) == (
        "Sensorhus", "pilot", "cnc_machining", "steel", 0.005, 500
    )  # fmt: skip
    assert [g.conversation_id for g in demand_supply(asked, few=0, gap_limit=1).gaps] == ["c4"]
    assert demand_supply(asked, few=-1).gaps == []


def test_an_empty_database_is_an_empty_map(url):
    report = demand_supply(url)
    assert report.total_leads == 0 and report.gaps == []
    assert all(r.demand == 0 and r.supply == 0 for r in report.by_process + report.by_tolerance)
    assert [r.key for r in report.by_volume] == ["1-50", "51-1000", "1001-10000", "10001+"]


def test_the_work_is_done_in_a_fixed_number_of_queries(asked):
    """Counting happens in SQL: more leads and firms don't mean more round trips."""
    engine = get_engine(asked)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        demand_supply(asked)
        few = len(statements)
        leads = LeadStore(asked)
        for n in range(40):
            lead(leads, f"more-{n}", "pilot", n % 4, process="fdm", material="pla", annual_volume=n)
        many = [row(id=f"x-{n}", contact=f"kontakt@x-{n}.example") for n in range(40)]
        assert RegisterStore(asked).import_csv(csv_text(many)).ok
        statements.clear()
        demand_supply(asked)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == few
