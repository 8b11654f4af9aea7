"""Matching: hard constraints, ranking, the reasons a founder reads, and why a list is empty."""

from __future__ import annotations

import pytest

from bot.register.matching import Requirements, match
from tests.unit.register_fixtures import BACKENDS, csv_text, make_store, row


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    yield from make_store(request.param, tmp_path)


def firm(ident: str, **overrides: object) -> dict[str, str]:
    """A CNC shop in Gnosjö (±0.02 mm, aluminium and steel, 1-1000 a batch, 10,000 a year,
    30 % free, 2 weeks); overrides change it."""
    return row(
        id=ident,
        name=f"Testdals Mekaniska {ident}",
        contact=f"kontakt@{ident}.example",
        **overrides,
    )


def load(store, *firms):
    report = store.import_csv(csv_text(list(firms)))
    assert report.ok, report.summary()
    return store


def ids(result) -> list[str]:
    return [m.manufacturer.id for m in result.matches]


CNC = Requirements(processes=["cnc_machining"])


# --- hard constraints ----------------------------------------------------------------------


def test_only_firms_offering_an_acceptable_process(store):
    load(
        store,
        firm("cnc"),
        firm("plat", processes="sheet_metal", materials="steel", tolerances="sheet_metal:0.2"),
        firm(
            "gjut", processes="sand_casting", materials="aluminium", tolerances="sand_casting:0.8"
        ),
    )
    result = match(store, Requirements(processes=["sheet_metal", "cnc_machining"]))
    assert sorted(ids(result)) == ["cnc", "plat"]
    assert result.total == 2
    assert result.empty_reason is None and result.relaxations == []


def test_material_and_material_family(store):
    load(
        store,
        firm("alu", materials="aluminium"),
        firm("stal", materials="steel"),
        firm("pom", materials="pom"),
    )
    assert ids(match(store, Requirements(["cnc_machining"], material="steel"))) == ["stal"]
    assert sorted(ids(match(store, Requirements(["cnc_machining"], material="metal")))) == [
        "alu",
        "stal",
    ]
    assert ids(match(store, Requirements(["cnc_machining"], material="plastic"))) == ["pom"]


def test_tolerance_is_held_on_the_matching_process(store):
    load(
        store,
        firm("fin", tolerances="cnc_machining:0.01"),
        firm("grov", tolerances="cnc_machining:0.05"),
        firm(
            "blandad",
            processes="cnc_machining;sheet_metal",
            tolerances="cnc_machining:0.01;sheet_metal:0.3",
        ),
    )
    assert sorted(ids(match(store, Requirements(["cnc_machining"], tolerance_mm=0.02)))) == [
        "blandad",
        "fin",
    ]
    # ±0.01 on CNC does not make the sheet metal ±0.1
    result = match(store, Requirements(["sheet_metal"], tolerance_mm=0.1))
    assert result.total == 0
    result = match(store, Requirements(["sheet_metal", "cnc_machining"], tolerance_mm=0.1))
    blandad = next(m for m in result.matches if m.manufacturer.id == "blandad")
    assert blandad.processes == ["cnc_machining"]


def test_batch_range_and_capacity_must_roughly_fit_the_volume(store):
    load(
        store,
        firm("lagom", batch_min=1, batch_max=1000, annual_capacity=10000),
        firm("stor", batch_min=5000, batch_max=100000, annual_capacity=1000000),
        firm("liten", batch_min=1, batch_max=100, annual_capacity=1000),
        firm("nastan", batch_min=1, batch_max=1000, annual_capacity=8000),
    )
    assert sorted(ids(match(store, Requirements(["cnc_machining"], annual_volume=1000)))) == [
        "lagom",
        "liten",
        "nastan",
    ]
    # 10,000 a year: "liten" is far below, "nastan" (8,000) close enough, "stor" fits now
    assert sorted(ids(match(store, Requirements(["cnc_machining"], annual_volume=10000)))) == [
        "lagom",
        "nastan",
        "stor",
    ]


def test_every_required_certification(store):
    load(
        store,
        firm("ingen", certifications=""),
        firm("nio", certifications="iso_9001"),
        firm("bada", certifications="iso_9001;iso_13485"),
    )
    assert sorted(
        ids(match(store, Requirements(["cnc_machining"], certifications=["iso_9001"])))
    ) == ["bada", "nio"]
    assert ids(
        match(store, Requirements(["cnc_machining"], certifications=["ISO 9001", "iso_13485"]))
    ) == ["bada"]


# --- ranking -------------------------------------------------------------------------------


def test_an_area_counts_each_of_its_counties_as_in_the_region(store):
    load(
        store,
        firm("a-skane", county="Skåne", municipality="Malmö"),
        firm("b-stockholm", county="Stockholm", municipality="Solna"),
        firm("c-kalmar", county="Kalmar", municipality="Nybro"),
        firm("d-kronoberg", county="Kronoberg", municipality="Växjö"),
    )
    result = match(store, Requirements(["cnc_machining"], region="Småland"), lang="en")
    # Kalmar and Kronoberg are Småland; Skåne borders Kronoberg; Stockholm is elsewhere
    assert ids(result) == ["c-kalmar", "d-kronoberg", "a-skane", "b-stockholm"]
    assert "neighbouring" not in result.matches[0].reasons[1]
    assert "neighbouring" in result.matches[2].reasons[1]



def test_same_county_then_neighbouring_county_then_the_rest(store):
    load(
        store,
        firm("a-skane", county="Skåne", municipality="Malmö"),
        firm("b-kronoberg", county="Kronoberg", municipality="Växjö"),
        firm("c-jonkoping", county="Jönköping", municipality="Gnosjö"),
    )
    result = match(store, Requirements(["cnc_machining"], region="Jönköpings län"), lang="sv")
    assert ids(result) == ["c-jonkoping", "b-kronoberg", "a-skane"]
    assert result.matches[1].reasons[1] == "i Växjö, Kronobergs län (grannlän)"
    # without a region, equal firms come in id order
    assert ids(match(store, CNC)) == ["a-skane", "b-kronoberg", "c-jonkoping"]
    assert ids(match(store, Requirements(["cnc_machining"], region="any"))) == ids(
        match(store, CNC)
    )


def test_more_free_capacity_and_shorter_lead_time_rank_higher(store):
    load(
        store,
        firm("a-full", free_capacity_share=0),
        firm("b-free", free_capacity_share=0.5),
        firm("c-slow", free_capacity_share=0.5, lead_time_weeks=8),
        firm("d-fast", free_capacity_share=0.5, lead_time_weeks=1),
    )
    assert ids(match(store, CNC)) == ["d-fast", "b-free", "c-slow", "a-full"]


def test_a_lead_time_beyond_the_timeline_counts_against_a_firm(store):
    load(
        store,
        firm("a-late", free_capacity_share=0.6, lead_time_weeks=6),
        firm("b-ontime", free_capacity_share=0.2, lead_time_weeks=3),
    )
    assert ids(match(store, CNC)) == ["a-late", "b-ontime"]
    result = match(store, Requirements(["cnc_machining"], timeline_weeks=4), lang="en")
    assert ids(result) == ["b-ontime", "a-late"]
    assert result.matches[1].reasons[3] == "lead time 6 weeks, longer than your 4 weeks"
    assert result.matches[0].reasons[3] == "lead time 3 weeks, within your 4 weeks"


def test_the_strategy_engines_first_process_is_preferred(store):
    load(
        store,
        firm("a-cnc"),
        firm("b-plat", processes="sheet_metal", materials="steel", tolerances="sheet_metal:0.2"),
    )
    assert ids(match(store, Requirements(["sheet_metal", "cnc_machining"]))) == ["b-plat", "a-cnc"]
    assert ids(match(store, Requirements(["cnc_machining", "sheet_metal"]))) == ["a-cnc", "b-plat"]


def test_score_and_reasons_in_swedish_and_english(store):
    load(
        store,
        firm(
            "m-00042",
            tolerances="cnc_machining:0.01",
            free_capacity_share=0.45,
            lead_time_weeks=3,
            free_capacity_date="2026-10-01",
        ),
    )
    req = Requirements(
        ["cnc_machining"],
        material="aluminium",
        tolerance_mm=0.02,
        annual_volume=500,
        certifications=["iso_9001"],
        region="Jönköping",
        timeline_weeks=6,
    )
    (sv,) = match(store, req, lang="sv").matches
    assert sv.reasons == [
        "CNC-bearbetning med ±0,01 mm",
        "i Gnosjö, Jönköpings län",
        "45 % ledig kapacitet (2026-10-01)",
        "ledtid 3 veckor, inom dina 6 veckor",
        "material: aluminium",
        "certifierad enligt ISO 9001",
    ]
    (en,) = match(store, req, lang="en").matches
    assert en.reasons == [
        "CNC machining to ±0.01 mm",
        "in Gnosjö, Jönköping County",
        "45% free capacity (as of 2026-10-01)",
        "lead time 3 weeks, within your 6 weeks",
        "material: aluminium",
        "certified to ISO 9001",
    ]
    # region 1, process 1, capacity 0.45/0.5, lead time 1/(1 + 3/4), weighted .3/.25/.25/.2
    assert en.score == pytest.approx(0.3 + 0.25 + 0.25 * 0.9 + 0.2 / 1.75, abs=1e-4)
    payload = en.to_payload()
    assert set(payload) == {
        "id", "name", "county", "municipality", "processes", "score", "reasons",
        "lead_time_weeks", "free_capacity_share", "contact", "sample_data",
    }  # fmt: skip
    assert payload["score"] == 0.89
    assert payload["processes"] == ["cnc_machining"]
    assert payload["sample_data"] is True


def test_a_fully_booked_firm_and_a_one_week_lead_time_read_naturally(store):
    load(store, firm("x", free_capacity_share=0, lead_time_weeks=1))
    (m,) = match(store, CNC, lang="sv").matches
    assert m.reasons[2:] == ["fullbelagd (2026-10-01)", "ledtid 1 vecka"]
    (m,) = match(store, CNC, lang="en").matches
    assert m.reasons[2:] == ["fully booked (as of 2026-10-01)", "lead time 1 week"]


# --- paging --------------------------------------------------------------------------------


def test_show_more_pages_through_a_stable_order(store):
    load(store, *[firm(f"m-{i:02d}") for i in range(1, 8)])
    first = match(store, CNC, limit=3)
    assert (ids(first), first.total) == (["m-01", "m-02", "m-03"], 7)
    assert ids(match(store, CNC, limit=3, offset=3)) == ["m-04", "m-05", "m-06"]
    assert ids(match(store, CNC, limit=3, offset=6)) == ["m-07"]
    past = match(store, CNC, limit=3, offset=9)
    assert (past.matches, past.total, past.empty_reason) == ([], 7, None)


# --- empty results -------------------------------------------------------------------------


def test_empty_because_of_a_certification(store):
    load(store, firm("a", certifications="iso_9001"), firm("b", certifications=""))
    req = Requirements(["cnc_machining"], certifications=["iso_13485"])
    sv = match(store, req, lang="sv")
    assert (sv.matches, sv.total) == ([], 0)
    assert (
        sv.empty_reason
        == "Ingen av de tillverkare som passar i övrigt är certifierad enligt ISO 13485."
    )
    assert sv.relaxations == ["Utan kravet på ISO 13485 finns 2 tillverkare"]
    en = match(store, req, lang="en")
    assert (
        en.empty_reason == "None of the manufacturers that fit otherwise is certified to ISO 13485."
    )
    assert en.relaxations == ["Without the ISO 13485 requirement there are 2 manufacturers"]


def test_empty_because_of_the_tolerance_offers_the_nearest_looser_one(store):
    load(
        store,
        firm("a", tolerances="cnc_machining:0.05"),
        firm("b", tolerances="cnc_machining:0.04"),
        firm("c", tolerances="cnc_machining:0.1"),
    )
    req = Requirements(["cnc_machining"], tolerance_mm=0.01)
    en = match(store, req, lang="en")
    assert en.empty_reason == "No manufacturer can hold ±0.01 mm with CNC machining."
    assert en.relaxations == ["With ±0.05 mm instead of ±0.01 mm there are 2 manufacturers"]
    sv = match(store, req, lang="sv")
    assert sv.empty_reason == "Ingen tillverkare kan hålla ±0,01 mm med CNC-bearbetning."
    assert sv.relaxations == ["Med ±0,05 mm i stället för ±0,01 mm finns 2 tillverkare"]


def test_empty_because_of_the_material(store):
    load(store, firm("a"), firm("b"))
    en = match(store, Requirements(["cnc_machining", "sheet_metal"], material="titanium"))
    assert (
        en.empty_reason
        == "No manufacturer offering CNC machining or sheet metal (laser + press brake) works in titanium."
    )
    assert en.relaxations == ["Without the titanium requirement there are 2 manufacturers"]
    sv = match(store, Requirements(["cnc_machining"], material="titanium"), lang="sv")
    assert sv.empty_reason == "Ingen tillverkare som erbjuder CNC-bearbetning arbetar i titan."
    assert sv.relaxations == ["Utan kravet på titan finns 2 tillverkare"]


def test_empty_because_of_the_volume(store):
    load(store, firm("a"))
    sv = match(store, Requirements(["cnc_machining"], annual_volume=100000), lang="sv")
    assert sv.empty_reason.startswith(
        "Ingen av de tillverkare som klarar metod, material och tolerans"
    )
    assert sv.empty_reason.endswith("för 100\u00a0000 st per år.")
    assert sv.relaxations == ["Utan volymkravet (100\u00a0000 st per år) finns 1 tillverkare"]
    en = match(store, Requirements(["cnc_machining"], annual_volume=100000), lang="en")
    assert en.relaxations == [
        "Without the volume requirement (100,000 units a year) there is 1 manufacturer"
    ]


def test_empty_because_no_one_offers_the_process(store):
    load(store, firm("a"))
    en = match(store, Requirements(["die_casting"]), lang="en")
    assert en.empty_reason == "No manufacturer in the register offers high-pressure die casting."
    assert en.relaxations == []
    sv = match(store, Requirements(["die_casting", "sand_casting"]), lang="sv")
    assert (
        sv.empty_reason
        == "Ingen tillverkare i registret erbjuder pressgjutning eller sandgjutning."
    )


def test_the_constraint_that_emptied_the_list_is_named_and_relaxed_first(store):
    load(
        store,
        firm("a", tolerances="cnc_machining:0.05", certifications=""),
        firm("b", tolerances="cnc_machining:0.01", certifications=""),
        firm("c", tolerances="cnc_machining:0.05", certifications="iso_13485"),
    )
    # ±0.01 leaves b, ISO 13485 then leaves nobody
    result = match(
        store, Requirements(["cnc_machining"], tolerance_mm=0.01, certifications=["iso_13485"])
    )
    assert (
        result.empty_reason
        == "None of the manufacturers that fit otherwise is certified to ISO 13485."
    )
    assert result.relaxations == [
        "Without the ISO 13485 requirement there is 1 manufacturer",
        "With ±0.05 mm instead of ±0.01 mm there is 1 manufacturer",
    ]


def test_an_empty_register_and_no_process_say_so(store):
    assert match(store, CNC, lang="sv").empty_reason == "Registret har inga tillverkare ännu."
    assert match(store, CNC, lang="en").empty_reason == "The register has no manufacturers yet."
    load(store, firm("a"))
    result = match(store, Requirements(["laser_welding"]), lang="en")
    assert result.empty_reason == "No manufacturing process to search for."


def test_unknown_ids_in_the_requirements_are_ignored(store):
    load(store, firm("a"))
    req = Requirements(["laser_welding", "CNC machining"], material="trä", certifications=["CE"])
    assert ids(match(store, req)) == ["a"]
