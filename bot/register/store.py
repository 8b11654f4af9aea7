"""The register's tables and queries (SQLAlchemy Core; SQLite on one machine, PostgreSQL scaled out).

`manufacturers` holds one row per firm, lists as JSON text; `manufacturer_processes` repeats each
(firm, process, best tolerance) so that the questions matching asks most ("who offers CNC at
±0.02 mm?") are answered by an index instead of reading 100,000 JSON documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection, Engine

from bot.db import get_engine, metadata
from bot.register.csv_import import ImportReport, csv_fields, parse_csv
from bot.register.record import Manufacturer
from bot.register.validation import RowError, normalise_county, validate_fields

manufacturers = Table(
    "manufacturers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("county", String(40), nullable=False, index=True),
    Column("municipality", String(100), nullable=False),
    Column("processes_json", Text, nullable=False),
    Column("materials_json", Text, nullable=False),
    Column("tolerances_json", Text, nullable=False),
    Column("batch_min", BigInteger, nullable=False),
    Column("batch_max", BigInteger, nullable=False),
    Column("annual_capacity", BigInteger, nullable=False),
    Column("free_capacity_share", Float, nullable=False),
    Column("free_capacity_date", Date, nullable=False),
    Column("lead_time_weeks", Float, nullable=False),
    Column("certifications_json", Text, nullable=False),
    Column("contact", String(200), nullable=False),
    Column("sample_data", Boolean, nullable=False),
)

manufacturer_processes = Table(
    "manufacturer_processes",
    metadata,
    Column(
        "manufacturer_id",
        String(64),
        ForeignKey("manufacturers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("process", String(40), primary_key=True),
    Column("best_tolerance_mm", Float, nullable=False),
    Index("ix_manufacturer_processes_process", "process", "best_tolerance_mm"),
)

# A founder's annual volume fits a firm "roughly": the firm's smallest batch may be up to twice
# the yearly need, and its capacity (and a year of monthly maximum batches) at least half of it,
# since a founder can order a bigger first lot or split volume between two suppliers.
VOLUME_SLACK = 2.0
MAX_PAGE = 1000
_CHUNK = 500  # ids per IN (...) list, well below every driver's parameter limit


class Offer(NamedTuple):
    """One manufacturer offering one process: the columns matching ranks by."""

    manufacturer_id: str
    county: str
    free_capacity_share: float
    lead_time_weeks: float
    process: str


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _contains(column, value: str):
    """JSON text list contains the id (ids are [a-z0-9_]; '_' is a LIKE wildcard, so escape it)."""
    pattern = '%"' + value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + '"%'
    return column.like(pattern, escape="\\")


def _row(record: Manufacturer) -> dict:
    return {
        "id": record.id,
        "name": record.name,
        "county": record.county,
        "municipality": record.municipality,
        "processes_json": json.dumps(list(record.processes)),
        "materials_json": json.dumps(list(record.materials)),
        "tolerances_json": json.dumps(record.tolerances),
        "batch_min": record.batch_min,
        "batch_max": record.batch_max,
        "annual_capacity": record.annual_capacity,
        "free_capacity_share": record.free_capacity_share,
        "free_capacity_date": record.free_capacity_date,
        "lead_time_weeks": record.lead_time_weeks,
        "certifications_json": json.dumps(list(record.certifications)),
        "contact": record.contact,
        "sample_data": record.sample_data,
    }


def _record(row) -> Manufacturer:
    m = row._mapping
    return Manufacturer(
        id=m["id"],
        name=m["name"],
        county=m["county"],
        municipality=m["municipality"],
        processes=tuple(json.loads(m["processes_json"])),
        materials=tuple(json.loads(m["materials_json"])),
        tolerances=json.loads(m["tolerances_json"]),
        batch_min=m["batch_min"],
        batch_max=m["batch_max"],
        annual_capacity=m["annual_capacity"],
        free_capacity_share=m["free_capacity_share"],
        free_capacity_date=m["free_capacity_date"],
        lead_time_weeks=m["lead_time_weeks"],
        certifications=tuple(json.loads(m["certifications_json"])),
        contact=m["contact"],
        sample_data=bool(m["sample_data"]),
    )


def conditions(
    processes: Iterable[str] | None = None,
    county: str | None = None,
    certifications: Iterable[str] | None = None,
    max_tolerance_mm: float | None = None,
    materials: Iterable[str] | None = None,
    annual_volume: float | None = None,
) -> list:
    """WHERE terms: any of `processes` (held to `max_tolerance_mm` when given), any of `materials`,
    every one of `certifications`, the county, and a roughly fitting annual volume."""
    c, mp = manufacturers.c, manufacturer_processes.c
    terms = []
    processes = list(processes or [])
    if processes or max_tolerance_mm is not None:
        offered = select(mp.manufacturer_id)
        if processes:
            offered = offered.where(mp.process.in_(processes))
        if max_tolerance_mm is not None:
            offered = offered.where(mp.best_tolerance_mm <= max_tolerance_mm)
        terms.append(c.id.in_(offered))
    if county:
        terms.append(c.county == (normalise_county(county) or county))
    for certification in certifications or []:
        terms.append(_contains(c.certifications_json, certification))
    materials = list(materials or [])
    if materials:
        terms.append(or_(*[_contains(c.materials_json, m) for m in materials]))
    if annual_volume is not None:
        terms += [
            c.batch_min <= annual_volume * VOLUME_SLACK,
            c.annual_capacity >= annual_volume / VOLUME_SLACK,
            c.batch_max * 12 >= annual_volume / VOLUME_SLACK,
        ]
    return terms


class RegisterStore:
    """The capacity register in the shared database (DATABASE_URL unless a url is given)."""

    def __init__(self, url: str | None = None):
        self.engine: Engine = get_engine(url)

    # --- writing ----------------------------------------------------------------------------

    def import_csv(self, data: str | bytes) -> ImportReport:
        """Validate the whole file; if every row is good, upsert all of them in one transaction."""
        parsed = parse_csv(data)
        if parsed.errors:
            return ImportReport(ok=False, imported=0, errors=parsed.errors)
        with self.engine.begin() as conn:
            updated = self._replace(conn, parsed.manufacturers)
        return ImportReport(ok=True, imported=len(parsed.manufacturers), errors=[], updated=updated)

    def update_one(self, record_id: str, fields: Mapping[str, str]) -> list[RowError]:
        """Save one firm edited in a form (CSV column -> text), checked like a CSV row; the
        errors (line 1) and nothing saved, or [] once it is upserted."""
        record, errors = validate_fields(record_id, fields)
        if errors:
            return errors
        with self.engine.begin() as conn:
            self._replace(conn, [record])
        return []

    def _replace(self, conn: Connection, records: list[Manufacturer]) -> int:
        """Upsert as delete + insert inside the caller's transaction; returns how many existed."""
        existed = 0
        ids = [r.id for r in records]
        for chunk in _chunks(ids):
            existed += conn.execute(
                select(func.count()).select_from(manufacturers).where(manufacturers.c.id.in_(chunk))
            ).scalar_one()
            # explicit, since SQLite ignores ON DELETE CASCADE unless a pragma is set
            conn.execute(
                delete(manufacturer_processes).where(
                    manufacturer_processes.c.manufacturer_id.in_(chunk)
                )
            )
            conn.execute(delete(manufacturers).where(manufacturers.c.id.in_(chunk)))
        for chunk in _chunks(records, 2000):
            conn.execute(insert(manufacturers), [_row(r) for r in chunk])
            process_rows = [
                {"manufacturer_id": r.id, "process": p, "best_tolerance_mm": r.tolerances[p]}
                for r in chunk
                for p in r.processes
            ]
            conn.execute(insert(manufacturer_processes), process_rows)
        return existed

    def clear(self) -> None:
        """Remove every manufacturer (tests only)."""
        with self.engine.begin() as conn:
            conn.execute(delete(manufacturer_processes))
            conn.execute(delete(manufacturers))

    # --- reading ----------------------------------------------------------------------------

    def get(self, id: str) -> Manufacturer | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(manufacturers).where(manufacturers.c.id == id)).first()
        return _record(row) if row else None

    def row_fields(self, record_id: str) -> dict[str, str] | None:
        """A firm's current values as the text of its CSV row (for the edit form), or None."""
        record = self.get(record_id)
        return csv_fields(record) if record else None

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(manufacturers)).scalar_one()

    def search(
        self,
        processes: list[str] | None = None,
        county: str | None = None,
        certifications: list[str] | None = None,
        max_tolerance_mm: float | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Manufacturer]:
        """A page of manufacturers by id: offering any of `processes` (at `max_tolerance_mm` or
        better on one of them), in `county` (any spelling normalise_county accepts), holding all
        `certifications`."""
        terms = conditions(processes, county, certifications, max_tolerance_mm)
        query = (
            select(manufacturers)
            .where(and_(true(), *terms))
            .order_by(manufacturers.c.id)
            .limit(max(0, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def candidates(
        self,
        processes: list[str],
        certifications: list[str],
        *,
        materials: list[str] | None = None,
        max_tolerance_mm: float | None = None,
        annual_volume: float | None = None,
    ) -> list[Manufacturer]:
        """Every manufacturer passing matching's hard constraints, pre-filtered in SQL (by id):
        one of `processes` (held to `max_tolerance_mm`), one of `materials`, all
        `certifications`, and a roughly fitting `annual_volume`."""
        if not processes:
            return []
        terms = conditions(
            processes, None, certifications, max_tolerance_mm, materials, annual_volume
        )
        query = select(manufacturers).where(and_(*terms)).order_by(manufacturers.c.id)
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def count_candidates(
        self,
        processes: list[str],
        certifications: list[str],
        *,
        materials: list[str] | None = None,
        max_tolerance_mm: float | None = None,
        annual_volume: float | None = None,
    ) -> int:
        """How many `candidates(...)` would return, without loading them."""
        if not processes:
            return 0
        terms = conditions(
            processes, None, certifications, max_tolerance_mm, materials, annual_volume
        )
        query = select(func.count()).select_from(manufacturers).where(and_(*terms))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def candidate_offers(
        self,
        processes: list[str],
        certifications: list[str],
        *,
        materials: list[str] | None = None,
        max_tolerance_mm: float | None = None,
        annual_volume: float | None = None,
    ) -> list[Offer]:
        """The same manufacturers as `candidates(...)`, as one light row per requested process each
        can do (at the tolerance): what ranking needs, without decoding 100,000 JSON records."""
        if not processes:
            return []
        c, mp = manufacturers.c, manufacturer_processes.c
        terms = conditions(
            processes, None, certifications, max_tolerance_mm, materials, annual_volume
        )
        offered = [mp.process.in_(processes)]
        if max_tolerance_mm is not None:
            offered.append(mp.best_tolerance_mm <= max_tolerance_mm)
        query = (
            select(c.id, c.county, c.free_capacity_share, c.lead_time_weeks, mp.process)
            .join_from(manufacturers, manufacturer_processes, mp.manufacturer_id == c.id)
            .where(and_(*terms, *offered))
        )
        with self.engine.connect() as conn:
            return [Offer(*row) for row in conn.execute(query)]

    def get_many(self, ids: list[str]) -> list[Manufacturer]:
        """The manufacturers with these ids, in the order given (unknown ids are skipped)."""
        found: dict[str, Manufacturer] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = select(manufacturers).where(manufacturers.c.id.in_(chunk))
                found.update((row.id, _record(row)) for row in conn.execute(query))
        return [found[i] for i in ids if i in found]
