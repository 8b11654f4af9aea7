"""One lead: the summary, the transcript (and what the page does while Rasa is away), notes,
status, assignment, take over / reply / hand back, exports and erasure."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.advisors.audit import AuditLog, erased_ref
from bot.advisors.notes import MAX_NOTE_CHARS, NoteStore
from tests.advisor.conftest import EN, seed_lead

LEAD = "conv-lead-page"
URL = f"/advisor/leads/{LEAD}"
PROFILE = {
    "design_maturity": "validated_prototype",
    "annual_volume": 500,
    "tolerance_mm": 0.05,
    "target_unit_cost_sek": 250,
    "material": "aluminium",
    "region": "Jönköping",
}
MATCHES = [
    {
        "id": "m-00042",
        "name": "Gnosjö Fiktiva Mekaniska",
        "county": "Jönköping",
        "processes": ["cnc_machining"],
        "score": 0.87,
        "reasons": ["holds ±0.02 mm", "free capacity from October"],
    }
]
RECOMMENDATION = {
    "type": "recommendation",
    "path": "pilot",
    "reasons": ["Designen är validerad", "500 st per år passar en nollserie"],
    "processes": [
        {
            "process": "cnc_machining",
            "unit_cost_sek": 310,
            "tooling_sek": 0,
            "lead_time_weeks": 2,
            "fits_tolerance": True,
        }
    ],
    "manufacturers": MATCHES,
}
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc).timestamp()  # 10:30 in Stockholm


@pytest.fixture
def lead(leads):
    seed_lead(leads, LEAD, profile=PROFILE, matches=MATCHES)
    return leads.get(LEAD)


@pytest.fixture
def conversation(fake_handover, lead):
    fake_handover.add(LEAD, "user", "Vi vill tillverka ett hölje")
    fake_handover.transcripts[LEAD][-1]["ts"] = WHEN
    fake_handover.add(LEAD, "bot", "Hur många per år?", buttons=[{"title": "500", "payload": "/v"}])
    fake_handover.add(LEAD, "bot", "Här är min rekommendation.", custom=RECOMMENDATION)
    return fake_handover


async def test_the_summary_and_transcript(browser, conversation):
    html = await browser.text(URL)
    # the profile in words, and the path
    assert "Aluminiumhölje till en sensor" in html
    assert "testad och validerad prototyp" in html
    assert "500 st per år" in html and "±0,05 mm" in html and "250 kr/st" in html
    assert "nollserie (pilotserie)" in html
    # the latest recommendation's reasons and processes, the matches with their reasons
    assert "Designen är validerad" in html
    assert "CNC-bearbetning" in html and "310 kr" in html
    assert "Gnosjö Fiktiva Mekaniska" in html and "free capacity from October" in html
    # the transcript in order, who said it, when (Stockholm time)
    order = [html.index(s) for s in ("Vi vill tillverka", "Hur många per år?", "Här är min")]
    assert order == sorted(order)
    assert "Grundaren" in html and "Tillverka (bot)" in html
    assert "2026-11-20 10:30" in html
    assert "Val: 500" in html
    assert "[Rekommendation: nollserie (pilotserie)]" in html
    assert 'data-messages-url="/advisor/leads/conv-lead-page/messages.json"' in html


async def test_the_page_in_english(browser, conversation):
    html = await browser.text(URL, headers=EN)
    assert "Founder" in html and "validated prototype" in html and "500 units a year" in html
    assert "pilot series (nollserie)" in html


async def test_without_rasa_the_page_still_shows_summary_and_notes(browser, lead, advisor, db_url):
    NoteStore(db_url).add(LEAD, advisor.id, advisor.name, "Ringde i fredags")
    html = await browser.text(URL)  # Rasa's port is closed
    assert "Samtalet går inte att visa just nu." in html
    assert "Ringde i fredags" in html and "Gnosjö Fiktiva Mekaniska" in html
    assert "500 st per år" in html
    response = await browser.get(f"{URL}/messages.json")
    assert response.status == 200
    assert await response.json() == {"available": False, "messages": [], "taken_over": False}
    response = await browser.get(f"{URL}/transcript.html")
    assert response.status == 503
    assert "Samtalet går inte att visa just nu." in await response.text()
    response = await browser.get(f"{URL}/transcript.json")
    assert response.status == 503
    assert (await response.json())["error"] == "transcript_unavailable"


async def test_live_messages(browser, conversation):
    first = await (await browser.get(f"{URL}/messages.json")).json()
    assert first["available"] is True
    assert [m["from"] for m in first["messages"]] == ["user", "bot", "bot"]
    assert first["messages"][0] == {
        "from": "user",
        "speaker": "Grundaren",
        "time": "2026-11-20 10:30",
        "iso": "2026-11-20T10:30:00+01:00",
        "text": "Vi vill tillverka ett hölje",
        "options": "",
        "note": "",
    }
    conversation.add(LEAD, "user", "Och <b>sen</b>?")
    later = await (await browser.get(f"{URL}/messages.json")).json()
    assert later["messages"][:3] == first["messages"]
    assert later["messages"][3]["text"] == "Och <b>sen</b>?"  # text: advisor.js never parses it


# --- injection ------------------------------------------------------------------------------


async def test_markup_from_founders_and_advisors_is_shown_as_text(browser, leads, fake_handover):
    seed_lead(leads, "xss", product="<script>alert(1)</script>")
    fake_handover.add("xss", "user", '<img src=x onerror="alert(2)">')
    for page in ("/advisor/leads", "/advisor/leads/xss", "/advisor/leads/xss/transcript.html"):
        html = await browser.text(page)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html
    response = await browser.post(
        "/advisor/leads/xss/notes", {"text": "<img src=x onerror=alert(1)>"}
    )
    assert response.status == 303
    html = await browser.text("/advisor/leads/xss")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


# --- notes, status, assignment -------------------------------------------------------------


async def test_adding_a_note(browser, lead, db_url, advisor):
    response = await browser.post(f"{URL}/notes", {"text": "  Vill ha offert före jul  "})
    assert response.status == 303
    assert response.headers["Location"] == f"{URL}?flash=note_added"
    html = await browser.text(response.headers["Location"])
    assert "Anteckningen är sparad." in html
    assert "Vill ha offert före jul" in html and "Anna Rådgivare" in html
    [note] = NoteStore(db_url).list(LEAD)
    assert (note.text, note.author_id) == ("Vill ha offert före jul", advisor.id)
    entry = AuditLog(db_url).recent(1)[0]
    assert (entry.action, entry.conversation_ref, entry.detail) == ("note_added", LEAD, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Anteckningen är tom."),
        ("x" * (MAX_NOTE_CHARS + 1), f"Anteckningen är för lång: högst {MAX_NOTE_CHARS} tecken."),
    ],
)
async def test_a_refused_note_keeps_the_text(browser, lead, db_url, text, message):
    response = await browser.post(f"{URL}/notes", {"text": text})
    html = await response.text()
    assert response.status == 400
    assert message in html
    if text.strip():
        assert text in html  # still in the box, to shorten
    assert NoteStore(db_url).list(LEAD) == []


async def test_status(browser, lead, leads, db_url):
    response = await browser.post(f"{URL}/status", {"status": "handed_over"})
    assert response.status == 303
    assert leads.get(LEAD).status == "handed_over"
    html = await browser.text(f"{URL}?flash=status_saved")
    assert "Statusen är sparad." in html
    assert '<option value="handed_over" selected>Överlämnad</option>' in html
    assert AuditLog(db_url).recent(1)[0].detail == {"status": "handed_over"}
    response = await browser.post(f"{URL}/status", {"status": "deleted"})
    assert response.status == 400
    assert "Välj en av statusarna i listan." in await response.text()
    assert leads.get(LEAD).status == "handed_over"


async def test_assignment(browser, lead, leads, admin):
    response = await browser.post(f"{URL}/assign", {"assigned_to": str(admin.id)})
    assert response.status == 303
    assert leads.get(LEAD).assigned_to == admin.id
    html = await browser.text("/advisor/leads")
    assert "Bo Admin" in html
    response = await browser.post(f"{URL}/assign", {"assigned_to": ""})
    assert response.status == 303
    assert leads.get(LEAD).assigned_to is None
    for bad in ("999", "Bo", "-1"):
        response = await browser.post(f"{URL}/assign", {"assigned_to": bad})
        assert response.status == 400
        assert "Välj en rådgivare i listan." in await response.text()
    assert leads.get(LEAD).assigned_to is None


async def test_actions_on_an_unknown_lead_are_404(browser, lead):
    for action, form in (("notes", {"text": "x"}), ("status", {"status": "new"})):
        response = await browser.post(f"/advisor/leads/nope/{action}", form)
        assert response.status == 404


# --- take over, reply, hand back ---------------------------------------------------------------


async def test_take_over_reply_and_hand_back(browser, conversation, leads, advisor, db_url):
    html = await browser.text(URL)
    assert "Ta över samtalet" in html and 'id="reply-form"' not in html
    response = await browser.post(f"{URL}/takeover")
    assert response.status == 303
    assert leads.get(LEAD).taken_over_by == advisor.id
    html = await browser.text(response.headers["Location"])
    assert "Du har tagit över samtalet." in html
    assert "Anna Rådgivare har tagit över samtalet; boten är pausad." in html
    assert 'id="reply-form"' in html
    assert "Rådgivare Anna Rådgivare" in html  # the takeover message in the transcript

    response = await browser.post(f"{URL}/reply", {"text": "Jag kan hjälpa dig med offerter."})
    assert response.status == 303
    # the founder had no chat open: the page says it waits there
    assert response.headers["Location"] == f"{URL}?flash=replied&stored=1"
    html = await browser.text(response.headers["Location"])
    assert "Svaret är skickat." in html and "meddelandet väntar i samtalet" in html
    assert "Jag kan hjälpa dig med offerter." in html

    # advisor.js sends the reply with fetch and gets JSON
    response = await browser.post(
        f"{URL}/reply",
        {"text": "Och en fråga till"},
        csrf="",
        headers={"Accept": "application/json", "X-CSRF-Token": browser.csrf},
    )
    assert response.status == 200
    assert await response.json() == {"ok": True, "delivered": None}

    response = await browser.post(f"{URL}/handback")
    assert response.status == 303
    assert leads.get(LEAD).taken_over_by is None
    actions = [e.action for e in AuditLog(db_url).recent(10)]
    assert actions[:4] == ["handback", "reply", "reply", "takeover"]
    assert AuditLog(db_url).recent(2)[1].detail == {"chars": 17, "delivered": None}


async def test_reply_errors_are_shown_on_the_page(browser, conversation, leads, advisor):
    await browser.post(f"{URL}/takeover")
    response = await browser.post(f"{URL}/reply", {"text": "   "})
    assert response.status == 400
    assert "Skriv ett meddelande först." in await response.text()
    response = await browser.post(
        f"{URL}/reply", {"text": " "}, headers={"Accept": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["message"] == "Skriv ett meddelande först."
    conversation.fail = "bot_unavailable"
    response = await browser.post(f"{URL}/reply", {"text": "Hallå?"}, headers=EN)
    html = await response.text()
    assert response.status == 503
    assert "The bot is not answering right now, so nothing was saved or sent." in html
    assert "Hallå?" in html  # the typed reply is kept
    assert leads.get(LEAD).taken_over_by == advisor.id


async def test_take_over_refused(browser, lead, leads, fake_handover):
    # the bot has no conversation with this id
    response = await browser.post(f"{URL}/takeover")
    assert response.status == 409
    assert "Det finns inget samtal med det här id:t." in await response.text()
    assert leads.get(LEAD).taken_over_by is None


async def test_a_conversation_the_bot_resumed_offers_take_over_again(
    browser, conversation, leads, advisor
):
    leads.set_taken_over(LEAD, advisor.id)  # but Rasa is not paused (a new session began)
    response = await browser.post(f"{URL}/reply", {"text": "Hej"})
    assert response.status == 409
    html = await response.text()
    assert "Ta över det först." in html and "Ta över samtalet" in html
    assert leads.get(LEAD).taken_over_by is None


async def test_take_over_without_rasa(browser, lead, leads):
    response = await browser.post(f"{URL}/takeover")  # the real Handover, Rasa's port closed
    assert response.status == 503
    assert "Boten svarar inte just nu" in await response.text()
    assert leads.get(LEAD).taken_over_by is None


# --- exports ---------------------------------------------------------------------------------


async def test_transcript_exports(browser, conversation, db_url):
    response = await browser.get(f"{URL}/transcript.json")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="transcript-conv-lead-page.json"'
    )
    body = json.loads(await response.text())
    assert body["conversation_id"] == LEAD
    assert body["lead"]["profile"]["annual_volume"] == 500
    assert body["messages"][0] == {
        "from": "user",
        "text": "Vi vill tillverka ett hölje",
        "time": datetime.fromtimestamp(WHEN, ZoneInfo("Europe/Stockholm")).isoformat(),
    }
    assert body["messages"][1]["options"] == ["500"]
    assert body["messages"][2]["custom"]["path"] == "pilot"
    html = await browser.text(f"{URL}/transcript.html")
    assert "data-print" in html and "Vi vill tillverka ett hölje" in html
    assert "Exporterat" in html and "Anna Rådgivare" in html
    formats = [e.detail["format"] for e in AuditLog(db_url).recent(2)]
    assert formats == ["html", "json"]


# --- erasure ---------------------------------------------------------------------------------


async def test_erasure_needs_the_box_ticked(browser, lead, leads):
    response = await browser.post(f"{URL}/erase", {})
    assert response.status == 400
    assert "Kryssa i rutan för att bekräfta raderingen. Inget raderades." in await response.text()
    assert leads.get(LEAD) is not None


async def test_erasure(browser, lead, leads, db_url, advisor):
    await browser.post(f"{URL}/notes", {"text": "Ring tillbaka"})
    await browser.post(f"{URL}/status", {"status": "contacted"})
    response = await browser.post(f"{URL}/erase", {"confirm": "yes"})
    assert response.status == 303
    assert response.headers["Location"] == "/advisor/leads?flash=erased"
    html = await browser.text(response.headers["Location"])
    assert "Samtalet är raderat." in html
    assert LEAD not in html
    assert leads.get(LEAD) is None
    assert NoteStore(db_url).list(LEAD) == []
    assert (await browser.get(URL)).status == 404
    csv_text = await (await browser.get("/advisor/leads.csv")).text()
    assert LEAD not in csv_text
    # the audit log keeps that it happened, by a hash of the id
    entries = AuditLog(db_url).recent(10)
    [erasure] = [e for e in entries if e.action == "erasure"]
    assert erasure.user_id == advisor.id
    assert erasure.detail["leads"] == 1 and erasure.detail["notes"] == 1
    assert all(e.conversation_ref != LEAD for e in entries)
    assert {e.conversation_ref for e in entries if e.action == "note_added"} == {erased_ref(LEAD)}
