"""The register API over HTTP, against a real SQLite register in tmp_path."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot.register.seed import ensure_seeded
from bot.register.store import RegisterStore
from bot.register.validation import CSV_COLUMNS
from bot.vocabulary import CERTIFICATIONS, COUNTIES, PROCESSES
from bot.web.app import create_app
from bot.web.errors import preferred_language
from bot.web.register_api import MAX_IMPORT_BYTES

TOKEN = "test-admin-token-" + "x" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SV = {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
LIST = "/api/register/manufacturers"

HEADER = ",".join(CSV_COLUMNS)
# fictional test firms (not in the sample data)
GOOD_ROW = (
    "t-0001,Provverkstaden Fiktiv AB,Skåne,Lund,cnc_machining;sheet_metal,aluminium;steel,"
    "cnc_machining:0.01;sheet_metal:0.2,1,500,5000,0.3,2026-09-01,2,iso_9001;iso_13485,"
    "info@prov.example,true"
)
SECOND_ROW = (
    "t-0002,Låtsasgjuteriet AB,Gotland,Visby,sand_casting,aluminium,sand_casting:0.6,"
    "10,1000,20000,0.1,2026-10-01,4,,+46 498 12 34 56,true"
)
BAD_ROW = (
    "t-0003,Felraden AB,Smoland,Växjö,cnc_machining,aluminium,cnc_machining:0.05,"
    "1,10,100,0.5,2026-09-01,2,,info@fel.example,true"
)


@functools.cache
def _seeded_template() -> Path:
    """Seed one register per test run; each test gets its own copy of the file."""
    folder = Path(tempfile.mkdtemp(prefix="tillverka-register-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "seeded.db"
    ensure_seeded(RegisterStore(f"sqlite:///{path}"))
    return path


@pytest.fixture
def db_url(tmp_path) -> str:
    target = tmp_path / "register.db"
    shutil.copy(_seeded_template(), target)
    return f"sqlite:///{target}"


@pytest.fixture
def store(db_url) -> RegisterStore:
    return RegisterStore(db_url)


@pytest.fixture
async def client(db_url):
    async with TestClient(TestServer(create_app(db_url, admin_token=TOKEN))) as client:
        yield client


async def error_of(response, status: int) -> dict:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


# --- searching ---------------------------------------------------------------------------------


async def test_search_returns_only_matching_manufacturers(client, store):
    query = (
        "process=cnc_machining&process=sheet_metal&county=Västra Götaland"
        "&certification=iso_9001&max_tolerance_mm=0.05"
    )
    response = await client.get(f"{LIST}?{query}")

    assert response.status == 200
    body = await response.json()
    assert body["total_returned"] == len(body["items"]) > 0
    for item in body["items"]:
        offered = {"cnc_machining", "sheet_metal"} & set(item["processes"])
        assert offered and min(item["tolerances"][p] for p in offered) <= 0.05
        assert item["county"] == "Västra Götaland"
        assert "iso_9001" in item["certifications"]
        assert item["sample_data"] is True
    expected = store.search(
        processes=["cnc_machining", "sheet_metal"],
        county="Västra Götaland",
        certifications=["iso_9001"],
        max_tolerance_mm=0.05,
    )
    assert body["items"] == [m.to_payload() for m in expected]


async def test_search_pages_with_limit_and_offset(client):
    first = await (await client.get(f"{LIST}?limit=3")).json()
    second = await (await client.get(f"{LIST}?limit=3&offset=3")).json()
    default = await (await client.get(LIST)).json()

    assert first["total_returned"] == 3 and second["total_returned"] == 3
    assert [m["id"] for m in first["items"] + second["items"]] == [
        m["id"] for m in default["items"][:6]
    ]
    assert default["total_returned"] == 50  # the default page


async def test_friendly_spellings_are_understood(client):
    # "Skåne län", "ISO 9001", "0,1" as people type them
    response = await client.get(
        f"{LIST}?county=sk%C3%A5ne%20l%C3%A4n&certification=ISO%209001&max_tolerance_mm=0,1"
    )

    body = await response.json()
    assert response.status == 200 and body["total_returned"] > 0
    assert {m["county"] for m in body["items"]} == {"Skåne"}


BAD_QUERIES = [
    # query, error code, English message, Swedish message (start)
    (
        "process=laser_welding",
        "invalid_value",
        "Unknown value 'laser_welding' for process. Valid values: " + ", ".join(PROCESSES) + ".",
        "Okänt värde 'laser_welding' för process. Giltiga värden: " + ", ".join(PROCESSES) + ".",
    ),
    (
        "process=cnc_machining&process=cnc",
        "invalid_value",
        "Unknown value 'cnc' for process. Did you mean cnc_machining? Valid values: ",
        "Okänt värde 'cnc' för process. Menade du cnc_machining? Giltiga värden: ",
    ),
    (
        "county=Smoland",
        "invalid_value",
        "Unknown value 'Smoland' for county.",
        "Okänt värde 'Smoland' för county.",
    ),
    (
        "certification=iso_9002",
        "invalid_value",
        "Unknown value 'iso_9002' for certification. Did you mean ",
        "Okänt värde 'iso_9002' för certification. Menade du ",
    ),
    (
        "max_tolerance_mm=tight",
        "not_a_number",
        "max_tolerance_mm must be a number, not 'tight'.",
        "max_tolerance_mm ska vara ett tal, inte 'tight'.",
    ),
    (
        "max_tolerance_mm=-0.05",
        "must_be_positive",
        "max_tolerance_mm must be greater than 0, not -0.05.",
        "max_tolerance_mm ska vara större än 0, inte -0.05.",
    ),
    (
        "max_tolerance_mm=0",
        "must_be_positive",
        "max_tolerance_mm must be greater than 0, not 0.",
        "max_tolerance_mm ska vara större än 0, inte 0.",
    ),
    (
        "max_tolerance_mm=nan",
        "not_a_number",
        "max_tolerance_mm must be a number, not 'nan'.",
        "max_tolerance_mm ska vara ett tal, inte 'nan'.",
    ),
    (
        "limit=ten",
        "not_an_integer",
        "limit must be a whole number, not 'ten'.",
        "limit ska vara ett heltal, inte 'ten'.",
    ),
    ("limit=2.5", "not_an_integer", "limit must be a whole number, not '2.5'.", "limit ska vara"),
    (
        "limit=201",
        "too_large",
        "limit may be at most 200, not 201.",
        "limit får vara högst 200, inte 201.",
    ),
    (
        "limit=0",
        "must_be_positive",
        "limit must be greater than 0, not 0.",
        "limit ska vara större än 0",
    ),
    (
        "offset=-1",
        "must_not_be_negative",
        "offset must not be negative (-1).",
        "offset får inte vara negativt (-1).",
    ),
    (
        "offset=x",
        "not_an_integer",
        "offset must be a whole number, not 'x'.",
        "offset ska vara ett heltal, inte 'x'.",
    ),
    (
        "processes=cnc_machining",
        "unknown_parameter",
        "Unknown parameter 'processes'. Valid parameters: process, county, certification, "
        "max_tolerance_mm, limit, offset.",
        "Okänd parameter 'processes'. Giltiga parametrar: process, county,",
    ),
    (
        "county=Skåne&county=Halland",
        "repeated_parameter",
        "The parameter county may be given only once.",
        "Parametern county får bara anges en gång.",
    ),
]


@pytest.mark.parametrize(("query", "code", "english", "swedish"), BAD_QUERIES)
async def test_bad_search_parameters_get_a_clear_400_in_the_callers_language(
    client, query, code, english, swedish
):
    in_english = await error_of(await client.get(f"{LIST}?{query}", headers=EN), 400)
    in_swedish = await error_of(await client.get(f"{LIST}?{query}", headers=SV), 400)

    assert in_english["error"] == in_swedish["error"] == code
    assert in_english["message"].startswith(english)
    assert in_swedish["message"].startswith(swedish)


@pytest.mark.parametrize(
    ("query", "valid"),
    [("process=x", PROCESSES), ("county=x", COUNTIES), ("certification=x", CERTIFICATIONS)],
)
async def test_unknown_vocabulary_values_list_the_valid_ones(client, query, valid):
    body = await error_of(await client.get(f"{LIST}?{query}"), 400)

    assert body["valid_values"] == list(valid)
    assert ", ".join(valid) in body["message"]


async def test_english_is_the_default_language(client):
    body = await error_of(await client.get(f"{LIST}?limit=0"), 400)

    assert body["message"] == "limit must be greater than 0, not 0."


# --- one manufacturer --------------------------------------------------------------------------


async def test_one_manufacturer_by_id(client, store):
    known = store.search(limit=1)[0]

    response = await client.get(f"{LIST}/{known.id}")

    assert response.status == 200
    assert await response.json() == known.to_payload()


async def test_unknown_manufacturer_is_a_json_404(client):
    english = await error_of(await client.get(f"{LIST}/no-such-firm", headers=EN), 404)
    swedish = await error_of(await client.get(f"{LIST}/no-such-firm", headers=SV), 404)

    assert english == {
        "error": "manufacturer_not_found",
        "message": "There is no manufacturer with id 'no-such-firm' in the register.",
    }
    assert swedish["message"] == "Det finns ingen tillverkare med id 'no-such-firm' i registret."


# --- importing ---------------------------------------------------------------------------------


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


async def test_import_as_text_csv_applies_every_row(client, store):
    before = store.count()

    response = await client.post(
        "/api/register/import",
        data=csv_of(GOOD_ROW, SECOND_ROW).encode(),
        headers={**AUTH, "Content-Type": "text/csv; charset=utf-8"},
    )

    assert response.status == 200
    assert await response.json() == {"imported": 2, "updated": 0}
    assert store.count() == before + 2
    firm = await (await client.get(f"{LIST}/t-0001")).json()
    assert firm["name"] == "Provverkstaden Fiktiv AB"
    assert firm["tolerances"] == {"cnc_machining": 0.01, "sheet_metal": 0.2}


async def test_import_as_a_multipart_upload(client, store):
    form = FormData()
    form.add_field("comment", "ignored")
    form.add_field("file", csv_of(SECOND_ROW).encode(), filename="register.csv")

    response = await client.post("/api/register/import", data=form, headers=AUTH)

    assert response.status == 200
    assert (await response.json())["imported"] == 1
    assert store.get("t-0002").county == "Gotland"


async def test_a_file_with_a_bad_row_imports_nothing_and_lists_the_errors(client, store):
    await client.post("/api/register/import", data=csv_of(GOOD_ROW), headers=AUTH)
    before = store.count()
    changed = GOOD_ROW.replace("Provverkstaden Fiktiv AB", "Nytt Namn AB")

    response = await client.post(
        "/api/register/import",
        data=csv_of(changed, SECOND_ROW, BAD_ROW),
        headers={**AUTH, **SV, "Content-Type": "text/csv"},
    )

    body = await error_of(response, 422)
    assert body["error"] == "invalid_csv"
    assert body["message"].startswith("Inget importerades: filen har 1 fel (se errors)")
    assert [(e["line"], e["field"], e["reason"]) for e in body["errors"]] == [
        (4, "county", "unknown_value")
    ]
    assert body["errors"][0]["message"].startswith("Rad 4, county: okänt värde 'Smoland'")
    # nothing written: no new firm, and the existing one kept its name
    assert store.count() == before
    assert store.get("t-0002") is None
    assert store.get("t-0001").name == "Provverkstaden Fiktiv AB"


async def test_import_errors_in_english(client):
    late = SECOND_ROW.replace(",4,,", ",soon,,")  # lead_time_weeks

    response = await client.post(
        "/api/register/import",
        data=csv_of(BAD_ROW, late),
        headers={**AUTH, **EN, "Content-Type": "text/csv"},
    )

    body = await error_of(response, 422)
    assert body["message"].startswith("Nothing was imported: the file has 2 errors (see errors)")
    first, second = (e["message"] for e in body["errors"])
    assert first.startswith("Line 2, county: unknown value 'Smoland'")
    assert second == "Line 3, lead_time_weeks: 'soon' is not a number"


async def test_an_empty_file_is_rejected(client, store):
    before = store.count()

    response = await client.post(
        "/api/register/import", data=b"", headers={**AUTH, "Content-Type": "text/csv"}
    )

    body = await error_of(response, 422)
    assert body["errors"][0]["reason"] == "empty_file"
    assert store.count() == before


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer", "Bearer åäö"],
)
async def test_import_needs_the_admin_token(client, store, authorization):
    before = store.count()
    headers = {"Content-Type": "text/csv", **SV}
    if authorization is not None:
        headers["Authorization"] = authorization

    response = await client.post("/api/register/import", data=csv_of(GOOD_ROW), headers=headers)

    body = await error_of(response, 401)
    assert body["error"] == "unauthorized"
    assert body["message"].startswith("Det här kräver administratörstoken")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert store.count() == before


async def test_a_file_over_20_mb_is_refused(client, store):
    before = store.count()
    too_big = csv_of(GOOD_ROW).encode() + b"#" * MAX_IMPORT_BYTES

    response = await client.post(
        "/api/register/import", data=too_big, headers={**AUTH, **EN, "Content-Type": "text/csv"}
    )

    body = await error_of(response, 413)
    assert body == {
        "error": "payload_too_large",
        "message": "The file is too large: at most 20 MB is accepted.",
    }
    assert store.count() == before


async def test_a_streamed_upload_without_length_is_cut_off_at_20_mb(client):
    async def chunks():
        yield csv_of(GOOD_ROW).encode()
        for _ in range(MAX_IMPORT_BYTES // 65536 + 2):
            yield b"#" * 65536

    response = await client.post(
        "/api/register/import", data=chunks(), headers={**AUTH, **SV, "Content-Type": "text/csv"}
    )

    body = await error_of(response, 413)
    assert body["message"] == "Filen är för stor: högst 20 MB tas emot."


async def test_other_content_types_are_refused(client):
    response = await client.post("/api/register/import", json={"rows": []}, headers={**AUTH, **EN})

    body = await error_of(response, 415)
    assert body["message"].startswith("Send the CSV file as text/csv, or as the field 'file'")
    assert "(not application/json)" in body["message"]


async def test_a_multipart_upload_without_a_file_field(client):
    form = FormData()
    form.add_field("upload", csv_of(GOOD_ROW).encode(), filename="register.csv")

    response = await client.post("/api/register/import", data=form, headers={**AUTH, **SV})

    body = await error_of(response, 400)
    assert body == {
        "error": "missing_file",
        "message": "Uppladdningen saknar fältet 'file' med CSV-filen.",
    }


# --- the caller's language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("sv", "sv"),
        ("sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "sv"),
        ("en-US,en;q=0.9,sv;q=0.8", "en"),
        ("de-DE,de;q=0.9,sv;q=0.5", "sv"),  # Swedish is the best of what we speak
        ("en;q=0.4,sv;q=0.6", "sv"),
        ("sv;q=0,en", "en"),  # q=0: "not Swedish"
        ("sv;q=0.5,*;q=0.8", "en"),
        ("*", "en"),
        ("fr", "en"),
        ("", "en"),
        ("sv;q=bogus,en", "en"),
    ],
)
def test_preferred_language(header, lang):
    request = make_mocked_request("GET", "/", headers={"Accept-Language": header})

    assert preferred_language(request) == lang
