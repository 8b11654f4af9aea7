"""Which language the bot answers in.

The founder's words decide (the NLU extractor detects sv/en), until the founder asks for a
language explicitly ("in English please"): then that choice sticks.
"""

from __future__ import annotations


def choose_language(
    entities: list[dict], current: str | None, locked: bool, intent: str | None = None
) -> tuple[str | None, bool]:
    """(language, locked) after this message."""
    explicit = [
        e
        for e in entities
        if e.get("entity") == "language"
        and (
            e.get("role") == "explicit" or intent == "switch_language"
        )  # a UI switch sends /switch_language{"language": ...}
        and e.get("value") in ("sv", "en")
    ]
    if explicit:
        return explicit[-1].get("value"), True
    if intent == "switch_language":
        # "byt språk" / "other language please" names no language: switch to the other one
        return ("en" if current == "sv" else "sv"), True
    if locked:
        return current, True
    detected = [e for e in entities if e.get("entity") == "language"]
    if detected and detected[-1].get("value") in ("sv", "en"):
        return detected[-1].get("value"), False
    return current, False
