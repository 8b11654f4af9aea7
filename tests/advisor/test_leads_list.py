"""The lead list with a few hundred leads made through LeadStore: filters, sorting, pages,
bad filter values, search that treats its input as text, and the CSV export."""

from __future__ import annotations

import atexit
import csv
import functools
import io
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.advisors.users import UserStore
from bot.leads import LeadStore
from bot.transcript_index import record_events
from tests.advisor.conftest import ADVISOR_EMAIL, _template, seed_lead

N = 260
START = datetime(2026, 9, 1, 10, 0, tzinfo=timezone.utc)
TOLERANCES = (0.01, 0.05, 0.1, 0.5)
MATERIALS = ("aluminium", "steel", "abs")
PROCESSES = ("cnc_machining", "sheet_metal", "injection_moulding", "fdm")
REGIONS = ("Skåne", "Jönköping", "Stockholm")
PATHS = ("prototype", "pilot", "full_scale")
SPECIAL = {
    "special-percent": "Rabatt 50% på hölje",
    "special-quote": "Kund's prototyp",
    "special-underscore": "del_a till kamera",
}


def lead_id(i: int) -> str:
    return f"lead-{i:03d}"


@functools.cache
def _with_leads() -> Path:
    """The accounts' template plus N leads (and three with awkward products), made once."""
    folder = Path(tempfile.mkdtemp(prefix="tillverka-leads-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "leads.db"
    shutil.copy(_template(), path)
    url = f"sqlite:///{path}"
    store = LeadStore(url)
    anna = UserStore(url).by_email(ADVISOR_EMAIL)
    for i in range(N):
        ident = lead_id(i)
        seed_lead(
            store,
            ident,
            product=f"Produkt nummer {i}",
            at=START + timedelta(hours=4 * i),
            channel="web" if i % 4 else "slack",
            language="en" if i % 2 else "sv",
            path=PATHS[i % 3],
            profile={
                "annual_volume": (i + 1) * 10,
                "tolerance_mm": TOLERANCES[i % 4],
                "target_unit_cost_sek": 100 + i,
                "material": MATERIALS[i % 3],
                "process": PROCESSES[i % 4],
                "region": REGIONS[i % 3],
            },
        )
        if i % 5 == 0:
            store.set_status(ident, "contacted")
        if i % 7 == 0:
            store.assign(ident, anna.id)
        if i % 10 == 0:
            store.request_handoff(ident, None, "wants a quote")
        if i % 13 == 0:
            store.set_taken_over(ident, anna.id)
    old = START - timedelta(days=30)
    for ident, product in SPECIAL.items():
        seed_lead(store, ident, product=product, at=old, path=None)
    # a founder's words, found through the transcript index
    record_events(
        [
            {
                "sender_id": lead_id(3),
                "event": "user",
                "text": "Vi behöver ett vattentätt chassi",
                "timestamp": (START + timedelta(hours=12)).timestamp(),
                "input_channel": "rest",
            }
        ],
        url,
    )
    return path


TOTAL = N + len(SPECIAL)


@pytest.fixture
def db_url(tmp_path) -> str:
    target = tmp_path / "advisor.db"
    shutil.copy(_with_leads(), target)
    return f"sqlite:///{target}"


_ROW = re.compile(r'<a href="/advisor/leads/([^"]+)">')


def rows(html: str) -> list[str]:
    """The lead ids of the table's rows, in order."""
    return _ROW.findall(html)


def total(html: str) -> int:
    match = re.search(r'<p class="count" role="status">([\d  ]+) leads?</p>', html)
    assert match, "no total on the page"
    return int(re.sub(r"\s", "", match.group(1)))


async def test_the_first_page(browser):
    html = await browser.text("/advisor/leads")
    assert total(html) == TOTAL
    shown = rows(html)
    assert len(shown) == 50
    assert shown[:3] == [lead_id(N - 1), lead_id(N - 2), lead_id(N - 3)]  # latest activity first
    assert "Sida 1 av 6" in html
    assert 'rel="next" href="/advisor/leads?sort=-last_message_at&amp;page=2"' in html
    # one row: product, path, volume, tolerance, cost, language, channel, dates, status ...
    row = html.split(f'/advisor/leads/{lead_id(N - 1)}"', 1)[1].split("</tr>", 1)[0]
    i = N - 1
    assert f"Produkt nummer {i}" in row
    assert "nollserie (pilotserie)" in row  # pilot, in Swedish
    assert "2 600 st" in row and "±0,5 mm" in row and "359 kr" in row
    assert ">en<" in row and "Webb" in row
    # created and last activity, in Stockholm time
    created = (START + timedelta(hours=4 * i)).astimezone(ZoneInfo("Europe/Stockholm"))
    assert row.count(f"{created:%Y-%m-%d %H:%M}") == 2
    assert "Ny" in row and "Anna Rådgivare" in row  # 259 is assigned (every 7th)


async def test_paging_to_the_end(browser):
    html = await browser.text("/advisor/leads?page=6")
    assert len(rows(html)) == TOTAL - 250
    assert "Sida 6 av 6" in html
    assert 'rel="prev"' in html and 'rel="next"' not in html
    html = await browser.text("/advisor/leads?page=40")
    assert rows(html) == [] and "Den här sidan är tom" in html


async def test_sorting_by_clicking_headers(browser):
    html = await browser.text("/advisor/leads?sort=annual_volume")
    assert rows(html)[:2] == [lead_id(0), lead_id(1)]
    assert 'aria-sort="ascending"' in html
    # the header now links to the other direction
    assert 'href="/advisor/leads?sort=-annual_volume"' in html
    html = await browser.text("/advisor/leads?sort=-annual_volume")
    assert rows(html)[0] == lead_id(N - 1)
    html = await browser.text("/advisor/leads?sort=product&status=new")
    assert rows(html)[0] == "special-quote"  # "Kund's ..." before "Produkt ..."
    # a sort link keeps the filter
    assert 'href="/advisor/leads?status=new&amp;sort=-product"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=contacted", [i for i in range(N) if i % 5 == 0]),
        ("path=pilot&language=en", [i for i in range(N) if i % 3 == 1 and i % 2]),
        ("channel=slack", [i for i in range(N) if i % 4 == 0]),
        ("volume_min=1000&volume_max=2+000", [i for i in range(N) if 100 <= i + 1 <= 200]),
        ("tolerance_max=0%2C05", [i for i in range(N) if i % 4 in (0, 1)]),
        ("cost_max=150", [i for i in range(N) if 100 + i <= 150]),
        ("region=sk%C3%A5ne+l%C3%A4n", [i for i in range(N) if i % 3 == 0]),
        ("material=alu", [i for i in range(N) if i % 3 == 0]),
        ("process=sheet_metal", [i for i in range(N) if i % 4 == 1]),
        ("handoff=yes", [i for i in range(N) if i % 10 == 0]),
        ("taken_over=yes&handoff=no", [i for i in range(N) if i % 13 == 0 and i % 10]),
        # Swedish days: lead 3 was created at midnight of 2 September, Stockholm time
        ("created_from=2026-09-02&created_to=2026-09-03", list(range(3, 15))),
        ("q=nummer+12", [12, 112, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 212]),
        ("q=vattent%C3%A4tt", [3]),  # said in the conversation, not in the product
    ],
)
async def test_filters(browser, query, expected):
    html = await browser.text(f"/advisor/leads?{query}&sort=created_at")
    assert total(html) == len(expected)
    assert rows(html) == [lead_id(i) for i in expected][:50]
    assert 'class="error-box"' not in html


async def test_the_assigned_filter(browser, advisor):
    mine = [i for i in range(N) if i % 7 == 0]
    html = await browser.text(f"/advisor/leads?assigned={advisor.id}")
    assert total(html) == len(mine)
    assert "Anna Rådgivare" in html
    html = await browser.text("/advisor/leads?assigned=none")
    assert total(html) == TOTAL - len(mine)


async def test_the_form_keeps_the_filter(browser):
    html = await browser.text("/advisor/leads?status=closed&volume_min=5&q=%3Cb%3E")
    assert '<option value="closed" selected>' in html
    assert 'name="volume_min" type="text" inputmode="decimal" value="5"' in html
    assert 'value="&lt;b&gt;"' in html
    assert '<details class="more-filters" open>' in html  # a "more" filter is set


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("volume_min=abc", "Volym minst (st/år): 'abc' är inget tal. Det filtret används inte."),
        ("status=bogus", "Status: 'bogus' är inget giltigt val. Det filtret används inte."),
        ("tolerance_max=0", "Tolerans högst (± mm): '0' ska vara större än 0."),
        ("cost_max=-5", "'-5' får inte vara negativt."),
        ("created_from=2026-13-45", "'2026-13-45' är inget datum (ÅÅÅÅ-MM-DD)."),
        ("created_from=2026-10-02&created_to=2026-10-01", "slutdatumet ligger före startdatumet"),
        ("handoff=maybe", "'maybe' är inget giltigt val."),
        ("assigned=someone", "'someone' är inget giltigt val."),
        ("region=Atlantis", "'Atlantis' är inget giltigt val."),
        ("page=x", "Sida: 'x' är inget sidnummer."),
        ("page=0", "Sida: '0' är inget sidnummer."),
        ("sort=password_hash", "Sortering: 'password_hash' är inget giltigt val."),
        ("volume_min=nan", "'nan' är inget tal."),
        ("volume_min=1e999", "'1e999' är inget tal."),
        ("q=" + "x" * 300, "texten är längre än 200 tecken."),
    ],
)
async def test_bad_values_are_ignored_politely(browser, query, message):
    html = await browser.text(f"/advisor/leads?{query}")
    assert message in html.replace("&#39;", "'")
    assert 'class="error-box" role="alert"' in html
    if not query.startswith("created_from=2026-10-02"):
        assert total(html) == TOTAL  # that filter is simply not applied


async def test_a_bad_value_leaves_the_other_filters_working(browser):
    html = await browser.text("/advisor/leads?status=contacted&volume_min=lots&page=x")
    assert total(html) == len([i for i in range(N) if i % 5 == 0])
    assert html.count("<li>") >= 2  # two problems listed
    # the export link carries the good filter only
    assert 'href="/advisor/leads.csv?status=contacted&amp;sort=-last_message_at"' in html


async def test_english(browser):
    html = await browser.text("/advisor/leads?volume_min=abc", headers={"Accept-Language": "en"})
    assert "Page 1 of 6" in html and f"{TOTAL} leads" in html
    assert "Volume at least (per year): 'abc' is not a number." in html.replace("&#39;", "'")


# --- search treats its input as text --------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("' OR 1=1 --", []),
        ("%", ["special-percent"]),
        ("_", ["special-underscore"]),
        ("'", ["special-quote"]),
        ("50% hölje", ["special-percent"]),
        ("HÖLJE", ["special-percent"]),
    ],
)
async def test_search_finds_only_genuine_matches(browser, q, expected):
    html = await browser.get("/advisor/leads", params={"q": q})
    body = await html.text()
    assert html.status == 200
    assert sorted(rows(body)) == sorted(expected)


# --- CSV export -------------------------------------------------------------------------------


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def test_the_csv_has_the_lists_filter_and_order(browser, db_url, advisor):
    response = await browser.get("/advisor/leads.csv?status=contacted&sort=annual_volume")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="leads-')
    table = read_csv(await response.read())
    expected = [i for i in range(N) if i % 5 == 0]
    assert [r["conversation_id"] for r in table] == [lead_id(i) for i in expected]
    first = table[0]
    assert first["product"] == "Produkt nummer 0"
    assert first["annual_volume"] == "10" and first["tolerance_mm"] == "0.01"
    assert first["status"] == "contacted" and first["handoff_requested"] == "true"
    assert first["assigned_to"] == "Anna Rådgivare" and first["taken_over_by"] == "Anna Rådgivare"
    assert first["created_at"].startswith("2026-09-01T")
    from bot.advisors.audit import AuditLog

    entry = AuditLog(db_url).recent(1)[0]
    assert (entry.action, entry.detail) == ("export_leads", {"rows": len(expected)})


async def test_the_whole_csv(browser):
    response = await browser.get("/advisor/leads.csv")
    table = read_csv(await response.read())
    assert len(table) == TOTAL
    assert len({r["conversation_id"] for r in table}) == TOTAL


async def test_a_bad_filter_exports_nothing(browser):
    response = await browser.get("/advisor/leads.csv?volume_min=abc")
    body = await response.text()
    assert response.status == 400
    assert "Exporten gjordes inte" in body and "'abc' är inget tal." in body.replace("&#39;", "'")


@pytest.mark.parametrize(
    "product",
    [
        '=HYPERLINK("http://evil.example","klicka")',
        "+46 70 123",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
async def test_csv_cells_cannot_be_formulas(browser, leads, product):
    # no recommendation: the product stays exactly as the founder wrote it
    seed_lead(leads, "formula", product=product, at=START + timedelta(days=400), path=None)
    response = await browser.get("/advisor/leads.csv?sort=-created_at")
    table = read_csv(await response.read())
    assert table[0]["conversation_id"] == "formula"
    assert table[0]["product"] == "'" + product


async def test_a_page_is_one_lead_query_and_one_user_query(browser, monkeypatch):
    calls = []
    for cls, name in ((LeadStore, "list"), (LeadStore, "get"), (UserStore, "list")):
        original = getattr(cls, name)

        def counted(self, *args, _original=original, _name=f"{cls.__name__}.{name}", **kw):
            calls.append(_name)
            return _original(self, *args, **kw)

        monkeypatch.setattr(cls, name, counted)
    await browser.text("/advisor/leads?status=new&sort=annual_volume&page=2")
    assert sorted(calls) == ["LeadStore.list", "UserStore.list"]
