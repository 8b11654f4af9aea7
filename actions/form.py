"""validate_interview_form: which questions this interview still needs (dynamic slots)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.forms import FormValidationAction

from actions.common import slots_of
from bot.interview.slots import required_slots


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> str:
        return "validate_interview_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain) -> list:
        return required_slots(slots_of(tracker))
