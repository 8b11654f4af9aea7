"""The admins' register page (import, history, search, editing one firm) and the demand and
supply page."""

from __future__ import annotations

import re

import pytest
from aiohttp import FormData

from bot.advisors.audit import AuditLog
from bot.register.history import ImportHistory
from bot.register.store import RegisterStore
from bot.register.validation import CSV_COLUMNS
from bot.web.advisor import register_views
from tests.advisor.conftest import EN, seed_lead
from tests.unit.register_fixtures import csv_text, row

FIRM = "m-00001"


def upload(browser, content: bytes | str, filename: str = "firms.csv", csrf: str | None = None):
    form = FormData()
    form.add_field("csrf", browser.csrf if csrf is None else csrf)
    form.add_field("file", content, filename=filename, content_type="text/csv")
    return browser.post("/advisor/register", form)


def firm_row(ident: str, **overrides) -> dict:
    return row(id=ident, name=f"Provverkstad {ident}", contact=f"info@{ident}.example", **overrides)


async def test_the_register_page(admin_browser):
    html = await admin_browser.text("/advisor/register")
    assert (
        "Importera en CSV-fil" in html and "Importhistorik" in html and "Inga importer än." in html
    )
    assert 'enctype="multipart/form-data"' in html


async def test_a_good_file_goes_in(admin_browser, db_url, admin):
    data = csv_text([firm_row("t-0001"), firm_row("t-0002"), firm_row(FIRM)])
    response = await upload(admin_browser, data)
    assert response.status == 303
    location = response.headers["Location"]
    assert location == "/advisor/register?flash=imported&imported=3&updated=1"
    html = await admin_browser.text(location)
    assert "3 tillverkare importerade (1 fanns redan och uppdaterades)." in html
    assert "firms.csv" in html and "Bo Admin" in html and "importerad" in html
    assert RegisterStore(db_url).get("t-0002").name == "Provverkstad t-0002"
    [record] = ImportHistory(db_url).list()
    assert (record.rows, record.ok, record.errors, record.user_id) == (3, True, 0, admin.id)
    entry = AuditLog(db_url).recent(1)[0]
    assert entry.action == "register_import"
    assert entry.detail == {"ok": True, "rows": 3, "updated": 1, "errors": 0}


async def test_a_bad_file_changes_nothing_and_lists_every_error(admin_browser, db_url):
    before = RegisterStore(db_url).count()
    data = csv_text(
        [
            firm_row("t-0001"),
            firm_row("t-0002", county="Smoland"),
            firm_row("t-0003"),
            firm_row("t-0004", batch_min="many", tolerances="cnc_machining:abc"),
        ]
    )
    response = await upload(admin_browser, data)
    html = (await response.text()).replace("&#39;", "'")
    assert response.status == 422
    assert "Inget importerades: filen har 3 fel." in html
    assert "Rad 3, county: okänt värde 'Smoland'" in html
    assert "Rad 5, batch_min:" in html and "Rad 5, tolerances:" in html
    assert RegisterStore(db_url).count() == before
    assert RegisterStore(db_url).get("t-0001") is None
    [record] = ImportHistory(db_url).list()
    assert (record.ok, record.rows, record.errors) == (False, 0, 2)
    # the history says so in the table
    assert "inget importerat (2 fel)" in await admin_browser.text("/advisor/register")


async def test_errors_in_english(admin_browser):
    data = csv_text([firm_row("t-0002", county="Smoland")])
    form = FormData()
    form.add_field("csrf", admin_browser.csrf)
    form.add_field("file", data, filename="f.csv", content_type="text/csv")
    response = await admin_browser.post("/advisor/register", form, headers=EN)
    html = (await response.text()).replace("&#39;", "'")
    assert "Nothing was imported: the file has 1 error." in html
    assert "Line 2, county: unknown value 'Smoland'" in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Rad 1, file: filen är tom"),
        ((";".join(CSV_COLUMNS) + "\n").encode(), "åtskilda med semikolon"),
        ("id,name\n".encode("utf-16"), "UTF-8"),
    ],
)
async def test_broken_files(admin_browser, content, message):
    response = await upload(admin_browser, content)
    assert response.status == 422
    assert message in await response.text()


async def test_no_file(admin_browser):
    response = await admin_browser.post("/advisor/register", {"other": "x"})
    assert response.status == 400
    assert "Välj en CSV-fil att importera." in await response.text()


async def test_a_file_over_the_limit(admin_browser, db_url, monkeypatch):
    monkeypatch.setattr(register_views, "MAX_IMPORT_BYTES", 1000)
    data = csv_text([firm_row(f"t-{i:04d}") for i in range(20)])
    response = await upload(admin_browser, data)
    assert response.status == 413
    assert "Filen är för stor" in await response.text()
    assert RegisterStore(db_url).get("t-0001") is None


async def test_search(admin_browser):
    html = await admin_browser.text("/advisor/register?q=m-00001")
    assert 'href="/advisor/register/m-00001"' in html
    html = await admin_browser.text("/advisor/register?q=%25")  # a literal %, found nowhere
    assert "Ingen tillverkare matchar '%'." in html.replace("&#39;", "'")
    html = await admin_browser.text("/advisor/register?q=%3Cscript%3E")
    assert "&lt;script&gt;" in html and "<script>" not in html


async def test_search_by_name_ignores_case(admin_browser, db_url):
    name = RegisterStore(db_url).get(FIRM).name
    html = await admin_browser.text("/advisor/register", params={"q": name.upper()[2:10]})
    assert f'href="/advisor/register/{FIRM}"' in html


async def test_editing_a_firm(admin_browser, db_url, admin):
    html = await admin_browser.text(f"/advisor/register/{FIRM}")
    fields = RegisterStore(db_url).row_fields(FIRM)
    assert f'name="county" type="text" value="{fields["county"]}"' in html
    fields.pop("id")
    fields["name"] = "Omdöpta Verkstaden AB"
    fields["lead_time_weeks"] = "3,5"
    response = await admin_browser.post(f"/advisor/register/{FIRM}", fields)
    assert response.status == 303
    assert response.headers["Location"] == f"/advisor/register/{FIRM}?flash=saved"
    html = await admin_browser.text(response.headers["Location"])
    assert "Ändringarna är sparade." in html and "Omdöpta Verkstaden AB" in html
    firm = RegisterStore(db_url).get(FIRM)
    assert (firm.name, firm.lead_time_weeks) == ("Omdöpta Verkstaden AB", 3.5)
    entry = AuditLog(db_url).recent(1)[0]
    assert (entry.action, entry.user_id, entry.detail) == (
        "register_edit",
        admin.id,
        {"firm": FIRM},
    )


async def test_a_bad_edit_saves_nothing(admin_browser, db_url):
    before = RegisterStore(db_url).get(FIRM)
    fields = RegisterStore(db_url).row_fields(FIRM)
    fields.update(name="Nytt namn", county="Smoland", batch_min="x")
    response = await admin_browser.post(f"/advisor/register/{FIRM}", fields)
    html = (await response.text()).replace("&#39;", "'")
    assert response.status == 422
    assert "Inget sparades." in html
    assert "okänt värde 'Smoland'" in html
    assert 'name="county" type="text" value="Smoland" maxlength="2000" aria-invalid="true"' in html
    assert 'value="Nytt namn"' in html  # what was typed stays
    assert "Rad 1" not in html  # no line numbers on a one-firm form
    assert RegisterStore(db_url).get(FIRM) == before


async def test_the_url_names_the_firm_not_a_posted_id(admin_browser, db_url):
    count = RegisterStore(db_url).count()
    fields = RegisterStore(db_url).row_fields(FIRM)
    fields.update(id="m-99999", name="Samma firma AB")
    response = await admin_browser.post(f"/advisor/register/{FIRM}", fields)
    assert response.status == 303
    assert RegisterStore(db_url).get("m-99999") is None
    assert RegisterStore(db_url).get(FIRM).name == "Samma firma AB"
    assert RegisterStore(db_url).count() == count


async def test_an_unknown_firm(admin_browser, db_url):
    response = await admin_browser.get("/advisor/register/no-such-firm")
    assert response.status == 404
    assert "Det finns ingen tillverkare med id 'no-such-firm'" in (await response.text()).replace(
        "&#39;", "'"
    )
    fields = RegisterStore(db_url).row_fields(FIRM)
    response = await admin_browser.post("/advisor/register/no-such-firm", fields)
    assert response.status == 404
    assert RegisterStore(db_url).get("no-such-firm") is None


# --- demand and supply -------------------------------------------------------------------------


def demand_row(html: str, label: str) -> tuple[str, int, int]:
    """(the row's class, demand, supply) of a demand table's row."""
    match = re.search(
        r'<tr( class="[^"]*")?>\s*<th scope="row">' + re.escape(label) + r"</th>\s*"
        r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>',
        html,
    )
    assert match, label
    return (match.group(1) or "").strip(), int(match.group(2)), int(match.group(3))


async def test_demand_shows_a_known_gap(browser, leads):
    # nobody in the register works carbon fibre
    seed_lead(
        leads,
        "gap-1",
        product="Kolfiberram till drönare",
        profile={"process": "fdm", "material": "carbon_fibre", "annual_volume": 20},
        matches=[],
    )
    seed_lead(
        leads,
        "served-1",
        product="Aluminiumlock",
        profile={"process": "cnc_machining", "material": "aluminium"},
        matches=[{"id": f"m-{i:05d}"} for i in range(1, 6)],
    )
    html = await browser.text("/advisor/demand")
    assert "2 leads totalt" in html
    assert demand_row(html, "kolfiberkomposit") == ('class="gap gap-none"', 1, 0)
    assert "inget utbud" in html
    row_class, demand, supply = demand_row(html, "aluminium")
    assert (row_class, demand) == ("", 1) and supply > 1
    # the gap list links the lead with no matches, not the one with five
    assert '<a href="/advisor/leads/gap-1">Kolfiberram till drönare</a>' in html
    assert "served-1" not in html
    english = await browser.text("/advisor/demand", headers=EN)
    assert "Requests with few or no matches" in english and "By process" in english
    assert demand_row(english, "carbon-fibre composite")[0] == 'class="gap gap-none"'


async def test_demand_above_supply_is_marked(browser, leads):
    for i in range(4):  # the sample register has three firms on Gotland
        seed_lead(leads, f"gotland-{i}", profile={"region": "Gotland"}, matches=[{"id": "x"}] * 3)
    html = await browser.text("/advisor/demand")
    assert demand_row(html, "Gotlands län") == ('class="gap gap-short"', 4, 3)
    assert "fler leads än tillverkare" in html


async def test_demand_with_no_leads(browser):
    html = await browser.text("/advisor/demand")
    assert "0 leads totalt" in html and "Alla förfrågningar har träffar." in html
