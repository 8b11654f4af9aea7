"""The recommendation: strategy engine + register matches, as one payload and its text.

The payload is the contract of DESIGN section 4 (`custom` of the bot message); the text says
the same in plain words for channels that cannot render the payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import vocabulary
from bot.i18n import pick
from bot.register.matching import Requirements, match
from bot.register.store import RegisterStore
from bot.strategy import engine
from bot.strategy.format import format_range, format_units
from bot.strategy.profile import Profile

PAGE_SIZE = 5
MAX_MATCH_PROCESSES = 3


@dataclass
class Recommendation:
    path: str
    text: str
    payload: dict


def requirements_for(profile: Profile, processes: list[str]) -> Requirements:
    return Requirements(
        processes=processes,
        material=profile.material,
        tolerance_mm=profile.tolerance_mm,
        annual_volume=profile.annual_volume,
        certifications=list(profile.certifications or []),
        region=profile.region,
        timeline_weeks=profile.timeline_weeks,
    )


def matched_processes(strategy) -> list[str]:
    """The processes to look for manufacturers for: the best options that hold the tolerance."""
    feasible = [o.process for o in strategy.processes if o.fits_tolerance and o.suitable]
    chosen = feasible or [option.process for option in strategy.processes]
    return chosen[:MAX_MATCH_PROCESSES]


def find_manufacturers(
    store: RegisterStore, profile: Profile, processes: list[str], lang: str, offset: int = 0
):
    return match(
        store, requirements_for(profile, processes), lang=lang, limit=PAGE_SIZE, offset=offset
    )


def build(profile: Profile, lang: str, store: RegisterStore) -> Recommendation:
    strategy = engine.recommend(profile, lang)
    processes = matched_processes(strategy)
    result = find_manufacturers(store, profile, processes, lang)
    payload = {
        "type": "recommendation",
        "language": lang,
        "path": strategy.path,
        "profile": profile.to_payload(),
        **{key: value for key, value in strategy.to_payload().items() if key != "path"},
        "manufacturers": [m.to_payload() for m in result.matches],
        "manufacturers_total": result.total,
        "matched_processes": processes,
    }
    if not result.matches:
        payload["no_match"] = {"reason": result.empty_reason, "relaxations": result.relaxations}
    return Recommendation(strategy.path, render_text(payload, lang), payload)


def process_line(option: dict, lang: str) -> str:
    name = vocabulary.label(vocabulary.PROCESS_LABELS, option["process"], lang)
    unit = format_range(*option["unit_cost_sek_range"], lang, "sek")
    tooling = (
        format_range(*option["tooling_sek_range"], lang, "sek")
        if option.get("tooling_sek")
        else pick(lang, "inga verktyg", "no tooling")
    )
    weeks = format_range(*option["lead_time_weeks_range"], lang, "weeks")
    line = pick(
        lang,
        f"{name}: {unit} per st, verktyg {tooling}, ledtid {weeks}",
        f"{name}: {unit} per unit, tooling {tooling}, lead time {weeks}",
    )
    if not option.get("fits_tolerance", True):
        line += pick(lang, " (klarar inte toleransen)", " (cannot hold the tolerance)")
    if option.get("break_even_units") and option.get("break_even_against"):
        other = vocabulary.label(vocabulary.PROCESS_LABELS, option["break_even_against"], lang)
        units = format_range(*option["break_even_units"], lang, "units")
        line += pick(
            lang, f"; brytpunkt mot {other} vid {units}", f"; break-even with {other} at {units}"
        )
    return line


def manufacturer_lines(manufacturers: list[dict], lang: str, start: int = 1) -> list[str]:
    lines = []
    for number, item in enumerate(manufacturers, start=start):
        reasons = "; ".join(item.get("reasons") or [])
        lines.append(f"{number}. {item['name']} ({item['county']}): {reasons}")
    return lines


def no_match_lines(no_match: dict, lang: str) -> list[str]:
    lines = [
        pick(
            lang,
            "Ingen tillverkare i registret passar alla krav.",
            "No manufacturer in the register meets every requirement.",
        )
    ]
    if no_match.get("reason"):
        lines.append(no_match["reason"])
    lines += [f"- {text}" for text in no_match.get("relaxations") or []]
    return lines


def render_text(payload: dict, lang: str) -> str:
    path = vocabulary.label(vocabulary.PATH_LABELS, payload["path"], lang)
    lines = [pick(lang, f"Min rekommendation: {path}.", f"My recommendation: {path}.")]
    lines += [f"- {reason}" for reason in payload.get("reasons", [])]
    lines += [f"- {text}" for text in payload.get("assumptions", [])]
    if payload.get("processes"):
        lines.append(
            pick(lang, "Tillverkningsmetoder (ungefärliga kostnader):", "Processes (rough costs):")
        )
        lines += [
            f"{n}. {process_line(o, lang)}" for n, o in enumerate(payload["processes"], start=1)
        ]
    if payload.get("manufacturers"):
        lines.append(
            pick(
                lang,
                "Tillverkare med kapacitet (fiktiva exempeldata):",
                "Manufacturers with capacity (fictional sample data):",
            )
        )
        lines += manufacturer_lines(payload["manufacturers"], lang)
    elif "no_match" in payload:
        lines += no_match_lines(payload["no_match"], lang)
    if payload.get("next_steps"):
        lines.append(pick(lang, "Nästa steg:", "Next steps:"))
        lines += [f"- {step}" for step in payload["next_steps"]]
    if payload.get("support"):
        lines.append(pick(lang, "Stöd att söka:", "Support you can ask for:"))
        lines += [f"- {s['name']}: {s['offer']} ({s['url']})" for s in payload["support"]]
    return "\n".join(lines)


def more_manufacturers(
    profile: Profile, lang: str, store: RegisterStore, processes: list[str], offset: int
):
    """The next page of matches: (text, manufacturer payloads)."""
    result = find_manufacturers(store, profile, processes, lang, offset=offset)
    if not result.matches:
        return (
            pick(
                lang,
                "Det finns inga fler tillverkare som passar.",
                "There are no more matching manufacturers.",
            ),
            [],
        )
    shown_to = offset + len(result.matches)
    head = pick(
        lang,
        f"Fler tillverkare ({offset + 1}–{shown_to} av {result.total}):",
        f"More manufacturers ({offset + 1}–{shown_to} of {result.total}):",
    )
    payloads = [m.to_payload() for m in result.matches]
    return "\n".join([head, *manufacturer_lines(payloads, lang, start=offset + 1)]), payloads


def what_if_intro(new_volume: float, lang: str) -> str:
    units = format_units(new_volume, lang)
    return pick(lang, f"Om ni behöver {units} per år:", f"If you need {units} a year:")
