"""Matching on a generated register: the database's top-k path gives exactly the page that
scoring every candidate in Python gives (same firms, order, scores, reasons and total)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, text

from bot.register import matching
from bot.register.matching import Requirements, match
from bot.register.record import Manufacturer
from bot.register.store import VOLUME_SLACK, RankedFirm, RegisterStore, manufacturer_offers
from scripts.generate_register import generate_rows, write_csv
from tests.unit.register_fixtures import BACKENDS, csv_text, make_store, row

FIRMS = 2000

QUERIES = [
    Requirements(["cnc_machining", "sheet_metal"], material="aluminium", tolerance_mm=0.05,
                 annual_volume=500, region="Jönköping"),
    Requirements(["cnc_machining", "sheet_metal"], material="metal", annual_volume=200),
    Requirements(["sheet_metal", "welding_assembly", "cnc_machining"], region="Gotland",
                 timeline_weeks=2),
    Requirements(["injection_moulding"], material="plastic", tolerance_mm=0.1,
                 annual_volume=20000, certifications=["iso_9001"], region="Skåne"),
    Requirements(["fdm", "sla", "sls"], material="polyamide", annual_volume=20,
                 region="Stockholms län", timeline_weeks=1),
    Requirements(["cnc_machining"], material="stainless_steel", tolerance_mm=0.02,
                 certifications=["iso_9001", "iso_14001"], region="Västra Götaland"),
    Requirements(["welding_assembly"]),  # long runs of equal scores
]  # fmt: skip
PAGES = [(5, 0), (5, 5), (40, 17), (10, 400)]  # (limit, offset)


@pytest.fixture(scope="module", params=BACKENDS)
def register(request, tmp_path_factory):
    """A store with FIRMS generated firms, and the firms as records."""
    for store in make_store(request.param, tmp_path_factory.mktemp("register")):
        out = io.StringIO()
        write_csv(generate_rows(FIRMS), out)
        report = store.import_csv(out.getvalue())
        assert report.ok, report.summary()
        records = store.get_many([f"m-{n:05d}" for n in range(1, FIRMS + 1)])
        assert len(records) == FIRMS
        yield store, records


def _process_rank(m: Manufacturer, q) -> int | None:
    """The index of the best acceptable process `m` holds the tolerance on, or None."""
    for rank, process in enumerate(q.processes):
        tolerance = m.tolerances.get(process)
        if tolerance is not None and (q.tolerance_mm is None or tolerance <= q.tolerance_mm):
            return rank
    return None


def _passes(m: Manufacturer, q) -> bool:
    """matching's hard constraints, read off the record in Python."""
    if q.materials and not set(q.materials) & set(m.materials):
        return False
    if not set(q.certifications) <= set(m.certifications):
        return False
    v = q.annual_volume
    return v is None or (
        m.batch_min <= v * VOLUME_SLACK
        and m.annual_capacity >= v / VOLUME_SLACK
        and m.batch_max * 12 >= v / VOLUME_SLACK
    )


def exhaustive(records: list[Manufacturer], req: Requirements, lang: str, limit: int, offset: int):
    """Score every firm in Python, sort all of them, cut the page: the slow reference."""
    q = matching._Query.of(req)
    scored = []
    for m in records:
        rank = _process_rank(m, q)
        if rank is None or not _passes(m, q):
            continue
        firm = RankedFirm(m.id, m.county, m.free_capacity_share, m.lead_time_weeks, rank, 0.0)
        scored.append((matching._score(firm, q), m))
    scored.sort(key=lambda item: (-item[0], item[1].id))
    page = scored[offset : offset + limit]
    return [matching._match(m, score, q, lang) for score, m in page], len(scored)


def _shown(matches) -> list[tuple]:
    return [(m.manufacturer.id, m.score, m.processes, m.reasons) for m in matches]


@pytest.mark.parametrize("req", QUERIES)
def test_the_fast_path_gives_the_exhaustive_pages(register, req):
    store, records = register
    for limit, offset in PAGES:
        expected, total = exhaustive(records, req, "sv", limit, offset)
        result = match(store, req, lang="sv", limit=limit, offset=offset)
        assert result.total == total > 0
        assert _shown(result.matches) == _shown(expected), (limit, offset)


def test_ties_across_the_end_of_the_page_are_read_in_full(register, monkeypatch):
    # no rows read beyond the page: every tie at its end must make the store read further
    store, records = register
    monkeypatch.setattr(matching, "EXTRA_ROWS", 0)
    req = Requirements(["welding_assembly"])
    for limit, offset in [(1, 0), (3, 2), (25, 60)]:
        expected, total = exhaustive(records, req, "en", limit, offset)
        result = match(store, req, lang="en", limit=limit, offset=offset)
        assert (result.total, _shown(result.matches)) == (total, _shown(expected))


def test_an_empty_list_still_names_the_constraint_and_the_relaxations(register):
    store, records = register
    req = Requirements(["cnc_machining", "sheet_metal"], material="aluminium", tolerance_mm=0.005)
    result = match(store, req, lang="en")
    assert (result.matches, result.total) == ([], 0)
    assert result.empty_reason == (
        "No manufacturer can hold ±0.005 mm with CNC machining or sheet metal (laser + press "
        "brake) in aluminium."
    )
    q = matching._Query.of(Requirements(req.processes, material="aluminium", tolerance_mm=0.01))
    looser = sum(1 for m in records if _process_rank(m, q) is not None and _passes(m, q))
    assert looser > 0
    assert result.relaxations == [
        f"With ±0.01 mm instead of ±0.005 mm there are {looser:,} manufacturers"
    ]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    yield from make_store(request.param, tmp_path)


def test_scores_equal_once_rounded_go_by_id_even_if_the_database_sees_them_apart(
    store, monkeypatch
):
    # 0.3 and 0.30002 free: 0.7619 both once rounded, so "a" first; unrounded, "b" is ahead
    rows = [
        row(id=ident, contact=f"kontakt@{ident}.example", free_capacity_share=share)
        for ident, share in (("b", 0.30002), ("a", 0.3), ("c", 0.2))
    ]
    assert store.import_csv(csv_text(rows)).ok
    monkeypatch.setattr(matching, "EXTRA_ROWS", 0)
    cnc = Requirements(["cnc_machining"])
    assert [m.manufacturer.id for m in match(store, cnc, limit=1).matches] == ["a"]
    assert [(m.manufacturer.id, m.score) for m in match(store, cnc, limit=2).matches] == [
        ("a", 0.7619),
        ("b", 0.7619),
    ]
    assert [m.manufacturer.id for m in match(store, cnc, limit=1, offset=1).matches] == ["b"]


def test_a_register_saved_before_the_offers_table_is_matched_once_opened(store):
    assert store.import_csv(csv_text([row(id="a", contact="kontakt@a.example")])).ok
    with store.engine.begin() as conn:  # as an older version left it: firms, no offers
        conn.execute(delete(manufacturer_offers))
    assert match(store, Requirements(["cnc_machining"])).total == 0
    reopened = RegisterStore(str(store.engine.url))
    result = match(reopened, Requirements(["cnc_machining"]), lang="en")
    assert [m.manufacturer.id for m in result.matches] == ["a"]
    assert result.matches[0].reasons[0] == "CNC machining to ±0.02 mm"


def test_an_absurd_volume_finds_nobody_and_says_why(store):
    assert store.import_csv(csv_text([row(id="a", contact="kontakt@a.example")])).ok
    result = match(store, Requirements(["cnc_machining"], annual_volume=1e30), lang="en")
    assert (result.matches, result.total) == ([], 0)
    assert result.empty_reason.startswith("None of the manufacturers with the right process")
    assert result.relaxations[0].startswith("Without the volume requirement")


def test_a_register_from_before_the_bit_sets_is_matched_once_opened(store):
    """The previous version's offers table (lists as JSON text) stays behind, unused; the new
    one is derived from the firms when the register is opened."""
    assert store.import_csv(csv_text([row(id="a", contact="kontakt@a.example")])).ok
    with store.engine.begin() as conn:
        conn.execute(delete(manufacturer_offers))
        conn.execute(
            text(
                "CREATE TABLE manufacturer_offers (process VARCHAR(40), best_tolerance_mm FLOAT, "
                "manufacturer_id VARCHAR(64), processes_json TEXT, materials_json TEXT, "
                "certifications_json TEXT)"
            )
        )
    reopened = RegisterStore(str(store.engine.url))
    result = match(reopened, Requirements(["cnc_machining"], material="aluminium"), lang="en")
    assert [m.manufacturer.id for m in result.matches] == ["a"]


def test_the_store_finds_nobody_for_a_certification_outside_the_vocabulary(store):
    # (matching itself leaves such ids out of the founder's requirements before asking)
    assert store.import_csv(csv_text([row(id="a", contact="kontakt@a.example")])).ok
    assert store.count_candidates(["cnc_machining"], ["iso_99999"]) == 0
    assert store.count_candidates(["cnc_machining"], []) == 1
