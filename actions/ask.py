"""action_ask_<slot>: how the interview asks each question.

Before the question: the welcome (first time), "Noted: ..." for what the last message added,
and why an answer could not be used. An unsure reading is asked back as buttons instead of
the question (action_clarify leaves a question after a second miss, so none is asked thrice).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions.common import lang_of, slots_of
from bot.interview import texts
from bot.interview.slots import CONFIRM_SLOT, FORM_SLOTS, Problem


def fresh_turn(tracker: Tracker) -> bool:
    """True when the form asks right after the founder's message, not after a rule's answer."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") not in (
            "interview_form",
            "action_extract_slots",
        ):
            return event.get("name") == "action_listen"
    return True


class AskSlotAction(Action):
    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        slots = slots_of(tracker)
        events = []
        if not slots.get("welcomed"):
            dispatcher.utter_message(response="utter_welcome")
            events.append(SlotSet("welcomed", True))
        # After an interruption (a rule answered first), only repeat the question.
        fresh = fresh_turn(tracker)
        if fresh and self.slot != CONFIRM_SLOT:
            noted = texts.acknowledge(slots.get("understood") or [], slots, lang)
            if noted:
                dispatcher.utter_message(text=noted)
        if fresh:
            for problem in slots.get("interview_problems") or []:
                dispatcher.utter_message(text=texts.problem_text(Problem(**problem), lang))
        self.ask(dispatcher, slots, lang)
        return events

    def ask(self, dispatcher, slots: dict, lang: str) -> None:
        if self.slot == CONFIRM_SLOT:
            dispatcher.utter_message(
                text=texts.summary(slots, lang), buttons=texts.confirm_buttons(lang)
            )
            return
        clarify = slots.get("interview_clarify") or {}
        if clarify.get("slot") == self.slot and clarify.get("options"):
            dispatcher.utter_message(
                text=texts.clarify_prompt(self.slot, lang),
                buttons=texts.clarify_buttons(self.slot, clarify["options"], lang),
            )
            return
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")


# One action class per form question; rasa-sdk registers every Action subclass it finds.
ASK_ACTIONS = [type(f"ActionAsk_{slot}", (AskSlotAction,), {"slot": slot}) for slot in FORM_SLOTS]
