"""Answers to questions asked in the middle of (or outside) the interview."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions.common import lang_of, requested_slot, slots_of
from bot.interview import readings, texts
from bot.interview.slots import CONFIRM_SLOT, Problem
from bot.nlu.statements import reads_as_question
from bot.strategy import engine

KNOWLEDGE = {
    "ask_path_difference": engine.stage_overview,
    "ask_nollserie": engine.nollserie_explainer,
    "ask_tooling_cost": engine.tooling_overview,
    "ask_support": engine.support_overview,
}
# Pleasantries during the interview: no failure, just carry on with the question.
PLEASANTRIES = ("greet", "thank", "request_advice")
NEEDS_RECOMMENDATION = ("show_more_manufacturers", "what_if_volume")
# A greeting or thanks is this short; a longer message DIET calls one is a miss like any other,
# or a founder whose answer reads as small talk would be asked the same question forever.
PLEASANTRY_MAX_WORDS = 4
# ... and DIET is sure of it: junk ("blorp zzz") it barely calls a greeting is a miss.
PLEASANTRY_MIN_CONFIDENCE = 0.8
# Misses on one question before it is left open (with an assumption the engine states).
GIVE_UP_AFTER = 2


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionExplainQuestion(Action):
    """ "Why do you ask?": what the answer to the current question changes."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        slot = requested_slot(tracker)
        if slot and slot != CONFIRM_SLOT:
            dispatcher.utter_message(text=engine.explain_field(slot, lang))
        else:
            dispatcher.utter_message(text=texts.why_in_general(lang))
        return []


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        answer = KNOWLEDGE.get(_intent(tracker), engine.stage_overview)
        dispatcher.utter_message(text=answer(lang))
        missed = statement_while_asked(tracker)
        return count_miss(dispatcher, tracker, missed, lang, explain=False) if missed else []


def count_miss(dispatcher, tracker: Tracker, slot: str, lang: str, explain: bool = True) -> list:
    """One more message that did not answer the open question. The second miss takes the
    likeliest reading if there was one (and says so), else leaves the question open with an
    advisor button: no question is asked a third time."""
    slots = slots_of(tracker)
    failed = float(slots.get("failed_attempts") or 0) + 1
    clarify = slots.get("interview_clarify") or {}
    options = [o for o in clarify.get("options") or [] if o != "none"] if clarify.get("slot") == slot else []
    if failed >= GIVE_UP_AFTER and options:
        dispatcher.utter_message(text=texts.assumed_reading(slot, options[0], lang))
        return [SlotSet(slot, options[0]), SlotSet("failed_attempts", 0.0), SlotSet("interview_clarify", None)]
    if failed >= GIVE_UP_AFTER and slot != CONFIRM_SLOT:
        skipped = [*(slots.get("skipped_slots") or []), slot]
        dispatcher.utter_message(text=texts.left_open(slot, lang), buttons=texts.advisor_button(lang))
        return [SlotSet("skipped_slots", skipped), SlotSet("failed_attempts", 0.0)]
    if explain and clarify.get("slot") != slot:  # an unsure reading is asked back as buttons instead
        problems = slots.get("interview_problems") or []
        for problem in problems:
            dispatcher.utter_message(text=texts.problem_text(Problem(**problem), lang))
        if not problems:
            dispatcher.utter_message(text=texts.not_understood(slot, lang))
    return [SlotSet("failed_attempts", failed)]


def statement_while_asked(tracker: Tracker) -> str | None:
    """The open question, when the founder's message was a statement a rule took for a
    question ("the handle is thicker than the ones in the shop" read as a question about paths):
    answering it is fine, but it is also a miss, or the same question would come back forever."""
    slot = requested_slot(tracker)
    text = tracker.latest_message.get("text") or ""
    if slot and slot != CONFIRM_SLOT and not text.startswith("/") and not reads_as_question(text):
        return slot
    return None


class ActionClarify(Action):
    """A message the interview could not use: say why, count the failure."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        intent = _intent(tracker)
        slot = requested_slot(tracker)
        if intent in NEEDS_RECOMMENDATION:
            dispatcher.utter_message(text=texts.finish_interview_first(lang))
            # "later" is no answer either: a founder who keeps asking it is not asked forever
            return count_miss(dispatcher, tracker, slot, lang, explain=False) if slot else []
        text = tracker.latest_message.get("text") or ""
        confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
        pleasantry = (
            intent in PLEASANTRIES
            and len(text.split()) <= PLEASANTRY_MAX_WORDS
            and confidence >= PLEASANTRY_MIN_CONFIDENCE
        )
        if pleasantry or (slot == CONFIRM_SLOT and intent == "deny"):
            # "tack!", "hej igen": no failure, the form just asks again
            if slot == CONFIRM_SLOT:
                dispatcher.utter_message(text=texts.not_understood(slot, lang))
            return []
        slots = slots_of(tracker)
        if slots.get("understood") and slot:
            # something was settled ("anywhere", "no rush"); the form asks its next question
            return []
        if not slot:
            # outside the interview every message still gets an answer
            dispatcher.utter_message(text=texts.not_understood(None, lang))
            return []
        return count_miss(dispatcher, tracker, slot, lang)


class ActionSkipQuestion(Action):
    def name(self) -> str:
        return "action_skip_question"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        slot = requested_slot(tracker)
        if not slot:
            return []
        if slot == CONFIRM_SLOT:
            return [SlotSet(CONFIRM_SLOT, True)]
        clarify = tracker.get_slot("interview_clarify") or {}
        text = tracker.latest_message.get("text") or ""
        if clarify.get("slot") == slot and not readings.says_dont_know(text):
            # the words read as an unsure answer ("it works mostly"), not as "skip": the form asks
            # back with the likely readings (one of its buttons skips); counted, so a second
            # unsure answer takes the likeliest reading instead of asking again
            return count_miss(dispatcher, tracker, slot, lang, explain=False)
        skipped = list(tracker.get_slot("skipped_slots") or [])
        if slot not in skipped:
            skipped.append(slot)
        dispatcher.utter_message(text=texts.skipped(slot, lang))
        return [SlotSet("skipped_slots", skipped), SlotSet("failed_attempts", 0.0)]
