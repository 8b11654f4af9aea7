"""Which manufacturers in the register can make the founder's part, best first, and why.

Hard constraints, in this order (each one only narrows the list):
  1. offers one of the acceptable processes (the strategy engine's list, best first);
  2. works the material (a family such as "plastic" means any of its members);
  3. holds the tolerance on one of those processes (its best tolerance <= the required one);
  4. fits the annual volume roughly (store.VOLUME_SLACK: minimum batch at most twice the yearly
     need, capacity and twelve maximum batches at least half of it);
  5. holds every required certification.

The score (0..1) is a weighted mean of what is left to prefer; a part whose input is unknown
(no region given) is left out of the mean rather than counted as zero:
  region 0.30     same län 1, a neighbouring län 0.5, elsewhere 0
  process 0.25    1 for the strategy engine's first process, 1/2 for the second, 1/3 ...
  capacity 0.25   free capacity share, full marks from 50 % free
  lead time 0.20  1 / (1 + weeks / 4): 2 weeks 0.67, 8 weeks 0.33
A firm that can't deliver within the founder's timeline gets 0 for lead time and its whole score
times 0.6: it stays on the list (a timeline is a wish, not a spec) but below firms that can.
Ties are broken by id, so the same question always gives the same order.

The database applies the constraints, computes the score (`_score_sql`) and returns the best
few firms and the total; the exact score (`_score`, rounded, the one shown) then orders those,
so ties and float rounding break the same way as in Python. Reasons are written for the page only.

When nothing is left, `empty_reason` names the constraint that emptied the list and
`relaxations` says how many manufacturers there would be without each constraint (or, for the
tolerance, with the nearest looser one), counted by re-running the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Float, case, cast

from bot.i18n import pick
from bot.register.record import Manufacturer, county_long_name, format_number
from bot.register.store import RankedFirm, RegisterStore
from bot.register.validation import normalise_county, normalise_id
from bot.vocabulary import (
    CERTIFICATION_LABELS,
    CERTIFICATIONS,
    MATERIAL_FAMILIES,
    MATERIAL_LABELS,
    MATERIALS,
    PROCESS_LABELS,
    PROCESSES,
    REGION_AREAS,
    area_name,
    label,
)

WEIGHTS = {"region": 0.30, "process": 0.25, "capacity": 0.25, "lead_time": 0.20}
FULL_MARKS_SHARE = 0.5
LEAD_TIME_HALF_SCORE_WEEKS = 4.0
NEIGHBOUR_SCORE = 0.5
LATE_PENALTY = 0.6
# Looser tolerances offered when the required one empties the list (mm).
TOLERANCE_STEPS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0)
# Scores are shown rounded to 4 decimals and the database's unrounded score is within
# FLOAT_NOISE of Python's: a firm more than ROUNDING + FLOAT_NOISE below a shown score can't
# round up to it.
ROUNDING = 0.5e-4
FLOAT_NOISE = 1e-9
# Firms read beyond the page, so that the first query usually covers the ties at its end.
EXTRA_ROWS = 50

_BORDERS = (
    ("Stockholm", "Uppsala"), ("Stockholm", "Södermanland"), ("Uppsala", "Västmanland"),
    ("Uppsala", "Gävleborg"), ("Uppsala", "Dalarna"), ("Södermanland", "Östergötland"),
    ("Södermanland", "Örebro"), ("Södermanland", "Västmanland"), ("Östergötland", "Örebro"),
    ("Östergötland", "Västra Götaland"), ("Östergötland", "Jönköping"), ("Östergötland", "Kalmar"),
    ("Jönköping", "Västra Götaland"), ("Jönköping", "Halland"), ("Jönköping", "Kronoberg"),
    ("Jönköping", "Kalmar"), ("Kronoberg", "Halland"), ("Kronoberg", "Skåne"),
    ("Kronoberg", "Blekinge"), ("Kronoberg", "Kalmar"), ("Kalmar", "Blekinge"),
    ("Blekinge", "Skåne"), ("Skåne", "Halland"), ("Halland", "Västra Götaland"),
    ("Västra Götaland", "Värmland"), ("Västra Götaland", "Örebro"), ("Värmland", "Örebro"),
    ("Värmland", "Dalarna"), ("Örebro", "Västmanland"), ("Örebro", "Dalarna"),
    ("Västmanland", "Dalarna"), ("Dalarna", "Gävleborg"), ("Dalarna", "Jämtland"),
    ("Gävleborg", "Jämtland"), ("Gävleborg", "Västernorrland"), ("Västernorrland", "Jämtland"),
    ("Västernorrland", "Västerbotten"), ("Jämtland", "Västerbotten"),
    ("Västerbotten", "Norrbotten"),
)  # fmt: skip
NEIGHBOURS: dict[str, frozenset[str]] = {
    county: frozenset(b if a == county else a for a, b in _BORDERS if county in (a, b))
    for county in {c for pair in _BORDERS for c in pair} | {"Gotland"}
}


@dataclass
class Requirements:
    processes: list[str]  # acceptable processes, best first (from the strategy engine)
    material: str | None = None  # id from MATERIALS or a family in MATERIAL_FAMILIES
    tolerance_mm: float | None = None
    annual_volume: float | None = None
    certifications: list[str] = field(default_factory=list)
    region: str | None = None  # a county, or None/"any"
    timeline_weeks: float | None = None


@dataclass
class Match:
    manufacturer: Manufacturer
    score: float
    processes: list[str]  # the requested processes it can do at the tolerance, best first
    reasons: list[str]

    def to_payload(self) -> dict:
        m = self.manufacturer
        return {
            "id": m.id,
            "name": m.name,
            "county": m.county,
            "municipality": m.municipality,
            "processes": list(self.processes),
            "score": round(self.score, 2),
            "reasons": list(self.reasons),
            "lead_time_weeks": m.lead_time_weeks,
            "free_capacity_share": m.free_capacity_share,
            "contact": m.contact,
            "sample_data": m.sample_data,
        }


@dataclass
class MatchResult:
    matches: list[Match]  # this page
    total: int  # all manufacturers that pass the hard constraints
    empty_reason: str | None = None  # set when total is 0
    relaxations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Query:
    """Requirements in vocabulary ids; unknown ids are dropped (they can't be matched anyway)."""

    processes: tuple[str, ...]
    material: str | None
    materials: tuple[str, ...]  # the material, or the members of its family
    tolerance_mm: float | None
    annual_volume: float | None
    certifications: tuple[str, ...]
    region: str | None
    timeline_weeks: float | None
    counties: tuple[str, ...] = ()  # the region's counties (one, or an area's several)
    neighbours: frozenset[str] = frozenset()  # counties bordering them

    @classmethod
    def of(cls, req: Requirements) -> _Query:
        processes = tuple(
            dict.fromkeys(p for p in map(normalise_id, req.processes) if p in PROCESSES)
        )
        material = normalise_id(req.material) if req.material else None
        if material in MATERIAL_FAMILIES:
            materials = tuple(MATERIAL_FAMILIES[material])
        elif material in MATERIALS:
            materials = (material,)
        else:
            material, materials = None, ()
        certifications = tuple(
            dict.fromkeys(c for c in map(normalise_id, req.certifications) if c in CERTIFICATIONS)
        )
        area = area_name(req.region)
        region = area or (normalise_county(req.region) if req.region else None)
        counties = REGION_AREAS[area] if area else ((region,) if region else ())
        return cls(
            processes=processes,
            material=material,
            materials=materials,
            tolerance_mm=_positive(req.tolerance_mm),
            annual_volume=_positive(req.annual_volume),
            certifications=certifications,
            region=region,
            timeline_weeks=_positive(req.timeline_weeks),
            counties=counties,
            neighbours=frozenset().union(*(NEIGHBOURS.get(c, ()) for c in counties)) - set(counties),
        )

    def filters(self, without: str | None = None, **changes) -> dict:
        """Keyword arguments for the store's candidate queries, one constraint left out."""
        args = {
            "processes": list(self.processes),
            "certifications": list(self.certifications),
            "materials": list(self.materials) or None,
            "max_tolerance_mm": self.tolerance_mm,
            "annual_volume": self.annual_volume,
        }
        if without:
            args[without] = None if without != "certifications" else []
        args.update(changes)
        return args


def _positive(value: float | None) -> float | None:
    return float(value) if value is not None and value > 0 else None


def match(
    store: RegisterStore, req: Requirements, lang: str = "en", limit: int = 5, offset: int = 0
) -> MatchResult:
    """The page [offset, offset + limit) of manufacturers that can make it, best first."""
    query = _Query.of(req)
    start, limit = max(0, offset), max(0, limit)
    ranked, total = _ranked(store, query, start + limit)
    if not total:
        reason, relaxations = _explain_empty(store, query, lang)
        return MatchResult([], 0, reason, relaxations)
    page = ranked[start : start + limit]
    # by id: a firm removed by an import since the ranking is simply left out
    records = {m.id: m for m in store.get_many([ident for _, ident in page])}
    matches = [
        _match(records[ident], score, query, lang) for score, ident in page if ident in records
    ]
    return MatchResult(matches, total)


def _ranked(store: RegisterStore, q: _Query, wanted: int) -> tuple[list[tuple[float, str]], int]:
    """(score, id) of at least the `wanted` best candidates, best first, and how many
    candidates there are. The database picks them by its score; every firm whose rounded score
    could still tie with the last of them is read too, so that ties go by id as they would if
    Python scored all candidates."""
    total = store.count_candidates(**q.filters())
    if not total or not wanted:
        return [], total
    score = partial(_score_sql, q=q)
    fetch = wanted + EXTRA_ROWS
    firms = store.ranked_candidates(**q.filters(), score=score, limit=fetch)
    ranked = _by_score(firms, q)
    # A firm not read scores at most the last one read; if that could still round up to the
    # page's lowest score, read every firm that could (a long run of equal scores).
    if len(firms) == fetch:
        floor = ranked[wanted - 1][0] - ROUNDING - FLOAT_NOISE
        if firms[-1].score >= floor:
            firms = store.ranked_candidates(**q.filters(), score=score, min_score=floor)
            ranked = _by_score(firms, q)
    return ranked, total


def _by_score(firms: list[RankedFirm], q: _Query) -> list[tuple[float, str]]:
    return sorted(
        ((_score(firm, q), firm.manufacturer_id) for firm in firms),
        key=lambda scored: (-scored[0], scored[1]),
    )


# --- scoring -------------------------------------------------------------------------------


def _score(firm: RankedFirm, q: _Query) -> float:
    parts = {
        "process": 1 / (1 + firm.process_rank),
        "capacity": min(firm.free_capacity_share / FULL_MARKS_SHARE, 1.0),
        "lead_time": _lead_time_score(firm.lead_time_weeks, q.timeline_weeks),
    }
    if q.region:
        parts["region"] = _region_score(firm.county, q)
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    if q.timeline_weeks is not None and firm.lead_time_weeks > q.timeline_weeks:
        score *= LATE_PENALTY
    return round(score, 4)


def _score_sql(c, q: _Query):
    """`_score` as a SQL expression over RankedFirm's columns, unrounded: the database picks
    the best firms by it, `_score` then orders them exactly."""
    share, weeks = c.free_capacity_share, c.lead_time_weeks
    late = weeks > q.timeline_weeks if q.timeline_weeks is not None else None
    lead_time = 1.0 / (1.0 + weeks / LEAD_TIME_HALF_SCORE_WEEKS)
    parts = {
        "process": 1.0 / (1.0 + cast(c.process_rank, Float)),
        "capacity": case((share >= FULL_MARKS_SHARE, 1.0), else_=share / FULL_MARKS_SHARE),
        "lead_time": lead_time if late is None else case((late, 0.0), else_=lead_time),
    }
    if q.region:
        near = [(c.county.in_(q.counties), 1.0)]
        if q.neighbours:
            near.append((c.county.in_(sorted(q.neighbours)), NEIGHBOUR_SCORE))
        parts["region"] = _float(case(*near, else_=0.0))
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return total if late is None else total * _float(case((late, LATE_PENALTY), else_=1.0))


def _float(expression):
    # a CASE of constants only is numeric on PostgreSQL, and numeric arithmetic is slow
    return cast(expression, Float)


def _match(m: Manufacturer, score: float, q: _Query, lang: str) -> Match:
    tol = q.tolerance_mm
    processes = [
        p for p in q.processes if p in m.tolerances and (tol is None or m.tolerances[p] <= tol)
    ]
    return Match(m, score, processes, _reasons(m, processes[0], q, lang))


def _region_score(county: str, q: _Query) -> float:
    if county in q.counties:
        return 1.0
    return NEIGHBOUR_SCORE if county in q.neighbours else 0.0


def _lead_time_score(weeks: float, timeline: float | None) -> float:
    if timeline is not None and weeks > timeline:
        return 0.0
    return 1 / (1 + weeks / LEAD_TIME_HALF_SCORE_WEEKS)


def _short_label(table: dict, key: str, lang: str) -> str:
    """'polyamid (nylon, PA)' -> 'polyamid': reasons stay one short line."""
    return label(table, key, lang).split(" (")[0]


def _reasons(m: Manufacturer, process: str, q: _Query, lang: str) -> list[str]:
    tolerance = format_number(m.tolerances[process], lang)
    name = label(PROCESS_LABELS, process, lang)
    reasons = [pick(lang, f"{name} med ±{tolerance} mm", f"{name} to ±{tolerance} mm")]
    place = f"{m.municipality}, {county_long_name(m.county, lang)}"
    if q.region and m.county not in q.counties and m.county in q.neighbours:
        reasons.append(pick(lang, f"i {place} (grannlän)", f"in {place} (neighbouring county)"))
    else:
        reasons.append(pick(lang, f"i {place}", f"in {place}"))
    stated = m.free_capacity_date.isoformat()
    if m.free_capacity_share > 0:
        percent = format_number(round(m.free_capacity_share * 100), lang)
        reasons.append(
            pick(
                lang,
                f"{percent} % ledig kapacitet ({stated})",
                f"{percent}% free capacity (as of {stated})",
            )
        )
    else:
        reasons.append(pick(lang, f"fullbelagd ({stated})", f"fully booked (as of {stated})"))
    reasons.append(_lead_time_reason(m.lead_time_weeks, q.timeline_weeks, lang))
    if q.materials and q.material:
        worked = [_short_label(MATERIAL_LABELS, x, lang) for x in q.materials if x in m.materials]
        reasons.append("material: " + ", ".join(worked))
    if q.certifications:
        certs = ", ".join(label(CERTIFICATION_LABELS, c, lang) for c in q.certifications)
        reasons.append(pick(lang, f"certifierad enligt {certs}", f"certified to {certs}"))
    return reasons


def _weeks(weeks: float, lang: str) -> str:
    n = format_number(weeks, lang)
    return pick(
        lang,
        f"{n} vecka" if weeks == 1 else f"{n} veckor",
        f"{n} week" if weeks == 1 else f"{n} weeks",
    )


def _lead_time_reason(weeks: float, timeline: float | None, lang: str) -> str:
    text = pick(lang, "ledtid under en vecka", "lead time under a week") if weeks < 1 else None
    text = text or pick(lang, f"ledtid {_weeks(weeks, lang)}", f"lead time {_weeks(weeks, lang)}")
    if timeline is None:
        return text
    limit = _weeks(timeline, lang)
    if weeks <= timeline:
        return text + pick(lang, f", inom dina {limit}", f", within your {limit}")
    return text + pick(lang, f", längre än dina {limit}", f", longer than your {limit}")


# --- explaining an empty list --------------------------------------------------------------


def _or_list(labels: list[str], lang: str) -> str:
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + pick(lang, " eller ", " or ") + labels[-1]


def _manufacturers(n: int, lang: str) -> str:
    count = format_number(n, lang)
    return pick(
        lang,
        f"finns {count} tillverkare",
        f"there {'is' if n == 1 else 'are'} {count} manufacturer{'' if n == 1 else 's'}",
    )


def _explain_empty(store: RegisterStore, q: _Query, lang: str) -> tuple[str, list[str]]:
    if not q.processes:
        return pick(
            lang, "Ingen tillverkningsmetod att söka på.", "No manufacturing process to search for."
        ), []
    if store.is_empty():
        return pick(
            lang, "Registret har inga tillverkare ännu.", "The register has no manufacturers yet."
        ), []
    procs = _or_list([label(PROCESS_LABELS, p, lang) for p in q.processes], lang)
    material = _short_label(MATERIAL_LABELS, q.material, lang) if q.material else ""
    volume = format_number(q.annual_volume, lang) if q.annual_volume else ""
    tolerance = format_number(q.tolerance_mm, lang) if q.tolerance_mm else ""
    in_material = pick(lang, f" i {material}", f" in {material}") if material else ""

    # Add the constraints one by one; the first that leaves nobody is the one to name.
    stages = [
        ("processes", {}),
        ("materials", {"materials": list(q.materials) or None}),
        ("max_tolerance_mm", {"max_tolerance_mm": q.tolerance_mm}),
        ("annual_volume", {"annual_volume": q.annual_volume}),
    ] + [
        (c, {"certifications": list(q.certifications[: i + 1])})
        for i, c in enumerate(q.certifications)
    ]
    applied: dict = {"processes": list(q.processes), "certifications": []}
    emptied = "processes"
    for name, change in stages:
        applied.update(change)
        if not store.has_candidates(**applied):
            emptied = name
            break

    texts = {
        "processes": (
            f"Ingen tillverkare i registret erbjuder {procs}.",
            f"No manufacturer in the register offers {procs}.",
        ),
        "materials": (
            f"Ingen tillverkare som erbjuder {procs} arbetar i {material}.",
            f"No manufacturer offering {procs} works in {material}.",
        ),
        "max_tolerance_mm": (
            f"Ingen tillverkare kan hålla ±{tolerance} mm med {procs}{in_material}.",
            f"No manufacturer can hold ±{tolerance} mm with {procs}{in_material}.",
        ),
        "annual_volume": (
            f"Ingen av de tillverkare som klarar metod, material och tolerans har seriestorlek och kapacitet för {volume} st per år.",
            f"None of the manufacturers with the right process, material and tolerance has batch sizes and capacity for {volume} units a year.",
        ),
    }
    if emptied in texts:
        reason = pick(lang, *texts[emptied])
    else:
        cert = label(CERTIFICATION_LABELS, emptied, lang)
        reason = pick(
            lang,
            f"Ingen av de tillverkare som passar i övrigt är certifierad enligt {cert}.",
            f"None of the manufacturers that fit otherwise is certified to {cert}.",
        )
    relaxations = _relaxations(store, q, lang, material, volume, tolerance)
    # the constraint that emptied the list first: that is the one the founder asks about
    relaxations.sort(key=lambda item: item[0] != emptied)
    return reason, [text for _, text in relaxations]


def _relaxations(
    store: RegisterStore, q: _Query, lang: str, material: str, volume: str, tolerance: str
) -> list[tuple[str, str]]:
    """(constraint, text) for each constraint whose removal (or loosening) gives manufacturers."""
    found: list[tuple[str, str]] = []

    def offer(constraint: str, sv: str, en: str, **filters) -> bool:
        n = store.count_candidates(**q.filters(**filters))
        if n:
            found.append((constraint, f"{pick(lang, sv, en)} {_manufacturers(n, lang)}"))
        return n > 0

    if q.materials:
        offer(
            "materials",
            f"Utan kravet på {material}",
            f"Without the {material} requirement",
            without="materials",
        )
    if q.tolerance_mm:
        for step in (s for s in TOLERANCE_STEPS if s > q.tolerance_mm):
            looser = format_number(step, lang)
            if offer(
                "max_tolerance_mm",
                f"Med ±{looser} mm i stället för ±{tolerance} mm",
                f"With ±{looser} mm instead of ±{tolerance} mm",
                max_tolerance_mm=step,
            ):
                break
    if q.annual_volume:
        offer(
            "annual_volume",
            f"Utan volymkravet ({volume} st per år)",
            f"Without the volume requirement ({volume} units a year)",
            without="annual_volume",
        )
    for cert in q.certifications:
        name = label(CERTIFICATION_LABELS, cert, lang)
        offer(
            cert,
            f"Utan kravet på {name}",
            f"Without the {name} requirement",
            certifications=[c for c in q.certifications if c != cert],
        )
    return found
