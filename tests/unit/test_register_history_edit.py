"""The admins' register pages underneath: the import history, and editing one firm."""

from __future__ import annotations

import pytest

from bot.register.csv_import import csv_fields
from bot.register.history import ImportHistory
from bot.register.validation import validate_row
from tests.unit.register_fixtures import BACKENDS, csv_text, make_store, numbered_rows, row


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    yield from make_store(request.param, tmp_path)


@pytest.fixture
def register(store):
    report = store.import_csv(csv_text(numbered_rows(2)))
    assert report.ok
    return store


def url_of(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


# --- import history ----------------------------------------------------------------------------


def test_imports_are_listed_newest_first_with_who_and_how_it_went(store):
    history = ImportHistory(url_of(store))
    history.record(1, "Anna Berg", "firms.csv", 300, True, 0)
    history.record(2, "Bo Ek", "firms-fixed.csv", 0, False, 7)
    latest, first = history.list()
    assert (latest.user_name, latest.filename, latest.rows, latest.ok, latest.errors) == (
        "Bo Ek", "firms-fixed.csv", 0, False, 7
    )  # fmt: skip
    assert (first.user_id, first.ok, first.rows) == (1, True, 300)
    assert latest.at >= first.at and latest.at.tzinfo is not None


def test_the_history_keeps_only_the_file_name_and_can_be_limited(store):
    history = ImportHistory(url_of(store))
    history.record(None, "", "C:\\Users\\anna\\Desktop\\" + "f" * 300 + ".csv", 1, True, 0)
    for n in range(3):
        history.record(1, "Anna Berg", f"firms-{n}.csv", n, True, 0)
    assert [r.filename for r in history.list(limit=2)] == ["firms-2.csv", "firms-1.csv"]
    oldest = history.list()[-1]
    assert oldest.filename == ("f" * 300 + ".csv")[:255] and oldest.user_id is None


def test_an_empty_history_is_an_empty_list(store):
    assert ImportHistory(url_of(store)).list() == []


# --- editing one firm ----------------------------------------------------------------------------


def test_a_firms_values_come_back_as_the_text_of_its_csv_row(register):
    fields = register.row_fields("m-00001")
    assert fields == row()
    assert validate_row(1, fields) == (register.get("m-00001"), [])
    assert register.row_fields("m-99999") is None


def test_every_record_reads_back_as_itself():
    record, _ = validate_row(1, row(tolerances="cnc_machining:0.005", batch_max=12000000))
    assert validate_row(1, csv_fields(record)) == (record, [])
    assert csv_fields(record)["batch_max"] == "12000000"


def test_a_valid_edit_changes_what_search_finds(register):
    fields = register.row_fields("m-00001") | {
        "county": "Skåne län",
        "municipality": "Malmö",
        "processes": "cnc_machining;sheet_metal",
        "materials": "aluminium;steel",
        "tolerances": "cnc_machining:0,01;sheet_metal:0.2",
    }
    assert register.update_one("m-00001", fields) == []
    assert [m.id for m in register.search(county="Skåne")] == ["m-00001"]
    assert [m.id for m in register.search(county="Jönköping")] == ["m-00002"]
    assert [m.id for m in register.search(processes=["sheet_metal"])] == ["m-00001"]
    assert [m.id for m in register.search(max_tolerance_mm=0.01)] == ["m-00001"]
    assert register.get("m-00001").municipality == "Malmö" and register.count() == 2


def test_dropping_a_process_stops_it_being_found(register):
    both = {
        "processes": "cnc_machining;sheet_metal",
        "tolerances": "cnc_machining:0.02;sheet_metal:0.2",
    }
    assert register.update_one("m-00001", register.row_fields("m-00001") | both) == []
    fields = register.row_fields("m-00001") | {
        "processes": "sheet_metal",
        "tolerances": "sheet_metal:0.2",
    }
    assert register.update_one("m-00001", fields) == []
    assert [m.id for m in register.search(processes=["cnc_machining"])] == ["m-00002"]


@pytest.mark.parametrize(
    ("changes", "field", "sv", "en"),
    [
        ({"processes": "cnc_machinning", "tolerances": "cnc_machinning:0.02"}, "processes",
         "menade du cnc_machining?", "did you mean cnc_machining?"),
        ({"tolerances": "cnc_machining:fine"}, "tolerances",
         "ska skrivas process:mm", "should read process:mm"),
        ({"tolerances": "cnc_machining:50"}, "tolerances",
         "utanför det rimliga intervallet", "outside the sane range"),
        ({"batch_min": "many"}, "batch_min", "'many' är inte ett tal", "'many' is not a number"),
        ({"name": ""}, "name", "fältet måste fyllas i", "this field is required"),
        ({"id": "m-00002"}, "id", "id kan inte ändras", "the id can't be changed"),
    ],
)  # fmt: skip
def test_an_invalid_edit_says_what_is_wrong_and_changes_nothing(register, changes, field, sv, en):
    before = register.get("m-00001")
    errors = register.update_one("m-00001", register.row_fields("m-00001") | changes)
    assert [e.field for e in errors] == [field]
    assert errors[0].message("sv").startswith(f"Rad 1, {field}: ") and sv in errors[0].message("sv")
    assert errors[0].message("en").startswith(f"Line 1, {field}: ") and en in errors[0].message(
        "en"
    )
    assert register.get("m-00001") == before and register.get("m-00002").name.endswith("2")


def test_an_edit_reports_every_problem_at_once(register):
    errors = register.update_one("m-00001", {"name": "Only a name"})
    assert {"county", "processes", "batch_min", "contact"} <= {e.field for e in errors}
    assert register.get("m-00001").name == "Testdals Mekaniska 1"


def test_the_id_comes_from_the_address_not_the_form(register):
    fields = register.row_fields("m-00001")
    del fields["id"]
    assert register.update_one("m-00001", fields | {"name": "Nytt Namn AB", "csrf": "x"}) == []
    assert register.get("m-00001").name == "Nytt Namn AB"
    assert [e.reason for e in register.update_one("bad id!", fields)] == ["bad_id"]
