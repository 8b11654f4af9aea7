"""How the workspace answers: pages from templates, errors as pages in the advisor's language
(JSON for the *.json routes), and the headers every answer carries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date, datetime, timezone
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import exc as sa_exc

from bot import vocabulary
from bot.strategy.format import format_mm, format_number, format_sek, format_units, format_weeks
from bot.web.advisor.texts import LANG_COOKIE, LANGS, advisor_language, label_or_key, text
from bot.web.errors import json_response
from bot.web.register_api import MAX_IMPORT_BYTES, RegisterUnavailable
from bot.web.session import is_secure_context

log = logging.getLogger(__name__)

PREFIX = "/advisor"
STATIC = "/static/advisor"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
LANG_COOKIE_DAYS = 365
# request keys set by the middlewares
LANG = "advisor_lang"
SESSION = "advisor_session"

# errors that mean "the database is not there right now", as opposed to a bug
OUTAGE = (
    RegisterUnavailable,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
)


class PageError(Exception):
    """An error answer: a status and a text key (with its params) from texts.py."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


def lang_of(request: web.Request) -> str:
    return request.get(LANG) or advisor_language(request)


# --- formatting for templates ------------------------------------------------------------------


def _stockholm():
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Stockholm")  # the advisors and founders are in Sweden
    except Exception:  # no time zone data on this machine
        return timezone.utc


STOCKHOLM = _stockholm()


def local_time(value: datetime | float | int | None) -> datetime | None:
    """A datetime (naive ones are UTC, as SQLite returns them) or epoch seconds, in Stockholm."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), STOCKHOLM)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(STOCKHOLM)


class Formatter:
    """Values as an advisor reads them in `lang`; None (not given) as a dash."""

    DASH = "–"

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def when(self, value: datetime | float | None) -> str:
        local = local_time(value)
        return local.strftime("%Y-%m-%d %H:%M") if local else self.DASH

    def day(self, value: date | datetime | None) -> str:
        if isinstance(value, datetime):
            value = local_time(value)
        return value.strftime("%Y-%m-%d") if value else self.DASH

    def iso(self, value: datetime | float | None) -> str:
        local = local_time(value)
        return local.isoformat(timespec="seconds") if local else ""

    def units(self, value: float | None) -> str:
        return self.DASH if value is None else format_units(value, self.lang)

    def mm(self, value: float | None) -> str:
        return self.DASH if value is None else format_mm(value, self.lang)

    def sek(self, value: float | None) -> str:
        return self.DASH if value is None else format_sek(value, self.lang)

    def weeks(self, value: float | None) -> str:
        return self.DASH if value is None else format_weeks(value, self.lang)

    def number(self, value: float | None) -> str:
        return self.DASH if value is None else format_number(value, self.lang)

    def path(self, value: str | None) -> str:
        return vocabulary.label(vocabulary.PATH_LABELS, value, self.lang) if value else self.DASH

    def process(self, value: str | None) -> str:
        return vocabulary.label(vocabulary.PROCESS_LABELS, value, self.lang) if value else self.DASH

    def material(self, value: str | None) -> str:
        return (
            vocabulary.label(vocabulary.MATERIAL_LABELS, value, self.lang) if value else self.DASH
        )

    def status(self, value: str | None) -> str:
        return self._keyed("status_", value)

    def channel(self, value: str | None) -> str:
        return self._keyed("channel_", value)

    def language(self, value: str | None) -> str:
        return self._keyed("lang_", value)

    def yes_no(self, value: object) -> str:
        return text("yes" if value else "no", self.lang)

    def _keyed(self, prefix: str, value: str | None) -> str:
        if not value:
            return self.DASH
        return label_or_key(prefix + value, self.lang, value)


# --- pages -------------------------------------------------------------------------------------


def url(path: str, query: Mapping[str, object] | None = None) -> str:
    """A workspace URL with the query's non-empty values."""
    pairs = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{PREFIX}{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def base_context(request: web.Request, canonical_path: str | None = None) -> dict:
    """What every template gets. The language link leads to the same page in the other
    language; after a refused POST that is the page the form was on (`canonical_path`)."""
    lang = lang_of(request)
    session = request.get(SESSION)
    switch = dict(request.query) if request.method == "GET" else {}
    switch.pop("flash", None)
    switch.pop("lang", None)
    switch["lang"] = "en" if lang == "sv" else "sv"
    base = canonical_path or request.path
    joiner = "&" if "?" in base else "?"
    return {
        "lang": lang,
        "t": lambda key, **params: text(key, lang, **params),
        "fmt": Formatter(lang),
        "session": session,
        "user": session.user if session else None,
        "csrf": session.csrf_token if session else "",
        "static": STATIC,
        "prefix": PREFIX,
        "current_path": request.path,
        "lang_switch": f"{base}{joiner}{urlencode(switch)}",
    }


def page(
    request: web.Request, template: str, context: Mapping | None = None, *, status: int = 200
) -> web.Response:
    context = dict(context or {})
    base = base_context(request, context.get("canonical_path"))
    response = aiohttp_jinja2.render_template(template, request, {**base, **context}, status=status)
    response.headers["Content-Language"] = lang_of(request)
    return response


def error_answer(request: web.Request, status: int, key: str, **params: object) -> web.Response:
    """The error as a page, or as JSON for the *.json routes and the JS fetches."""
    lang = lang_of(request)
    message = text(key, lang, **params)
    if wants_json(request):
        return json_response({"error": key, "message": message}, status=status)
    return page(request, "error.html", {"status": status, "message": message}, status=status)


def wants_json(request: web.Request) -> bool:
    return request.path.endswith(".json") or request.headers.get("Accept", "").startswith(
        "application/json"
    )


@web.middleware
async def advisor_errors(request: web.Request, handler) -> web.StreamResponse:
    """Every error as a page in the advisor's language; never a stack trace, never the parent
    app's JSON."""
    request[LANG] = advisor_language(request)
    try:
        return await handler(request)
    except PageError as exc:
        return error_answer(request, exc.status, exc.key, **exc.params)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects are not errors
        return _http_error(request, exc)
    except OUTAGE as exc:
        log.warning("advisor workspace: database unreachable: %s", exc)
        response = error_answer(request, 503, "unavailable")
        response.headers["Retry-After"] = "5"
        return response
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_answer(request, 500, "internal_error")


def _http_error(request: web.Request, exc: web.HTTPException) -> web.Response:
    if exc.status == 404:
        return error_answer(request, 404, "not_found")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        response = error_answer(request, 405, "method_not_allowed", method=request.method)
        response.headers["Allow"] = ",".join(sorted(exc.allowed_methods))
        return response
    if exc.status == 413:
        return error_answer(request, 413, "too_large", max_mb=MAX_IMPORT_BYTES // (1024 * 1024))
    return error_answer(request, exc.status, "http_error", status=exc.status)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The workspace's own headers (the parent app's hook ran first and set the API's CSP)."""
    if response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"  # every page shows founders' data
    response.headers["X-Frame-Options"] = "DENY"
    chosen = request.query.get("lang")
    if chosen in LANGS and request.cookies.get(LANG_COOKIE) != chosen:
        # the response's cookie jar is already written out by now: add the header itself
        remember = SimpleCookie()
        remember[LANG_COOKIE] = chosen
        remember[LANG_COOKIE].update(
            {
                "path": PREFIX,
                "max-age": str(LANG_COOKIE_DAYS * 86400),
                "httponly": True,
                "samesite": "Lax",
                "secure": is_secure_context(request),
            }
        )
        response.headers.add("Set-Cookie", remember[LANG_COOKIE].OutputString())


def set_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    *,
    path: str = PREFIX,
    max_age: int | None = None,
) -> None:
    """An HttpOnly, SameSite=Lax cookie for the workspace, Secure where the browser takes it."""
    response.set_cookie(
        name,
        value,
        path=path,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=is_secure_context(request),
    )


def delete_cookie(response: web.StreamResponse, name: str, *, path: str = PREFIX) -> None:
    response.del_cookie(name, path=path)
