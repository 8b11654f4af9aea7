"""The advisor workspace: server-rendered pages under /advisor (docs/advisor.md).

A sub-application with its own middlewares, so its errors are pages in the advisor's language
rather than the parent app's JSON, and every route but the sign-in page needs a session.

GET  /advisor, /advisor/                   -> /advisor/leads
GET  /advisor/login, POST /advisor/login   sign in; POST /advisor/logout
GET  /advisor/leads                        the list (filters, sort, pages); /advisor/leads.csv
GET  /advisor/leads/{id}                   one lead; messages.json, transcript.json/.html
POST /advisor/leads/{id}/notes|status|assign|takeover|reply|handback|erase
GET  /advisor/demand                       demand and supply
GET/POST /advisor/register, /advisor/register/{id}   (admins) import, history, find, edit
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.web_urldispatcher import PrefixedSubAppResource

from bot.web.advisor import auth, demand_views, export, lead_views, leads_views, register_views
from bot.web.advisor.render import PREFIX, add_headers, advisor_errors
from bot.web.advisor.workspace import WORKSPACE, Workspace

TEMPLATES = Path(__file__).resolve().parent / "templates"


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(auth.HOME)


def advisor_app(database_url: str | None) -> web.Application:
    """The workspace as its own application (mounted at /advisor by setup_advisor)."""
    app = web.Application(middlewares=[advisor_errors, auth.require_session])
    app[WORKSPACE] = Workspace(database_url)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # founders' and advisors' words are text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )
    app.on_response_prepare.append(add_headers)
    routes = app.router
    routes.add_get("", home)  # "/advisor" itself, once mounted
    routes.add_get("/", home)
    routes.add_get("/login", auth.login_form)
    routes.add_post("/login", auth.login)
    routes.add_post("/logout", auth.logout)
    routes.add_get("/leads", leads_views.leads_page)
    routes.add_get("/leads.csv", export.leads_csv)
    routes.add_get("/leads/{id}", lead_views.lead_page)
    routes.add_get("/leads/{id}/messages.json", lead_views.messages_json)
    routes.add_get("/leads/{id}/transcript.json", export.transcript_json)
    routes.add_get("/leads/{id}/transcript.html", export.transcript_html)
    routes.add_post("/leads/{id}/notes", lead_views.add_note)
    routes.add_post("/leads/{id}/status", lead_views.set_status)
    routes.add_post("/leads/{id}/assign", lead_views.assign)
    routes.add_post("/leads/{id}/takeover", lead_views.take_over)
    routes.add_post("/leads/{id}/reply", lead_views.reply)
    routes.add_post("/leads/{id}/handback", lead_views.hand_back)
    routes.add_post("/leads/{id}/erase", lead_views.erase)
    routes.add_get("/demand", demand_views.demand_page)
    routes.add_get("/register", register_views.register_page)
    routes.add_post("/register", register_views.upload)
    routes.add_get("/register/{id}", register_views.firm_page)
    routes.add_post("/register/{id}", register_views.save_firm)
    return app


class _PathPrefixedSubApp(PrefixedSubAppResource):
    """aiohttp 3.9's sub-application resource matches on request.url, which yarl >= 1.10 (we
    pin 1.25) refuses to build when the Host header has a port ("localhost:8080"): every
    request under the prefix would fail. The path alone decides here, as in later aiohttp."""

    async def resolve(self, request: web.Request):
        path = request.rel_url.raw_path
        if not path.startswith(self._prefix2) and path != self._prefix:
            return None, set()
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        failed = match_info.http_exception
        methods = failed.allowed_methods if isinstance(failed, web.HTTPMethodNotAllowed) else set()
        return match_info, methods


def setup_advisor(app: web.Application, database_url: str | None) -> None:
    """Mount the workspace at /advisor on the web app (after setup_register and setup_chat:
    it uses their register access, Rasa client and Handover)."""
    resource = app.add_subapp(PREFIX, advisor_app(database_url))
    resource.__class__ = _PathPrefixedSubApp  # see the class: same resource, working match
