"""Whether a message reads as a question, and which entities are facts about the product.

Pure Python: the intent guard (a Rasa component) and the interview's answer reading share it.
"""

from __future__ import annotations

import re

QUESTION_START_RE = re.compile(
    r"^\s*(why|what|how|which|when|where|who|can you|could you|do you|is it|are there|should|"
    r"varför|vad|hur|vilken|vilket|vilka|när|var finns|vem|kan du|kan ni|finns det|är det|bör)\b",
    re.IGNORECASE,
)
# Entities that state something about the founder's product (not language, not a bare number).
FACT_ENTITIES = frozenset(
    {
        "annual_volume",
        "tolerance_mm",
        "target_unit_cost_sek",
        "timeline_weeks",
        "design_maturity",
        "material",
        "process",
        "certification",
        "region",
    }
)


# "what if", "tänk om", "och om vi": a question about another case, whatever its punctuation
HYPOTHETICAL_RE = re.compile(
    r"\b(what if|what about|how about|suppose|supposing|tänk om|och om|men om|om vi skulle|"
    r"vad händer om|säg att|anta att)\b",
    re.IGNORECASE,
)


def asks_something(text: str) -> bool:
    """A question by its words, not its punctuation: "om det tar fart kanske 200 i veckan?" is
    a hedged answer, "what if we need 200 a week?" a question."""
    text = (text or "").strip()
    return bool(QUESTION_START_RE.match(text) or HYPOTHETICAL_RE.search(text))


def reads_as_question(text: str) -> bool:
    text = (text or "").strip()
    return text.endswith("?") or bool(QUESTION_START_RE.match(text))


def fact_entities(entities: list[dict]) -> list[dict]:
    return [e for e in entities or [] if e.get("entity") in FACT_ENTITIES]
