"""Checks one register CSV row and turns it into a Manufacturer, or says (in sv and en) what is wrong.

Maintainers type these files by hand or export them from Excel, so values are read generously
(case, "ISO 9001" for iso_9001, "Jönköpings län" for Jönköping, decimal comma, "45%") and
every problem is reported with its line, column and a suggestion where one is close.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.register.record import Manufacturer, format_number
from bot.vocabulary import CERTIFICATIONS, COUNTIES, MATERIALS, PROCESSES

CSV_COLUMNS = (
    "id",
    "name",
    "county",
    "municipality",
    "processes",
    "materials",
    "tolerances",
    "batch_min",
    "batch_max",
    "annual_capacity",
    "free_capacity_share",
    "free_capacity_date",
    "lead_time_weeks",
    "certifications",
    "contact",
    "sample_data",
)
LIST_SEPARATOR = ";"

# Sanity limits: a value outside these is a typo, not a manufacturer.
TOLERANCE_RANGE_MM = (0.001, 10.0)
LEAD_TIME_RANGE_WEEKS = (0.0, 104.0)
MAX_UNITS = 100_000_000
DATE_YEARS = (2000, 2100)
MAX_LENGTHS = {"name": 200, "municipality": 100, "contact": 200}

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^(https?://|www\.)\S+\.\S+$", re.IGNORECASE)
_PHONE_RE = re.compile(r"^\+?[\d\s()-]{6,24}$")
_TRUE = {"true", "1", "yes", "ja", "sant", "y", "j"}
_FALSE = {"false", "0", "no", "nej", "falskt", "n", ""}

# reason code -> (Swedish, English); {placeholders} come from RowError.detail, formatted per language
_TEXTS: dict[str, tuple[str, str]] = {
    "required": ("fältet måste fyllas i", "this field is required"),
    "unknown_value": ("okänt värde '{value}'{hint}", "unknown value '{value}'{hint}"),
    "not_a_number": ("'{value}' är inte ett tal", "'{value}' is not a number"),
    "not_an_integer": ("'{value}' är inte ett heltal", "'{value}' is not a whole number"),
    "out_of_range": (
        "{value} ligger utanför det rimliga intervallet {low}–{high}",
        "{value} is outside the sane range {low}–{high}",
    ),
    "batch_order": (
        "batch_min ({batch_min}) är större än batch_max ({batch_max})",
        "batch_min ({batch_min}) is larger than batch_max ({batch_max})",
    ),
    "capacity_below_batch": (
        "annual_capacity ({annual_capacity}) är mindre än batch_min ({batch_min})",
        "annual_capacity ({annual_capacity}) is smaller than batch_min ({batch_min})",
    ),
    "bad_date": (
        "'{value}' är inget giltigt datum i formen ÅÅÅÅ-MM-DD",
        "'{value}' is not a valid date like YYYY-MM-DD",
    ),
    "bad_tolerance_entry": (
        "'{value}' ska skrivas process:mm, till exempel cnc_machining:0.01",
        "'{value}' should read process:mm, for example cnc_machining:0.01",
    ),
    "tolerance_missing": (
        "toleransen för {process} saknas (varje process ska ha sin bästa tolerans)",
        "no tolerance for {process} (every process needs its best tolerance)",
    ),
    "tolerance_unlisted": (
        "tolerans för {process}, som inte finns i processes",
        "tolerance given for {process}, which is not in processes",
    ),
    "tolerance_duplicate": (
        "{process} har mer än en tolerans",
        "{process} has more than one tolerance",
    ),
    "duplicate_id": (
        "id '{value}' används redan på rad {first_line}",
        "id '{value}' is already used on line {first_line}",
    ),
    "id_changed": (
        "id kan inte ändras här ('{value}' i stället för '{id}'); importera en CSV-fil för att byta id",
        "the id can't be changed here ('{value}' instead of '{id}'); import a CSV file to change ids",
    ),
    "bad_id": (
        "id '{value}' får bara innehålla bokstäver a–z, siffror, '-', '_' och '.' (högst 64 tecken)",
        "id '{value}' may only contain letters a–z, digits, '-', '_' and '.' (at most 64 characters)",
    ),
    "too_long": ("texten är längre än {max} tecken", "the text is longer than {max} characters"),
    "bad_contact": (
        "'{value}' är varken en e-postadress, ett telefonnummer eller en webbadress",
        "'{value}' is neither an email address, a phone number nor a web address",
    ),
    "bad_bool": ("'{value}' ska vara true eller false", "'{value}' should be true or false"),
    "column_count": (
        "raden har {found} kolumner men rubrikraden har {expected}",
        "the row has {found} columns but the header has {expected}",
    ),
    "empty_file": ("filen är tom", "the file is empty"),
    "no_rows": (
        "filen har bara rubrikraden och inga tillverkare",
        "the file has only the header and no manufacturers",
    ),
    "not_utf8": (
        "filen är inte sparad som UTF-8 (ogiltig byte på position {position}); spara den som 'CSV UTF-8'",
        "the file is not saved as UTF-8 (invalid byte at position {position}); save it as 'CSV UTF-8'",
    ),
    "csv_syntax": (
        "raden går inte att läsa som CSV ({error})",
        "the row can't be read as CSV ({error})",
    ),
    "missing_header": (
        "första raden ska vara rubrikraden: {expected}",
        "the first line must be the header: {expected}",
    ),
    "bad_header": (
        "rubrikraden stämmer inte{details}; den ska vara: {expected}",
        "the header is wrong{details}; it should be: {expected}",
    ),
    "semicolon_delimiter": (
        "kolumnerna är åtskilda med semikolon (som svenska Excel gör); spara som 'CSV UTF-8' med komma mellan kolumnerna",
        "the columns are separated by semicolons (as Swedish Excel does); save as 'CSV UTF-8' with commas between columns",
    ),
}


@dataclass(frozen=True)
class RowError:
    """One problem in an import. `line` is the physical line in the file (the header is line 1);
    `field` is a column name, or "header"/"file"; `reason` is a stable code (see _TEXTS)."""

    line: int
    field: str
    reason: str
    detail: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)

    def message(self, lang: str = "en") -> str:
        """The whole sentence a maintainer reads, e.g. "Rad 7, county: okänt värde 'Smoland' – ..."."""
        sv, en = _TEXTS.get(self.reason, (self.reason, self.reason))
        values = {key: _format_detail(value, lang) for key, value in self.detail.items()}
        values.setdefault("hint", _hint(self.detail, lang))
        values.setdefault("details", _header_details(self.detail, lang))
        text = (sv if lang == "sv" else en).format_map(_Blank(values))
        where = f"Rad {self.line}" if lang == "sv" else f"Line {self.line}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {text}"

    def __str__(self) -> str:
        return self.message("en")


class _Blank(dict):
    """format_map that leaves a missing placeholder empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""


def _format_detail(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return format_number(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _hint(detail: Mapping[str, object], lang: str) -> str:
    suggestions = detail.get("suggestions")
    if suggestions:
        text = ", ".join(suggestions)
        return f" – menade du {text}?" if lang == "sv" else f" – did you mean {text}?"
    allowed = detail.get("allowed")
    if allowed:
        text = ", ".join(allowed)
        return f" – giltiga värden: {text}" if lang == "sv" else f" – valid values: {text}"
    return ""


def _header_details(detail: Mapping[str, object], lang: str) -> str:
    parts = []
    labels = {
        "missing": ("saknas", "missing"),
        "unknown": ("okända", "unknown"),
        "duplicated": ("dubbla", "duplicated"),
    }
    for key, (sv, en) in labels.items():
        if detail.get(key):
            parts.append(f"{sv if lang == 'sv' else en}: {', '.join(detail[key])}")
    return f" ({'; '.join(parts)})" if parts else ""


# --- normalising values --------------------------------------------------------------------


_SEPARATORS_RE = re.compile(r"[\s-]+")
_COUNTY_KEYS = {county.casefold(): county for county in COUNTIES}


def clean_text(text: str | None) -> str:
    """Trimmed, single-spaced, NFC (a Mac may send 'å' as 'a' + ring)."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def normalise_id(text: str) -> str:
    """'ISO 9001' -> 'iso_9001', 'CNC-Machining' -> 'cnc_machining'."""
    return _SEPARATORS_RE.sub("_", clean_text(text).casefold())


def normalise_county(text: str | None) -> str | None:
    """The COUNTIES spelling of a län: accepts any case and "X län", "Xs län", "X County"."""
    key = clean_text(text).casefold()
    for suffix in (" län", " county"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    # no county name ends in s, so a trailing s is the genitive ("Jönköpings")
    return _COUNTY_KEYS.get(key) or (_COUNTY_KEYS.get(key[:-1]) if key.endswith("s") else None)


def suggest(value: str, vocabulary: Iterable[str], n: int = 3) -> list[str]:
    """Close vocabulary entries for a misspelt value: similar spelling, or containing it."""
    keyed = {normalise_id(v): v for v in vocabulary}
    key = normalise_id(value)
    close = [keyed[c] for c in difflib.get_close_matches(key, list(keyed), n=n, cutoff=0.6)]
    if len(key) >= 3:
        close += [v for k, v in keyed.items() if key in k and v not in close]
    return close[:n]


def parse_number(text: str) -> float | None:
    """'12 000' -> 12000.0, '0,05' -> 0.05; None if it is no finite number."""
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in compact and "." not in compact:
        compact = compact.replace(",", ".")
    try:
        value = float(compact)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def split_list(text: str) -> list[str]:
    return [part for part in (clean_text(p) for p in text.split(LIST_SEPARATOR)) if part]


# --- one row -------------------------------------------------------------------------------


class _RowChecker:
    """Collects every error of one row, so a maintainer can fix a row in one go."""

    def __init__(self, line: int, row: Mapping[str, str]):
        self.line = line
        self.row = {key: clean_text(value) for key, value in row.items()}
        self.errors: list[RowError] = []

    def error(self, column: str, reason: str, **detail: object) -> None:
        self.errors.append(RowError(self.line, column, reason, detail))

    def text(self, column: str, required: bool = True) -> str:
        value = self.row.get(column, "")
        if required and not value:
            self.error(column, "required")
        elif column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
            self.error(column, "too_long", max=MAX_LENGTHS[column])
        return value

    def number(
        self, column: str, low: float, high: float, integer: bool = False, percent: bool = False
    ) -> float | None:
        raw = self.text(column)
        if not raw:
            return None
        is_percent = percent and raw.endswith("%")
        value = parse_number(raw.rstrip("%") if is_percent else raw)
        if value is None:
            self.error(column, "not_a_number", value=raw)
            return None
        if is_percent:
            value /= 100
        if integer and value != int(value):
            self.error(column, "not_an_integer", value=raw)
            return None
        if not low <= value <= high:  # echo the value as written, so it can be found
            self.error(column, "out_of_range", value=raw, low=low, high=high)
            return None
        return int(value) if integer else value

    def ids(
        self, column: str, vocabulary: tuple[str, ...], required: bool
    ) -> tuple[list[str], list[str]]:
        """(known ids, normalised tokens including unknown ones), duplicates dropped, order kept."""
        tokens = list(
            dict.fromkeys(normalise_id(v) for v in split_list(self.text(column, required)))
        )
        for token in tokens:
            if token not in vocabulary:
                self.unknown(column, token, vocabulary)
        return [t for t in tokens if t in vocabulary], tokens

    def unknown(self, column: str, value: str, vocabulary: tuple[str, ...]) -> None:
        suggestions = suggest(value, vocabulary)
        allowed = [] if suggestions or len(vocabulary) > 25 else list(vocabulary)
        self.error(column, "unknown_value", value=value, suggestions=suggestions, allowed=allowed)

    def county(self) -> str | None:
        raw = self.text("county")
        if not raw:
            return None
        county = normalise_county(raw)
        if county is None:
            self.unknown("county", raw, COUNTIES)
        return county

    def tolerances(self, processes: list[str], tokens: list[str]) -> dict[str, float]:
        low, high = TOLERANCE_RANGE_MM
        found: dict[str, float] = {}
        malformed = False
        for entry in split_list(self.text("tolerances")):
            key, sep, raw_value = entry.partition(":")
            process, value = normalise_id(key), parse_number(raw_value)
            if not sep or not process or value is None:
                self.error("tolerances", "bad_tolerance_entry", value=entry)
                malformed = True
            elif process in found:
                self.error("tolerances", "tolerance_duplicate", process=process)
            elif process not in PROCESSES:
                if process not in tokens:  # the same typo in processes is reported there already
                    self.unknown("tolerances", process, PROCESSES)
            elif process not in processes:
                self.error("tolerances", "tolerance_unlisted", process=process)
            else:
                if not low <= value <= high:
                    self.error("tolerances", "out_of_range", value=entry, low=low, high=high)
                found[process] = value
        if self.row.get("tolerances") and not malformed:  # the format first, then what's missing
            for process in processes:
                if process not in found:
                    self.error("tolerances", "tolerance_missing", process=process)
        return found

    def identifier(self) -> str:
        value = self.text("id")
        if value and not _ID_RE.match(value):
            self.error("id", "bad_id", value=value)
        return value

    def contact(self) -> str:
        value = self.text("contact")
        if value and not (
            _EMAIL_RE.match(value)
            or _URL_RE.match(value)
            or (_PHONE_RE.match(value) and sum(c.isdigit() for c in value) >= 6)
        ):
            self.error("contact", "bad_contact", value=value)
        return value

    def stated_date(self) -> date | None:
        raw = self.text("free_capacity_date")
        if not raw:
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            value = None
        if value is None or not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
            self.error("free_capacity_date", "bad_date", value=raw)
            return None
        return value

    def flag(self, column: str) -> bool:
        raw = self.row.get(column, "").casefold()
        if raw in _TRUE:
            return True
        if raw not in _FALSE:
            self.error(column, "bad_bool", value=self.row.get(column, ""))
        return False


def validate_row(line: int, row: Mapping[str, str]) -> tuple[Manufacturer | None, list[RowError]]:
    """Check one CSV row (column name -> text); the Manufacturer only if the row has no error."""
    check = _RowChecker(line, row)
    ident = check.identifier()
    name = check.text("name")
    county = check.county()
    municipality = check.text("municipality")
    processes, process_tokens = check.ids("processes", PROCESSES, required=True)
    materials, _ = check.ids("materials", MATERIALS, required=True)
    tolerances = check.tolerances(processes, process_tokens)
    batch_min = check.number("batch_min", 1, MAX_UNITS, integer=True)
    batch_max = check.number("batch_max", 1, MAX_UNITS, integer=True)
    capacity = check.number("annual_capacity", 1, MAX_UNITS, integer=True)
    if batch_min is not None and batch_max is not None and batch_min > batch_max:
        check.error("batch_max", "batch_order", batch_min=batch_min, batch_max=batch_max)
    if batch_min is not None and capacity is not None and capacity < batch_min:
        check.error(
            "annual_capacity", "capacity_below_batch", annual_capacity=capacity, batch_min=batch_min
        )
    share = check.number("free_capacity_share", 0.0, 1.0, percent=True)
    stated = check.stated_date()
    lead_time = check.number("lead_time_weeks", *LEAD_TIME_RANGE_WEEKS)
    certifications, _ = check.ids("certifications", CERTIFICATIONS, required=False)
    contact = check.contact()
    sample = check.flag("sample_data")
    if check.errors:
        return None, check.errors
    record = Manufacturer(
        id=ident,
        name=name,
        county=county,
        municipality=municipality,
        processes=tuple(processes),
        materials=tuple(materials),
        tolerances=tolerances,
        batch_min=batch_min,
        batch_max=batch_max,
        annual_capacity=capacity,
        free_capacity_share=share,
        free_capacity_date=stated,
        lead_time_weeks=lead_time,
        certifications=tuple(certifications),
        contact=contact,
        sample_data=sample,
    )
    return record, []


def validate_fields(
    record_id: str, fields: Mapping[str, object]
) -> tuple[Manufacturer | None, list[RowError]]:
    """One firm edited in a form, checked exactly like a CSV row (reported as line 1).

    The id is the one being edited (from the URL): an "id" field that names another firm is an
    error, not a rename. Keys that are no CSV column are ignored; a missing column is empty."""
    row = {c: "" if fields.get(c) is None else str(fields.get(c)) for c in CSV_COLUMNS}
    given = clean_text(row["id"])
    row["id"] = record_id
    record, errors = validate_row(1, row)
    if given and given != clean_text(record_id):
        errors = [RowError(1, "id", "id_changed", {"value": given, "id": record_id}), *errors]
        record = None
    return record, errors
