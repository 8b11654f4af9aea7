"""The web app's JSON answers, and its error bodies `{"error": code, "message": text}` in the
caller's language (Swedish if Accept-Language prefers it, else English).

Handlers raise ApiError; one middleware (in app.py) turns it, aiohttp's own HTTP errors and
anything unexpected into a response built by error_response, so every error reads the same way.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping

from aiohttp import web

from bot.i18n import pick

# code -> (Swedish, English); {placeholders} come from the error's params
MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": ("Här finns ingenting ({path}).", "There is nothing here ({path})."),
    "method_not_allowed": (
        "Metoden {method} stöds inte här; använd {allowed}.",
        "Method {method} is not supported here; use {allowed}.",
    ),
    "manufacturer_not_found": (
        "Det finns ingen tillverkare med id '{id}' i registret.",
        "There is no manufacturer with id '{id}' in the register.",
    ),
    "unknown_parameter": (
        "Okänd parameter '{name}'. Giltiga parametrar: {valid}.",
        "Unknown parameter '{name}'. Valid parameters: {valid}.",
    ),
    "repeated_parameter": (
        "Parametern {name} får bara anges en gång.",
        "The parameter {name} may be given only once.",
    ),
    "invalid_value": (
        "Okänt värde '{value}' för {name}.{hint} Giltiga värden: {valid}.",
        "Unknown value '{value}' for {name}.{hint} Valid values: {valid}.",
    ),
    "not_a_number": (
        "{name} ska vara ett tal, inte '{value}'.",
        "{name} must be a number, not '{value}'.",
    ),
    "not_an_integer": (
        "{name} ska vara ett heltal, inte '{value}'.",
        "{name} must be a whole number, not '{value}'.",
    ),
    "must_be_positive": (
        "{name} ska vara större än 0, inte {value}.",
        "{name} must be greater than 0, not {value}.",
    ),
    "must_not_be_negative": (
        "{name} får inte vara negativt ({value}).",
        "{name} must not be negative ({value}).",
    ),
    "too_large": (
        "{name} får vara högst {max}, inte {value}.",
        "{name} may be at most {max}, not {value}.",
    ),
    "unauthorized": (
        "Det här kräver administratörstoken: skicka 'Authorization: Bearer <token>'.",
        "This needs the admin token: send 'Authorization: Bearer <token>'.",
    ),
    "payload_too_large": (
        "Filen är för stor: högst {max_mb} MB tas emot.",
        "The file is too large: at most {max_mb} MB is accepted.",
    ),
    "unsupported_media_type": (
        "Skicka CSV-filen som text/csv, eller som fältet 'file' i multipart/form-data (inte {content_type}).",
        "Send the CSV file as text/csv, or as the field 'file' of multipart/form-data (not {content_type}).",
    ),
    "missing_file": (
        "Uppladdningen saknar fältet 'file' med CSV-filen.",
        "The upload has no field 'file' holding the CSV file.",
    ),
    "invalid_csv": (
        "Inget importerades: filen har {errors} (se errors). Rätta dem och skicka hela filen igen.",
        "Nothing was imported: the file has {errors} (see errors). Fix them and send the whole file again.",
    ),
    "register_unavailable": (
        "Registret går inte att nå just nu. Försök igen om en stund.",
        "The register can't be reached right now. Please try again in a moment.",
    ),
    "http_error": (
        "Begäran kunde inte hanteras ({status}).",
        "The request could not be handled ({status}).",
    ),
    # the website chat (docs/chat-protocol.md); the founder's message is kept to resend
    "too_long": (
        "Meddelandet är för långt: högst {max} tecken (ditt har {length}). Korta det gärna eller dela upp det.",
        "The message is too long: at most {max} characters (yours has {length}). Please shorten it or split it up.",
    ),
    "rate_limited": (
        "Du skickar meddelanden lite för snabbt. Vänta en liten stund och skicka igen.",
        "You are sending messages a little too fast. Please wait a moment and send it again.",
    ),
    "bot_unavailable": (
        "Assistenten kan inte svara just nu. Ditt meddelande finns kvar; försök igen om en stund.",
        "The assistant can't answer right now. Your message is kept; please try again in a moment.",
    ),
    "bad_frame": (
        "Chatten fick något den inte förstod och hoppade över det.",
        "The chat received something it did not understand and skipped it.",
    ),
    "origin_not_allowed": (
        "Chatten får inte öppnas från {origin}.",
        "The chat may not be opened from {origin}.",
    ),
    "no_conversation": (
        "Det finns inget samtal att hämta i den här webbläsaren.",
        "There is no conversation to download in this browser.",
    ),
    "internal_error": (
        "Något gick fel hos oss. Försök igen om en stund.",
        "Something went wrong on our side. Please try again in a moment.",
    ),
}

# A param may differ by language: give it as (Swedish, English).
Localized = tuple[str, str]


class ApiError(Exception):
    """An error answer: HTTP status, a code from MESSAGES, its params and extra body fields."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        extra: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.params = status, code, params
        self.extra, self.headers = dict(extra or {}), dict(headers or {})

    def response(self, request: web.Request) -> web.Response:
        return error_response(
            request, self.status, self.code, extra=self.extra, headers=self.headers, **self.params
        )


def preferred_language(request: web.Request) -> str:
    """'sv' if the caller's Accept-Language ranks Swedish above English, else 'en'.

    Ranked by q value, then by position; '*' stands for English unless English is named.
    """
    best: dict[str, tuple[float, int]] = {}
    wildcard: tuple[float, int] | None = None
    for position, item in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, *params = item.split(";")
        q = _quality(params)
        if not q > 0:  # q=0 means 'not this one'; also skips a garbled nan
            continue
        primary = tag.strip().lower().split("-")[0]
        rank = (q, -position)
        if primary == "*":
            wildcard = wildcard or rank
        elif primary in ("sv", "en"):
            best[primary] = max(best.get(primary, rank), rank)
    sv, en = best.get("sv"), best.get("en", wildcard)
    return "sv" if sv is not None and (en is None or sv > en) else "en"


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def message(code: str, lang: str, **params: object) -> str:
    sv, en = MESSAGES[code]
    values = {k: pick(lang, *v) if isinstance(v, tuple) else v for k, v in params.items()}
    return pick(lang, sv, en).format(**values)


def error_response(
    request: web.Request,
    status: int,
    code: str,
    *,
    extra: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    **params: object,
) -> web.Response:
    """The one way an error answer is built."""
    body = {"error": code, "message": message(code, preferred_language(request), **params)}
    body.update(extra or {})
    return json_response(body, status=status, headers=headers)


def json_response(
    data: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Every JSON answer of the web app; å, ä and ö stay themselves (the body is UTF-8)."""
    return web.json_response(
        data,
        status=status,
        headers=headers,
        dumps=functools.partial(json.dumps, ensure_ascii=False),
    )
