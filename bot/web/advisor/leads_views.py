"""The lead list: one row per conversation, filtered, sorted and paged (50 a page).

One LeadStore.list call per page, and the advisors' names from one UserStore.list call, so the
list stays quick with tens of thousands of leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.leads import SORTS
from bot.web.advisor.filters import (
    CHOICES,
    FIELDS,
    MAIN_FIELDS,
    MATERIAL_SUGGESTIONS,
    PER_PAGE,
    parse_leads_query,
    sort_link,
)
from bot.web.advisor.lead_views import lead_url
from bot.web.advisor.render import lang_of, page, url
from bot.web.advisor.texts import text
from bot.web.advisor.workspace import workspace

FLASHES = ("erased",)


@dataclass(frozen=True)
class Column:
    key: str  # text key of the header: col_<key>
    sort: str | None  # the LeadStore sort it orders by, if any


COLUMNS = (
    Column("product", "product"),
    Column("path", "path"),
    Column("volume", "annual_volume"),
    Column("tolerance", "tolerance_mm"),
    Column("cost", "target_unit_cost_sek"),
    Column("language", None),
    Column("channel", None),
    Column("created", "created_at"),
    Column("last", "last_message_at"),
    Column("status", "status"),
    Column("handoff", None),
    Column("taken_over", None),
    Column("assigned", None),
)


def user_names(users) -> dict[int, str]:
    return {user.id: user.name for user in users}


async def leads_page(request: web.Request) -> web.Response:
    lang = lang_of(request)
    query = parse_leads_query(request.query, lang)
    found, users = await workspace(request).run(
        lambda ws: (ws.leads.list(query.filters, query.sort, query.page, PER_PAGE), ws.users.list())
    )
    headers = []
    for column in COLUMNS:
        header = {"label": text(f"col_{column.key}", lang), "href": None, "aria_sort": None}
        if column.sort in SORTS:
            header["href"] = url(
                "/leads", {**query.clean, "sort": sort_link(query.sort, column.sort)}
            )
            if query.sort.removeprefix("-") == column.sort:
                header["aria_sort"] = "descending" if query.sort.startswith("-") else "ascending"
        headers.append(header)
    listed = {**query.clean, "sort": query.sort}

    def page_link(number: int) -> str:
        return url("/leads", {**listed, "page": number if number > 1 else None})

    flash = request.query.get("flash")
    context = {
        "query": query,
        "fields": FIELDS,
        "main_fields": MAIN_FIELDS,
        "choices": CHOICES,
        "materials": MATERIAL_SUGGESTIONS,
        "users": users,
        "names": user_names(users),
        "found": found,
        "headers": headers,
        "previous": page_link(found.page - 1) if found.page > 1 else None,
        "next": page_link(found.page + 1) if found.page < found.pages else None,
        "first": page_link(1),
        "export": url("/leads.csv", listed),
        "reset": url("/leads"),
        "sort": query.sort,
        "flash": text(f"flash_{flash}", lang) if flash in FLASHES else None,
        "lead_url": lead_url,
    }
    return page(request, "leads.html", context)
