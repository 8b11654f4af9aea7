"""What the interviewer says in plain words: acknowledgements, the summary, problems, help."""

from __future__ import annotations

import json

from bot import vocabulary
from bot.i18n import pick
from bot.interview.slots import CORE_SLOTS, FACT_SLOTS, OPTIONAL_SLOTS, Problem
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
    "founder_goal": {"sv": "ert mål", "en": "your goal"},
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
    "founder_goal": {"sv": '"vi vill köra en nollserie"', "en": '"we want a pilot run"'},
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
    if slot == "founder_goal":
        return vocabulary.label(vocabulary.GOAL_LABELS, value, lang)
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
    for slot in FACT_SLOTS:
        if slot not in understood:
            continue
        if slot == "product_description":
            parts.append(pick(lang, "produkten", "the product"))
            continue
        value = slots.get(slot)
        if value is None and slot == "founder_goal":
            continue
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
    for slot in FACT_SLOTS:
        value = slots.get(slot)
        if value is None and (slot not in skipped or slot == "founder_goal"):
            continue  # an open goal is what the recommendation answers
        if value is not None:
            shown = describe_value(slot, value, lang)
        elif slot in CORE_SLOTS:
            # a core fact left open: the engine assumes a value and says which
            shown = pick(lang, "inte angivet (jag gör ett antagande)", "not given (I'll assume one)")
        else:
            shown = pick(lang, "ingen preferens", "no preference")
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


def clarify_prompt(slot: str, lang: str) -> str:
    """An unsure reading of the answer: offer the likely readings instead of "rephrase"."""
    return pick(
        lang,
        f"Jag vill vara säker på att jag förstod {slot_name(slot, lang)} rätt. Vilket stämmer bäst?",
        f"I want to be sure I got the {slot_name(slot, lang)} right. Which fits best?",
    )


def _option_title(slot: str, option: str, lang: str) -> str:
    if option == "none":
        return pick(lang, "Inga särskilda krav", "No particular requirements")
    if slot == "design_maturity":
        return vocabulary.label(vocabulary.MATURITY_LABELS, option, lang).capitalize()
    if slot == "founder_goal":
        return vocabulary.label(vocabulary.GOAL_LABELS, option, lang).capitalize()
    if slot == "certifications":
        return vocabulary.label(vocabulary.CERTIFICATION_LABELS, option, lang)
    return option


def clarify_buttons(slot: str, options: list[str], lang: str) -> list[dict]:
    entity = "certification" if slot == "certifications" else slot
    buttons = [
        {
            "title": _option_title(slot, option, lang),
            "payload": "/inform" + json.dumps({entity: option}, ensure_ascii=False),
        }
        for option in options
    ]
    buttons.append(
        {"title": pick(lang, "Inget av dem, hoppa över", "None of these, skip it"), "payload": "/skip_question"}
    )
    return buttons


def assumed_reading(slot: str, value: str, lang: str) -> str:
    """Unsure twice: the likeliest reading is taken, and said, so the summary can correct it."""
    shown = describe_value(slot, value, lang)
    return pick(
        lang,
        f"Jag utgår från {slot_name(slot, lang)}: {shown}. Stämmer det inte kan du ändra det i sammanfattningen.",
        f"I'll go with {slot_name(slot, lang)}: {shown}. If that's wrong, you can change it in the summary.",
    )


def left_open(slot: str, lang: str) -> str:
    """After a second miss: the question is left open rather than asked a third time."""
    return pick(
        lang,
        f"Jag lämnar {slot_name(slot, lang)} öppen så länge och gör ett rimligt antagande, som jag "
        "redovisar i rekommendationen. Du kan ändra det i sammanfattningen, eller prata med en rådgivare.",
        f"I'll leave the {slot_name(slot, lang)} open for now and make a reasonable assumption, which "
        "I'll state in the recommendation. You can change it in the summary, or talk to an advisor.",
    )


def advisor_button(lang: str) -> list[dict]:
    return [
        {
            "title": pick(lang, "Prata med en rådgivare", "Talk to an advisor"),
            "payload": "/talk_to_human",
        }
    ]


def skipped(slot: str, lang: str) -> str:
    if slot == "founder_goal":
        return pick(
            lang,
            "Okej, då föreslår jag nästa steg utifrån det du berättar.",
            "OK, I'll suggest the next step from what you tell me.",
        )
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


def confirm_reset(kind: str, known: list[str], lang: str) -> str:
    """Before a reset: what would be lost, and how to say yes."""
    names = ", ".join(slot_name(slot, lang) for slot in known if slot in SLOT_NAMES)
    if kind == "delete_data":
        lost = pick(lang, f" ({names})", f" ({names})") if names else ""
        return pick(
            lang,
            f"Vill du att jag raderar allt du har berättat{lost} och hela samtalet? Det går inte att ångra.",
            f"Do you want me to delete everything you've told me{lost} and the whole conversation? This cannot be undone.",
        )
    if not names:
        return pick(lang, "Vill du börja om från början?", "Do you want to start over?")
    return pick(
        lang,
        f"Vill du börja om? Då glömmer jag det du har berättat ({names}).",
        f"Do you want to start over? I would forget what you've told me ({names}).",
    )


def reset_buttons(kind: str, lang: str) -> list[dict]:
    yes = (
        pick(lang, "Ja, radera", "Yes, delete")
        if kind == "delete_data"
        else pick(lang, "Ja, börja om", "Yes, start over")
    )
    return [
        {"title": yes, "payload": "/affirm"},
        {"title": pick(lang, "Nej, fortsätt", "No, continue"), "payload": "/deny"},
    ]


def reset_cancelled(lang: str) -> str:
    return pick(lang, "Okej, vi fortsätter där vi var.", "OK, let's carry on where we were.")
