"""Every word the advisor workspace shows, in Swedish and English, and how a page picks one.

Advisors work in Swedish unless their browser prefers English; `?lang=en` (or `sv`) on any page
switches and is remembered in the `tv_lang` cookie.
"""

from __future__ import annotations

from aiohttp import web

from bot.i18n import pick
from bot.web.errors import preferred_language

LANGS = ("sv", "en")
LANG_COOKIE = "tv_lang"

# key -> (Swedish, English); {placeholders} are filled by text()
TEXTS: dict[str, tuple[str, str]] = {
    # --- frame
    "app_name": ("Tillverka rådgivare", "Tillverka advisors"),
    "skip_to_content": ("Hoppa till innehållet", "Skip to content"),
    "nav_leads": ("Leads", "Leads"),
    "nav_demand": ("Efterfrågan och utbud", "Demand and supply"),
    "nav_register": ("Registret", "Register"),
    "signed_in_as": ("Inloggad som {name}", "Signed in as {name}"),
    "role_admin": ("administratör", "administrator"),
    "role_advisor": ("rådgivare", "advisor"),
    "sign_out": ("Logga ut", "Sign out"),
    "other_language": ("English", "Svenska"),
    "other_language_title": ("Switch to English", "Byt till svenska"),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
    "any": ("Alla", "Any"),
    "save": ("Spara", "Save"),
    # --- signing in
    "login_title": ("Logga in", "Sign in"),
    "login_intro": (
        "Arbetsytan för Tillverkas rådgivare. Konton skapas av en administratör.",
        "The workspace for Tillverka's advisors. Accounts are made by an administrator.",
    ),
    "email": ("E-postadress", "E-mail address"),
    "password": ("Lösenord", "Password"),
    "login_button": ("Logga in", "Sign in"),
    "login_invalid": ("Fel e-postadress eller lösenord.", "Wrong e-mail or password."),
    "login_missing": (
        "Fyll i både e-postadress och lösenord.",
        "Please enter both your e-mail address and your password.",
    ),
    "login_locked_one": (
        "För många misslyckade försök. Försök igen om 1 minut.",
        "Too many failed attempts; try again in 1 minute.",
    ),
    "login_locked": (
        "För många misslyckade försök. Försök igen om {minutes} minuter.",
        "Too many failed attempts; try again in {minutes} minutes.",
    ),
    "login_expired": (
        "Din session har gått ut. Logga in igen.",
        "Your session has expired. Please sign in again.",
    ),
    "signed_out": ("Du är utloggad.", "You are signed out."),
    # --- error pages
    "error_title": ("Något gick fel", "Something went wrong"),
    "form_expired": (
        "Formuläret har gått ut. Ladda om sidan och försök igen.",
        "The form has expired; reload the page and try again.",
    ),
    "unauthorized": (
        "Du behöver logga in (igen) för att fortsätta.",
        "You need to sign in (again) to continue.",
    ),
    "admin_only": (
        "Den här sidan är bara för administratörer.",
        "This page is for administrators only.",
    ),
    "not_found": ("Här finns ingen sida.", "There is no page here."),
    "lead_not_found": (
        "Det finns ingen lead med det id:t. Den kan ha raderats.",
        "There is no lead with that id. It may have been erased.",
    ),
    "firm_not_found": (
        "Det finns ingen tillverkare med id '{id}' i registret.",
        "There is no manufacturer with id '{id}' in the register.",
    ),
    "method_not_allowed": (
        "Den här adressen tar inte emot {method}.",
        "This address does not accept {method}.",
    ),
    "too_large": (
        "Filen är för stor: högst {max_mb} MB tas emot. Inget ändrades.",
        "The file is too large: at most {max_mb} MB is accepted. Nothing was changed.",
    ),
    "unavailable": (
        "Databasen går inte att nå just nu. Försök igen om en stund.",
        "The database can't be reached right now. Please try again in a moment.",
    ),
    "internal_error": (
        "Något gick fel hos oss. Försök igen om en stund.",
        "Something went wrong on our side. Please try again in a moment.",
    ),
    "http_error": (
        "Begäran kunde inte hanteras ({status}).",
        "The request could not be handled ({status}).",
    ),
    "bad_export_filter": (
        "Exporten gjordes inte, eftersom filtret har fel:",
        "Nothing was exported, because the filter has errors:",
    ),
    "go_sign_in": ("Till inloggningen", "Go to sign-in"),
    "back_to_leads": ("Tillbaka till leads", "Back to leads"),
    # --- the lead list
    "leads_title": ("Leads", "Leads"),
    "filter_heading": ("Filter", "Filter"),
    "filter_apply": ("Filtrera", "Apply filter"),
    "filter_reset": ("Rensa filter", "Clear filter"),
    "filter_more": ("Fler filter", "More filters"),
    "f_q": ("Sök i text", "Search text"),
    "f_q_hint": ("produkt, anteckningar, samtal", "product, notes, conversation"),
    "f_path": ("Väg", "Path"),
    "f_status": ("Status", "Status"),
    "f_language": ("Språk", "Language"),
    "f_channel": ("Kanal", "Channel"),
    "f_handoff": ("Vill prata med en människa", "Asked for a human"),
    "f_taken_over": ("Övertagen", "Taken over"),
    "f_assigned": ("Tilldelad", "Assigned to"),
    "f_created_from": ("Skapad från", "Created from"),
    "f_created_to": ("Skapad till och med", "Created up to"),
    "f_volume_min": ("Volym minst (st/år)", "Volume at least (per year)"),
    "f_volume_max": ("Volym högst (st/år)", "Volume at most (per year)"),
    "f_tolerance_max": ("Tolerans högst (± mm)", "Tolerance at most (± mm)"),
    "f_cost_max": ("Målpris högst (kr/st)", "Cost goal at most (SEK each)"),
    "f_process": ("Tillverkningsmetod", "Process"),
    "f_material": ("Material", "Material"),
    "f_region": ("Region", "Region"),
    "f_sort": ("Sortering", "Sort"),
    "f_page": ("Sida", "Page"),
    "unassigned": ("Ej tilldelad", "Unassigned"),
    "filter_ignored": (
        "{field}: {problem} Det filtret används inte.",
        "{field}: {problem} That filter is ignored.",
    ),
    "p_not_a_number": ("'{value}' är inget tal.", "'{value}' is not a number."),
    "p_negative": ("'{value}' får inte vara negativt.", "'{value}' must not be negative."),
    "p_not_positive": ("'{value}' ska vara större än 0.", "'{value}' must be greater than 0."),
    "p_unknown_value": ("'{value}' är inget giltigt val.", "'{value}' is not one of the choices."),
    "p_not_a_date": (
        "'{value}' är inget datum (ÅÅÅÅ-MM-DD).",
        "'{value}' is not a date (YYYY-MM-DD).",
    ),
    "p_not_a_page": ("'{value}' är inget sidnummer.", "'{value}' is not a page number."),
    "p_too_long": (
        "texten är längre än {max} tecken.",
        "the text is longer than {max} characters.",
    ),
    "p_dates_reversed": (
        "slutdatumet ligger före startdatumet.",
        "the end date is before the start date.",
    ),
    "col_product": ("Produkt", "Product"),
    "col_path": ("Väg", "Path"),
    "col_volume": ("Volym", "Volume"),
    "col_tolerance": ("Tolerans", "Tolerance"),
    "col_cost": ("Målpris", "Cost goal"),
    "col_language": ("Språk", "Lang."),
    "col_channel": ("Kanal", "Channel"),
    "col_created": ("Skapad", "Created"),
    "col_last": ("Senast aktiv", "Last activity"),
    "col_status": ("Status", "Status"),
    "col_handoff": ("Människa?", "Human?"),
    "col_taken_over": ("Övertagen", "Taken over"),
    "col_assigned": ("Tilldelad", "Assigned"),
    "col_matches": ("Träffar", "Matches"),
    "sort_by": ("Sortera efter {column}", "Sort by {column}"),
    "total_one": ("1 lead", "1 lead"),
    "total": ("{total} leads", "{total} leads"),
    "page_of": ("Sida {page} av {pages}", "Page {page} of {pages}"),
    "previous": ("Föregående", "Previous"),
    "next": ("Nästa", "Next"),
    "pages_label": ("Sidor", "Pages"),
    "no_leads": ("Inga leads matchar filtret.", "No leads match the filter."),
    "no_leads_on_page": (
        "Den här sidan är tom. Gå till sida 1.",
        "This page is empty. Go to page 1.",
    ),
    "export_csv": ("Exportera som CSV", "Export as CSV"),
    "no_product": ("(ingen produkt angiven)", "(no product given)"),
    "requested_human": ("vill prata med en människa", "asked for a human"),
    # --- vocabulary of leads
    "status_new": ("Ny", "New"),
    "status_contacted": ("Kontaktad", "Contacted"),
    "status_handed_over": ("Överlämnad", "Handed over"),
    "status_closed": ("Avslutad", "Closed"),
    "channel_web": ("Webb", "Web"),
    "channel_slack": ("Slack", "Slack"),
    "lang_sv": ("svenska", "Swedish"),
    "lang_en": ("engelska", "English"),
    # --- one lead
    "lead_title": ("Lead: {product}", "Lead: {product}"),
    "summary": ("Sammanfattning", "Summary"),
    "profile": ("Profil", "Profile"),
    "path": ("Rekommenderad väg", "Recommended path"),
    "conversation_id": ("Samtals-id", "Conversation id"),
    "created": ("Skapad", "Created"),
    "last_activity": ("Senast aktiv", "Last activity"),
    "channel": ("Kanal", "Channel"),
    "language": ("Språk", "Language"),
    "handoff_reason": ("Vill prata med en människa: {reason}", "Asked for a human: {reason}"),
    "reasons": ("Varför den vägen", "Why this path"),
    "processes": ("Tillverkningsmetoder", "Processes"),
    "unit_cost": ("Styckpris", "Unit cost"),
    "tooling": ("Verktyg", "Tooling"),
    "lead_time": ("Ledtid", "Lead time"),
    "fits_tolerance": ("Klarar toleransen", "Holds the tolerance"),
    "manufacturers": ("Matchade tillverkare", "Matched manufacturers"),
    "no_manufacturers": ("Inga tillverkare matchade.", "No manufacturers matched."),
    "score": ("Poäng", "Score"),
    "no_recommendation": (
        "Ingen rekommendation i samtalet än.",
        "No recommendation in the conversation yet.",
    ),
    "transcript": ("Samtalet", "Conversation"),
    "transcript_unavailable": (
        "Samtalet går inte att visa just nu. Sammanfattningen och anteckningarna nedan gäller ändå; ladda om sidan om en stund.",
        "The transcript is not available right now. The summary and notes still apply; reload the page in a moment.",
    ),
    "transcript_empty": ("Samtalet har inga meddelanden.", "The conversation has no messages."),
    "speaker_user": ("Grundaren", "Founder"),
    "speaker_bot": ("Tillverka (bot)", "Tillverka (bot)"),
    "speaker_advisor": ("Rådgivare {name}", "Advisor {name}"),
    "options": ("Val", "Options"),
    "recommendation_sent": ("[Rekommendation: {path}]", "[Recommendation: {path}]"),
    "live_updates": (
        "Nya meddelanden visas här av sig själva.",
        "New messages appear here by themselves.",
    ),
    "notes": ("Anteckningar", "Notes"),
    "no_notes": ("Inga anteckningar än.", "No notes yet."),
    "add_note": ("Ny anteckning", "New note"),
    "add_note_button": ("Spara anteckningen", "Save note"),
    "note_by": ("{name}, {when}", "{name}, {when}"),
    "note_empty": ("Anteckningen är tom.", "The note is empty."),
    "note_too_long": (
        "Anteckningen är för lång: högst {max} tecken.",
        "The note is too long: at most {max} characters.",
    ),
    "follow_up": ("Uppföljning", "Follow-up"),
    "status": ("Status", "Status"),
    "status_button": ("Spara status", "Save status"),
    "bad_status": ("Välj en av statusarna i listan.", "Choose one of the statuses in the list."),
    "assign": ("Tilldelad", "Assigned to"),
    "assign_button": ("Spara tilldelning", "Save assignment"),
    "bad_assignee": ("Välj en rådgivare i listan.", "Choose an advisor from the list."),
    "handover": ("Prata med grundaren", "Talk to the founder"),
    "takeover_intro": (
        "Ta över samtalet för att svara grundaren själv. Boten pausas tills du lämnar tillbaka det.",
        "Take over the conversation to answer the founder yourself. The bot is paused until you hand it back.",
    ),
    "takeover_button": ("Ta över samtalet", "Take over the conversation"),
    "taken_over_by": (
        "{name} har tagit över samtalet; boten är pausad.",
        "{name} has taken over the conversation; the bot is paused.",
    ),
    "taken_over_by_someone": (
        "Samtalet är övertaget; boten är pausad.",
        "The conversation is taken over; the bot is paused.",
    ),
    "reply_label": ("Svar till grundaren", "Reply to the founder"),
    "reply_button": ("Skicka", "Send"),
    "reply_hint": (
        "Grundaren ser ditt namn vid svaret.",
        "The founder sees your name with the reply.",
    ),
    "handback_button": ("Lämna tillbaka till boten", "Hand back to the bot"),
    "sending": ("Skickar …", "Sending …"),
    "exports": ("Export", "Export"),
    "export_json": ("Samtalet som JSON", "Transcript as JSON"),
    "export_html": ("Utskriftsvänligt samtal", "Printable transcript"),
    "erase": ("Radera samtalet", "Erase the conversation"),
    "erase_intro": (
        "När grundaren ber om det: raderar samtalet, leaden, anteckningarna och sökindexet. Det går inte att ångra.",
        "When the founder asks for it: erases the conversation, the lead, the notes and the search index. This cannot be undone.",
    ),
    "erase_confirm": (
        "Jag bekräftar att samtalet ska raderas för gott.",
        "I confirm the conversation is to be erased for good.",
    ),
    "erase_button": ("Radera för gott", "Erase for good"),
    "erase_not_confirmed": (
        "Kryssa i rutan för att bekräfta raderingen. Inget raderades.",
        "Tick the box to confirm the erasure. Nothing was erased.",
    ),
    # flashes after a change
    "flash_erased": ("Samtalet är raderat.", "The conversation was erased."),
    "flash_note_added": ("Anteckningen är sparad.", "The note was saved."),
    "flash_status_saved": ("Statusen är sparad.", "The status was saved."),
    "flash_assigned": ("Tilldelningen är sparad.", "The assignment was saved."),
    "flash_taken_over": (
        "Du har tagit över samtalet. Grundaren har fått veta det.",
        "You have taken over the conversation. The founder has been told.",
    ),
    "flash_replied": ("Svaret är skickat.", "The reply was sent."),
    "flash_handed_back": (
        "Samtalet är tillbaka hos boten.",
        "The conversation is back with the bot.",
    ),
    "flash_saved": ("Ändringarna är sparade.", "The changes were saved."),
    "flash_imported": (
        "{imported} tillverkare importerade ({updated} fanns redan och uppdaterades).",
        "{imported} manufacturers imported ({updated} already existed and were updated).",
    ),
    "delivery_stored": (
        "Grundaren har inte chatten öppen; meddelandet väntar i samtalet.",
        "The founder does not have the chat open; the message waits in the conversation.",
    ),
    # --- the printable transcript and its JSON
    "transcript_title": ("Samtal {id}", "Conversation {id}"),
    "exported_at": ("Exporterat {when} av {name}", "Exported {when} by {name}"),
    "print": ("Skriv ut", "Print"),
    # --- demand and supply
    "demand_title": ("Efterfrågan och utbud", "Demand and supply"),
    "demand_intro": (
        "Efterfrågan räknar leads; utbudet räknar tillverkare i registret. Markerade rader har fler förfrågningar än tillverkare, eller inga tillverkare alls.",
        "Demand counts leads; supply counts manufacturers in the register. Highlighted rows have more requests than manufacturers, or no manufacturers at all.",
    ),
    "demand_total_one": ("1 lead totalt", "1 lead in all"),
    "demand_total": ("{total} leads totalt", "{total} leads in all"),
    "by_path": ("Per väg", "By path"),
    "by_process": ("Per tillverkningsmetod", "By process"),
    "by_material": ("Per material", "By material"),
    "by_tolerance": ("Per toleransband", "By tolerance band"),
    "by_volume": ("Per volymband", "By volume band"),
    "by_region": ("Per region", "By region"),
    "col_category": ("Kategori", "Category"),
    "col_demand": ("Efterfrågan", "Demand"),
    "col_supply": ("Utbud", "Supply"),
    "col_gap": ("Brist", "Gap"),
    "gap_none": ("inget utbud", "no supply"),
    "gap_short": ("fler leads än tillverkare", "more leads than firms"),
    "no_rows": ("Inga data än.", "No data yet."),
    "gaps_title": ("Förfrågningar med få eller inga träffar", "Requests with few or no matches"),
    "no_gaps": ("Alla förfrågningar har träffar.", "Every request has matches."),
    # --- the register
    "register_title": ("Registret", "The register"),
    "upload_heading": ("Importera en CSV-fil", "Import a CSV file"),
    "upload_help": (
        "Allt eller inget: har filen ett enda fel importeras ingenting, och varje fel visas med sitt radnummer. Högst {max_mb} MB.",
        "All or nothing: if the file has a single error nothing is imported, and every error is shown with its line number. At most {max_mb} MB.",
    ),
    "upload_columns": ("Kolumner: {columns}", "Columns: {columns}"),
    "file": ("CSV-fil", "CSV file"),
    "upload_button": ("Importera", "Import"),
    "missing_file": ("Välj en CSV-fil att importera.", "Choose a CSV file to import."),
    "import_failed_one": (
        "Inget importerades: filen har 1 fel. Rätta det och importera hela filen igen.",
        "Nothing was imported: the file has 1 error. Fix it and import the whole file again.",
    ),
    "import_failed": (
        "Inget importerades: filen har {count} fel. Rätta dem och importera hela filen igen.",
        "Nothing was imported: the file has {count} errors. Fix them and import the whole file again.",
    ),
    "history_heading": ("Importhistorik", "Import history"),
    "no_history": ("Inga importer än.", "No imports yet."),
    "col_when": ("När", "When"),
    "col_who": ("Vem", "Who"),
    "col_file": ("Fil", "File"),
    "col_rows": ("Tillverkare", "Manufacturers"),
    "col_result": ("Resultat", "Result"),
    "import_ok": ("importerad", "imported"),
    "import_refused": ("inget importerat ({errors} fel)", "nothing imported ({errors} errors)"),
    "search_heading": ("Sök tillverkare", "Find a manufacturer"),
    "search_label": ("Namn eller id", "Name or id"),
    "search_button": ("Sök", "Search"),
    "search_none": ("Ingen tillverkare matchar '{q}'.", "No manufacturer matches '{q}'."),
    "search_more": (
        "Visar de första {n}. Skriv mer för att smalna av.",
        "Showing the first {n}. Type more to narrow it down.",
    ),
    "col_id": ("Id", "Id"),
    "col_name": ("Namn", "Name"),
    "col_county": ("Län", "County"),
    "col_processes": ("Metoder", "Processes"),
    "firm_title": ("Redigera {name}", "Edit {name}"),
    "firm_help": (
        "Samma format som i CSV-filen; listor skiljs med semikolon. Id:t går inte att ändra.",
        "The same format as in the CSV file; lists are separated by semicolons. The id can't be changed.",
    ),
    "firm_errors": (
        "Inget sparades. Rätta felen nedan:",
        "Nothing was saved. Please fix the errors below:",
    ),
    "back_to_register": ("Tillbaka till registret", "Back to the register"),
}


def text(key: str, lang: str, **params: object) -> str:
    """The text of `key` in `lang`, with its {placeholders} filled in."""
    sv, en = TEXTS[key]
    chosen = pick(lang, sv, en)
    return chosen.format(**params) if params else chosen


def label_or_key(key: str, lang: str, fallback: str) -> str:
    """text(key) if the catalogue has it, else `fallback` (an unknown status, channel ...)."""
    return text(key, lang) if key in TEXTS else fallback


def advisor_language(request: web.Request) -> str:
    """?lang= first, then the tv_lang cookie, then the browser: Swedish unless it prefers
    English (preferred_language alone would answer English when neither is named)."""
    chosen = request.query.get("lang")
    if chosen in LANGS:
        return chosen
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGS:
        return remembered
    header = request.headers.get("Accept-Language", "").lower()
    named = {item.split(";")[0].strip().split("-")[0] for item in header.split(",")}
    return preferred_language(request) if "en" in named else "sv"
