"""Turn one founder message (intent + normalised entities) into slot updates.

Runs on every user turn (Rasa's custom slot mapping calls it through an action), inside and
outside the interview form, so facts volunteered at any time are kept and never asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot import vocabulary
from bot.interview import readings
from bot.interview.materials import chosen_material
from bot.interview.numeric_answers import numeric_answer
from bot.interview.slots import CONFIRM_SLOT, NUMERIC_SLOTS, PROFILE_SLOTS, Problem, check_value
from bot.interview.volumes import yearly_volume
from bot.nlu.statements import asks_something, reads_as_question

# Intents whose entities describe a question, not the founder's product ("why not a
# prototype?" must not set design_maturity).
NO_FACT_INTENTS = frozenset(
    {
        "ask_why",
        "ask_path_difference",
        "ask_nollserie",
        "ask_tooling_cost",
        "ask_support",
        "ask_privacy",
        "why_not_path",
        "what_if_volume",
        "switch_language",
        "delete_data",
        "talk_to_human",
        "start_over",
        "show_more_manufacturers",
    }
)
# Steering intents that are never an answer, even while a question is open.
CONTROL_ONLY_INTENTS = frozenset({"talk_to_human", "switch_language"})
# Intents DIET gives statements that read like questions; while the description is asked, a
# statement of this kind is the description (steering intents such as delete_data are not).
QUESTION_INTENTS = frozenset(
    {"ask_why", "ask_path_difference", "ask_nollserie", "ask_tooling_cost", "ask_support", "ask_privacy",
     "why_not_path", "what_if_volume", "show_more_manufacturers"}
)
# Intents that can never be a product description even when one is asked for.
NOT_A_DESCRIPTION = NO_FACT_INTENTS | {
    "skip_question",
    "affirm",
    "deny",
    "greet",
    "goodbye",
    "thank",
}

ENTITY_TO_SLOT = {
    "annual_volume": "annual_volume",
    "tolerance_mm": "tolerance_mm",
    "target_unit_cost_sek": "target_unit_cost_sek",
    "timeline_weeks": "timeline_weeks",
    "design_maturity": "design_maturity",
    "material": "material",
    "process": "process",
    "region": "region",
    "founder_goal": "founder_goal",
}
CERTIFICATION_ENTITIES = ("certification", "certifications")
# The answer leads: "porslin, som vanliga koppar" is porcelain, the cups are an example
# (a corrected value has already replaced the earlier one in the extractor).
FIRST_WINS = frozenset({"material"})
# Optional questions a plain "no" answers (certifications: "no" means none required).
DENY_SETTLES = ("founder_goal", "process", "region", "timeline_weeks")
DESCRIPTION_MIN_WORDS_VOLUNTEERED = 5
# A description this long answers the question even when DIET read it as something else.
DESCRIPTION_MIN_WORDS_ANSWER_FIRST = 4
# A description is a sentence or two; a pasted spec sheet is cut so slots and leads stay small.
DESCRIPTION_MAX_CHARS = 500


@dataclass
class Turn:
    text: str
    intent: str | None
    entities: list[dict]
    requested_slot: str | None
    slots: dict


@dataclass
class Extraction:
    updates: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # an unsure reading of the open question: ask back with these options as buttons
    clarify: dict | None = None


def _last_values(entities: list[dict]) -> dict[str, Any]:
    """The last value of each entity, as Rasa's from_entity mapping would take it; for the
    tolerance the tightest ("±0,1 generally, ±0,02 on the holes" is ±0.02), for the material
    the first."""
    values: dict[str, Any] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name in FIRST_WINS and name in values:
            continue
        if (
            name == "tolerance_mm"
            and isinstance(values.get(name), float)
            and isinstance(value, float)
        ):
            value = min(value, values[name])
        values[name] = value
    return values


# Said in passing, a length of time ("six months", "tre månader") is how long something lasted and
# "from May" / "sedan i våras" is when it started; a deadline carries a cue ("within", "om", "by March").
DURATION_RE = re.compile(
    r"^\s*(?:ca\.?|about|around|ungefär|typ|every|varje|var)?\s*[\w.,]+\s+(?:veckor|vecka|månader|månad|"
    r"dagar|dag|weeks?|months?|days?|år|years?)\s*$",
    re.IGNORECASE,
)
DEADLINE_RE = re.compile(
    r"\b(?:inom|within|by|before|före|innan|senast|till|until|om|in|asap)\b", re.IGNORECASE
)
SINCE_RE = re.compile(r"^\s*(?:from|since|sen|sedan|från)\b", re.IGNORECASE)


def _is_deadline(entity: dict, strict: bool = False) -> bool:
    """strict (while another question is answered): only with a deadline word ("i juli" in a
    story of tests is when something happened)."""
    text = entity.get("text") or ""
    if DURATION_RE.match(text) or SINCE_RE.match(text):
        return False
    return not strict or bool(DEADLINE_RE.search(text))


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _certifications(entities: list[dict]) -> list[str] | None:
    found: list[str] = []
    seen_any = False
    for entity in entities:
        if entity.get("entity") not in CERTIFICATION_ENTITIES:
            continue
        seen_any = True
        values = entity.get("value")
        for value in values if isinstance(values, list) else [values]:
            if value in vocabulary.CERTIFICATIONS and value not in found:
                found.append(value)
    return found if seen_any else None


def _facts(turn: Turn, values: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    facts: dict[str, Any] = {}
    problems: list[Problem] = []
    for entity, slot in ENTITY_TO_SLOT.items():
        if values.get(entity) is not None:
            facts[slot] = values[entity]
    asked = turn.requested_slot
    if "annual_volume" in facts:
        # several counts, batches, head counts: which one is the yearly need (volumes.py)
        asked_for = None if asked == CONFIRM_SLOT else asked
        volume = yearly_volume(turn.entities, turn.text or "", asked_for)
        if volume is None:
            del facts["annual_volume"]
        else:
            facts["annual_volume"] = float(volume)
    if "material" in facts:
        material = chosen_material(turn.entities, asked, turn.slots.get("material"))
        if material is None:
            del facts["material"]
        else:
            facts["material"] = material
    # A bare number answers the numeric question being asked ("500", "ca 0,05"), but only in
    # a short answer: a number buried in a long or odd message is no answer.
    number = numeric_answer(turn.text or "", turn.entities, asked) if asked in NUMERIC_SLOTS else None
    if number is not None:
        if asked == "tolerance_mm" and _as_float(facts.get(asked)) is not None:
            number = min(number, _as_float(facts[asked]))  # the tightest of all it names
        facts[asked] = facts.get(asked) if asked != "tolerance_mm" and asked in facts else number
    for slot in NUMERIC_SLOTS:
        if slot not in facts:
            continue
        value = _as_float(facts[slot])
        problem = check_value(slot, value) if value is not None else Problem(slot, "not_a_number")
        if problem:
            problems.append(problem)
            del facts[slot]
        else:
            facts[slot] = value
    if facts.get("design_maturity") not in (None, *vocabulary.MATURITY_LEVELS):
        del facts["design_maturity"]
    if facts.get("founder_goal") not in (None, *vocabulary.GOALS):
        del facts["founder_goal"]
    if "timeline_weeks" in facts and turn.requested_slot != "timeline_weeks":
        answering_other = turn.requested_slot not in (None, CONFIRM_SLOT)
        deadlines = [
            e
            for e in turn.entities
            if e.get("entity") == "timeline_weeks" and _is_deadline(e, strict=answering_other)
        ]
        if deadlines:
            facts["timeline_weeks"] = deadlines[-1]["value"]
        else:
            del facts["timeline_weeks"]  # "tested for six months", "since May": evidence, no deadline
    certifications = _certifications(turn.entities)
    if certifications is None and turn.intent == "deny" and turn.requested_slot == "certifications":
        certifications = []
    if certifications is not None:
        facts["certifications"] = certifications
    return facts, problems


def _description(turn: Turn) -> str | None:
    text = " ".join((turn.text or "").split())
    if len(text) > DESCRIPTION_MAX_CHARS:
        text = text[: DESCRIPTION_MAX_CHARS - 1].rstrip() + "…"
    if not text or text.startswith("/"):
        return None
    words = len(text.split())
    if turn.requested_slot == "product_description" and words >= DESCRIPTION_MIN_WORDS_ANSWER_FIRST:
        if turn.intent in QUESTION_INTENTS and not reads_as_question(text):
            # answer first: a sentence about the product is the description whatever the intent
            return text
    if turn.intent in NOT_A_DESCRIPTION:
        return None
    if turn.requested_slot == "product_description" and words >= 2:
        return text
    volunteered = turn.intent in ("inform", "request_advice") and not turn.slots.get(
        "product_description"
    )
    if volunteered and turn.requested_slot is None and words >= DESCRIPTION_MIN_WORDS_VOLUNTEERED:
        return text
    return None


def _skips(turn: Turn, values: dict[str, Any]) -> list[str]:
    """Answers that mean "no preference": the question is settled, the slot stays empty.

    "Anywhere in Sweden" settles the region; a plain "no" settles an optional question
    ("a process in mind?" - no; "when do you need it?" - no rush).
    """
    skipped = []
    if values.get("region") == "any":
        skipped.append("region")
    if values.get("founder_goal") == "none":
        skipped.append("founder_goal")  # the button "not sure: you tell me"
    if turn.intent == "deny" and turn.requested_slot in DENY_SETTLES:
        skipped.append(turn.requested_slot)
    return skipped


def _volunteered_readings(turn: Turn, facts: dict[str, Any]) -> None:
    """Facts nobody asked for: maturity and process are read in context, the goal is kept."""
    text = turn.text or ""
    known = turn.slots.get("design_maturity")
    lexicon = facts.get("design_maturity")
    asked = turn.requested_slot
    if known and asked not in (None, CONFIRM_SLOT, "design_maturity"):
        # an answer to another question ("the prototype was 3D printed") keeps the maturity;
        # corrections come at the summary or outside the interview
        facts.pop("design_maturity", None)
    elif asked != "design_maturity" and not text.startswith("/") and (lexicon or not known):
        maturity = readings.volunteered_maturity(text, lexicon)
        if maturity:
            facts["design_maturity"] = maturity
        else:
            facts.pop("design_maturity", None)
    if turn.requested_slot != "process" and "process" in facts and not text.startswith("/"):
        wished = readings.wished_processes(text, turn.entities)
        if wished:
            facts["process"] = wished[-1]
        else:
            del facts["process"]
    goal = None
    if turn.requested_slot != "founder_goal":
        goal = readings.founder_goal(text, answering=turn.requested_slot is not None)
    if goal:
        facts["founder_goal"] = goal


def _apply_reading(reading, facts: dict[str, Any], result: Extraction) -> list[str]:
    """The answer to the question being asked; returns the slots it settled."""
    if reading is None:
        return []
    if reading.value is not None:
        facts[reading.slot] = reading.value
        return []
    if reading.settled:
        facts.pop(reading.slot, None)
        return [reading.slot]
    if reading.options:
        result.clarify = {"slot": reading.slot, "options": list(reading.options)}
    return []


def extract(turn: Turn) -> Extraction:
    result = Extraction()
    values = _last_values(turn.entities)
    facts, result.problems = _facts(turn, values)
    asked = turn.requested_slot
    reading = None
    if turn.intent not in CONTROL_ONLY_INTENTS:
        reading = readings.read_answer(asked, turn.text, {**values, **facts}, turn.entities)
        if reading and reading.slot == "material" and reading.value and "material" not in facts:
            if turn.intent in NOT_A_DESCRIPTION:
                reading = None  # "skip", "thanks", "no": not a material
    # Answer first: a message that answers the open question is an answer, whatever intent it
    # was classified as ("vi tillverkar den redan i serie" is no question about the paths).
    # a trailing "?" on an answer is a hedge ("kanske 200 i veckan?"), not a question
    answers_question = not asks_something(turn.text) and (
        (asked in facts)
        or bool(reading and reading.answers)
        or (asked == "product_description" and _description(turn) is not None)
    )
    if turn.intent in NO_FACT_INTENTS and not answers_question:
        return result

    newly_skipped = list(dict.fromkeys(_skips(turn, values) + _apply_reading(reading, facts, result)))
    _volunteered_readings(turn, facts)
    for slot in newly_skipped:
        facts.pop(slot, None)
    if newly_skipped:
        skipped = list(turn.slots.get("skipped_slots") or [])
        result.updates["skipped_slots"] = skipped + [s for s in newly_skipped if s not in skipped]
        result.understood += [s for s in newly_skipped if s not in result.understood]

    description = _description(turn)
    if description and "product_description" not in facts:
        facts["product_description"] = description

    for slot, value in facts.items():
        if turn.slots.get(slot) != value:
            result.updates[slot] = value
            result.understood.append(slot)

    changed_profile = any(slot in PROFILE_SLOTS for slot in result.understood)
    if turn.requested_slot == CONFIRM_SLOT and turn.intent == "affirm" and not changed_profile:
        if not turn.slots.get("reset_pending"):
            result.updates[CONFIRM_SLOT] = True
    elif changed_profile and turn.slots.get(CONFIRM_SLOT):
        # A changed fact needs a fresh confirmation before the next recommendation.
        result.updates[CONFIRM_SLOT] = None
    return result
