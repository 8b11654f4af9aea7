"""The recommendation and its follow-ups: why not another path, more manufacturers, what if."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.exc import SQLAlchemyError

from actions.common import lang_of, lead_store, profile_of, register_store
from bot import recommendation
from bot.i18n import pick
from bot.slack.notify import notify_recommendation
from bot.strategy import engine

logger = logging.getLogger(__name__)
WHAT_IF_FACTORS = (2, 5, 10)


def _entity(tracker: Tracker, name: str):
    values = [
        e.get("value")
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == name
    ]
    return values[-1] if values else None


async def _send_and_store(
    dispatcher, tracker: Tracker, profile, lang: str, intro: str | None = None
) -> list:
    rec = recommendation.build(profile, lang, register_store())
    text = f"{intro}\n{rec.text}" if intro else rec.text
    dispatcher.utter_message(text=text, json_message=rec.payload)
    try:
        lead_store().save_recommendation(
            tracker.sender_id, lang, rec.payload["profile"], rec.path, rec.payload["manufacturers"]
        )
    except SQLAlchemyError:
        # The founder still gets the answer; the advisor copy is what failed.
        logger.exception("could not store the lead of %s", tracker.sender_id)
        dispatcher.utter_message(
            text=pick(
                lang,
                "Obs: jag kunde inte spara rekommendationen åt rådgivarna just nu.",
                "Note: I could not save this recommendation for the advisors right now.",
            )
        )
    else:
        await notify_recommendation(tracker.sender_id, lang, rec.payload)
    dispatcher.utter_message(response="utter_anything_else")
    return [
        SlotSet("production_path", rec.path),
        SlotSet("match_offset", 0.0),
        SlotSet("recommended_profile", rec.payload["profile"]),
    ]


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        profile = profile_of(tracker)
        path = tracker.get_slot("production_path")
        if path and tracker.get_slot("recommended_profile") == profile.to_payload():
            dispatcher.utter_message(
                text=pick(
                    lang,
                    "Inget har ändrats sedan min rekommendation, så den gäller fortfarande.",
                    "Nothing has changed since my recommendation, so it still stands.",
                )
            )
            dispatcher.utter_message(response="utter_anything_else")
            return []
        return await _send_and_store(dispatcher, tracker, profile, lang)


class ActionExplainPath(Action):
    """ "Why not full scale?" """

    def name(self) -> str:
        return "action_explain_path"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        current = tracker.get_slot("production_path")
        other = _entity(tracker, "path_mention")
        if other is None or other == current:
            other = "full_scale" if current != "full_scale" else "pilot"
        dispatcher.utter_message(text=engine.explain_not_path(profile_of(tracker), other, lang))
        return []


class ActionShowMore(Action):
    def name(self) -> str:
        return "action_show_more"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        if not tracker.get_slot("production_path"):
            dispatcher.utter_message(
                text=pick(
                    lang,
                    "Jag har inga tillverkare att visa än: berätta först om produkten.",
                    "I have no manufacturers to show yet: tell me about the product first.",
                )
            )
            return []
        profile = profile_of(tracker)
        offset = int(tracker.get_slot("match_offset") or 0) + recommendation.PAGE_SIZE
        processes = recommendation.matched_processes(engine.recommend(profile, lang))
        text, manufacturers = recommendation.more_manufacturers(
            profile, lang, register_store(), processes, offset
        )
        payload = {
            "type": "manufacturers",
            "language": lang,
            "offset": offset,
            "manufacturers": manufacturers,
        }
        dispatcher.utter_message(text=text, json_message=payload)
        return [SlotSet("match_offset", float(offset))] if manufacturers else []


class ActionWhatIf(Action):
    """ "What if we need 10x the volume?": recompute with the new volume."""

    def name(self) -> str:
        return "action_what_if"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        lang = lang_of(tracker)
        profile = profile_of(tracker)
        factor = _entity(tracker, "volume_multiplier")
        volume = _entity(tracker, "annual_volume") or _entity(tracker, "number")
        if factor is None and volume is None:
            dispatcher.utter_message(
                text=pick(
                    lang,
                    'Vilken volym vill du räkna på? Skriv till exempel "tänk om vi behöver 5000 st per år", eller välj:',
                    'Which volume should I calculate? Write for example "what if we need 5000 a year", or choose:',
                ),
                buttons=[
                    {
                        "title": f"{factor}x",
                        "payload": f'/what_if_volume{{"volume_multiplier": {factor}}}',
                    }
                    for factor in WHAT_IF_FACTORS
                ],
            )
            return []
        if factor is not None and not profile.annual_volume:
            dispatcher.utter_message(
                text=pick(
                    lang,
                    "Jag vet inte er nuvarande volym än. Hur många per år?",
                    "I don't know your current volume yet. How many a year?",
                )
            )
            return []
        try:
            new_profile = engine.with_volume(profile, factor=factor, volume=volume)
        except ValueError:
            new_profile = None
        if new_profile is None or not new_profile.annual_volume or new_profile.annual_volume < 1:
            dispatcher.utter_message(
                text=pick(
                    lang,
                    "Volymen måste vara minst 1 st per år.",
                    "The volume must be at least 1 a year.",
                )
            )
            return []
        intro = recommendation.what_if_intro(new_profile.annual_volume, lang)
        events = await _send_and_store(dispatcher, tracker, new_profile, lang, intro)
        return [SlotSet("annual_volume", new_profile.annual_volume), *events]
