"""What one message says about the categorical questions: lexicon evidence + trained reading.

The lexicon names things (a material, "ISO 9001", "Skåne"); the answer models (answer_model.py)
read what is said about them ("the prototype is 3D printed" is history, not a wish; "inga krav
som jag vet" is none). A question being asked lowers the bar: "provkört hos några kunder" in
answer to "how far has the design come?" is a validated prototype, while the same words in a
long opening need a clearer reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import vocabulary
from bot.interview import answer_model
from bot.nlu.statements import reads_as_question

# Confidence of the trained reading (class probability) needed to take it: for the question
# being asked; to ask back with buttons instead; for a fact nobody asked for.
ACCEPT = 0.5
TENTATIVE = 0.25
VOLUNTEERED = 0.6
# A confident "this says nothing about maturity" overrules a lexicon word in an opening
# ("we want help to build a prototype" has no prototype yet).
VETO = 0.8
# An answer to another question must be this long before a goal is read from it.
GOAL_MIN_WORDS_IN_ANSWER = 6
# Free-text materials: an answer, not a paragraph.
MATERIAL_TEXT_MAX_WORDS = 8
MATERIAL_TEXT_MAX_CHARS = 60

CLAUSE_RE = re.compile(r"[.!?;\n]+|,?\s+(?:men|but|while|medan|though|although)\s+", re.IGNORECASE)
WORD_RE = re.compile(r"[^\W\d_]{2,}")
DONT_KNOW_RE = re.compile(
    r"\b(vet (inte|ej)|ingen aning|osäker|har inte bestämt|inte bestämt|vet ej|"
    r"don'?t know|dont know|do not know|no idea|not sure|unsure|dunno|no clue|not decided)\b",
    re.IGNORECASE,
)

@dataclass
class Reading:
    """An answer to one question: a value, "settled" (no preference / none), or options to offer."""

    slot: str
    value: Any = None
    settled: bool = False
    options: tuple[str, ...] = ()

    @property
    def answers(self) -> bool:
        return self.value is not None or self.settled


def says_dont_know(text: str) -> bool:
    return bool(DONT_KNOW_RE.search(text or ""))


def _guess(slot: str, text: str, sentences: bool = False):
    return answer_model.guess(slot, text, sentences=sentences)


def _options(guess, allowed) -> tuple[str, ...]:
    ranked = [(guess.label, guess.confidence), (guess.runner_up, guess.runner_up_confidence)]
    return tuple(label for label, p in ranked if label in allowed and p >= TENTATIVE / 2)


def _maturity(text: str, values: dict) -> Reading:
    # a long answer tells its stage in one sentence ("35 units ran all season ... worked well")
    guess = _guess("design_maturity", text, sentences=True)
    lexicon = values.get("design_maturity")
    if guess and guess.says_something and guess.confidence >= ACCEPT:
        return Reading("design_maturity", guess.label)
    if lexicon in vocabulary.MATURITY_LEVELS:
        return Reading("design_maturity", lexicon)
    if guess and guess.confidence >= TENTATIVE:
        return Reading("design_maturity", options=_options(guess, vocabulary.MATURITY_LEVELS))
    return Reading("design_maturity")


def _certifications(text: str, values: dict) -> Reading:
    if values.get("certifications"):
        return Reading("certifications", values["certifications"])
    guess = _guess("certifications", text)
    if guess and guess.label == "none" and guess.confidence >= ACCEPT:
        return Reading("certifications", [])
    if says_dont_know(text):
        return Reading("certifications", [])
    if guess and guess.label == "required" and guess.confidence >= ACCEPT:
        return Reading("certifications", options=("iso_9001", "iso_13485", "none"))
    return Reading("certifications")


def _process(text: str, values: dict, entities) -> Reading:
    if values.get("process"):
        # each named process in its own clause: "printad prototyp, men i serie fräst" wishes CNC
        wished = wished_processes(text, entities)
        if wished:
            return Reading("process", wished[-1])
        if any(e.get("entity") == "process" for e in entities):
            return Reading("process", settled=True)  # only how the prototype was made
        return Reading("process", values["process"])
    guess = _guess("process", text)
    if guess and guess.confidence >= ACCEPT and guess.label in ("prototype_history", "no_preference"):
        return Reading("process", settled=True)
    if says_dont_know(text):
        return Reading("process", settled=True)
    return Reading("process")


def _goal(text: str, values: dict) -> Reading:
    if values.get("founder_goal") in vocabulary.GOALS:
        return Reading("founder_goal", values["founder_goal"])
    guess = answer_model.guess("founder_goal", text, clauses=True)
    if guess and guess.confidence >= ACCEPT:
        if guess.says_something:
            return Reading("founder_goal", guess.label)
        return Reading("founder_goal", settled=True)  # "not sure, that's what I want to know"
    if says_dont_know(text):
        return Reading("founder_goal", settled=True)
    if guess and guess.says_something and guess.confidence >= TENTATIVE:
        return Reading("founder_goal", options=_options(guess, vocabulary.GOALS))
    return Reading("founder_goal")


def _settled_by(slot: str, label: str, text: str, values: dict) -> Reading:
    """Region and timeline: the lexicon/quantities give the value; the model reads "anywhere"."""
    if values.get(slot) is not None:
        return Reading(slot, values[slot])
    guess = _guess(slot, text)
    if (guess and guess.label == label and guess.confidence >= ACCEPT) or says_dont_know(text):
        return Reading(slot, settled=True)
    return Reading(slot)


def _material(text: str, values: dict) -> Reading:
    if values.get("material"):
        return Reading("material", values["material"])
    words = text.split()
    if says_dont_know(text):
        return Reading("material", settled=True)
    cleaned = " ".join(words).strip(" .!,;:")
    named = WORD_RE.search(cleaned)  # a name has letters: "500" or "x" is no material
    if named and len(words) <= MATERIAL_TEXT_MAX_WORDS and len(cleaned) <= MATERIAL_TEXT_MAX_CHARS:
        # Any material is accepted as written; the strategy engine says when it cannot cost it.
        return Reading("material", cleaned)
    return Reading("material")


def read_answer(slot: str | None, text: str, values: dict, entities=()) -> Reading | None:
    """The message as an answer to the question `slot` being asked (None: no such reading)."""
    if not slot or not (text or "").strip() or text.lstrip().startswith("/"):
        return None
    if reads_as_question(text):
        return None
    if slot == "design_maturity":
        return _maturity(text, values)
    if slot == "certifications":
        return _certifications(text, values)
    if slot == "founder_goal":
        return _goal(text, values)
    if slot == "process":
        return _process(text, values, list(entities))
    if slot == "region":
        return _settled_by("region", "any", text, values)
    if slot == "timeline_weeks":
        return _settled_by("timeline_weeks", "no_rush", text, values)
    if slot == "material":
        return _material(text, values)
    return None


def volunteered_maturity(text: str, lexicon_value: str | None) -> str | None:
    guess = _guess("design_maturity", text, sentences=True)
    if guess and guess.says_something and guess.confidence >= VOLUNTEERED:
        return guess.label
    if guess and not guess.says_something and guess.confidence >= VETO:
        return None
    return lexicon_value if lexicon_value in vocabulary.MATURITY_LEVELS else None


def founder_goal(text: str, answering: bool = False) -> str | None:
    """The goal a message states. A short answer to another question ("en kvarts millimeter")
    is that answer: the goal is read only from a sentence or more."""
    if not text or text.lstrip().startswith("/"):
        return None
    if answering and len(text.split()) < GOAL_MIN_WORDS_IN_ANSWER:
        return None
    guess = answer_model.guess("founder_goal", text, clauses=True)
    if guess and guess.says_something and guess.confidence >= VOLUNTEERED:
        return guess.label
    return None


def clause_around(text: str, start: int, end: int) -> str:
    """The clause of `text` holding characters start..end (sentences, and "men"/"but" parts)."""
    bounds = [0, len(text)]
    for match in CLAUSE_RE.finditer(text):
        bounds += [match.start(), match.end()]
    left = max(b for b in bounds if b <= start)
    right = min(b for b in bounds if b >= end)
    return text[left:right].strip()


def wished_processes(text: str, entities) -> list[str]:
    """The processes named as wishes for production, in order. A process named in a clause
    that reads as how the prototype was made ("prototypen är 3D-printad") or as no preference
    is not a wish."""
    wished = []
    for entity in entities:
        if entity.get("entity") != "process" or "start" not in entity:
            continue
        clause = clause_around(text, entity["start"], entity["end"])
        guess = _guess("process", clause)
        history = guess and guess.label in ("prototype_history", "no_preference") and guess.confidence >= ACCEPT
        if not history and entity.get("value") not in wished:
            wished.append(entity["value"])
    return wished
