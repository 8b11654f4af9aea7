"""The register store on SQLite and PostgreSQL: round trips, search filters, paging, seeding."""

from __future__ import annotations

from datetime import date

import pytest

from bot.register.seed import SAMPLE_CSV, ensure_seeded
from bot.register.store import RegisterStore
from tests.unit.register_fixtures import BACKENDS, csv_text, make_store, numbered_rows, row


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    yield from make_store(request.param, tmp_path)


FIRMS = [
    # a CNC + welding shop in Gnosjö with ISO 9001 and EN 1090
    row(id="a-1", name="Åsdals Mekaniska 1", county="Jönköping", municipality="Gnosjö",
        processes="cnc_machining;welding_assembly", materials="aluminium;steel;stainless_steel",
        tolerances="cnc_machining:0.01;welding_assembly:1", certifications="iso_9001;en_1090"),
    # a sheet metal shop in Göteborg, no certificates
    row(id="b-2", name="Bergviks Plåt 2", county="Västra Götaland", municipality="Göteborg",
        processes="sheet_metal", materials="steel", tolerances="sheet_metal:0.2",
        certifications="", contact="+46 31 00 00 00"),
    # a plastics moulder in Malmö with ISO 13485
    row(id="c-3", name="Ekviks Plast 3", county="Skåne", municipality="Malmö",
        processes="injection_moulding", materials="abs;polypropylene",
        tolerances="injection_moulding:0.08", batch_min=500, batch_max=50000,
        annual_capacity=400000, certifications="iso_9001;iso_13485"),
    # a second CNC shop, looser, in Jönköping
    row(id="d-4", name="Dalby Precision 4", county="Jönköping", municipality="Värnamo",
        processes="cnc_machining", materials="aluminium", tolerances="cnc_machining:0.1",
        certifications="iso_14001", sample_data="false"),
]  # fmt: skip


@pytest.fixture
def filled(store):
    report = store.import_csv(csv_text(FIRMS))
    assert report.ok, report.summary()
    return store


def ids(records) -> list[str]:
    return [m.id for m in records]


def test_a_record_comes_back_exactly(filled):
    m = filled.get("a-1")
    assert m.name == "Åsdals Mekaniska 1"
    assert m.processes == ("cnc_machining", "welding_assembly")
    assert m.tolerances == {"cnc_machining": 0.01, "welding_assembly": 1.0}
    assert m.free_capacity_date == date(2026, 10, 1)
    assert m.certifications == ("iso_9001", "en_1090")
    assert filled.get("d-4").sample_data is False
    assert filled.get("nope") is None
    assert filled.count() == 4
    assert m.to_payload()["tolerances"] == {"cnc_machining": 0.01, "welding_assembly": 1.0}


def test_search_without_filters_pages_by_id(filled):
    assert ids(filled.search()) == ["a-1", "b-2", "c-3", "d-4"]
    assert ids(filled.search(limit=2)) == ["a-1", "b-2"]
    assert ids(filled.search(limit=2, offset=2)) == ["c-3", "d-4"]
    assert filled.search(offset=10) == []


def test_search_by_process_county_certification_and_tolerance(filled):
    assert ids(filled.search(processes=["cnc_machining"])) == ["a-1", "d-4"]
    assert ids(filled.search(processes=["cnc_machining", "sheet_metal"])) == ["a-1", "b-2", "d-4"]
    assert ids(filled.search(county="jönköpings län")) == ["a-1", "d-4"]
    assert ids(filled.search(certifications=["iso_9001"])) == ["a-1", "c-3"]
    assert ids(filled.search(certifications=["iso_9001", "iso_13485"])) == ["c-3"]
    assert ids(filled.search(processes=["cnc_machining"], max_tolerance_mm=0.05)) == ["a-1"]
    # the tolerance applies to the process asked for, not to another one the firm has
    assert filled.search(processes=["welding_assembly"], max_tolerance_mm=0.05) == []
    assert filled.search(processes=["die_casting"]) == []


def test_candidates_apply_materials_volume_and_certifications(filled):
    cnc = ["cnc_machining", "injection_moulding"]
    assert ids(filled.candidates(cnc, [])) == ["a-1", "c-3", "d-4"]
    assert ids(filled.candidates(cnc, [], materials=["stainless_steel"])) == ["a-1"]
    assert ids(filled.candidates(cnc, [], materials=["abs", "steel"])) == ["a-1", "c-3"]
    assert ids(filled.candidates(cnc, ["iso_13485"])) == ["c-3"]
    assert ids(filled.candidates(cnc, [], max_tolerance_mm=0.08)) == ["a-1", "c-3"]
    # c-3 moulds from 500 a batch: 100 a year is too few; 40,000 a year is too many for the
    # CNC shops (10,000 a year capacity, at least half the need required)
    assert ids(filled.candidates(cnc, [], annual_volume=100)) == ["a-1", "d-4"]
    assert ids(filled.candidates(cnc, [], annual_volume=40000)) == ["c-3"]
    assert filled.count_candidates(cnc, [], annual_volume=40000) == 1
    assert filled.candidates([], []) == [] and filled.count_candidates([], []) == 0


def test_get_many_keeps_the_order_asked_for(filled):
    assert ids(filled.get_many(["d-4", "a-1", "zz", "c-3"])) == ["d-4", "a-1", "c-3"]


def test_clear_removes_everything(filled):
    filled.clear()
    assert filled.count() == 0
    assert filled.search(processes=["cnc_machining"]) == []


def test_a_large_import_and_reimport(store):
    # enough rows to cross the 500-id chunks of the upsert
    report = store.import_csv(csv_text(numbered_rows(1200)))
    assert report.ok and store.count() == 1200
    again = store.import_csv(csv_text(numbered_rows(1200, lead_time_weeks=5)))
    assert (again.ok, again.updated) == (True, 1200)
    assert store.count() == 1200
    assert store.get("m-01200").lead_time_weeks == 5.0
    assert len(store.search(processes=["cnc_machining"], limit=1000)) == 1000


def test_ensure_seeded_fills_an_empty_register_once(store):
    assert ensure_seeded(store) == 300
    assert store.count() == 300
    assert ensure_seeded(store) == 0
    assert store.get("m-00001").sample_data is True


def test_ensure_seeded_leaves_a_real_register_alone(store):
    store.import_csv(csv_text([row(id="real-1", sample_data="false")]))
    assert ensure_seeded(store) == 0
    assert store.count() == 1


def test_the_sample_file_is_where_seed_looks():
    assert SAMPLE_CSV.is_file()


def test_default_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    store = RegisterStore()
    assert store.count() == 0
    assert (tmp_path / "env.db").exists()
    store.engine.dispose()
