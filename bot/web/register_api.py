"""The register over HTTP: search and read manufacturers, and (with the admin token) import a CSV.

GET  /api/register/manufacturers?process=..&county=..&certification=..&max_tolerance_mm=..&limit=..&offset=..
GET  /api/register/manufacturers/{id}
POST /api/register/import   (Authorization: Bearer <admin token>; text/csv or multipart field 'file')
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from aiohttp import BodyPartReader, web
from multidict import MultiDictProxy
from sqlalchemy import exc as sa_exc

from bot.register.seed import ensure_seeded
from bot.register.store import RegisterStore
from bot.register.validation import normalise_county, normalise_id, suggest
from bot.vocabulary import CERTIFICATIONS, COUNTIES, PROCESSES
from bot.web.errors import ApiError, json_response, preferred_language

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_OFFSET = 1_000_000_000
RETRY_OPEN_AFTER_S = 2.0  # while the database is down, don't queue a connect per request
SEARCH_PARAMS = ("process", "county", "certification", "max_tolerance_mm", "limit", "offset")
CSV_TYPES = ("text/csv", "application/csv", "text/plain")

T = TypeVar("T")


class RegisterUnavailable(Exception):
    """The register's database can't be reached (down, refused, locked, not yet created)."""


# errors that mean "the database is not there right now", as opposed to a bug
_OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, OSError)


class RegisterAccess:
    """The register store, opened and seeded on first use, and run off the event loop.

    A database that is down when the web app starts doesn't stop it: /health says so, and the
    next request after it is back opens the store.
    """

    def __init__(self, database_url: str | None) -> None:
        self._url = database_url
        self._store: RegisterStore | None = None
        self._lock = asyncio.Lock()
        self._next_attempt = 0.0

    async def open(self) -> RegisterStore:
        if self._store is None:
            async with self._lock:
                if self._store is None:
                    if time.monotonic() < self._next_attempt:
                        raise RegisterUnavailable("the register database is unreachable")
                    try:
                        self._store = await _blocking(self._open_and_seed)
                    except _OUTAGE as exc:
                        self._next_attempt = time.monotonic() + RETRY_OPEN_AFTER_S
                        log.warning("register database unreachable: %s", exc)
                        raise RegisterUnavailable("the register database is unreachable") from exc
        return self._store

    def _open_and_seed(self) -> RegisterStore:
        store = RegisterStore(self._url)
        added = ensure_seeded(store)
        if added:
            log.info("register seeded with %d fictional sample manufacturers", added)
        return store

    async def run(self, work: Callable[[RegisterStore], T]) -> T:
        """`work(store)` in the default executor: SQLAlchemy calls block."""
        store = await self.open()
        try:
            return await _blocking(functools.partial(work, store))
        except _OUTAGE as exc:
            log.warning("register database unreachable: %s", exc)
            raise RegisterUnavailable("the register database is unreachable") from exc


async def _blocking(fn: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


REGISTER = web.AppKey("register", RegisterAccess)
ADMIN_TOKEN = web.AppKey("admin_token", str)


def setup_register(app: web.Application, database_url: str | None, admin_token: str) -> None:
    app[REGISTER] = RegisterAccess(database_url)
    app[ADMIN_TOKEN] = admin_token
    app.router.add_get("/api/register/manufacturers", search_manufacturers)
    app.router.add_get("/api/register/manufacturers/{id}", get_manufacturer)
    app.router.add_post("/api/register/import", import_manufacturers)
    app.on_startup.append(_open_at_startup)


async def _open_at_startup(app: web.Application) -> None:
    try:
        await app[REGISTER].open()
    except RegisterUnavailable:
        log.error("register database unreachable at start-up; /health answers 503 until it is back")


# --- reading -----------------------------------------------------------------------------------


async def search_manufacturers(request: web.Request) -> web.Response:
    criteria = parse_search(request.query)
    found = await request.app[REGISTER].run(lambda store: store.search(**criteria))
    return json_response({"total_returned": len(found), "items": [m.to_payload() for m in found]})


async def get_manufacturer(request: web.Request) -> web.Response:
    ident = request.match_info["id"]
    found = await request.app[REGISTER].run(lambda store: store.get(ident))
    if found is None:
        raise ApiError(404, "manufacturer_not_found", id=ident)
    return json_response(found.to_payload())


def parse_search(query: MultiDictProxy[str]) -> dict:
    """RegisterStore.search keyword arguments from the query string; ApiError(400) if any is bad."""
    for name in query:
        if name not in SEARCH_PARAMS:
            raise ApiError(400, "unknown_parameter", name=name, valid=", ".join(SEARCH_PARAMS))
    county = _single(query, "county")
    if county is not None:
        county = _vocabulary_value("county", county, COUNTIES, normalise_county(county))
    return {
        "processes": [_id_value("process", v, PROCESSES) for v in query.getall("process", [])],
        "county": county,
        "certifications": [
            _id_value("certification", v, CERTIFICATIONS) for v in query.getall("certification", [])
        ],
        "max_tolerance_mm": _tolerance(_single(query, "max_tolerance_mm")),
        "limit": _integer(query, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
        "offset": _integer(query, "offset", 0, low=0, high=MAX_OFFSET),
    }


def _single(query: MultiDictProxy[str], name: str) -> str | None:
    values = query.getall(name, [])
    if len(values) > 1:
        raise ApiError(400, "repeated_parameter", name=name)
    return values[0] if values else None


def _id_value(name: str, raw: str, vocabulary: tuple[str, ...]) -> str:
    """A vocabulary id; 'ISO 9001' or 'CNC-machining' are read as iso_9001 / cnc_machining."""
    ident = normalise_id(raw)
    return _vocabulary_value(name, raw, vocabulary, ident if ident in vocabulary else None)


def _vocabulary_value(name: str, raw: str, vocabulary: tuple[str, ...], found: str | None) -> str:
    if found is not None:
        return found
    close = suggest(raw, vocabulary)
    hint = (f" Menade du {' eller '.join(close)}?", f" Did you mean {' or '.join(close)}?")
    raise ApiError(
        400,
        "invalid_value",
        name=name,
        value=raw,
        valid=", ".join(vocabulary),
        hint=hint if close else "",
        extra={"parameter": name, "valid_values": list(vocabulary)},
    )


def _tolerance(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip().replace(",", "."))  # 0,05 is how Swedes write it
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ApiError(400, "not_a_number", name="max_tolerance_mm", value=raw)
    if value <= 0:
        raise ApiError(400, "must_be_positive", name="max_tolerance_mm", value=raw)
    return value


def _integer(query: MultiDictProxy[str], name: str, default: int, *, low: int, high: int) -> int:
    raw = _single(query, name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, "not_an_integer", name=name, value=raw) from None
    if value < low:
        code = "must_be_positive" if low > 0 else "must_not_be_negative"
        raise ApiError(400, code, name=name, value=raw)
    if value > high:
        raise ApiError(400, "too_large", name=name, value=raw, max=high)
    return value


# --- importing ---------------------------------------------------------------------------------


async def import_manufacturers(request: web.Request) -> web.Response:
    """All rows or none: 200 with the count, or 422 listing every bad row."""
    _require_admin(request)
    data = await _read_csv(request)
    report = await request.app[REGISTER].run(lambda store: store.import_csv(data))
    if report.ok:
        log.info("register import: %d manufacturers (%d updated)", report.imported, report.updated)
        return json_response({"imported": report.imported, "updated": report.updated})
    lang = preferred_language(request)
    rows = [
        {"line": e.line, "field": e.field, "reason": e.reason, "message": e.message(lang)}
        for e in report.errors
    ]
    n = len(rows)
    count = (f"{n} fel", f"{n} error" if n == 1 else f"{n} errors")
    raise ApiError(422, "invalid_csv", errors=count, extra={"errors": rows})


def _require_admin(request: web.Request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = request.app[ADMIN_TOKEN].encode()
    given = token.strip().encode("utf-8", "surrogateescape")
    # compare_digest: the time taken reveals nothing about how much of the token was right
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise ApiError(
            401, "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="tillverka"'}
        )


async def _read_csv(request: web.Request) -> bytes:
    if (request.content_length or 0) > MAX_IMPORT_BYTES:
        raise payload_too_large()
    if request.content_type in CSV_TYPES:
        return await _read_limited(request.content.read)
    if request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            if isinstance(part, BodyPartReader) and part.name == "file":
                return await _read_limited(part.read_chunk)
        raise ApiError(400, "missing_file")
    raise ApiError(415, "unsupported_media_type", content_type=request.content_type)


async def _read_limited(read_chunk: Callable) -> bytes:
    """The whole stream, refused once it passes MAX_IMPORT_BYTES (also without Content-Length)."""
    chunks, size = [], 0
    while chunk := await read_chunk(65536):
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise payload_too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def payload_too_large() -> ApiError:
    return ApiError(413, "payload_too_large", max_mb=MAX_IMPORT_BYTES // (1024 * 1024))
