"""The intent guard's rules (see intent_guard.py), without Rasa so they are easy to test."""

from __future__ import annotations

from bot.nlu.statements import fact_entities, reads_as_question

RESETS = frozenset({"start_over", "delete_data"})
KNOWLEDGE_QUESTIONS = frozenset(
    {"ask_path_difference", "ask_nollserie", "ask_tooling_cost", "ask_support", "why_not_path", "what_if_volume"}
)
FALLBACK = "nlu_fallback"
# "börja om från början tack" is a command; a reset request longer than this is a sentence.
RESET_MAX_WORDS = 7
# A fallback this long is somebody telling us something.
STATEMENT_MIN_WORDS = 5


def guarded_intent(intent: str | None, text: str, entities: list[dict]) -> str | None:
    if text.lstrip().startswith("/"):
        return intent  # a button's payload is what it says
    words = len(text.split())
    facts = bool(fact_entities(entities))
    if intent in RESETS and (facts or words > RESET_MAX_WORDS):
        return "inform"
    if intent in KNOWLEDGE_QUESTIONS and facts and not reads_as_question(text):
        return "inform"
    if intent == FALLBACK and (facts or words >= STATEMENT_MIN_WORDS):
        return "inform"
    if intent == "switch_language" and not _names_a_language(entities) and words >= STATEMENT_MIN_WORDS:
        # "en svensk tillverkare istället" mentions Sweden, it asks for no language
        return "inform"
    return intent


def _names_a_language(entities: list[dict]) -> bool:
    return any(e.get("entity") == "language" and e.get("role") == "explicit" for e in entities)
