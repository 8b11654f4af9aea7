"""Importing a register file: all rows or none, upsert by id, any encoding a maintainer sends."""

from __future__ import annotations

import pytest

from tests.unit.register_fixtures import BACKENDS, csv_text, make_store, numbered_rows, row


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    yield from make_store(request.param, tmp_path)


def test_a_good_file_is_imported(store):
    report = store.import_csv(csv_text(numbered_rows(50)))
    assert (report.ok, report.imported, report.errors, report.updated) == (True, 50, [], 0)
    assert store.count() == 50
    assert report.summary("sv") == "50 tillverkare importerade (0 uppdaterade)."
    assert report.summary("en") == "Imported 50 manufacturers (0 updated)."


def test_one_bad_row_in_fifty_imports_nothing_and_names_that_row(store):
    rows = numbered_rows(50)
    rows[36]["tolerances"] = "cnc_machining:0.0001"  # row 37 is line 38
    report = store.import_csv(csv_text(rows))
    assert (report.ok, report.imported) == (False, 0)
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (38, "tolerances", "out_of_range")
    ]
    assert store.count() == 0
    assert report.summary("sv").splitlines() == [
        "Inget importerades, filen har fel:",
        "Rad 38, tolerances: cnc_machining:0.0001 ligger utanför det rimliga intervallet 0,001–10",
    ]
    assert report.summary("en").splitlines()[0] == "Nothing was imported; the file has errors:"


def test_a_bad_update_leaves_the_register_as_it_was(store):
    store.import_csv(csv_text(numbered_rows(3)))
    update = numbered_rows(4, lead_time_weeks=9)
    update[3]["county"] = "Atlantis"
    report = store.import_csv(csv_text(update))
    assert not report.ok
    assert store.count() == 3
    assert store.get("m-00001").lead_time_weeks == 2.0


def test_an_import_updates_by_id_and_adds_new_ones(store):
    store.import_csv(csv_text(numbered_rows(3)))
    changed = row(
        id="m-00002",
        name="Testdals Plåt 2",
        processes="sheet_metal;welding_assembly",
        tolerances="sheet_metal:0.2;welding_assembly:1",
        certifications="",
        contact="https://www.m-00002.example",
    )
    added = row(id="m-00010", contact="kontakt@m-00010.example")
    report = store.import_csv(csv_text([changed, added]))
    assert (report.ok, report.imported, report.updated) == (True, 2, 1)
    assert store.count() == 4
    m = store.get("m-00002")
    assert m.name == "Testdals Plåt 2"
    assert m.processes == ("sheet_metal", "welding_assembly")
    assert m.certifications == ()
    # the process index follows the update: no stale CNC row for m-00002
    assert [x.id for x in store.search(processes=["cnc_machining"])] == [
        "m-00001",
        "m-00003",
        "m-00010",
    ]
    assert [x.id for x in store.search(processes=["sheet_metal"])] == ["m-00002"]


def test_bytes_with_a_bom_and_windows_line_endings(store):
    text = csv_text(numbered_rows(2, municipality="Värnamo")).replace("\n", "\r\n")
    report = store.import_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert report.ok, report.summary()
    assert store.get("m-00002").municipality == "Värnamo"


def test_a_file_that_is_not_utf8_writes_nothing(store):
    report = store.import_csv(csv_text(numbered_rows(2, municipality="Värnamo")).encode("cp1252"))
    assert (report.ok, report.imported, store.count()) == (False, 0, 0)
    assert report.errors[0].reason == "not_utf8"
    assert "CSV UTF-8" in report.summary("sv")


def test_an_empty_or_header_only_file_writes_nothing(store):
    for data in ("", csv_text([])):
        report = store.import_csv(data)
        assert not report.ok
        assert store.count() == 0


def test_the_summary_shows_the_first_errors_and_counts_the_rest(store):
    report = store.import_csv(csv_text(numbered_rows(30, county="Atlantis")))
    lines = report.summary("sv", max_errors=20).splitlines()
    assert len(lines) == 22
    assert lines[-1] == "… och 10 fel till."
    assert report.summary("en", max_errors=20).splitlines()[-1] == "… and 10 more errors."
