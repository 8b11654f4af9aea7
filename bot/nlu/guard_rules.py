"""The intent guard's rules (see intent_guard.py), without Rasa so they are easy to test."""

from __future__ import annotations

import re

from bot.nlu.statements import fact_entities, reads_as_question

RESETS = frozenset({"start_over", "delete_data"})
KNOWLEDGE_QUESTIONS = frozenset(
    {"ask_path_difference", "ask_nollserie", "ask_tooling_cost", "ask_support", "why_not_path", "what_if_volume"}
)
FALLBACK = "nlu_fallback"
# "kan vi nollställa och starta en ny analys?" is a request; a reset request longer than this
# is a sentence that happens to hold "från början". A reset that would lose facts is confirmed
# with a button anyway (action_confirm_reset), so a request may be a sentence long.
RESET_MAX_WORDS = 12
# A language's name or the word itself in a short request to switch ("kan vi ta english?",
# "byt språk"); "en svensk verkstad" asks for a Swedish workshop, and in a longer message
# ("customers keep asking for swedish made") only an explicit request counts.
LANGUAGE_WORDS_RE = re.compile(r"\b(engelska|english|svenska|swedish|språk|language)\b", re.IGNORECASE)
LANGUAGE_REQUEST_MAX_WORDS = 8
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
    short_request = words <= LANGUAGE_REQUEST_MAX_WORDS and LANGUAGE_WORDS_RE.search(text)
    if intent == "switch_language" and not (_names_a_language(entities) or short_request):
        # "en svensk tillverkare istället" mentions Sweden and "€30ish per stove" nothing: no
        # language is asked for
        return "inform"
    return intent


def _names_a_language(entities: list[dict]) -> bool:
    return any(e.get("entity") == "language" and e.get("role") == "explicit" for e in entities)
