"""A bare number as the answer to the numeric question being asked.

The extractor marks a number without a unit it knows as `number`; whether it answers the open
question depends on where it stands. It does when the message is a short answer ("ca 500"),
when it leads the first short clause ("tvåhundra, det är en nischprodukt"), when the slot's
unit follows it ("runt 0,6 mm, det är ett bockat plåthölje"), or, for a tolerance, when it is
a decimal below one millimetre anywhere ("the snap fit needs 0.05"): no count or price reads
like that. A number buried in a long story ("we sold 3 of them last spring") is no answer.
"""

from __future__ import annotations

import re

SHORT_ANSWER_WORDS = 5
CLAUSE_END_RE = re.compile(r"[,.;!?]|\s(?:men|but|och|and|sen|then)\s", re.IGNORECASE)
UNITS = {
    "tolerance_mm": ("mm", "my", "µm", "μm", "mikron", "micron", "hundradel", "tiondel"),
    "annual_volume": ("st", "styck", "units", "pcs", "pieces", "parts", "exemplar", "ex"),
    "target_unit_cost_sek": ("kr", "sek", "kronor", "spänn", ":-"),
    "timeline_weeks": ("v", "veckor", "vecka", "weeks", "week", "wk"),
}
MARKUP = set("<>{}[]=")


def _value(entity: dict, slot: str) -> float | None:
    """A bare range ("300-500") read as the question asks: the tightest end for a tolerance,
    the latest for a deadline, the middle for a volume or a price."""
    ends = entity.get("range")
    try:
        if isinstance(ends, list | tuple) and len(ends) == 2:
            low, high = sorted(float(e) for e in ends)
            return {"tolerance_mm": low, "timeline_weeks": high}.get(slot, (low + high) / 2)
        return float(entity.get("value"))
    except (TypeError, ValueError):
        return None


def _unit_follows(text: str, end: int, slot: str) -> bool:
    after = text[end:].lstrip().lower()
    return any(re.match(re.escape(unit) + r"(?!\w)", after) for unit in UNITS.get(slot, ()))


def _leads_first_clause(text: str, start: int) -> bool:
    boundary = CLAUSE_END_RE.search(text)
    clause_end = boundary.start() if boundary else len(text)
    return start < clause_end and len(text[:clause_end].split()) <= SHORT_ANSWER_WORDS


def _answers(text: str, entity: dict, slot: str, value: float) -> bool:
    if len(text.split()) <= SHORT_ANSWER_WORDS:
        return True
    start, end = entity.get("start", 0), entity.get("end", 0)
    if _leads_first_clause(text, start) or _unit_follows(text, end, slot):
        return True
    return slot == "tolerance_mm" and 0 < value < 1


def numeric_answer(text: str, entities: list[dict], slot: str | None) -> float | None:
    """The value a bare number gives the question `slot`, or None (the tightest for a tolerance,
    else the first: the answer leads)."""
    if not slot or MARKUP & set(text or ""):
        return None
    found = []
    for entity in entities:
        if entity.get("entity") != "number":
            continue
        value = _value(entity, slot)
        if value is not None and _answers(text, entity, slot, value):
            found.append(value)
    if not found:
        return None
    return min(found) if slot == "tolerance_mm" else found[0]
