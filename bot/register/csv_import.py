"""Reads a register CSV file (text or bytes) into validated Manufacturers, or every error in it.

Nothing here writes: RegisterStore.import_csv applies the result only when there is no error.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from bot.register.record import Manufacturer, format_number
from bot.register.validation import (
    CSV_COLUMNS,
    LIST_SEPARATOR,
    RowError,
    clean_text,
    validate_row,
)


@dataclass
class ImportReport:
    """What an import did: all rows (ok) or none (errors lists every bad row)."""

    ok: bool
    imported: int
    errors: list[RowError] = field(default_factory=list)
    updated: int = 0  # of `imported`, how many ids were already in the register

    def summary(self, lang: str = "en", max_errors: int = 20) -> str:
        """A short text for the maintainer: the count, or the first errors and how many more."""
        if self.ok:
            n, updated = format_number(self.imported, lang), format_number(self.updated, lang)
            if lang == "sv":
                return f"{n} tillverkare importerade ({updated} uppdaterade)."
            return f"Imported {n} manufacturers ({updated} updated)."
        lines = [
            "Inget importerades, filen har fel:"
            if lang == "sv"
            else "Nothing was imported; the file has errors:"
        ]
        lines += [error.message(lang) for error in self.errors[:max_errors]]
        if len(self.errors) > max_errors:
            more = format_number(len(self.errors) - max_errors, lang)
            lines.append(
                f"… och {more} fel till." if lang == "sv" else f"… and {more} more errors."
            )
        return "\n".join(lines)


def csv_fields(record: Manufacturer) -> dict[str, str]:
    """A manufacturer as the text of its CSV row (column -> text), e.g. to fill an edit form;
    validate_row reads it back as the same record."""
    payload = record.to_payload()
    return {column: _csv_text(payload[column]) for column in CSV_COLUMNS}


def _csv_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # no thousands separator and no exponent: "0.02", "12000"
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, dict):
        return LIST_SEPARATOR.join(f"{key}:{_csv_text(v)}" for key, v in value.items())
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


@dataclass
class ParsedFile:
    manufacturers: list[Manufacturer]
    errors: list[RowError]


def decode(data: str | bytes) -> tuple[str | None, RowError | None]:
    """UTF-8 text without a BOM, or the error that says where the file stops being UTF-8."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return None, RowError(line, "file", "not_utf8", {"position": exc.start})
    return data.removeprefix("\ufeff"), None


def check_header(cells: list[str], line: int) -> tuple[list[str] | None, RowError | None]:
    """The column names in file order; any order of exactly CSV_COLUMNS is accepted."""
    names = [clean_text(cell).casefold() for cell in cells]
    expected = ",".join(CSV_COLUMNS)
    if len(names) == 1 and names[0].split(";")[: len(CSV_COLUMNS)] == list(CSV_COLUMNS):
        return None, RowError(line, "header", "semicolon_delimiter")
    if not set(names) & set(CSV_COLUMNS):
        return None, RowError(line, "header", "missing_header", {"expected": expected})
    missing = [c for c in CSV_COLUMNS if c not in names]
    unknown = [c for c in names if c not in CSV_COLUMNS]
    duplicated = sorted({c for c in names if names.count(c) > 1})
    if missing or unknown or duplicated:
        detail = {
            "missing": missing,
            "unknown": unknown,
            "duplicated": duplicated,
            "expected": expected,
        }
        return None, RowError(line, "header", "bad_header", detail)
    return names, None


def parse_csv(data: str | bytes) -> ParsedFile:
    """Validate every row; line numbers are physical lines, the header being line 1."""
    text, error = decode(data)
    if error:
        return ParsedFile([], [error])
    if not text.strip():
        return ParsedFile([], [RowError(1, "file", "empty_file")])
    reader = csv.reader(io.StringIO(text, newline=""))
    manufacturers: list[Manufacturer] = []
    errors: list[RowError] = []
    columns: list[str] | None = None
    first_line_of_id: dict[str, int] = {}
    line_before = 0
    try:
        for cells in reader:
            # a quoted value may span lines: the row starts right after the previous one ended
            line, line_before = line_before + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns, error = check_header(cells, line)
                if error:
                    return ParsedFile([], [error])
                continue
            if len(cells) != len(columns):
                detail = {"found": len(cells), "expected": len(columns)}
                errors.append(RowError(line, "", "column_count", detail))
                continue
            record, row_errors = validate_row(line, dict(zip(columns, cells, strict=True)))
            ident = clean_text(cells[columns.index("id")])
            if ident in first_line_of_id:
                detail = {"value": ident, "first_line": first_line_of_id[ident]}
                row_errors.append(RowError(line, "id", "duplicate_id", detail))
            elif ident:
                first_line_of_id[ident] = line
            errors.extend(row_errors)
            if record is not None and not row_errors:
                manufacturers.append(record)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "file", "csv_syntax", {"error": str(exc)}))
    if columns is not None and not manufacturers and not errors:
        errors.append(RowError(line_before + 1, "file", "no_rows"))
    return ParsedFile(manufacturers if not errors else [], errors)
