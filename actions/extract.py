"""action_extract_profile: Rasa's custom slot mapping, run after every founder message."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions.common import requested_slot, slots_of
from bot.interview.extraction import Turn, extract
from bot.interview.language import choose_language

# Answers to "start over / delete everything?" keep the question open for the rules.
RESET_ANSWERS = ("affirm", "deny", "start_over", "delete_data")


def already_extracted(tracker: Tracker) -> bool:
    """Rasa runs the slot mappings again when a form activates; the second run of the same
    message must not wipe what the first one noted (understood, problems)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "understood":
            return True
    return False


class ActionExtractProfile(Action):
    def name(self) -> str:
        return "action_extract_profile"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        if already_extracted(tracker):
            return []
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        entities = message.get("entities") or []
        slots = slots_of(tracker)
        asked = requested_slot(tracker)

        language, locked = choose_language(
            entities, slots.get("language"), bool(slots.get("language_locked")), intent
        )
        result = extract(Turn(message.get("text") or "", intent, entities, asked, slots))

        events = [SlotSet(slot, value) for slot, value in result.updates.items()]
        events.append(SlotSet("understood", result.understood))
        events.append(SlotSet("interview_problems", [p.to_dict() for p in result.problems] or None))
        if language != slots.get("language"):
            events.append(SlotSet("language", language))
        if locked != bool(slots.get("language_locked")):
            events.append(SlotSet("language_locked", locked))
        events.append(SlotSet("interview_clarify", result.clarify))
        if slots.get("reset_pending") and intent not in RESET_ANSWERS:
            events.append(SlotSet("reset_pending", None))  # the founder went on instead
        if asked and (asked in result.updates or asked in result.understood):
            events.append(SlotSet("failed_attempts", 0.0))
        return events
