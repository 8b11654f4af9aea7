"""What the interviewer says in plain words: acknowledgements, the summary, problems, help."""

from __future__ import annotations

from bot import vocabulary
from bot.i18n import pick
from bot.interview.slots import OPTIONAL_SLOTS, PROFILE_SLOTS, Problem
from bot.strategy.format import format_mm, format_sek, format_units, format_weeks

SLOT_NAMES = {
    "product_description": {"sv": "produkt", "en": "product"},
    "design_maturity": {"sv": "mognad", "en": "design maturity"},
    "annual_volume": {"sv": "volym", "en": "volume"},
    "tolerance_mm": {"sv": "tolerans", "en": "tolerance"},
    "target_unit_cost_sek": {"sv": "målpris per enhet", "en": "target unit cost"},
    "material": {"sv": "material", "en": "material"},
    "process": {"sv": "tillverkningsmetod", "en": "process"},
    "certifications": {"sv": "certifieringar", "en": "certifications"},
    "region": {"sv": "region", "en": "region"},
    "timeline_weeks": {"sv": "första leverans", "en": "first delivery"},
}

EXAMPLES = {
    "product_description": {
        "sv": '"ett aluminiumhölje till en sensor, 10 cm"',
        "en": '"an aluminium housing for a sensor, 10 cm"',
    },
    "design_maturity": {"sv": '"vi har en prototyp"', "en": '"we have a prototype"'},
    "annual_volume": {
        "sv": '"500 st per år" eller "50 i månaden"',
        "en": '"500 a year" or "50 a month"',
    },
    "tolerance_mm": {"sv": '"±0,1 mm" eller "5 hundradelar"', "en": '"±0.1 mm" or "50 µm"'},
    "target_unit_cost_sek": {"sv": '"250 kr/st" eller "€20"', "en": '"SEK 250 each" or "$20"'},
    "material": {
        "sv": '"aluminium", "rostfritt" eller "plast"',
        "en": '"aluminium", "stainless steel" or "plastic"',
    },
    "process": {"sv": '"CNC" eller "formsprutning"', "en": '"CNC" or "injection moulding"'},
    "certifications": {
        "sv": '"ISO 9001" eller "inga krav"',
        "en": '"ISO 9001" or "no requirements"',
    },
    "region": {
        "sv": '"Jönköping", "Skåne" eller "var som helst"',
        "en": '"Jönköping", "Skåne" or "anywhere"',
    },
    "timeline_weeks": {"sv": '"inom 8 veckor"', "en": '"within 8 weeks"'},
    "profile_confirmed": {
        "sv": '"volym 2000 st" eller "toleransen är 0,1 mm"',
        "en": '"volume 2000" or "the tolerance is 0.1 mm"',
    },
}


def slot_name(slot: str, lang: str) -> str:
    return vocabulary.label(SLOT_NAMES, slot, lang)


def describe_value(slot: str, value, lang: str) -> str:
    """A slot value as a founder reads it."""
    if slot == "certifications" and value == []:
        return pick(lang, "inga krav", "none required")
    if value is None or value == []:
        return pick(lang, "inte angivet", "not given")
    if slot == "design_maturity":
        return vocabulary.label(vocabulary.MATURITY_LABELS, value, lang)
    if slot == "annual_volume":
        return pick(
            lang, f"{format_units(value, lang)} per år", f"{format_units(value, lang)} a year"
        )
    if slot == "tolerance_mm":
        return format_mm(value, lang)
    if slot == "target_unit_cost_sek":
        return pick(lang, f"{format_sek(value, lang)}/st", f"{format_sek(value, lang)} each")
    if slot == "material":
        return vocabulary.label(vocabulary.MATERIAL_LABELS, value, lang)
    if slot == "process":
        return vocabulary.label(vocabulary.PROCESS_LABELS, value, lang)
    if slot == "certifications":
        return ", ".join(vocabulary.label(vocabulary.CERTIFICATION_LABELS, c, lang) for c in value)
    if slot == "timeline_weeks":
        return pick(
            lang, f"inom {format_weeks(value, lang)}", f"within {format_weeks(value, lang)}"
        )
    return str(value)


def acknowledge(understood: list[str], slots: dict, lang: str) -> str | None:
    """ "Noted: ..." for what the last message added, so the founder can spot a misreading."""
    parts = []
    for slot in PROFILE_SLOTS:
        if slot not in understood:
            continue
        if slot == "product_description":
            parts.append(pick(lang, "produkten", "the product"))
            continue
        value = slots.get(slot)
        if value is None and slot == "region":
            parts.append(
                pick(lang, "region: var som helst i Sverige", "region: anywhere in Sweden")
            )
            continue
        parts.append(f"{slot_name(slot, lang)}: {describe_value(slot, value, lang)}")
    if not parts:
        return None
    return pick(lang, "Noterat: ", "Noted: ") + "; ".join(parts) + "."


def summary(slots: dict, lang: str) -> str:
    """Everything understood, before the recommendation, with a way to correct it."""
    lines = [pick(lang, "Så här har jag förstått det:", "This is what I understood:")]
    skipped = set(slots.get("skipped_slots") or [])
    for slot in PROFILE_SLOTS:
        value = slots.get(slot)
        if value is None and slot not in skipped:
            continue
        shown = (
            describe_value(slot, value, lang)
            if value is not None
            else pick(lang, "ingen preferens", "no preference")
        )
        lines.append(f"- {slot_name(slot, lang)}: {shown}")
    lines.append(
        pick(
            lang,
            'Stämmer det? Svara ja, eller skriv det som ska ändras, t.ex. "volym 2000 st".',
            'Is that right? Say yes, or write what to change, e.g. "volume 2000 a year".',
        )
    )
    return "\n".join(lines)


def confirm_buttons(lang: str) -> list[dict]:
    return [
        {"title": pick(lang, "Ja, det stämmer", "Yes, that's right"), "payload": "/affirm"},
        {"title": pick(lang, "Nej, ändra något", "No, change something"), "payload": "/deny"},
    ]


def problem_text(problem: Problem, lang: str) -> str:
    """Why an answer could not be used, and what to write instead."""
    name = slot_name(problem.slot, lang)
    example = vocabulary.label(EXAMPLES, problem.slot, lang)
    if problem.slot == "tolerance_mm" and problem.code == "too_large":
        shown = format_mm(problem.value, lang)
        return pick(
            lang,
            f"{shown} låter mer som ett mått än en tolerans. Vilken avvikelse tål detaljen? Till exempel {example}.",
            f"{shown} sounds more like a dimension than a tolerance. How much may the part deviate? For example {example}.",
        )
    if problem.code == "not_positive":
        return pick(
            lang,
            f"{name.capitalize()} måste vara större än noll. Till exempel {example}.",
            f"The {name} must be greater than zero. For example {example}.",
        )
    return pick(
        lang,
        f"Jag är osäker på {name}n: det värdet verkar orimligt. Kan du ange det igen, till exempel {example}?",
        f"I'm not sure about the {name}: that value looks implausible. Could you give it again, for example {example}?",
    )


def not_understood(requested_slot: str | None, lang: str) -> str:
    if requested_slot == "profile_confirmed":
        return pick(
            lang,
            'Vad ska jag ändra? Skriv till exempel "volym 2000 st" eller "toleransen är 0,1 mm".',
            'What should I change? Write for example "volume 2000 a year" or "the tolerance is 0.1 mm".',
        )
    if requested_slot:
        example = vocabulary.label(EXAMPLES, requested_slot, lang)
        return pick(
            lang,
            f"Förlåt, det förstod jag inte riktigt. Kan du formulera om? Till exempel {example}.",
            f"Sorry, I didn't quite get that. Could you rephrase? For example {example}.",
        )
    return pick(
        lang,
        "Förlåt, det förstod jag inte. Berätta om produkten du vill tillverka, eller fråga t.ex. vad en nollserie är.",
        "Sorry, I didn't get that. Tell me about the product you want to make, or ask e.g. what a pilot series is.",
    )


def finish_interview_first(lang: str) -> str:
    return pick(
        lang,
        "Det kan jag svara på när jag har din rekommendation klar. Låt oss bli klara med frågorna först.",
        "I can answer that once your recommendation is ready. Let's finish the questions first.",
    )


def stuck_offer(slot: str, lang: str) -> str:
    """After two failed answers: say why it matters and offer a way out."""
    return pick(
        lang,
        f"Jag har svårt att förstå svaret om {slot_name(slot, lang)}. Du kan hoppa över frågan "
        "(jag gör då ett rimligt antagande och säger vilket), prata med en rådgivare, eller försöka igen.",
        f"I'm having trouble understanding the answer about the {slot_name(slot, lang)}. You can skip "
        "the question (I'll make a reasonable assumption and tell you which), talk to an advisor, or try again.",
    )


def stuck_buttons(lang: str) -> list[dict]:
    return [
        {"title": pick(lang, "Hoppa över", "Skip it"), "payload": "/skip_question"},
        {
            "title": pick(lang, "Prata med en rådgivare", "Talk to an advisor"),
            "payload": "/talk_to_human",
        },
    ]


def stuck_prompt(lang: str) -> str:
    return pick(lang, "Eller välj:", "Or choose:")


def skipped(slot: str, lang: str) -> str:
    if slot in OPTIONAL_SLOTS:
        return pick(
            lang,
            f"Okej, inget särskilt krav på {slot_name(slot, lang)}.",
            f"OK, no particular requirement on the {slot_name(slot, lang)}.",
        )
    return pick(
        lang,
        f"Okej, vi hoppar över {slot_name(slot, lang)}. Jag gör ett rimligt antagande och säger vilket i rekommendationen.",
        f"OK, let's skip the {slot_name(slot, lang)}. I'll make a reasonable assumption and say which in the recommendation.",
    )


def why_in_general(lang: str) -> str:
    return pick(
        lang,
        "Jag frågar om produkt, mognad, volym, tolerans, målpris och material eftersom de avgör om nästa steg "
        "är prototyp, nollserie eller full skala, vilka metoder som klarar kraven och vad det kostar.",
        "I ask about product, maturity, volume, tolerance, target cost and material because they decide whether "
        "the next step is a prototype, a pilot series or full scale, which processes can meet the requirements "
        "and what it costs.",
    )
