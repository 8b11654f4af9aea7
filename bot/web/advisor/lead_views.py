"""One lead: its summary, transcript, notes and follow-up, and the advisor's actions on it
(notes, status, assignment, take over / reply / hand back, erase).

Every action is a plain form POST answered with 303 back to the page (so it works without
JavaScript); a refused one renders the page again with the error beside its form and the typed
text kept. advisor.js may send a reply with fetch (Accept: application/json) instead.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot import privacy
from bot.advisors.notes import MAX_NOTE_CHARS
from bot.interview.texts import describe_value, slot_name
from bot.leads import STATUSES
from bot.vocabulary import PROFILE_FIELDS
from bot.web.advisor.auth import session_of
from bot.web.advisor.conversation import fetch_messages, latest_recommendation, transcript_items
from bot.web.advisor.render import PageError, lang_of, page, url, wants_json
from bot.web.advisor.texts import text
from bot.web.advisor.workspace import workspace
from bot.web.errors import json_response
from bot.web.handover import HANDOVER, MAX_REPLY_CHARS, HandoverError

FLASHES = (
    "note_added",
    "status_saved",
    "assigned",
    "taken_over",
    "replied",
    "handed_back",
)


def lead_url(conversation_id: str, **query: str) -> str:
    return url(f"/leads/{quote(conversation_id, safe='')}", query)


async def load_lead(request: web.Request):
    """The lead of the URL's id, or the 404 page."""
    conversation_id = request.match_info["id"]
    lead = await workspace(request).run(lambda ws: ws.leads.get(conversation_id))
    if lead is None:
        raise PageError(404, "lead_not_found")
    return lead


def profile_lines(profile: dict, lang: str) -> list[tuple[str, str]]:
    """The founder's profile in words, in the interview's order."""
    lines = []
    for slot in PROFILE_FIELDS:
        if slot not in profile:
            continue
        name = slot_name(slot, lang)
        lines.append((name[:1].upper() + name[1:], describe_value(slot, profile[slot], lang)))
    return lines


# --- the page ----------------------------------------------------------------------------------


async def lead_page(request: web.Request) -> web.Response:
    return await render_lead(request)


async def render_lead(
    request: web.Request,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    drafts: dict[str, str] | None = None,
) -> web.Response:
    """The lead page; `errors` by form (notes, status, assign, handover, erase) and the text
    typed into them (`drafts`) when a POST was refused."""
    lang = lang_of(request)
    conversation_id = request.match_info["id"]
    lead, notes, users = await workspace(request).run(
        lambda ws: (
            ws.leads.get(conversation_id),
            ws.notes.list(conversation_id),
            ws.users.list(),
        )
    )
    if lead is None:
        raise PageError(404, "lead_not_found")
    messages = await fetch_messages(request, conversation_id)
    recommendation = latest_recommendation(messages) or {}
    names = {user.id: user.name for user in users}
    flash = request.query.get("flash") if request.method == "GET" else None
    context = {
        "lead": lead,
        "lead_url": lead_url(conversation_id),
        "canonical_path": lead_url(conversation_id),
        "profile": profile_lines(lead.profile or {}, lang),
        "reasons": [str(r) for r in recommendation.get("reasons") or []],
        "processes": [p for p in recommendation.get("processes") or [] if isinstance(p, dict)],
        "manufacturers": [
            m
            for m in (lead.matches or recommendation.get("manufacturers") or [])
            if isinstance(m, dict)
        ],
        "available": messages is not None,
        "items": transcript_items(messages, lang) if messages is not None else [],
        "notes": notes,
        "users": [u for u in users if not u.disabled or u.id == lead.assigned_to],
        "names": names,
        "statuses": STATUSES,
        "taken_over_name": names.get(lead.taken_over_by) if lead.taken_over_by else None,
        "max_note": MAX_NOTE_CHARS,
        "max_reply": MAX_REPLY_CHARS,
        "errors": errors or {},
        "drafts": drafts or {},
        "flash": text(f"flash_{flash}", lang) if flash in FLASHES else None,
        "stored_only": request.query.get("stored") == "1" and flash in FLASHES,
    }
    return page(request, "lead.html", context, status=status)


async def messages_json(request: web.Request) -> web.Response:
    """The transcript for advisor.js's live updates."""
    lead = await load_lead(request)
    messages = await fetch_messages(request, lead.conversation_id)
    items = transcript_items(messages, lang_of(request)) if messages is not None else []
    return json_response(
        {
            "available": messages is not None,
            "messages": items,
            "taken_over": lead.taken_over_by is not None,
        }
    )


# --- actions -----------------------------------------------------------------------------------


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _done(conversation_id: str, flash: str, **extra: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(lead_url(conversation_id, flash=flash, **extra))


async def add_note(request: web.Request) -> web.Response:
    lead = await load_lead(request)
    note = (await _form(request)).get("text", "")
    user = session_of(request).user
    ws = workspace(request)
    try:
        await ws.run(lambda w: w.notes.add(lead.conversation_id, user.id, user.name, note))
    except ValueError as exc:
        lang = lang_of(request)
        reason = str(exc)
        message = (
            text("note_too_long", lang, max=MAX_NOTE_CHARS)
            if reason == "too_long"
            else text("note_empty", lang)
        )
        return await render_lead(
            request, status=400, errors={"notes": message}, drafts={"note": note}
        )
    await ws.audit("note_added", user_id=user.id, conversation_id=lead.conversation_id)
    raise _done(lead.conversation_id, "note_added")


async def set_status(request: web.Request) -> web.Response:
    lead = await load_lead(request)
    status = (await _form(request)).get("status", "")
    if status not in STATUSES:
        message = text("bad_status", lang_of(request))
        return await render_lead(request, status=400, errors={"status": message})
    user = session_of(request).user
    ws = workspace(request)
    if not await ws.run(lambda w: w.leads.set_status(lead.conversation_id, status)):
        raise PageError(404, "lead_not_found")
    await ws.audit("status", user_id=user.id, conversation_id=lead.conversation_id, status=status)
    raise _done(lead.conversation_id, "status_saved")


async def assign(request: web.Request) -> web.Response:
    lead = await load_lead(request)
    raw = (await _form(request)).get("assigned_to", "").strip()
    ws = workspace(request)
    users = await ws.run(lambda w: w.users.list())
    enabled = {str(u.id): u.id for u in users if not u.disabled}
    if raw and raw not in enabled:
        message = text("bad_assignee", lang_of(request))
        return await render_lead(request, status=400, errors={"assign": message})
    assignee = enabled.get(raw)
    if not await ws.run(lambda w: w.leads.assign(lead.conversation_id, assignee)):
        raise PageError(404, "lead_not_found")
    user = session_of(request).user
    await ws.audit(
        "assign", user_id=user.id, conversation_id=lead.conversation_id, assigned_to=assignee
    )
    raise _done(lead.conversation_id, "assigned")


async def take_over(request: web.Request) -> web.Response:
    return await _switch(request, taking_over=True)


async def hand_back(request: web.Request) -> web.Response:
    return await _switch(request, taking_over=False)


async def _switch(request: web.Request, *, taking_over: bool) -> web.Response:
    """Pause the bot and answer as `user` (take over), or resume it (hand back)."""
    lead = await load_lead(request)
    user = session_of(request).user
    handover = request.config_dict[HANDOVER]
    act = handover.take_over if taking_over else handover.hand_back
    try:
        delivery = await act(lead.conversation_id, user.name, lead.language or "sv")
    except HandoverError as exc:
        return await _handover_refused(request, exc)
    ws = workspace(request)
    owner = user.id if taking_over else None
    await ws.run(lambda w: w.leads.set_taken_over(lead.conversation_id, owner))
    await ws.audit(
        "takeover" if taking_over else "handback",
        user_id=user.id,
        conversation_id=lead.conversation_id,
        delivered=delivery.channel,
    )
    flash = "taken_over" if taking_over else "handed_back"
    raise _done(lead.conversation_id, flash, **_stored(delivery))


async def reply(request: web.Request) -> web.Response:
    lead = await load_lead(request)
    words = (await _form(request)).get("text", "")
    user = session_of(request).user
    try:
        delivery = await request.config_dict[HANDOVER].reply(lead.conversation_id, user.name, words)
    except HandoverError as exc:
        return await _handover_refused(request, exc, drafts={"reply": words})
    await workspace(request).audit(
        "reply",
        user_id=user.id,
        conversation_id=lead.conversation_id,
        chars=len(words.strip()),
        delivered=delivery.channel,
    )
    if wants_json(request):
        return json_response({"ok": True, "delivered": delivery.channel})
    raise _done(lead.conversation_id, "replied", **_stored(delivery))


def _stored(delivery) -> dict[str, str]:
    """?stored=1 when the founder had no chat open: the page says the message waits there."""
    return {} if delivery.channel else {"stored": "1"}


async def _handover_refused(
    request: web.Request, exc: HandoverError, drafts: dict[str, str] | None = None
) -> web.Response:
    conversation_id = request.match_info["id"]
    if exc.code == "not_taken_over":
        # Rasa resumed by itself (a new session, a restart): the page should offer take over
        await workspace(request).run(lambda w: w.leads.set_taken_over(conversation_id, None))
    status = {"bot_unavailable": 503, "unknown_conversation": 409, "not_taken_over": 409}.get(
        exc.code, 400
    )
    message = exc.message(lang_of(request))
    if wants_json(request):
        return json_response({"error": exc.code, "message": message}, status=status)
    return await render_lead(request, status=status, errors={"handover": message}, drafts=drafts)


async def erase(request: web.Request) -> web.Response:
    lead = await load_lead(request)
    if (await _form(request)).get("confirm") != "yes":
        message = text("erase_not_confirmed", lang_of(request))
        return await render_lead(request, status=400, errors={"erase": message})
    ws = workspace(request)
    user = session_of(request).user
    # the erasure writes its own audit entry (counts only, the id hashed)
    await ws.run(
        lambda w: privacy.erase_conversation(
            lead.conversation_id, url=w.database_url, user_id=user.id
        )
    )
    raise web.HTTPSeeOther(url("/leads", {"flash": "erased"}))
