"""The register for admins: import a CSV file (all or nothing, every error with its line),
the import history, finding a firm by name or id, and editing one firm.

The register itself is the parent app's RegisterAccess (bot/web/register_api.py): opened and
seeded on first use, run off the event loop.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import func, or_, select

from bot.register.store import RegisterStore, manufacturers
from bot.register.validation import CSV_COLUMNS, RowError
from bot.web.advisor.auth import admin_only, session_of
from bot.web.advisor.render import PREFIX, Formatter, PageError, lang_of, page, url
from bot.web.advisor.texts import text
from bot.web.advisor.workspace import workspace
from bot.web.register_api import MAX_IMPORT_BYTES, REGISTER

HISTORY_ROWS = 20
MAX_FOUND = 50
MAX_SEARCH_CHARS = 200
MAX_MB = MAX_IMPORT_BYTES // (1024 * 1024)
EDITABLE = tuple(column for column in CSV_COLUMNS if column != "id")


def firm_url(firm_id: str, **query: str) -> str:
    return url(f"/register/{quote(firm_id, safe='')}", query)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_firms(store: RegisterStore, q: str, limit: int = MAX_FOUND) -> list[dict]:
    """Firms whose name or id contains `q` (any case), by name; one more than `limit` tells
    the page there are more. RegisterStore.search filters by process and place, not by name,
    so this reads the store's table directly (a candidate for the store, see the report)."""
    c = manufacturers.c
    # SQLite's lower() folds ASCII only; bot.db gives its connections unicode_lower()
    lower = func.unicode_lower if store.engine.dialect.name == "sqlite" else func.lower
    pattern = f"%{_escape_like(q.lower())}%"
    query = (
        select(c.id, c.name, c.county, c.municipality, c.processes_json)
        .where(
            or_(
                c.id == q,
                lower(c.id).like(pattern, escape="\\"),
                lower(c.name).like(pattern, escape="\\"),
            )
        )
        .order_by(c.name, c.id)
        .limit(limit + 1)
    )
    with store.engine.connect() as conn:
        return [
            {**row._mapping, "processes": json.loads(row.processes_json)}
            for row in conn.execute(query)
        ]


async def _register(request: web.Request, work):
    return await request.config_dict[REGISTER].run(work)


# --- the register page -------------------------------------------------------------------------


@admin_only
async def register_page(request: web.Request) -> web.Response:
    return await render_register(request)


async def render_register(
    request: web.Request,
    *,
    status: int = 200,
    upload_errors: list[str] | None = None,
    upload_error: str | None = None,
) -> web.Response:
    lang = lang_of(request)
    q = (
        " ".join(request.query.get("q", "").split())[:MAX_SEARCH_CHARS]
        if request.method == "GET"
        else ""
    )
    history = await workspace(request).run(lambda ws: ws.imports.list(HISTORY_ROWS))
    found = await _register(request, lambda store: find_firms(store, q)) if q else []
    flash = None
    if request.method == "GET" and request.query.get("flash") == "imported":
        flash = text(
            "flash_imported",
            lang,
            imported=_count(request.query.get("imported")),
            updated=_count(request.query.get("updated")),
        )
    context = {
        "history": history,
        "q": q,
        "found": found[:MAX_FOUND],
        "more": len(found) > MAX_FOUND,
        "firm_url": firm_url,
        "max_mb": MAX_MB,
        "columns": ", ".join(CSV_COLUMNS),
        "upload_errors": upload_errors or [],
        "upload_error": upload_error,
        "flash": flash,
        "canonical_path": f"{PREFIX}/register",
    }
    return page(request, "register.html", context, status=status)


def _count(raw: str | None) -> str:
    return raw if raw and raw.isdigit() and len(raw) <= 9 else "0"


@admin_only
async def upload(request: web.Request) -> web.Response:
    """Import the uploaded file: every row or none."""
    lang = lang_of(request)
    form = await request.post()  # read (and size-checked) already by the CSRF check
    upload = form.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await render_register(request, status=400, upload_error=text("missing_file", lang))
    data = await workspace(request).run(lambda ws: upload.file.read(MAX_IMPORT_BYTES + 1))
    if len(data) > MAX_IMPORT_BYTES:
        return await render_register(
            request, status=413, upload_error=text("too_large", lang, max_mb=MAX_MB)
        )
    report = await _register(request, lambda store: store.import_csv(data))
    user = session_of(request).user
    bad_lines = len({error.line for error in report.errors})
    ws = workspace(request)
    await ws.run(
        lambda w: w.imports.record(
            user.id, user.name, upload.filename, report.imported, report.ok, bad_lines
        )
    )
    await ws.audit(
        "register_import",
        user_id=user.id,
        ok=report.ok,
        rows=report.imported,
        updated=report.updated,
        errors=len(report.errors),
    )
    if not report.ok:
        count = len(report.errors)
        summary = (
            text("import_failed_one", lang)
            if count == 1
            else text("import_failed", lang, count=count)
        )
        return await render_register(
            request,
            status=422,
            upload_error=summary,
            upload_errors=[error.message(lang) for error in report.errors],
        )
    counts = {"imported": report.imported, "updated": report.updated}
    raise web.HTTPSeeOther(url("/register", {"flash": "imported", **counts}))


# --- one firm ----------------------------------------------------------------------------------


def _field_message(error: RowError, lang: str) -> str:
    """The error without its "Line 1, column:" lead-in, which says nothing on a one-firm form."""
    message = error.message(lang)
    where = ("Rad" if lang == "sv" else "Line") + f" {error.line}"
    if error.field:
        where += f", {error.field}"
    return message.removeprefix(f"{where}: ")


@admin_only
async def firm_page(request: web.Request) -> web.Response:
    firm_id = request.match_info["id"]
    fields = await _register(request, lambda store: store.row_fields(firm_id))
    if fields is None:
        raise PageError(404, "firm_not_found", id=firm_id)
    return _render_firm(request, firm_id, fields)


def _render_firm(
    request: web.Request,
    firm_id: str,
    fields: dict[str, str],
    *,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> web.Response:
    lang = lang_of(request)
    by_field: dict[str, list[str]] = {}
    general = []
    for error in errors or []:
        if error.field in EDITABLE:
            by_field.setdefault(error.field, []).append(_field_message(error, lang))
        else:
            general.append(error.message(lang))
    flash = request.query.get("flash") if request.method == "GET" else None
    context = {
        "firm_id": firm_id,
        "fields": fields,
        "editable": EDITABLE,
        "field_errors": by_field,
        "general_errors": general,
        "has_errors": bool(errors),
        "action": firm_url(firm_id),
        "canonical_path": firm_url(firm_id),
        "flash": text("flash_saved", lang) if flash == "saved" else None,
        "fmt": Formatter(lang),
    }
    return page(request, "firm.html", context, status=status)


@admin_only
async def save_firm(request: web.Request) -> web.Response:
    firm_id = request.match_info["id"]
    form = await request.post()
    if await _register(request, lambda store: store.row_fields(firm_id)) is None:
        raise PageError(404, "firm_not_found", id=firm_id)
    fields = {c: form.get(c) if isinstance(form.get(c), str) else "" for c in EDITABLE}
    fields["id"] = firm_id
    errors = await _register(request, lambda store: store.update_one(firm_id, fields))
    if errors:
        return _render_firm(request, firm_id, fields, errors=errors, status=422)
    user = session_of(request).user
    await workspace(request).audit("register_edit", user_id=user.id, firm=firm_id[:64])
    raise web.HTTPSeeOther(firm_url(firm_id, flash="saved"))
