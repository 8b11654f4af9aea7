"""The register's tables and queries (SQLAlchemy Core; SQLite on one machine, PostgreSQL scaled out).

`manufacturers` holds one row per firm, lists as JSON text. `manufacturer_offers` repeats each
(process, firm, best tolerance) with the firm's columns matching filters and ranks by, so that
matching reads one table through one index ("who offers CNC at ±0.02 mm, in aluminium, for 500 a
year?") and lets the database score and pick the best few, instead of loading 20,000 candidates
into Python. It is derived data: written with `manufacturers` in the same transaction, and
rebuilt from it when a database made by an older version has none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from operator import itemgetter
from typing import Any, NamedTuple

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
    case,
    delete,
    false,
    func,
    insert,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from bot.db import get_engine, metadata
from bot.register.csv_import import ImportReport, csv_fields, parse_csv
from bot.register.record import Manufacturer
from bot.register.validation import RowError, normalise_county, validate_fields
from bot.vocabulary import CERTIFICATIONS, MATERIALS, PROCESSES

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

# Processes, materials and certifications as bit sets (bit i: the i-th id of the vocabulary,
# which the register's validation holds every firm to): a test of one integer per row instead
# of a LIKE over JSON text, and rows half as wide to read. The "_v2" is the migration: a
# database made by an older version gets the new table empty, and _fill_offers_if_missing
# derives it from `manufacturers` (create_all never changes an existing table).
PROCESS_BITS = {p: 1 << i for i, p in enumerate(PROCESSES)}
MATERIAL_BITS = {m: 1 << i for i, m in enumerate(MATERIALS)}
CERTIFICATION_BITS = {c: 1 << i for i, c in enumerate(CERTIFICATIONS)}
assert max(map(len, (PROCESS_BITS, MATERIAL_BITS, CERTIFICATION_BITS))) < 63  # BIGINT

manufacturer_offers = Table(
    "manufacturer_offers_v2",
    metadata,
    # The key orders the rows the way matching reads them: by process, then tolerance. On
    # SQLite (WITHOUT ROWID) the table is stored in that order, so "CNC at ±0.05 mm or better"
    # is one contiguous run of rows, with no lookup per row.
    Column("process", String(40), primary_key=True),
    Column("best_tolerance_mm", Float, primary_key=True),
    Column(
        "manufacturer_id",
        String(64),
        ForeignKey("manufacturers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # copies of the firm's row: what matching filters and ranks by
    Column("county", String(40), nullable=False),
    Column("free_capacity_share", Float, nullable=False),
    Column("lead_time_weeks", Float, nullable=False),
    Column("batch_min", BigInteger, nullable=False),
    Column("batch_max", BigInteger, nullable=False),
    Column("annual_capacity", BigInteger, nullable=False),
    Column("processes_bits", BigInteger, nullable=False),
    Column("materials_bits", BigInteger, nullable=False),
    Column("certifications_bits", BigInteger, nullable=False),
    # one row per (firm, process); also finds a firm's rows to replace and its other processes
    Index("ux_manufacturer_offers_v2_firm", "manufacturer_id", "process", unique=True),
    sqlite_with_rowid=False,
)
# the (firm, process, best tolerance) view other modules count by (bot/demand.py)
manufacturer_processes = manufacturer_offers

# A founder's annual volume fits a firm "roughly": the firm's smallest batch may be up to twice
# the yearly need, and its capacity (and a year of monthly maximum batches) at least half of it,
# since a founder can order a bigger first lot or split volume between two suppliers.
VOLUME_SLACK = 2.0
MAX_PAGE = 1000
_CHUNK = 500  # ids per IN (...) list, well below every driver's parameter limit
_BIGINT_MAX = 2**63 - 1


class RankedFirm(NamedTuple):
    """A firm that passes the hard constraints, with the columns matching ranks by."""

    manufacturer_id: str
    county: str
    free_capacity_share: float
    lead_time_weeks: float
    process_rank: int  # index in `processes` of the best one it offers (at the tolerance)
    score: float  # the database's value of the caller's score expression


# score(columns) -> SQL expression; `columns` is a RankedFirm of column expressions (no score)
ScoreExpression = Callable[[Any], ColumnElement]


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _contains(column, value: str):
    """JSON text list contains the id (ids are [a-z0-9_]; '_' is a LIKE wildcard, so escape it)."""
    pattern = '%"' + value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + '"%'
    return column.like(pattern, escape="\\")


def _bits(ids: Iterable[str], bits: Mapping[str, int]) -> int:
    return sum(bits.get(i, 0) for i in set(ids))


def _has_any(column, ids: Iterable[str], bits: Mapping[str, int]):
    return column.op("&")(_bits(ids, bits)) != 0


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


def _offer_rows(record: Manufacturer) -> list[dict]:
    firm = {
        "manufacturer_id": record.id,
        "county": record.county,
        "free_capacity_share": record.free_capacity_share,
        "lead_time_weeks": record.lead_time_weeks,
        "batch_min": record.batch_min,
        "batch_max": record.batch_max,
        "annual_capacity": record.annual_capacity,
        "processes_bits": _bits(record.processes, PROCESS_BITS),
        "materials_bits": _bits(record.materials, MATERIAL_BITS),
        "certifications_bits": _bits(record.certifications, CERTIFICATION_BITS),
    }
    return [
        {**firm, "process": p, "best_tolerance_mm": record.tolerances[p]} for p in record.processes
    ]


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
    """WHERE terms on `manufacturers`: any of `processes` (held to `max_tolerance_mm` when
    given), any of `materials`, every one of `certifications`, the county, and a roughly
    fitting annual volume."""
    c, o = manufacturers.c, manufacturer_offers.c
    terms = []
    processes = list(processes or [])
    if processes or max_tolerance_mm is not None:
        offered = select(o.manufacturer_id)
        if processes:
            offered = offered.where(o.process.in_(processes))
        if max_tolerance_mm is not None:
            offered = offered.where(o.best_tolerance_mm <= max_tolerance_mm)
        terms.append(c.id.in_(offered))
    if county:
        terms.append(c.county == (normalise_county(county) or county))
    terms += _volume_terms(c, annual_volume)
    materials = list(materials or [])
    if materials:
        terms.append(or_(*[_contains(c.materials_json, m) for m in materials]))
    for certification in certifications or []:
        terms.append(_contains(c.certifications_json, certification))
    return terms


def _volume_terms(c, volume: float | None) -> list:
    """A roughly fitting annual volume (`c`: columns of manufacturers or manufacturer_offers)."""
    terms = []
    if volume is not None:
        # As whole numbers, exact for the integer columns: a float bound costs PostgreSQL a
        # cast to numeric per row.
        need, slack = Fraction(volume), Fraction(VOLUME_SLACK)
        terms += [
            c.batch_min <= _bigint(math.floor(need * slack)),
            c.annual_capacity >= _bigint(math.ceil(need / slack)),
            c.batch_max >= _bigint(math.ceil(need / slack / 12)),  # monthly batches for a year
        ]
    return terms


def _bigint(n: int) -> int:
    """Within BIGINT, so that an absurd volume finds nobody instead of failing to bind."""
    return max(-_BIGINT_MAX, min(n, _BIGINT_MAX))


def offer_conditions(
    processes: Iterable[str],
    certifications: Iterable[str] | None = None,
    *,
    materials: Iterable[str] | None = None,
    max_tolerance_mm: float | None = None,
    annual_volume: float | None = None,
    one_per_firm: bool = False,
) -> list:
    """WHERE terms on `manufacturer_offers` for matching's hard constraints: the rows of
    `processes` a firm holds to `max_tolerance_mm`, of firms passing the other constraints.
    With `one_per_firm`, only each firm's best row (the first of `processes` it holds), so that
    rows count firms without a DISTINCT or GROUP BY over thousands of rows."""
    o = manufacturer_offers.c
    processes = list(dict.fromkeys(processes))
    terms = [o.process.in_(processes)]
    if max_tolerance_mm is not None:
        terms.append(o.best_tolerance_mm <= max_tolerance_mm)
    terms += _volume_terms(o, annual_volume)
    materials = list(materials or [])
    if materials:
        terms.append(_has_any(o.materials_bits, materials, MATERIAL_BITS))
    required = set(certifications or [])
    if required - CERTIFICATION_BITS.keys():
        terms.append(false())  # no firm holds a certification outside the vocabulary
    elif required:
        wanted = _bits(required, CERTIFICATION_BITS)
        terms.append(o.certifications_bits.op("&")(wanted) == wanted)
    if one_per_firm and len(processes) > 1:
        terms.append(_best_row_only(processes, max_tolerance_mm))
    return terms


def _best_row_only(processes: list[str], max_tolerance_mm: float | None):
    """A row of the i-th process is a firm's best unless it holds one of the first i - 1 too."""
    o = manufacturer_offers.c
    other = manufacturer_offers.alias("better")
    best = [o.process == processes[0]]
    for i, process in enumerate(processes[1:], start=1):
        earlier = processes[:i]
        # most firms don't offer the earlier processes at all: their own row says so, cheaply
        lacks = not_(_has_any(o.processes_bits, earlier, PROCESS_BITS))
        if max_tolerance_mm is not None:
            held = (
                select(other.c.process)
                .where(
                    other.c.manufacturer_id == o.manufacturer_id,
                    other.c.process.in_(earlier),
                    other.c.best_tolerance_mm <= max_tolerance_mm,
                )
                .exists()
            )
            lacks = or_(lacks, not_(held))
        best.append(and_(o.process == process, lacks))
    return or_(*best)


class RegisterStore:
    """The capacity register in the shared database (DATABASE_URL unless a url is given)."""

    def __init__(self, url: str | None = None):
        self.engine: Engine = get_engine(url)
        self._fill_offers_if_missing()

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
                delete(manufacturer_offers).where(manufacturer_offers.c.manufacturer_id.in_(chunk))
            )
            conn.execute(delete(manufacturers).where(manufacturers.c.id.in_(chunk)))
        for chunk in _chunks(records, 2000):
            conn.execute(insert(manufacturers), [_row(r) for r in chunk])
        self._insert_offers(conn, records)
        return existed

    @staticmethod
    def _insert_offers(conn: Connection, records: Sequence[Manufacturer]) -> None:
        # in key order: SQLite appends to its b-tree, and PostgreSQL's heap keeps a process's
        # rows together, so a query reads a few blocks instead of one per row
        offers = sorted(
            (o for r in records for o in _offer_rows(r)),
            key=itemgetter("process", "best_tolerance_mm", "manufacturer_id"),
        )
        for chunk in _chunks(offers, 5000):
            conn.execute(insert(manufacturer_offers), chunk)

    def _fill_offers_if_missing(self) -> None:
        """A database made before this `manufacturer_offers` table existed has firms but no
        offers: derive them once, or matching would find nobody."""
        with self.engine.begin() as conn:
            if conn.execute(select(manufacturer_offers.c.process).limit(1)).first():
                return
            if not conn.execute(select(manufacturers.c.id).limit(1)).first():
                return
            records = [_record(row) for row in conn.execute(select(manufacturers))]
            self._insert_offers(conn, records)

    def clear(self) -> None:
        """Remove every manufacturer (tests only)."""
        with self.engine.begin() as conn:
            conn.execute(delete(manufacturer_offers))
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

    def is_empty(self) -> bool:
        """No manufacturer at all (without counting 100,000 of them)."""
        with self.engine.connect() as conn:
            return conn.execute(select(manufacturers.c.id).limit(1)).first() is None

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

    # Matching's hard constraints (see offer_conditions): one of `processes` (held to
    # `max_tolerance_mm`), one of `materials`, all `certifications`, a fitting `annual_volume`.

    def candidates(
        self, processes: list[str], certifications: list[str], **filters
    ) -> list[Manufacturer]:
        """Every manufacturer passing matching's hard constraints, by id."""
        if not processes:
            return []
        offering = select(manufacturer_offers.c.manufacturer_id).where(
            *offer_conditions(processes, certifications, **filters)
        )
        query = (
            select(manufacturers)
            .where(manufacturers.c.id.in_(offering))
            .order_by(manufacturers.c.id)
        )
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def count_candidates(self, processes: list[str], certifications: list[str], **filters) -> int:
        """How many `candidates(...)` would return, without loading them."""
        if not processes:
            return 0
        terms = offer_conditions(processes, certifications, **filters, one_per_firm=True)
        query = select(func.count()).select_from(manufacturer_offers).where(*terms)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def has_candidates(self, processes: list[str], certifications: list[str], **filters) -> bool:
        """Whether `count_candidates(...)` would be above 0: stops at the first firm."""
        if not processes:
            return False
        terms = offer_conditions(processes, certifications, **filters)
        query = select(manufacturer_offers.c.manufacturer_id).where(*terms).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def ranked_candidates(
        self,
        processes: list[str],
        certifications: list[str],
        *,
        score: ScoreExpression,
        limit: int | None = None,
        min_score: float | None = None,
        **filters,
    ) -> list[RankedFirm]:
        """Candidates by `score(columns)` as the database computes it, highest first (then by
        id): the first `limit`, or those scoring `min_score` or more. `processes` are best
        first: a firm's process_rank is the index of the best one it holds at the tolerance."""
        if not processes:
            return []
        o = manufacturer_offers.c
        processes = list(dict.fromkeys(processes))
        terms = offer_conditions(processes, certifications, **filters, one_per_firm=True)
        rank = case({p: i for i, p in enumerate(processes)}, value=o.process)
        columns = RankedFirm(o.manufacturer_id, o.county, o.free_capacity_share,
                             o.lead_time_weeks, rank.label("process_rank"), None)  # fmt: skip
        scored = score(columns).label("score")
        query = (
            select(*columns[:-1], scored).where(*terms).order_by(scored.desc(), o.manufacturer_id)
        )
        if min_score is not None:
            query = query.where(scored >= min_score)
        if limit is not None:
            query = query.limit(max(0, limit))
        with self.engine.connect() as conn:
            return [RankedFirm(*row) for row in conn.execute(query)]

    def get_many(self, ids: list[str]) -> list[Manufacturer]:
        """The manufacturers with these ids, in the order given (unknown ids are skipped)."""
        found: dict[str, Manufacturer] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = select(manufacturers).where(manufacturers.c.id.in_(chunk))
                found.update((row.id, _record(row)) for row in conn.execute(query))
        return [found[i] for i in ids if i in found]
