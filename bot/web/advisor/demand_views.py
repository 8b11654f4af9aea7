"""Demand and supply: what founders ask for next to how many register firms could make it, and
the requests that found few or no manufacturers."""

from __future__ import annotations

from aiohttp import web

from bot.demand import demand_supply
from bot.web.advisor.lead_views import lead_url
from bot.web.advisor.render import lang_of, page
from bot.web.advisor.workspace import workspace

SECTIONS = ("by_path", "by_process", "by_material", "by_tolerance", "by_volume", "by_region")


def _row(row, lang: str) -> dict:
    return {
        "label": row.label_sv if lang == "sv" else row.label_en,
        "demand": row.demand,
        "supply": row.supply,
        # nobody can make it, or more founders ask than there are firms
        "gap": "none" if row.supply == 0 else "short" if row.demand > row.supply else None,
    }


async def demand_page(request: web.Request) -> web.Response:
    lang = lang_of(request)
    report = await workspace(request).run(lambda ws: demand_supply(ws.database_url))
    sections = [(key, [_row(row, lang) for row in getattr(report, key)]) for key in SECTIONS]
    gaps = [(gap, lead_url(gap.conversation_id)) for gap in report.gaps]
    context = {"report": report, "sections": sections, "gaps": gaps}
    return page(request, "demand.html", context)
