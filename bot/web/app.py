"""The Tillverka web app: the only public door for browsers (the founders' chat, the advisors'
workspace, health and the register API)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.secrets import get_or_create_secret
from bot.web.advisor import setup_advisor
from bot.web.chat import CHAT, ChatSettings, setup_chat
from bot.web.errors import ApiError, error_response, json_response
from bot.web.handover import setup_handover
from bot.web.health import setup_health
from bot.web.housekeeping import setup_housekeeping
from bot.web.register_api import (
    MAX_IMPORT_BYTES,
    REGISTER,
    RegisterUnavailable,
    payload_too_large,
    setup_register,
)

log = logging.getLogger(__name__)

# JSON endpoints load nothing, so they allow nothing; pages that need more set their own.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CSP,
}


def create_app(
    database_url: str | None = None,
    admin_token: str | None = None,
    chat_settings: ChatSettings | None = None,
) -> web.Application:
    """The web app on `database_url` (default DATABASE_URL); `admin_token` guards the import
    (default TILLVERKA_ADMIN_TOKEN, else var/secrets/admin_token); the chat's settings come
    from the environment unless given (see bot/web/chat.py)."""
    token = admin_token or get_or_create_secret("admin_token", "TILLVERKA_ADMIN_TOKEN")
    # a little above the import limit, so the import handler can answer 413 itself
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_IMPORT_BYTES + 65536)
    setup_register(app, database_url, token)
    setup_housekeeping(app, database_url)
    setup_chat(app, database_url, chat_settings)
    setup_handover(app)
    setup_advisor(app, database_url)
    app.router.add_get("/health", health)
    # the probe checks the Redis the chat uses
    setup_health(app, database_url, app[CHAT].settings.redis_url)
    app.on_response_prepare.append(_add_security_headers)
    return app


async def health(request: web.Request) -> web.Response:
    """200 with the register's size, or 503 (for load balancers and `make run`)."""
    try:
        count = await request.app[REGISTER].run(lambda store: store.count())
    except RegisterUnavailable:
        return _health_error("database unreachable")
    except Exception:
        log.exception("health check failed")
        return _health_error("register error")
    return json_response({"status": "ok", "register": {"manufacturers": count}})


def _health_error(reason: str) -> web.Response:
    # the reason never includes the exception: it could carry the database URL
    return json_response({"status": "error", "reason": reason}, status=503)


@web.middleware
async def json_errors(request: web.Request, handler) -> web.StreamResponse:
    """Every error as JSON in the caller's language; never a stack trace."""
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response(request)
    except RegisterUnavailable:
        return error_response(request, 503, "register_unavailable", headers={"Retry-After": "5"})
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects are not errors
        return _http_error(request, exc)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(request, 500, "internal_error")


def _http_error(request: web.Request, exc: web.HTTPException) -> web.Response:
    """aiohttp's own errors (no route, wrong method, body too big) as our JSON errors."""
    if exc.status == 404:
        return error_response(request, 404, "not_found", path=request.path)
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = sorted(exc.allowed_methods)
        return error_response(
            request,
            405,
            "method_not_allowed",
            method=request.method,
            allowed=", ".join(allowed),
            headers={"Allow": ",".join(allowed)},
        )
    if exc.status == 413:
        return payload_too_large().response(request)
    return error_response(request, exc.status, "http_error", status=exc.status)


async def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)  # a page with its own policy keeps it
    response.headers["Server"] = "Tillverka"  # not aiohttp's name and version
