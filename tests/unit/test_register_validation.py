"""Validation of register CSV files: what a maintainer reads for each mistake, in sv and en."""

from __future__ import annotations

from datetime import date

import pytest

from bot.register.csv_import import parse_csv
from bot.register.record import county_long_name, format_number
from bot.register.validation import CSV_COLUMNS, RowError, normalise_county
from bot.vocabulary import COUNTIES
from tests.unit.register_fixtures import csv_text, numbered_rows, row


def only_error(data: str | bytes) -> RowError:
    parsed = parse_csv(data)
    assert parsed.manufacturers == []
    assert len(parsed.errors) == 1, [e.message("en") for e in parsed.errors]
    return parsed.errors[0]


def test_a_valid_row_becomes_a_manufacturer():
    parsed = parse_csv(csv_text([row()]))
    assert parsed.errors == []
    (m,) = parsed.manufacturers
    assert m.id == "m-00001"
    assert m.county == "Jönköping"
    assert m.processes == ("cnc_machining",)
    assert m.materials == ("aluminium", "steel")
    assert m.tolerances == {"cnc_machining": 0.02}
    assert (m.batch_min, m.batch_max, m.annual_capacity) == (1, 1000, 10000)
    assert m.free_capacity_share == 0.3
    assert m.free_capacity_date == date(2026, 10, 1)
    assert m.lead_time_weeks == 2.0
    assert m.certifications == ("iso_9001",)
    assert m.sample_data is True
    assert m.to_payload()["free_capacity_date"] == "2026-10-01"
    assert m.to_payload()["processes"] == ["cnc_machining"]


def test_values_are_read_generously_and_normalised():
    loose = row(
        county="jönköpings län",
        municipality="  Gnosjö ",
        processes="CNC Machining; Welding-Assembly",
        materials="Aluminium;STEEL;steel",
        tolerances="cnc_machining:0,01;welding_assembly:1",
        batch_max="10 000",
        annual_capacity="50000",
        free_capacity_share="45%",
        certifications="ISO 9001;EN 1090",
        contact="+46 370-123 45",
        sample_data="",
    )
    (m,) = parse_csv(csv_text([loose])).manufacturers
    assert m.county == "Jönköping"
    assert m.municipality == "Gnosjö"
    assert m.processes == ("cnc_machining", "welding_assembly")
    assert m.materials == ("aluminium", "steel")
    assert m.tolerances == {"cnc_machining": 0.01, "welding_assembly": 1.0}
    assert m.batch_max == 10000
    assert m.free_capacity_share == pytest.approx(0.45)
    assert m.certifications == ("iso_9001", "en_1090")
    assert m.sample_data is False


@pytest.mark.parametrize(
    "written",
    ["Jönköping", "jönköping", "JÖNKÖPING", "Jönköpings län", "Jönköping län", "Jönköping County"],
)
def test_county_spellings_are_accepted(written):
    assert normalise_county(written) == "Jönköping"


@pytest.mark.parametrize("county", COUNTIES)
def test_every_county_by_its_official_name(county):
    assert normalise_county(county_long_name(county, "sv")) == county
    assert normalise_county(county.upper()) == county


def test_county_long_names():
    assert county_long_name("Skåne", "sv") == "Skåne län"
    assert county_long_name("Västra Götaland", "sv") == "Västra Götalands län"
    assert county_long_name("Dalarna", "en") == "Dalarna County"


# field, bad value(s), reason, Swedish and English words the message must contain
BAD_CASES = [
    ({"name": ""}, "name", "required", "måste fyllas i", "is required"),
    ({"county": "Skane"}, "county", "unknown_value", "menade du Skåne?", "did you mean Skåne?"),
    ({"county": "Atlantis"}, "county", "unknown_value", "giltiga värden: Stockholm", "valid values: Stockholm"),
    ({"processes": "cnc_machning", "tolerances": "cnc_machning:0.02"}, "processes", "unknown_value",
     "okänt värde 'cnc_machning' – menade du cnc_machining?", "unknown value 'cnc_machning' – did you mean cnc_machining?"),
    ({"materials": "aluminum"}, "materials", "unknown_value", "menade du aluminium?", "did you mean aluminium?"),
    ({"certifications": "iso 9002"}, "certifications", "unknown_value", "menade du iso_9001", "did you mean iso_9001"),
    ({"tolerances": "cnc_machining:20"}, "tolerances", "out_of_range", "cnc_machining:20 ligger utanför det rimliga intervallet 0,001–10", "cnc_machining:20 is outside the sane range 0.001–10"),
    ({"processes": "cnc_machining;sheet_metal"}, "tolerances", "tolerance_missing", "toleransen för sheet_metal saknas", "no tolerance for sheet_metal"),
    ({"tolerances": "cnc_machining:0.02;sheet_metal:0.2"}, "tolerances", "tolerance_unlisted", "tolerans för sheet_metal, som inte finns i processes", "tolerance given for sheet_metal, which is not in processes"),
    ({"tolerances": "cnc_machining=0.02"}, "tolerances", "bad_tolerance_entry", "ska skrivas process:mm", "should read process:mm"),
    ({"tolerances": "cnc_machining:0.02;cnc_machining:0.05"}, "tolerances", "tolerance_duplicate", "har mer än en tolerans", "has more than one tolerance"),
    ({"batch_min": 500, "batch_max": 100}, "batch_max", "batch_order", "batch_min (500) är större än batch_max (100)", "batch_min (500) is larger than batch_max (100)"),
    ({"batch_min": "ett"}, "batch_min", "not_a_number", "'ett' är inte ett tal", "'ett' is not a number"),
    ({"batch_min": "2.5"}, "batch_min", "not_an_integer", "inte ett heltal", "not a whole number"),
    ({"batch_min": "0"}, "batch_min", "out_of_range", "0 ligger utanför", "0 is outside"),
    ({"annual_capacity": "-5"}, "annual_capacity", "out_of_range", "-5 ligger utanför", "-5 is outside"),
    ({"batch_min": 200, "batch_max": 1000, "annual_capacity": 100}, "annual_capacity", "capacity_below_batch",
     "annual_capacity (100) är mindre än batch_min (200)", "annual_capacity (100) is smaller than batch_min (200)"),
    ({"free_capacity_share": "1.5"}, "free_capacity_share", "out_of_range", "1.5 ligger utanför det rimliga intervallet 0–1", "1.5 is outside the sane range 0–1"),
    ({"free_capacity_date": "2026-13-01"}, "free_capacity_date", "bad_date", "ÅÅÅÅ-MM-DD", "YYYY-MM-DD"),
    ({"free_capacity_date": "1.10.2026"}, "free_capacity_date", "bad_date", "'1.10.2026' är inget giltigt datum", "'1.10.2026' is not a valid date"),
    ({"lead_time_weeks": "200"}, "lead_time_weeks", "out_of_range", "0–104", "0–104"),
    ({"contact": "ring Anna"}, "contact", "bad_contact", "varken en e-postadress", "neither an email address"),
    ({"sample_data": "kanske"}, "sample_data", "bad_bool", "true eller false", "true or false"),
    ({"id": "m 1"}, "id", "bad_id", "får bara innehålla", "may only contain"),
    ({"name": "x" * 201}, "name", "too_long", "längre än 200 tecken", "longer than 200 characters"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "column", "reason", "sv", "en"), BAD_CASES)
def test_each_bad_value_is_reported_with_line_and_reason(overrides, column, reason, sv, en):
    # line 1 header, line 2 a good row, line 3 the bad one
    good, bad = numbered_rows(2)
    bad.update({k: str(v) for k, v in overrides.items()})
    error = only_error(csv_text([good, bad]))
    assert (error.line, error.field, error.reason) == (3, column, reason)
    assert error.message("sv").startswith(f"Rad 3, {column}: ")
    assert sv in error.message("sv")
    assert error.message("en").startswith(f"Line 3, {column}: ")
    assert en in error.message("en")
    assert str(error) == error.message("en")


def test_all_errors_of_a_row_and_every_bad_row_are_reported():
    rows = numbered_rows(5)
    rows[1].update(county="Smoland", lead_time_weeks="-1")  # line 3
    rows[3].update(contact="")  # line 5
    errors = parse_csv(csv_text(rows)).errors
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (3, "county", "unknown_value"),
        (3, "lead_time_weeks", "out_of_range"),
        (5, "contact", "required"),
    ]


def test_a_duplicate_id_names_the_first_line():
    first, second, third = numbered_rows(3)
    third["id"] = first["id"]
    error = only_error(csv_text([first, second, third]))
    assert (error.line, error.field, error.reason) == (4, "id", "duplicate_id")
    assert "id 'm-00001' används redan på rad 2" in error.message("sv")
    assert "id 'm-00001' is already used on line 2" in error.message("en")


def test_line_numbers_are_physical_lines():
    rows = numbered_rows(3)
    rows[0]["name"] = "Testdals\nMekaniska"  # a quoted value over two lines: lines 2-3
    rows[2]["county"] = "Atlantis"
    text = csv_text(rows[:2]) + "\n" + csv_text(rows[2:]).split("\n", 1)[1]  # blank line 5
    error = only_error(text)
    assert error.line == 6


def test_a_row_with_too_few_columns():
    text = csv_text(numbered_rows(1)) + "m-00002,Kort rad\n"
    error = only_error(text)
    assert (error.line, error.reason) == (3, "column_count")
    assert "raden har 2 kolumner men rubrikraden har 16" in error.message("sv")
    assert "the row has 2 columns but the header has 16" in error.message("en")


def test_columns_may_come_in_any_order():
    columns = tuple(reversed(CSV_COLUMNS))
    parsed = parse_csv(csv_text(numbered_rows(2), columns))
    assert parsed.errors == []
    assert [m.id for m in parsed.manufacturers] == ["m-00001", "m-00002"]


@pytest.mark.parametrize("data", ["", b"", "\n\n  \n", "\ufeff"])
def test_an_empty_file(data):
    error = only_error(data)
    assert (error.line, error.field, error.reason) == (1, "file", "empty_file")
    assert error.message("sv") == "Rad 1, file: filen är tom"
    assert error.message("en") == "Line 1, file: the file is empty"


def test_a_file_with_only_the_header():
    error = only_error(",".join(CSV_COLUMNS) + "\n")
    assert (error.line, error.reason) == (2, "no_rows")
    assert "bara rubrikraden" in error.message("sv")
    assert "only the header" in error.message("en")


def test_a_wrong_header_says_what_is_missing_and_unknown():
    text = csv_text(numbered_rows(1)).replace("lead_time_weeks", "leadtime", 1)
    error = only_error(text)
    assert (error.line, error.field, error.reason) == (1, "header", "bad_header")
    assert "saknas: lead_time_weeks; okända: leadtime" in error.message("sv")
    assert "missing: lead_time_weeks; unknown: leadtime" in error.message("en")
    assert ",".join(CSV_COLUMNS) in error.message("en")


def test_a_missing_header():
    text = csv_text(numbered_rows(2)).split("\n", 1)[1]
    error = only_error(text)
    assert (error.line, error.reason) == (1, "missing_header")
    assert error.message("sv").startswith(
        "Rad 1, header: första raden ska vara rubrikraden: id,name,"
    )
    assert error.message("en").startswith(
        "Line 1, header: the first line must be the header: id,name,"
    )


def test_semicolons_between_columns_get_an_excel_hint():
    error = only_error(";".join(CSV_COLUMNS) + "\nm-1;Test\n")
    assert error.reason == "semicolon_delimiter"
    assert "CSV UTF-8" in error.message("sv") and "semikolon" in error.message("sv")
    assert "semicolons" in error.message("en")


def test_bytes_with_and_without_bom_are_read_as_utf8():
    text = csv_text(numbered_rows(1, municipality="Värnamo"))
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), "\ufeff" + text):
        (m,) = parse_csv(data).manufacturers
        assert m.municipality == "Värnamo"


def test_a_latin1_file_is_refused_with_the_line_of_the_first_bad_byte():
    rows = numbered_rows(3, county="Halland", municipality="Halmstad")
    rows[2]["name"] = "Testdals Plåt 3"
    error = only_error(csv_text(rows).encode("latin-1"))
    assert (error.line, error.field, error.reason) == (4, "file", "not_utf8")
    assert "inte sparad som UTF-8" in error.message("sv")
    assert "not saved as UTF-8" in error.message("en")


@pytest.mark.parametrize(
    ("value", "sv", "en"),
    [
        (0.05, "0,05", "0.05"),
        (12000, "12\u00a0000", "12,000"),
        (2.0, "2", "2"),
        (0.013, "0,013", "0.013"),
    ],
)
def test_format_number(value, sv, en):
    assert format_number(value, "sv") == sv
    assert format_number(value, "en") == en
