"""The workspace's main paths on PostgreSQL (a fresh schema; skipped without a server)."""

from __future__ import annotations

import csv
import io

import pytest
from aiohttp import FormData

from bot.advisors.users import UserStore
from bot.register.seed import ensure_seeded
from bot.register.store import RegisterStore
from tests.advisor.conftest import ADMIN_EMAIL, PASSWORD, seed_lead
from tests.unit.postgres_schema import postgres_schema_url
from tests.unit.register_fixtures import csv_text, row

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url():
    with postgres_schema_url("test_advisor_pages") as url:
        UserStore(url).create(ADMIN_EMAIL, "Bo Admin", PASSWORD, "admin")
        ensure_seeded(RegisterStore(url))
        yield url


async def test_the_workspace_on_postgresql(admin_browser, leads, db_url):
    seed_lead(leads, "pg-1", product="Hölje med 50% rabatt", profile={"annual_volume": 500})
    seed_lead(leads, "pg-2", product="=HYPERLINK(1)", profile={"annual_volume": 5000})
    b = admin_browser
    # list, filters, a search that is text
    html = await b.text("/advisor/leads?volume_min=1000&sort=annual_volume")
    assert "pg-2" in html and "pg-1" not in html
    for q, found in (("%", "pg-1"), ("HÖLJE", "pg-1"), ("' OR 1=1 --", None)):
        html = await (await b.get("/advisor/leads", params={"q": q})).text()
        assert ("/advisor/leads/pg-1" in html) == (found == "pg-1")
        assert "/advisor/leads/pg-2" not in html
    # notes, status, erase
    assert (await b.post("/advisor/leads/pg-1/notes", {"text": "<b>ring</b>"})).status == 303
    assert (await b.post("/advisor/leads/pg-1/status", {"status": "closed"})).status == 303
    html = await b.text("/advisor/leads/pg-1")
    assert "&lt;b&gt;ring&lt;/b&gt;" in html and "Samtalet går inte att visa just nu." in html
    table = list(csv.DictReader(io.StringIO(await (await b.get("/advisor/leads.csv")).text())))
    assert {r["product"] for r in table} == {"Hölje med 50% rabatt", "'=HYPERLINK(1)"}
    assert (await b.post("/advisor/leads/pg-1/erase", {"confirm": "yes"})).status == 303
    assert (await b.get("/advisor/leads/pg-1")).status == 404
    # demand, the register: search, import, edit
    assert "1 lead totalt" in await b.text("/advisor/demand")
    assert 'href="/advisor/register/m-00001"' in await b.text("/advisor/register?q=M-00001")
    form = FormData()
    form.add_field("csrf", b.csrf)
    form.add_field("file", csv_text([row(id="pg-firm")]), filename="a.csv")
    assert (await b.post("/advisor/register", form)).status == 303
    fields = RegisterStore(db_url).row_fields("pg-firm")
    fields["name"] = "Åländska Verkstaden"
    assert (await b.post("/advisor/register/pg-firm", fields)).status == 303
    html = await b.text("/advisor/register", params={"q": "åländska"})
    assert "Åländska Verkstaden" in html
