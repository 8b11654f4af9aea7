"""Exports: the filtered lead list as CSV (streamed), and one transcript as JSON or as a
printable page.

CSV cells are neutralised against formula injection: a spreadsheet runs a cell that starts
with = + - @ (or a tab or carriage return before one), so such a cell gets a leading '.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone

from aiohttp import web

from bot.leads import Lead
from bot.web.advisor.auth import session_of
from bot.web.advisor.conversation import fetch_messages, transcript_items
from bot.web.advisor.filters import parse_leads_query
from bot.web.advisor.lead_views import load_lead
from bot.web.advisor.leads_views import user_names
from bot.web.advisor.render import Formatter, PageError, lang_of, page
from bot.web.advisor.texts import text
from bot.web.advisor.workspace import workspace
from bot.web.errors import json_response

CSV_BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "conversation_id",
    "created_at",
    "last_message_at",
    "channel",
    "language",
    "product",
    "path",
    "annual_volume",
    "tolerance_mm",
    "target_unit_cost_sek",
    "material",
    "process",
    "region",
    "match_count",
    "handoff_requested",
    "handoff_reason",
    "taken_over_by",
    "status",
    "assigned_to",
)
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_cell(value: object) -> str:
    """A cell's text that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cell = str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_row(lead: Lead, names: dict[int, str], fmt: Formatter) -> list[str]:
    values = {
        **{column: getattr(lead, column, None) for column in CSV_COLUMNS},
        "created_at": fmt.iso(lead.created_at),
        "last_message_at": fmt.iso(lead.last_message_at),
        "taken_over_by": names.get(lead.taken_over_by, lead.taken_over_by),
        "assigned_to": names.get(lead.assigned_to, lead.assigned_to),
    }
    return [safe_cell(values[column]) for column in CSV_COLUMNS]


def _csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _take(iterator: Iterator[Lead], n: int) -> list[Lead]:
    return list(itertools.islice(iterator, n))


async def leads_csv(request: web.Request) -> web.StreamResponse:
    """Every lead the list's filters match, in the list's order. A filter with a bad value
    exports nothing (the list would have ignored it, and a bigger export than meant is worse)."""
    lang = lang_of(request)
    query = parse_leads_query(request.query, lang)
    if query.errors:
        context = {
            "status": 400,
            "message": text("bad_export_filter", lang),
            "details": query.errors,
        }
        return page(request, "error.html", context, status=400)
    ws = workspace(request)
    leads = await ws.run(lambda w: w.leads.iter_leads(query.filters, query.sort))
    try:
        # the first batch before the answer starts, so a database error is still a page
        names, batch = await ws.run(lambda w: (user_names(w.users.list()), _take(leads, CSV_BATCH)))
        fmt = Formatter(lang)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="leads-{date.today():%Y-%m-%d}.csv"',
            }
        )
        await response.prepare(request)
        # a BOM, so that Excel reads å, ä and ö as UTF-8
        await response.write(b"\xef\xbb\xbf" + _csv_text([list(CSV_COLUMNS)]))
        count = 0
        while batch:
            count += len(batch)
            await response.write(_csv_text([_csv_row(lead, names, fmt) for lead in batch]))
            batch = await ws.run(lambda w: _take(leads, CSV_BATCH))
    finally:
        await ws.run(lambda w: leads.close())
    await ws.audit("export_leads", user_id=session_of(request).user.id, rows=count)
    await response.write_eof()
    return response


# --- one transcript ----------------------------------------------------------------------------


async def _transcript(request: web.Request):
    lead = await load_lead(request)
    messages = await fetch_messages(request, lead.conversation_id)
    if messages is None:
        raise PageError(503, "transcript_unavailable")
    return lead, messages


def _filename(conversation_id: str, suffix: str) -> str:
    return f"transcript-{_UNSAFE_FILENAME.sub('_', conversation_id)[:80]}.{suffix}"


async def transcript_json(request: web.Request) -> web.Response:
    lead, messages = await _transcript(request)
    fmt = Formatter(lang_of(request))
    exported = []
    for message in messages:
        entry = {key: message[key] for key in ("from", "advisor", "text") if key in message}
        ts = message.get("ts")
        entry["time"] = fmt.iso(float(ts)) if isinstance(ts, (int, float)) else None
        if message.get("buttons"):
            entry["options"] = [b.get("title") for b in message["buttons"]]
        if message.get("custom"):
            entry["custom"] = message["custom"]
        exported.append(entry)
    body = {
        "conversation_id": lead.conversation_id,
        "exported_at": fmt.iso(datetime.now(timezone.utc)),
        "lead": {
            "product": lead.product,
            "path": lead.path,
            "status": lead.status,
            "language": lead.language,
            "channel": lead.channel,
            "created_at": fmt.iso(lead.created_at),
            "last_message_at": fmt.iso(lead.last_message_at),
            "profile": lead.profile,
        },
        "messages": exported,
    }
    user = session_of(request).user
    await workspace(request).audit(
        "export_transcript", user_id=user.id, conversation_id=lead.conversation_id, format="json"
    )
    disposition = f'attachment; filename="{_filename(lead.conversation_id, "json")}"'
    return json_response(body, headers={"Content-Disposition": disposition})


async def transcript_html(request: web.Request) -> web.Response:
    lead, messages = await _transcript(request)
    lang = lang_of(request)
    user = session_of(request).user
    await workspace(request).audit(
        "export_transcript", user_id=user.id, conversation_id=lead.conversation_id, format="html"
    )
    context = {
        "lead": lead,
        "items": transcript_items(messages, lang),
        "exported": Formatter(lang).when(datetime.now(timezone.utc)),
    }
    return page(request, "transcript.html", context)
