"""Talking to a human, deleting one's data, starting over."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet

from actions.answers import count_miss
from actions.common import lang_of, lead_store, profile_of, requested_slot
from bot import privacy
from bot.i18n import pick
from bot.interview import texts
from bot.interview.slots import FACT_SLOTS
from bot.slack.notify import notify_handoff

KEPT_ON_RESET = ("language", "language_locked", "welcomed")


def _reset_keeping(tracker: Tracker) -> list:
    kept = [SlotSet(slot, tracker.get_slot(slot)) for slot in KEPT_ON_RESET]
    return [AllSlotsReset(), *kept]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        text = tracker.latest_message.get("text") or ""
        lead_store().request_handoff(tracker.sender_id, lang, text)
        await notify_handoff(tracker.sender_id, lang, text, profile_of(tracker).to_payload())
        dispatcher.utter_message(
            text=pick(
                lang,
                "Jag har bett en rådgivare att höra av sig till dig här i chatten, oftast inom en arbetsdag. "
                "Under tiden kan vi fortsätta.",
                "I've asked an advisor to get back to you here in the chat, usually within one working day. "
                "Meanwhile we can continue.",
            )
        )
        return []


class ActionDeleteData(Action):
    def name(self) -> str:
        return "action_delete_data"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        lead_store().delete(tracker.sender_id)
        privacy.request_erasure(tracker.sender_id)
        dispatcher.utter_message(
            text=pick(
                lang,
                "Klart: din profil och dina uppgifter är raderade, och samtalet tas bort inom några minuter. "
                "Skriver du igen börjar vi från början.",
                "Done: your profile and details are deleted, and this conversation is erased within a few "
                "minutes. If you write again, we start from scratch.",
            )
        )
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            AllSlotsReset(),
            SlotSet("language", lang),
        ]


class ActionConfirmReset(Action):
    """ "Start over" / "delete my data": ask first, naming what would be lost; the founder's
    yes (a button or typed) runs the reset, anything else carries on (rules in data/rules)."""

    def name(self) -> str:
        return "action_confirm_reset"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = "delete_data" if intent == "delete_data" else "start_over"
        known = [slot for slot in FACT_SLOTS if tracker.get_slot(slot) not in (None, [], "")]
        dispatcher.utter_message(
            text=texts.confirm_reset(kind, known, lang), buttons=texts.reset_buttons(kind, lang)
        )
        # while a question is open this message did not answer it: counted like any miss, so an
        # answer DIET keeps reading as "start over" cannot bring the same two prompts forever
        slot = requested_slot(tracker)
        missed = count_miss(dispatcher, tracker, slot, lang, explain=False) if slot else []
        return [SlotSet("reset_pending", kind), *missed]


class ActionCancelReset(Action):
    def name(self) -> str:
        return "action_cancel_reset"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        dispatcher.utter_message(text=texts.reset_cancelled(lang_of(tracker)))
        return [SlotSet("reset_pending", None)]


class ActionStartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        dispatcher.utter_message(
            text=pick(lang_of(tracker), "Okej, vi börjar om från början.", "OK, let's start over.")
        )
        return [ActiveLoop(None), SlotSet("requested_slot", None), *_reset_keeping(tracker)]
