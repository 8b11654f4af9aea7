"""Which interview questions to ask, and which answers are plausible.

The form's required slots are dynamic: the core questions are always asked, the others only
when they change the recommendation (see `required_slots`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.vocabulary import PROFILE_FIELDS

OPTIONAL_SLOTS = ("founder_goal", "process", "certifications", "region", "timeline_weeks")
CORE_SLOTS = tuple(slot for slot in PROFILE_FIELDS if slot not in OPTIONAL_SLOTS)
PROFILE_SLOTS = PROFILE_FIELDS
CONFIRM_SLOT = "profile_confirmed"
# Facts beyond the recommendation contract's profile: the founder's own goal.
EXTRA_SLOTS = ("founder_goal",)
FACT_SLOTS = PROFILE_SLOTS + EXTRA_SLOTS
FORM_SLOTS = FACT_SLOTS + (CONFIRM_SLOT,)

NUMERIC_SLOTS = ("annual_volume", "tolerance_mm", "target_unit_cost_sek", "timeline_weeks")

# Word starts in a product description that make certifications matter even for a prototype
# (medical, automotive, aerospace, load-bearing or welded structures, pressure equipment).
REGULATED_WORDS = re.compile(
    r"\b(medic|patient|implant|sjukvård|vården|health|fordon|bilindustri|automotive|vehicle|"
    r"cars?\b|flyg|aero|aircraft|drönare|drone|bärande|load-bearing|structural|stålkonstruktion|"
    r"svets|weld|tryckkärl|pressure vessel)",
    re.IGNORECASE,
)
LATE_MATURITY = ("validated_prototype", "design_frozen", "in_production")
# The founder's goal changes the path only for a working prototype (a pilot run on it: stages.yml
# rule 7), so only then is it asked; at any stage it is kept when volunteered.
GOAL_MATURITY = ("prototype",)
FROZEN_MATURITY = ("design_frozen", "in_production")


def _mentions_regulated(description: str | None) -> bool:
    return bool(REGULATED_WORDS.search(description or ""))


def required_slots(slots: dict) -> list[str]:
    """The questions of this interview, in order, given what is known so far.

    founder_goal: for a (not yet validated) prototype, where a wish for a pilot run changes the path;
    process: only worth asking once the design is frozen (the founder may have chosen one);
    certifications: for validated designs or regulated products; region and timeline: once
    a pilot or full-scale partner is in sight (proximity and lead time start to matter).
    """
    maturity = slots.get("design_maturity")
    skipped = set(slots.get("skipped_slots") or [])
    wanted = list(CORE_SLOTS)
    if maturity in GOAL_MATURITY:
        wanted.insert(wanted.index("design_maturity") + 1, "founder_goal")
    if maturity in FROZEN_MATURITY:
        wanted.append("process")
    if maturity in LATE_MATURITY or _mentions_regulated(slots.get("product_description")):
        wanted.append("certifications")
    if maturity in LATE_MATURITY:
        wanted += ["region", "timeline_weeks"]
    return [slot for slot in wanted if slot not in skipped] + [CONFIRM_SLOT]


@dataclass(frozen=True)
class Problem:
    """An answer we understood but cannot use; the founder is asked again."""

    slot: str
    code: str
    value: float | None = None

    def to_dict(self) -> dict:
        return {"slot": self.slot, "code": self.code, "value": self.value}


# (lowest plausible, highest plausible) per numeric slot; outside means "ask again"
LIMITS = {
    "annual_volume": (1, 100_000_000),
    "tolerance_mm": (0.0005, 10.0),
    "target_unit_cost_sek": (0.01, 10_000_000),
    "timeline_weeks": (0.5, 520),
}


def check_value(slot: str, value: float) -> Problem | None:
    low, high = LIMITS[slot]
    if value <= 0:
        return Problem(slot, "not_positive", value)
    if value < low:
        return Problem(slot, "too_small", value)
    if value > high:
        return Problem(slot, "too_large", value)
    return None
