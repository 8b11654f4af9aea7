"""The founder's profile: the interview's slot values, normalised for the engine.

Slots arrive from Rasa as loosely typed values (numbers as text, labels instead of ids, a
single string instead of a list). `Profile.from_slots` accepts all of that and keeps None for
anything missing or unusable, so the engine can state what it assumed instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields

from bot.vocabulary import (
    COUNTIES,
    GOALS,
    MATERIAL_FAMILIES,
    MATERIAL_LABELS,
    MATERIALS,
    MATURITY_LABELS,
    MATURITY_LEVELS,
    PROCESS_LABELS,
    PROCESSES,
    PROFILE_FIELDS,
    label,
)

PAYLOAD_KEYS = PROFILE_FIELDS

_THOUSANDS = re.compile(r"^\d{1,3}([ ,\u00a0\u202f]\d{3})+(\.\d+)?$")


def parse_number(value: object) -> float | None:
    """A positive finite number from a slot value, or None ("10 000", "0,05", 12, "1e4")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            text = re.sub(r"[ ,\u00a0\u202f]", "", text)
        else:
            text = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    return number


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _match_id(value: object, ids: tuple[str, ...], labels: dict) -> str | None:
    """The vocabulary id a slot value names: the id itself or one of its labels."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = _key(value)
    if key in ids:
        return key
    for vid in ids:
        entry = labels.get(vid, {})
        names = entry.values() if isinstance(entry, dict) else [entry]
        for name in names:
            short = name.split(" (")[0]
            if key in (_key(name), _key(short)):
                return vid
    return None


@dataclass(frozen=True)
class MaterialChoice:
    """What the material slot means for the engine.

    kind: "missing" (not given), "id" (one material), "family" ("plastic"/"metal": any
    member), "unknown" (free text we cannot map: no filtering by material).
    """

    kind: str
    ids: tuple[str, ...]
    text: str | None

    def label(self, lang: str) -> str:
        if self.kind in ("id", "family"):
            key = self.ids[0] if self.kind == "id" else self.text
            return label(MATERIAL_LABELS, key, lang)
        return self.text or ""


def resolve_material(text: str | None) -> MaterialChoice:
    """Map the material slot to vocabulary ids (see MaterialChoice)."""
    if text is None or not str(text).strip():
        return MaterialChoice("missing", (), None)
    families = tuple(MATERIAL_FAMILIES)
    family = _match_id(text, families, MATERIAL_LABELS)
    if family:
        return MaterialChoice("family", tuple(MATERIAL_FAMILIES[family]), family)
    material = _match_id(text, MATERIALS, MATERIAL_LABELS)
    if material:
        return MaterialChoice("id", (material,), material)
    return MaterialChoice("unknown", (), str(text).strip())


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _certifications(value: object) -> list[str]:
    if value is None:
        return []
    items = re.split(r"[,;]", value) if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set):
        return []
    result: list[str] = []
    for item in items:
        text = _text(item)
        if text and text not in result:
            result.append(text)
    return result


def _region(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    for county in COUNTIES:
        if county.lower() == text.lower():
            return county
    return text


@dataclass
class Profile:
    """The slot values (DESIGN.md section 4); any may be None when the founder skipped it."""

    product_description: str | None = None
    design_maturity: str | None = (
        None  # idea | prototype | validated_prototype | design_frozen | in_production
    )
    annual_volume: float | None = None
    tolerance_mm: float | None = None
    target_unit_cost_sek: float | None = None
    material: str | None = None  # id from MATERIALS or family "plastic"/"metal", or free text
    process: str | None = None  # id the founder already has in mind (or free text)
    certifications: list[str] = field(default_factory=list)
    region: str | None = None
    timeline_weeks: float | None = None
    founder_goal: str | None = None  # prototype | pilot | full_scale | reshore, when said

    @classmethod
    def from_slots(cls, slots: dict | None) -> Profile:
        """A profile from Rasa slot values; missing keys, bad numbers and blanks become None."""
        slots = slots or {}
        material = _text(slots.get("material"))
        choice = resolve_material(material)
        process = _text(slots.get("process"))
        return cls(
            product_description=_text(slots.get("product_description")),
            design_maturity=_match_id(
                slots.get("design_maturity"), MATURITY_LEVELS, MATURITY_LABELS
            ),
            annual_volume=parse_number(slots.get("annual_volume")),
            tolerance_mm=parse_number(slots.get("tolerance_mm")),
            target_unit_cost_sek=parse_number(slots.get("target_unit_cost_sek")),
            material=choice.text if choice.kind in ("id", "family") else material,
            process=_match_id(process, PROCESSES, PROCESS_LABELS) or process,
            certifications=_certifications(slots.get("certifications")),
            region=_region(slots.get("region")),
            timeline_weeks=parse_number(slots.get("timeline_weeks")),
            founder_goal=slots.get("founder_goal") if slots.get("founder_goal") in GOALS else None,
        )

    def to_payload(self) -> dict:
        """The contract's profile object (DESIGN.md section 4) plus product_description."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        payload = {key: values[key] for key in PAYLOAD_KEYS}
        payload["certifications"] = list(self.certifications)
        if self.founder_goal:
            payload["founder_goal"] = self.founder_goal
        return payload

    def cleaned(self) -> Profile:
        """The same profile with every value normalised as from_slots would (zero or negative
        numbers become None), for profiles built directly rather than from slots."""
        return Profile.from_slots(self.to_payload())

    def material_choice(self) -> MaterialChoice:
        return resolve_material(self.material)
