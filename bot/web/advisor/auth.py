"""Who may use the workspace: sign-in and sign-out, the session cookie, CSRF and roles.

Every route needs a live session (`tv_advisor`, see bot/advisors/sessions.py) unless marked
@public; @admin_only routes need the admin role. Without a session a GET is sent to the sign-in
page (and back afterwards), while a POST or a *.json fetch gets 401. Every POST carries the
session's CSRF token (form field `csrf`, or header X-CSRF-Token from advisor.js). The sign-in
form, which has no session yet, uses a double-submit token: a random cookie that must equal the
form's field, which a page on another site can neither read nor set.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.advisors.sessions import MAX_TOKEN_CHARS
from bot.web.advisor.render import (
    PREFIX,
    SESSION,
    PageError,
    delete_cookie,
    error_answer,
    lang_of,
    page,
    set_cookie,
    wants_json,
)
from bot.web.advisor.texts import text
from bot.web.advisor.workspace import workspace

SESSION_COOKIE = "tv_advisor"
LOGIN_CSRF_COOKIE = "tv_login_csrf"
LOGIN_PATH = f"{PREFIX}/login"
HOME = f"{PREFIX}/leads"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_NEXT_CHARS = 2000


def public(handler):
    """Mark a handler as open without a session (the sign-in page only)."""
    handler.advisor_public = True
    return handler


def admin_only(handler):
    """Mark a handler as needing the admin role."""
    handler.advisor_admin = True
    return handler


def session_of(request: web.Request):
    """The request's Session (set by require_session)."""
    return request[SESSION]


@web.middleware
async def require_session(request: web.Request, handler) -> web.StreamResponse:
    target = request.match_info.handler
    if getattr(target, "advisor_public", False):
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = None
    if _looks_like_token(token):
        session = await workspace(request).run(lambda ws: ws.sessions.lookup(token))
    if session is None:
        return _unauthenticated(request, had_cookie=token is not None)
    request[SESSION] = session
    if request.match_info.http_exception is not None:
        return await handler(request)  # no such page, or not this method: say so
    if getattr(target, "advisor_admin", False) and not session.user.is_admin:
        raise PageError(403, "admin_only")
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, session.csrf_token):
        raise PageError(403, "form_expired")
    return await handler(request)


def _looks_like_token(token: str | None) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN_CHARS


def _unauthenticated(request: web.Request, *, had_cookie: bool) -> web.Response:
    """The answer to a request without a live session (forgetting a dead cookie): a GET page
    goes to the sign-in page and comes back afterwards; anything else gets 401."""
    if request.method in SAFE_METHODS and not wants_json(request):
        query = {"next": request.rel_url.path_qs}
        if had_cookie:
            query["expired"] = "1"
        redirect = web.HTTPSeeOther(f"{LOGIN_PATH}?{urlencode(query)}")
        if had_cookie:
            delete_cookie(redirect, SESSION_COOKIE)
        raise redirect
    key = "login_expired" if had_cookie else "unauthorized"
    response = error_answer(request, 401, key)
    if had_cookie:
        delete_cookie(response, SESSION_COOKIE)
    return response


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.post()
        given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path inside the workspace, never another site."""
    if not raw or len(raw) > MAX_NEXT_CHARS or any(ord(ch) < 32 or ch == "\\" for ch in raw):
        return HOME
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or raw.startswith("//"):
        return HOME
    if parts.path != PREFIX and not parts.path.startswith(PREFIX + "/"):
        return HOME
    if ".." in parts.path.split("/") or parts.path.startswith((LOGIN_PATH, f"{PREFIX}/logout")):
        return HOME
    return raw


# --- sign-in and sign-out ----------------------------------------------------------------------


async def _current_session(request: web.Request):
    token = request.cookies.get(SESSION_COOKIE)
    if not _looks_like_token(token):
        return None
    return await workspace(request).run(lambda ws: ws.sessions.lookup(token))


@public
async def login_form(request: web.Request) -> web.Response:
    target = safe_next(request.query.get("next"))
    if await _current_session(request) is not None:
        raise web.HTTPSeeOther(target)
    notice = None
    if request.query.get("expired") == "1":
        notice = text("login_expired", lang_of(request))
    elif request.query.get("signed_out") == "1":
        notice = text("signed_out", lang_of(request))
    return _login_page(request, target, notice=notice)


def _login_page(
    request: web.Request,
    target: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    email: str = "",
    status: int = 200,
) -> web.Response:
    # a tab's token stays valid when another tab opens the form: reuse the cookie's
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        token = secrets.token_urlsafe(32)
    context = {
        "next": target,
        "login_csrf": token,
        "notice": notice,
        "error": error,
        "email": email,
    }
    response = page(request, "login.html", context, status=status)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, path=LOGIN_PATH)
    return response


@public
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    cookie, field = request.cookies.get(LOGIN_CSRF_COOKIE), form.get(CSRF_FIELD)
    if not (
        isinstance(field, str)
        and cookie
        and field
        and hmac.compare_digest(field.encode("utf-8", "replace"), cookie.encode("utf-8", "replace"))
    ):
        raise PageError(403, "form_expired")
    target = safe_next(_text(form.get("next")))
    email, password = _text(form.get("email")), _text(form.get("password"))
    lang = lang_of(request)
    if not email.strip() or not password:
        error = text("login_missing", lang)
        return _login_page(request, target, error=error, email=email, status=400)
    ws = workspace(request)
    result = await ws.run(lambda w: w.users.sign_in(email, password))
    if result.outcome == "ok":
        token, _ = await ws.run(lambda w: w.sessions.create(result.user.id))
        await ws.audit("sign_in", user_id=result.user.id, outcome="ok")
        redirect = web.HTTPSeeOther(target)
        set_cookie(request, redirect, SESSION_COOKIE, token)
        delete_cookie(redirect, LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
        raise redirect
    await ws.audit("sign_in", outcome=result.outcome)
    if result.outcome == "locked":
        error = locked_message(result.locked_until, lang)
        return _login_page(request, target, error=error, email=email, status=429)
    error = text("login_invalid", lang)
    return _login_page(request, target, error=error, email=email, status=401)


def locked_message(until: datetime | None, lang: str, now: datetime | None = None) -> str:
    """ "Too many failed attempts; try again in N minutes" (N rounded up, at least 1)."""
    now = now or datetime.now(timezone.utc)
    seconds = (until - now).total_seconds() if until else 60
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return text("login_locked_one", lang)
    return text("login_locked", lang, minutes=minutes)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def logout(request: web.Request) -> web.Response:
    session = session_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    ws = workspace(request)
    await ws.run(lambda w: w.sessions.delete(token))
    await ws.audit("sign_out", user_id=session.user.id)
    redirect = web.HTTPSeeOther(f"{LOGIN_PATH}?signed_out=1")
    delete_cookie(redirect, SESSION_COOKIE)
    raise redirect
