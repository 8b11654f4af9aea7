"""What every action needs: the founder's language, the profile, and the shared stores."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from bot.interview.slots import FACT_SLOTS
from bot.leads import LeadStore
from bot.register.seed import ensure_seeded
from bot.register.store import RegisterStore
from bot.strategy.profile import Profile


def lang_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "en"


def slots_of(tracker: Tracker) -> dict:
    return dict(tracker.current_slot_values())


def profile_of(tracker: Tracker) -> Profile:
    return Profile.from_slots({slot: tracker.get_slot(slot) for slot in FACT_SLOTS})


def requested_slot(tracker: Tracker) -> str | None:
    if tracker.active_loop_name != "interview_form":
        return None
    return tracker.get_slot("requested_slot")


@lru_cache(maxsize=1)
def register_store() -> RegisterStore:
    store = RegisterStore()
    ensure_seeded(store)
    return store


@lru_cache(maxsize=1)
def lead_store() -> LeadStore:
    return LeadStore()
