"""A map of supply and demand of manufacturing capacity: what founders ask for, next to how many
firms in the register could make it, and the founders who found (almost) nobody.

Demand counts leads that got a recommendation (a path), by the lead table's denormalised
columns. Supply counts the register's manufacturers able to serve each bucket, by the same
rules matching uses (bot/register/matching.py):
  process    offers it;
  material   works it (a family such as "plastic": any of its members);
  tolerance  holds the band's loosest tolerance on one of its processes;
  volume     fits some volume in the band (store.VOLUME_SLACK); a path's band is its stage's
             typical volume (data/strategy/stages.yml);
  region     is in the county.
A lead that left a value open ("not stated") can be served by every firm. Free text the
vocabulary doesn't know is counted as "other", with no supply.

Everything is counted in SQL (GROUP BY and SUM(CASE ...)), a handful of queries whatever the
number of leads and firms; only the distinct values found are looked at in Python.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.engine import Connection

from bot.db import get_engine
from bot.leads import leads_table
from bot.register.record import county_long_name, format_number
from bot.register.store import VOLUME_SLACK, conditions, manufacturer_processes, manufacturers
from bot.register.validation import normalise_county, normalise_id
from bot.strategy.parameters import load_parameters
from bot.vocabulary import (
    COUNTIES,
    MATERIAL_FAMILIES,
    MATERIAL_LABELS,
    MATERIALS,
    PATH_LABELS,
    PATHS,
    PROCESS_LABELS,
    PROCESSES,
    label,
)

# upper bounds (mm) of the tolerance bands; anything looser is "coarser"
TOLERANCE_BANDS = (0.01, 0.05, 0.1, 0.5)
# units a year, both ends included (a lead's 50.5 belongs to the band that ends at 1,000)
VOLUME_BANDS = ((1, 50), (51, 1000), (1001, 10_000), (10_001, math.inf))
VOLUME_KEYS = {
    (f"{low}-{high}" if math.isfinite(high) else f"{low}+"): (low, high)
    for low, high in VOLUME_BANDS
}
UNSPECIFIED = "unspecified"
OTHER = "other"
MAX_GAPS = 1000
_EXTRA_LABELS = {
    UNSPECIFIED: ("inte angivet", "not stated"),
    OTHER: ("annat (fritext)", "other (free text)"),
}


@dataclass
class Row:
    key: str
    label_sv: str
    label_en: str
    demand: int  # leads asking for it
    supply: int  # manufacturers able to serve it


@dataclass
class Gap:
    """A lead that found few or no manufacturers."""

    conversation_id: str
    product: str | None
    path: str | None
    process: str | None
    material: str | None
    tolerance_mm: float | None
    annual_volume: float | None
    region: str | None
    match_count: int


@dataclass
class DemandReport:
    total_leads: int
    by_path: list[Row]
    by_process: list[Row]
    by_material: list[Row]
    by_tolerance: list[Row]
    by_volume: list[Row]
    by_region: list[Row]
    gaps: list[Gap]


def demand_supply(url: str | None = None, few: int = 2, gap_limit: int = 100) -> DemandReport:
    """The map, and up to `gap_limit` leads with at most `few` matches (fewest first)."""
    engine = get_engine(url)
    with engine.connect() as conn:
        total_leads = conn.execute(
            select(func.count()).select_from(leads_table).where(_recommended())
        ).scalar_one()
        materials = _demand_by(
            conn, leads_table.c.material, _vocabulary_id((*MATERIALS, *MATERIAL_FAMILIES))
        )
        material_sets = _material_sets(materials)
        firms = _firm_counts(conn, material_sets)
        return DemandReport(
            total_leads=total_leads,
            by_path=_by_path(conn, firms),
            by_process=_by_process(conn, firms),
            by_material=_rows(
                material_sets, materials, firms, "material", _labeller(MATERIAL_LABELS)
            ),
            by_tolerance=_by_tolerance(conn, firms),
            by_volume=_by_volume(conn, firms),
            by_region=_by_region(conn, firms),
            gaps=_gaps(conn, few, gap_limit),
        )


# --- demand: leads ---------------------------------------------------------------------------


def _recommended():
    return leads_table.c.path.isnot(None)


def _demand_by(conn: Connection, column, normalise: Callable[[str], str | None]) -> Counter:
    """Leads per value of `column`, merged by `normalise` (None: free text -> OTHER); leads
    without a value count as UNSPECIFIED."""
    counts: Counter = Counter()
    query = select(column, func.count()).where(_recommended()).group_by(column)
    for value, n in conn.execute(query):
        text = value.strip() if isinstance(value, str) else value
        key = UNSPECIFIED if not text else (normalise(text) or OTHER)
        counts[key] += n
    return counts


def _band_demand(conn: Connection, column, bounds: Iterable[float]) -> list[int]:
    """Leads per band of a number column: value <= bound (the first that fits), then the rest
    above the last bound, then those without a value."""
    bounds = list(bounds)
    sums, lower = [], None
    for bound in [*bounds, None]:
        terms = [column.isnot(None)]
        if lower is not None:
            terms.append(column > lower)
        if bound is not None:
            terms.append(column <= bound)
        sums.append(_count_if(and_(*terms)))
        lower = bound
    sums.append(_count_if(column.is_(None)))
    row = conn.execute(select(*sums).where(_recommended())).one()
    return [int(n or 0) for n in row]


def _gaps(conn: Connection, few: int, limit: int) -> list[Gap]:
    c = leads_table.c
    query = (
        select(
            c.conversation_id,
            c.product,
            c.path,
            c.process,
            c.material,
            c.tolerance_mm,
            c.annual_volume,
            c.region,
            c.match_count,
        )
        .where(_recommended(), c.match_count <= few)
        .order_by(c.match_count, c.updated_at.desc(), c.conversation_id)
        .limit(max(0, min(limit, MAX_GAPS)))
    )
    return [Gap(**row._mapping) for row in conn.execute(query)]


# --- supply: the register --------------------------------------------------------------------


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _firm_counts(conn: Connection, material_sets: dict[str, list[str]]) -> dict[tuple, int]:
    """Manufacturers per (dimension, key) for every bucket judged on the firm's own row,
    in one pass over the table: ("total",), ("material", m), ("path", p), ("volume", band)."""
    stages = load_parameters().stages.stages
    wanted: dict[tuple, object] = {("total",): true()}
    for key, members in material_sets.items():
        wanted["material", key] = and_(*conditions(materials=members))
    for path in PATHS:
        wanted["path", path] = _serves_volumes(*stages[path].typical_volume)
    for key, band in VOLUME_KEYS.items():
        wanted["volume", key] = _serves_volumes(*band)
    keys = list(wanted)
    row = conn.execute(
        select(*[_count_if(wanted[k]) for k in keys]).select_from(manufacturers)
    ).one()
    return {key: int(n or 0) for key, n in zip(keys, row, strict=True)}


def _material_sets(demand: Counter) -> dict[str, list[str]]:
    """Every material, and the families somebody asked for, as the materials they accept."""
    asked = {f: list(members) for f, members in MATERIAL_FAMILIES.items() if demand[f]}
    return {m: [m] for m in MATERIALS} | asked


def _serves_volumes(low: float, high: float):
    """Fits some annual volume in [low, high] by matching's rule (conditions(annual_volume=v)):
    the rule's terms are monotone in v, so only the band's ends matter."""
    c = manufacturers.c
    terms = [c.annual_capacity >= low / VOLUME_SLACK, c.batch_max * 12 >= low / VOLUME_SLACK]
    if math.isfinite(high):
        terms.append(c.batch_min <= high * VOLUME_SLACK)
    return and_(*terms)


# --- the rows --------------------------------------------------------------------------------


def _row(key: str, demand: int, supply: int, labels: Callable[[str, str], str]) -> Row:
    if key in _EXTRA_LABELS:
        sv, en = _EXTRA_LABELS[key]
    else:
        sv, en = labels(key, "sv"), labels(key, "en")
    return Row(key, sv, en, demand, supply)


def _rows(
    vocabulary: Iterable[str],
    demand: Counter,
    firms: dict[tuple, int],
    dimension: str,
    labels: Callable[[str, str], str],
) -> list[Row]:
    """Every vocabulary entry, most asked for first; then free text and values left open."""
    rows = [_row(key, demand[key], firms.get((dimension, key), 0), labels) for key in vocabulary]
    rows.sort(key=lambda r: (-r.demand, -r.supply, r.label_en.casefold()))
    return rows + _extra_rows(demand, firms)


def _extra_rows(demand: Counter, firms: dict[tuple, int]) -> list[Row]:
    """Free text nobody can be counted for, and "not stated", which every firm can serve."""
    rows = []
    if demand[OTHER]:
        rows.append(_row(OTHER, demand[OTHER], 0, _no_label))
    if demand[UNSPECIFIED]:
        rows.append(_row(UNSPECIFIED, demand[UNSPECIFIED], firms["total",], _no_label))
    return rows


def _vocabulary_id(vocabulary: Iterable[str]) -> Callable[[str], str | None]:
    known = frozenset(vocabulary)

    def normalise(text: str) -> str | None:
        ident = normalise_id(text)
        return ident if ident in known else None

    return normalise


def _by_path(conn: Connection, firms: dict[tuple, int]) -> list[Row]:
    demand = _demand_by(conn, leads_table.c.path, _vocabulary_id(PATHS))
    labels = _labeller(PATH_LABELS)
    rows = [_row(p, demand[p], firms["path", p], labels) for p in PATHS]  # in their order
    return rows + _extra_rows(demand, firms)


def _by_process(conn: Connection, firms: dict[tuple, int]) -> list[Row]:
    demand = _demand_by(conn, leads_table.c.process, _vocabulary_id(PROCESSES))
    mp = manufacturer_processes.c
    query = select(mp.process, func.count()).group_by(mp.process)
    offered = {("process", p): n for p, n in conn.execute(query)}
    return _rows(PROCESSES, demand, firms | offered, "process", _labeller(PROCESS_LABELS))


def _by_region(conn: Connection, firms: dict[tuple, int]) -> list[Row]:
    demand = _demand_by(conn, leads_table.c.region, _county)
    c = manufacturers.c
    query = select(c.county, func.count()).group_by(c.county)
    located = {("region", county): n for county, n in conn.execute(query)}
    return _rows(COUNTIES, demand, firms | located, "region", county_long_name)


def _county(text: str) -> str | None:
    if text.casefold() in ("any", "anywhere", "sweden", "sverige", "var som helst"):
        return UNSPECIFIED  # "anywhere" leaves the region open
    return normalise_county(text)


def _by_tolerance(conn: Connection, firms: dict[tuple, int]) -> list[Row]:
    *banded, coarser, unspecified = _band_demand(conn, leads_table.c.tolerance_mm, TOLERANCE_BANDS)
    mp = manufacturer_processes.c
    best = (
        select(func.min(mp.best_tolerance_mm).label("best")).group_by(mp.manufacturer_id).subquery()
    )
    counted = conn.execute(
        select(*[_count_if(best.c.best <= bound) for bound in TOLERANCE_BANDS]).select_from(best)
    ).one()
    rows = []
    lower = None
    for bound, demand, supply in zip(TOLERANCE_BANDS, banded, counted, strict=True):
        sv, en = _tolerance_label(lower, bound, "sv"), _tolerance_label(lower, bound, "en")
        rows.append(Row(format_number(bound, "en"), sv, en, demand, int(supply or 0)))
        lower = bound
    last = TOLERANCE_BANDS[-1]
    rows.append(
        Row(
            "coarser",
            f"grövre än ±{format_number(last, 'sv')} mm",
            f"coarser than ±{format_number(last, 'en')} mm",
            coarser,
            firms["total",],  # every firm holds some tolerance, and the loosest is in this band
        )
    )
    return rows + _extra_rows(Counter({UNSPECIFIED: unspecified}), firms)


def _tolerance_label(lower: float | None, upper: float, lang: str) -> str:
    high = format_number(upper, lang)
    if lower is None:
        return f"±{high} mm eller snävare" if lang == "sv" else f"±{high} mm or tighter"
    return f"±{format_number(lower, lang)}–{high} mm"


def _by_volume(conn: Connection, firms: dict[tuple, int]) -> list[Row]:
    upper_bounds = [high for _, high in VOLUME_BANDS[:-1]]
    *counts, unspecified = _band_demand(conn, leads_table.c.annual_volume, upper_bounds)
    rows = [
        Row(key, _volume_label(*band, "sv"), _volume_label(*band, "en"), n, firms["volume", key])
        for (key, band), n in zip(VOLUME_KEYS.items(), counts, strict=True)
    ]
    return rows + _extra_rows(Counter({UNSPECIFIED: unspecified}), firms)


def _volume_label(low: float, high: float, lang: str) -> str:
    if not math.isfinite(high):
        more = format_number(low - 1, lang)
        return f"fler än {more} per år" if lang == "sv" else f"more than {more} a year"
    span = f"{format_number(low, lang)}–{format_number(high, lang)}"
    return f"{span} per år" if lang == "sv" else f"{span} a year"


def _labeller(table: dict) -> Callable[[str, str], str]:
    return lambda key, lang: label(table, key, lang)


def _no_label(key: str, lang: str) -> str:
    return key
