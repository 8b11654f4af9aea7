"""The advisors' lead list: what the bot writes, filters, sorting, paging, search, and an old
database gaining the new columns. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.db import get_engine
from bot.leads import SORTS, STATUSES, LeadFilter, LeadStore
from bot.transcript_index import record_events
from tests.unit.postgres_schema import BACKENDS, database_url

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def store(url):
    return LeadStore(url)


def said(url, conversation_id, text, minutes=0, speaker="user", channel="rest"):
    event = {
        "sender_id": conversation_id,
        "event": speaker,
        "timestamp": (T0 + timedelta(minutes=minutes)).timestamp(),
        "text": text,
        "input_channel": channel,
        "metadata": {},
    }
    record_events([event], url)


def profile(**values):
    base = {
        "product_description": None,
        "design_maturity": "prototype",
        "annual_volume": None,
        "tolerance_mm": None,
        "target_unit_cost_sek": None,
        "material": None,
        "process": None,
        "certifications": [],
        "region": None,
        "timeline_weeks": None,
    }
    return {**base, **values}


def ids(page_or_leads):
    items = page_or_leads.items if hasattr(page_or_leads, "items") else page_or_leads
    return [lead.conversation_id for lead in items]


# --- what the bot writes ----------------------------------------------------------------


def test_a_conversations_first_event_creates_its_lead(store):
    store.record_activity("c1", at=T0, channel="web", language="sv")
    lead = store.get("c1")
    assert (lead.channel, lead.language, lead.status, lead.handoff_requested) == (
        "web", "sv", "new", False
    )
    assert lead.last_message_at == T0 and lead.created_at == T0
    assert (lead.profile, lead.matches, lead.match_count, lead.path) == ({}, [], 0, None)


def test_activity_keeps_the_latest_time_and_never_forgets_the_channel(store):
    store.record_activity("c1", at=T0 + timedelta(minutes=5), channel="slack")
    store.record_activity("c1", at=T0, channel=None, product="Cykelställ i stål")  # late event
    lead = store.get("c1")
    assert lead.last_message_at == T0 + timedelta(minutes=5)
    assert lead.channel == "slack" and lead.product == "Cykelställ i stål"
    store.record_activity("c1", at=T0 + timedelta(minutes=6), channel="web")
    assert store.get("c1").channel == "web"  # the channel the founder used last


def test_an_unknown_language_is_not_stored(store):
    store.record_activity("c1", at=T0, language="sv")
    store.record_activity("c1", at=T0, language="klingon")
    assert store.get("c1").language == "sv"


def test_a_recommendation_fills_the_columns_advisors_filter_on(store):
    store.record_activity("c1", at=T0, channel="web")
    store.save_recommendation(
        "c1",
        "en",
        profile(
            product_description="Aluminium housing for a sensor",
            annual_volume=2000.0,
            tolerance_mm=0.05,
            target_unit_cost_sek=120.0,
            material="aluminium",
            process="cnc_machining",
            region="Jönköping",
        ),
        "pilot",
        [{"id": "m-00001"}, {"id": "m-00002"}],
    )
    lead = store.get("c1")
    assert lead.product == "Aluminium housing for a sensor"
    assert (lead.path, lead.match_count, lead.matches[0]) == ("pilot", 2, {"id": "m-00001"})
    assert (lead.annual_volume, lead.tolerance_mm, lead.target_unit_cost_sek) == (
        2000.0, 0.05, 120.0
    )
    assert (lead.material, lead.process, lead.region) == ("aluminium", "cnc_machining", "Jönköping")
    assert (lead.channel, lead.language) == ("web", "en")


def test_a_new_recommendation_replaces_the_old_one(store):
    store.save_recommendation("c1", "sv", profile(annual_volume=500.0), "pilot", [{"id": "m-1"}])
    store.save_recommendation("c1", "sv", profile(annual_volume=5000.0), "full_scale", [])
    lead = store.get("c1")
    assert (lead.path, lead.annual_volume, lead.matches, lead.match_count) == (
        "full_scale", 5000.0, [], 0
    )


def test_numbers_that_are_not_numbers_stay_empty(store):
    store.save_recommendation(
        "c1", "en", profile(annual_volume="lots", tolerance_mm=True, material="  "), "pilot", []
    )
    lead = store.get("c1")
    assert (lead.annual_volume, lead.tolerance_mm, lead.material) == (None, None, None)


def test_a_handoff_request_marks_the_lead_without_a_recommendation(store):
    store.request_handoff("c2", "en", "can I talk to a person")
    lead = store.get("c2")
    assert lead.handoff_requested and lead.handoff_reason == "can I talk to a person"
    assert lead.path is None and lead.handoff_requested_at is not None


# --- advisors' changes --------------------------------------------------------------------


def test_status_assignment_and_takeover_change_only_existing_leads(store):
    store.record_activity("c1", at=T0)
    assert store.set_status("c1", "contacted") and store.get("c1").status == "contacted"
    assert store.assign("c1", 7) and store.get("c1").assigned_to == 7
    assert store.assign("c1", None) and store.get("c1").assigned_to is None
    assert store.set_taken_over("c1", 7) and store.get("c1").taken_over_by == 7
    assert store.set_taken_over("c1", None) and store.get("c1").taken_over_by is None
    assert not store.set_status("nobody", "closed")
    assert not store.assign("nobody", 7) and not store.set_taken_over("nobody", 7)
    assert store.get("nobody") is None


def test_an_unknown_status_is_refused(store):
    store.record_activity("c1", at=T0)
    with pytest.raises(ValueError):
        store.set_status("c1", "open")
    assert store.get("c1").status == "new"
    assert set(STATUSES) == {"new", "contacted", "handed_over", "closed"}


def test_delete_removes_the_lead(store):
    store.record_activity("c1", at=T0)
    assert store.delete("c1") and store.get("c1") is None
    assert not store.delete("c1")


# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def three(store):
    """Three leads: a (newest, 5000/yr), b (oldest, 200/yr), c (no recommendation)."""
    store.record_activity("b", at=T0, channel="slack", language="sv")
    store.record_activity("a", at=T0 + timedelta(hours=2), channel="web", language="en")
    store.record_activity("c", at=T0 + timedelta(hours=1), channel="web", language="sv")
    store.save_recommendation(
        "a",
        "en",
        profile(
            product_description="Sensor housing",
            annual_volume=5000.0,
            tolerance_mm=0.02,
            target_unit_cost_sek=80.0,
            material="Aluminium 6082",
            process="cnc_machining",
            region="Örebro",
        ),
        "full_scale",
        [{"id": "m-1"}],
    )
    store.save_recommendation(
        "b",
        "sv",
        profile(
            product_description="Cykelställ",
            annual_volume=200.0,
            tolerance_mm=0.5,
            target_unit_cost_sek=400.0,
            material="steel",
            process="sheet_metal",
            region="Stockholm",
        ),
        "pilot",
        [],
    )
    return store


def test_the_newest_conversation_comes_first(three):
    page = three.list(LeadFilter())
    assert ids(page) == ["a", "c", "b"]
    assert (page.total, page.page, page.per_page, page.pages) == (3, 1, 50, 1)


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("annual_volume", ["b", "a", "c"]),
        ("-annual_volume", ["a", "b", "c"]),  # empty values last either way
        ("tolerance_mm", ["a", "b", "c"]),
        ("-target_unit_cost_sek", ["b", "a", "c"]),
        ("path", ["a", "b", "c"]),
        ("product", ["b", "a", "c"]),
        ("last_message_at", ["b", "c", "a"]),
        ("status", ["a", "b", "c"]),  # all "new": ties by conversation id
    ],
)
def test_every_sort_puts_empty_values_last(three, sort, expected):
    assert sort.lstrip("-") in SORTS
    assert ids(three.list(LeadFilter(), sort=sort)) == expected


@pytest.mark.parametrize("sort", ["handoff_reason", "-profile", "", "-", "annual_volume; DROP"])
def test_an_unknown_sort_is_refused(three, sort):
    with pytest.raises(ValueError):
        three.list(LeadFilter(), sort=sort)


def test_pages(three):
    first = three.list(LeadFilter(), page=1, per_page=2)
    second = three.list(LeadFilter(), page=2, per_page=2)
    assert (ids(first), ids(second), first.pages, second.total) == (["a", "c"], ["b"], 2, 3)
    assert ids(three.list(LeadFilter(), page=0, per_page=2)) == ["a", "c"]  # clamped to 1
    assert three.list(LeadFilter(), page=-3).page == 1
    assert three.list(LeadFilter(), page=9, per_page=2).items == []
    assert three.list(LeadFilter(q="nothing like this")).pages == 1


@pytest.mark.parametrize(
    "filters, expected",
    [
        (LeadFilter(path="pilot"), ["b"]),
        (LeadFilter(language="sv"), ["c", "b"]),
        (LeadFilter(channel="slack"), ["b"]),
        (LeadFilter(volume_min=1000), ["a"]),
        (LeadFilter(volume_max=1000), ["b"]),
        (LeadFilter(volume_min=200, volume_max=200), ["b"]),
        (LeadFilter(tolerance_max=0.1), ["a"]),
        (LeadFilter(tolerance_max=0.5), ["a", "b"]),
        (LeadFilter(cost_max=100), ["a"]),
        (LeadFilter(process="sheet_metal"), ["b"]),
        (LeadFilter(material="ALUMINIUM"), ["a"]),
        (LeadFilter(material="6082"), ["a"]),
        (LeadFilter(region="örebro"), ["a"]),
        (LeadFilter(region="Stock"), []),  # a region is a whole county
        (LeadFilter(path="pilot", language="en"), []),
    ],
)
def test_filters(three, filters, expected):
    assert ids(three.list(filters)) == expected


def test_filters_on_handoff_takeover_and_assignee(three):
    three.request_handoff("c", "sv", "kan jag prata med en människa")
    three.set_taken_over("a", 3)
    three.assign("b", 5)
    assert ids(three.list(LeadFilter(handoff=True))) == ["c"]
    assert ids(three.list(LeadFilter(handoff=False))) == ["a", "b"]
    assert ids(three.list(LeadFilter(taken_over=True))) == ["a"]
    assert ids(three.list(LeadFilter(taken_over=False))) == ["c", "b"]
    assert ids(three.list(LeadFilter(assigned_to=5))) == ["b"]
    assert ids(three.list(LeadFilter(unassigned=True))) == ["a", "c"]
    three.set_status("b", "closed")
    assert ids(three.list(LeadFilter(status="closed"))) == ["b"]
    assert ids(three.list(LeadFilter(status="new"))) == ["a", "c"]


def test_created_days_are_swedish_days_and_inclusive(store):
    # 23:30 UTC on 19 November is already 20 November in Sweden
    store.record_activity("late", at=datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc))
    store.record_activity("day", at=datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    store.record_activity("next", at=datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc))
    day = date(2026, 11, 20)
    assert ids(store.list(LeadFilter(created_from=day, created_to=day))) == ["day", "late"]
    assert ids(store.list(LeadFilter(created_from=date(2026, 11, 21)))) == ["next"]
    assert ids(store.list(LeadFilter(created_to=date(2026, 11, 19)))) == []


# --- search -------------------------------------------------------------------------------


def test_search_finds_every_word_in_the_product_or_the_transcript(three, url):
    said(url, "b", "Vi behöver 200 ställ om året i Örebro", minutes=1)
    said(url, "c", "We make bike racks", minutes=2, speaker="bot")
    assert ids(three.list(LeadFilter(q="cykelställ"))) == ["b"]  # product, any case
    assert ids(three.list(LeadFilter(q="ÖREBRO"))) == ["b"]  # what b said; a's region is no text
    assert ids(three.list(LeadFilter(q="örebro cykel"))) == ["b"]  # product + transcript
    assert ids(three.list(LeadFilter(q="bike racks"))) == ["c"]
    assert ids(three.list(LeadFilter(q="bike sensor"))) == []  # words AND, not OR
    assert ids(three.list(LeadFilter(q="   "))) == ["a", "c", "b"]  # blank: no search


def test_search_takes_wildcards_and_quotes_literally(store, url):
    said(url, "pct", "the margin is 100% on a_b parts")
    said(url, "other", "the margin is 1000 on aXb parts, path C:\\tmp")
    assert ids(store.list(LeadFilter(q="100%"))) == ["pct"]
    assert ids(store.list(LeadFilter(q="a_b"))) == ["pct"]
    assert ids(store.list(LeadFilter(q="%"))) == ["pct"]
    assert ids(store.list(LeadFilter(q="_"))) == ["pct"]
    assert ids(store.list(LeadFilter(q="C:\\tmp"))) == ["other"]
    assert ids(store.list(LeadFilter(q="\\"))) == ["other"]
    assert ids(store.list(LeadFilter(q="' OR 1=1 --"))) == []
    assert store.get("pct") is not None  # and nothing was harmed


def test_search_words_beyond_the_limit_are_ignored(store, url):
    said(url, "c1", "one two three four five six seven eight nine ten")
    words = "one two three four five six seven eight nine ten eleven twelve"
    assert ids(store.list(LeadFilter(q=words))) == ["c1"]


def test_export_iterates_every_lead_in_order(store):
    for n in range(7):
        store.record_activity(f"c{n}", at=T0 + timedelta(minutes=n))
    assert ids(list(store.iter_leads(LeadFilter(), batch=3))) == [f"c{n}" for n in range(6, -1, -1)]
    assert ids(list(store.iter_leads(LeadFilter(), sort="last_message_at", batch=2)))[:2] == [
        "c0", "c1"
    ]
    with pytest.raises(ValueError):
        next(store.iter_leads(LeadFilter(), sort="nope"))


# --- an old database ----------------------------------------------------------------------

OLD_LEADS = """CREATE TABLE leads (
    conversation_id VARCHAR(255) NOT NULL PRIMARY KEY,
    language VARCHAR(2),
    profile TEXT NOT NULL,
    path VARCHAR(20),
    matches TEXT NOT NULL,
    handoff_state VARCHAR(20) NOT NULL,
    handoff_reason TEXT,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
)"""


def test_a_database_from_before_the_advisor_workspace_keeps_working(url):
    raw = create_engine(url, future=True)
    with raw.begin() as conn:
        sql = OLD_LEADS if raw.dialect.name == "postgresql" else OLD_LEADS.replace(
            " WITH TIME ZONE", ""
        )
        conn.execute(text(sql))
        conn.execute(
            text(
                "INSERT INTO leads VALUES ('old', 'sv', '{}', 'pilot', '[]', 'requested', "
                "'hej', 'open', '2026-11-20 09:00:00', '2026-11-20 09:00:00')"
            )
        )
    raw.dispose()

    store = LeadStore(url)
    old = store.get("old")
    assert (old.path, old.status, old.match_count, old.handoff_requested) == (
        "pilot", "new", 0, False
    )
    store.record_activity("fresh", at=T0, channel="web")  # inserts without handoff_state
    store.save_recommendation("fresh", "en", profile(annual_volume=10.0), "prototype", [])
    assert ids(store.list(LeadFilter(), sort="annual_volume")) == ["fresh", "old"]
    indexes = {index["name"] for index in inspect(get_engine(url)).get_indexes("leads")}
    assert {"ix_leads_last_message_at", "ix_leads_status", "ix_leads_path"} <= indexes
