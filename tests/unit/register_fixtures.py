"""Shared helpers for the register tests: CSV rows to build files from, and a RegisterStore
on SQLite (always) and PostgreSQL (TEST_POSTGRES_URL; a fresh schema per test)."""

from __future__ import annotations

import csv
import io

import pytest

from bot.register.store import RegisterStore
from bot.register.validation import CSV_COLUMNS
from tests.unit.postgres_schema import postgres_schema_url


def row(**overrides: object) -> dict[str, str]:
    """A valid CSV row (a small CNC shop in Gnosjö); keyword arguments replace columns."""
    values: dict[str, object] = {
        "id": "m-00001",
        "name": "Testdals Mekaniska 1",
        "county": "Jönköping",
        "municipality": "Gnosjö",
        "processes": "cnc_machining",
        "materials": "aluminium;steel",
        "tolerances": "cnc_machining:0.02",
        "batch_min": 1,
        "batch_max": 1000,
        "annual_capacity": 10000,
        "free_capacity_share": 0.3,
        "free_capacity_date": "2026-10-01",
        "lead_time_weeks": 2,
        "certifications": "iso_9001",
        "contact": "kontakt@m-00001.example",
        "sample_data": "true",
    }
    values.update(overrides)
    return {key: str(value) for key, value in values.items()}


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = CSV_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def numbered_rows(n: int, **overrides: object) -> list[dict[str, str]]:
    """n valid rows with ids m-00001..; overrides apply to all of them."""
    return [
        row(
            id=f"m-{i:05d}",
            name=f"Testdals Mekaniska {i}",
            contact=f"kontakt@m-{i:05d}.example",
            **overrides,
        )
        for i in range(1, n + 1)
    ]


def _sqlite_store(tmp_path):
    store = RegisterStore(f"sqlite:///{tmp_path / 'register.db'}")
    yield store
    store.engine.dispose()


def _postgres_store():
    # a schema of our own, reached through search_path, so tests never see each other's rows
    with postgres_schema_url("test_register") as url:
        store = RegisterStore(url)
        yield store


# Test modules declare the fixture themselves (three lines), so that linting sees no magic:
#     @pytest.fixture(params=BACKENDS)
#     def store(request, tmp_path):
#         yield from make_store(request.param, tmp_path)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def make_store(backend: str, tmp_path):
    """An empty RegisterStore on SQLite (a file in tmp_path) or PostgreSQL (a fresh schema)."""
    if backend == "sqlite":
        yield from _sqlite_store(tmp_path)
    else:
        yield from _postgres_store()
