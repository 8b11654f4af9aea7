"""Actions with real rasa-sdk trackers, the real register (seeded sample) and a real database."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.answers import ActionClarify, ActionExplainQuestion, ActionSkipQuestion
from actions.ask import ASK_ACTIONS
from actions.extract import ActionExtractProfile
from actions.form import ValidateInterviewForm
from actions.recommend import ActionExplainPath, ActionRecommend, ActionShowMore, ActionWhatIf
from actions.service import ActionDeleteData, ActionHandoff, ActionStartOver
from tests.unit.slack_stub import CHANNEL, clear_slack_env, slack  # noqa: F401

PILOT_PROFILE = {
    "language": "en",
    "product_description": "an aluminium sensor housing",
    "design_maturity": "validated_prototype",
    "annual_volume": 500.0,
    "tolerance_mm": 0.05,
    "target_unit_cost_sek": 420.0,
    "material": "aluminium",
    "certifications": ["iso_9001"],
    "region": "Jönköping",
    "timeline_weeks": 8.0,
    "profile_confirmed": True,
}


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    common.register_store.cache_clear()
    common.lead_store.cache_clear()
    yield url
    common.register_store.cache_clear()
    common.lead_store.cache_clear()


@pytest.fixture(autouse=True)
def no_slack(monkeypatch):
    # A developer's real Slack settings must never receive test notices.
    clear_slack_env(monkeypatch)


def tracker(slots=None, text="", intent="inform", entities=(), requested=None, latest_action="action_listen",
            sender="founder-1"):
    # as Rasa sends it to a form's ask action: the last action before the form, then the form
    events = [{"event": "action", "name": latest_action}, {"event": "action", "name": "interview_form"}]
    slots = dict(slots or {})
    active_loop = {}
    if requested:
        slots["requested_slot"] = requested
        active_loop = {"name": "interview_form"}
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)},
        events=events,
        paused=False,
        followup_action=None,
        active_loop=active_loop,
        latest_action_name=latest_action,
    )


async def run(action, tr, domain=None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tr, domain or {})
    return dispatcher.messages, events


def slot_events(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_extraction_keeps_every_fact_and_the_language():
    entities = [
        {"entity": "language", "value": "sv", "role": "detected"},
        {"entity": "annual_volume", "value": 1000.0, "text": "1000 st", "start": 11, "end": 18},
        {"entity": "tolerance_mm", "value": 0.05},
        {"entity": "target_unit_cost_sek", "value": 250.0},
        {"entity": "material", "value": "stainless_steel"},
    ]
    _, events = await run(ActionExtractProfile(), tracker(text="vi behöver 1000 st ...", entities=entities))
    slots = slot_events(events)
    assert slots["language"] == "sv"
    assert (slots["annual_volume"], slots["tolerance_mm"], slots["target_unit_cost_sek"], slots["material"]) == (
        1000.0, 0.05, 250.0, "stainless_steel"
    )
    assert set(slots["understood"]) >= {"annual_volume", "tolerance_mm", "target_unit_cost_sek", "material"}


async def test_extraction_reports_an_impossible_volume_instead_of_filling_it():
    _, events = await run(
        ActionExtractProfile(),
        tracker(entities=[{"entity": "annual_volume", "value": -500.0}], requested="annual_volume"),
    )
    slots = slot_events(events)
    assert "annual_volume" not in slots
    assert slots["interview_problems"] == [{"slot": "annual_volume", "code": "not_positive", "value": -500.0}]


async def test_form_asks_only_relevant_questions():
    form = ValidateInterviewForm()
    needed = await form.required_slots([], CollectingDispatcher(), tracker({"design_maturity": "idea"}), {})
    assert "region" not in needed and needed[-1] == "profile_confirmed"


async def test_first_question_welcomes_then_acknowledges_then_asks():
    ask = next(a for a in ASK_ACTIONS if a.slot == "product_description")()
    slots = {"language": "en", "understood": ["annual_volume"], "annual_volume": 500.0}
    messages, events = await run(ask, tracker(slots, requested="product_description"))
    assert [m.get("response") for m in messages] == ["utter_welcome", None, "utter_ask_product_description"]
    assert messages[1]["text"] == "Noted: volume: 500 units a year."
    assert slot_events(events) == {"welcomed": True}


async def test_a_first_miss_says_what_to_write_and_counts_it():
    messages, events = await run(
        ActionClarify(), tracker({"language": "en", "failed_attempts": 0.0}, text="asdf", intent="nlu_fallback",
                                 requested="annual_volume")
    )
    assert "500 a year" in messages[0]["text"]
    assert slot_events(events) == {"failed_attempts": 1.0}


async def test_a_second_miss_leaves_the_question_open_with_an_advisor_button():
    messages, events = await run(
        ActionClarify(), tracker({"language": "sv", "failed_attempts": 1.0}, text="asdf", intent="nlu_fallback",
                                 requested="tolerance_mm")
    )
    assert "tolerans" in messages[0]["text"] and "antagande" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/talk_to_human"]
    assert slot_events(events) == {"skipped_slots": ["tolerance_mm"], "failed_attempts": 0.0}


async def test_an_unsure_reading_is_asked_back_as_buttons():
    ask = next(a for a in ASK_ACTIONS if a.slot == "design_maturity")()
    clarify = {"slot": "design_maturity", "options": ["prototype", "validated_prototype"]}
    slots = {"language": "en", "welcomed": True, "failed_attempts": 1.0, "interview_clarify": clarify}
    messages, _ = await run(ask, tracker(slots, requested="design_maturity", latest_action="action_clarify"))
    payloads = [b["payload"] for b in messages[-1]["buttons"]]
    assert payloads == [
        '/inform{"design_maturity": "prototype"}',
        '/inform{"design_maturity": "validated_prototype"}',
        "/skip_question",
    ]
    assert "sure" in messages[-1]["text"]


async def test_skip_remembers_the_skipped_question():
    messages, events = await run(ActionSkipQuestion(), tracker({"language": "en"}, intent="skip_question",
                                                               requested="tolerance_mm"))
    assert slot_events(events)["skipped_slots"] == ["tolerance_mm"]
    assert "skip" in messages[0]["text"]


async def test_why_explains_the_current_question():
    messages, _ = await run(ActionExplainQuestion(), tracker({"language": "sv"}, intent="ask_why",
                                                             requested="annual_volume"))
    assert messages[0]["text"]


async def test_recommendation_payload_matches_the_contract_and_is_stored(database):
    messages, events = await run(ActionRecommend(), tracker(PILOT_PROFILE))
    payload = next(m["custom"] for m in messages if m.get("custom"))
    assert payload["type"] == "recommendation" and payload["path"] == "pilot"
    assert payload["profile"]["annual_volume"] == 500.0 and payload["profile"]["tolerance_mm"] == 0.05
    assert payload["reasons"] and payload["next_steps"] and payload["support"]
    process = payload["processes"][0]
    assert {"process", "unit_cost_sek", "tooling_sek", "lead_time_weeks", "fits_tolerance"} <= set(process)
    manufacturer = payload["manufacturers"][0]
    assert {"id", "name", "county", "processes", "score", "reasons"} <= set(manufacturer)
    assert slot_events(events)["production_path"] == "pilot"
    lead = common.lead_store().get("founder-1")
    assert lead.path == "pilot" and lead.matches[0]["id"] == manufacturer["id"]


async def test_an_unchanged_profile_is_not_recommended_twice():
    _, events = await run(ActionRecommend(), tracker(PILOT_PROFILE))
    again = {**PILOT_PROFILE, **slot_events(events)}
    messages, events = await run(ActionRecommend(), tracker(again))
    assert events == [] and "still stands" in messages[0]["text"]


async def test_follow_ups_after_a_recommendation():
    _, events = await run(ActionRecommend(), tracker(PILOT_PROFILE))
    slots = {**PILOT_PROFILE, **slot_events(events)}
    messages, events = await run(ActionShowMore(), tracker(slots, intent="show_more_manufacturers"))
    assert messages[0]["custom"]["offset"] == 5 and slot_events(events) == {"match_offset": 5.0}
    messages, _ = await run(ActionExplainPath(), tracker(
        slots, intent="why_not_path", entities=[{"entity": "path_mention", "value": "full_scale"}]))
    assert messages[0]["text"]
    messages, events = await run(ActionWhatIf(), tracker(
        slots, intent="what_if_volume", entities=[{"entity": "volume_multiplier", "value": 10.0}]))
    assert slot_events(events)["annual_volume"] == 5000.0
    assert messages[0]["text"].startswith("If you need 5,000 units a year")


async def test_what_if_with_an_impossible_factor_asks_again():
    messages, events = await run(ActionWhatIf(), tracker(
        PILOT_PROFILE, intent="what_if_volume", entities=[{"entity": "volume_multiplier", "value": 0.0}]))
    assert events == [] and "at least 1" in messages[0]["text"]


async def test_handoff_and_delete(database):
    _, _ = await run(ActionHandoff(), tracker({"language": "en"}, text="a human please", intent="talk_to_human"))
    assert common.lead_store().get("founder-1").handoff_requested
    messages, events = await run(ActionDeleteData(), tracker({"language": "sv"}, intent="delete_data"))
    assert common.lead_store().get("founder-1") is None
    assert "raderade" in messages[0]["text"]
    assert {"event": "reset_slots", "timestamp": None} in events


async def test_start_over_keeps_the_language():
    _, events = await run(ActionStartOver(), tracker({"language": "sv", "welcomed": True}, intent="start_over"))
    assert SlotSet("language", "sv") in events and any(e["event"] == "reset_slots" for e in events)


async def test_extraction_runs_once_per_message_even_when_the_form_activates():
    tr = tracker(entities=[{"entity": "annual_volume", "value": 500.0}])
    tr.events = [{"event": "user", "text": "500 a year"}, {"event": "slot", "name": "understood", "value": ["annual_volume"]}]
    _, events = await run(ActionExtractProfile(), tr)
    assert events == []


async def test_what_if_without_a_volume_offers_factors_as_buttons():
    messages, events = await run(ActionWhatIf(), tracker(PILOT_PROFILE, intent="what_if_volume"))
    assert events == []
    assert [b["payload"] for b in messages[0]["buttons"]][-1] == '/what_if_volume{"volume_multiplier": 10}'


async def test_handoff_and_recommendation_notify_the_advisors_channel(slack):  # noqa: F811
    await run(ActionHandoff(), tracker({**PILOT_PROFILE, "profile_confirmed": None}, text="a human please",
                                       intent="talk_to_human", sender="U1_C1_17.5"))
    await run(ActionRecommend(), tracker(PILOT_PROFILE, sender="U1_C1_17.5"))
    link = "https://tillverka.example/advisor/leads/U1_C1_17.5"
    assert [post["channel"] for post in slack.posts] == [CHANNEL, CHANNEL]
    handoff, recommended = slack.posts
    assert "asked for a human" in handoff["text"] and link in handoff["text"]
    assert "a human please" in str(handoff["blocks"]) and "an aluminium sensor housing" in str(handoff["blocks"])
    assert "pilot series" in recommended["text"] and link in recommended["text"]
    assert "*Top matches*" in str(recommended["blocks"])


async def test_what_if_notifies_too_and_a_refusing_slack_changes_nothing_for_the_founder(slack):  # noqa: F811
    slack.answer = {"ok": False, "error": "channel_not_found"}
    messages, events = await run(ActionWhatIf(), tracker(
        PILOT_PROFILE, intent="what_if_volume", entities=[{"entity": "volume_multiplier", "value": 10.0}]))
    assert len(slack.posts) == 1 and slot_events(events)["annual_volume"] == 5000.0
    assert messages[0]["text"].startswith("If you need 5,000 units a year")


async def test_without_slack_settings_nothing_is_posted(slack, monkeypatch):  # noqa: F811
    clear_slack_env(monkeypatch)
    await run(ActionHandoff(), tracker({"language": "sv"}, text="en människa tack", intent="talk_to_human"))
    messages, _ = await run(ActionRecommend(), tracker(PILOT_PROFILE))
    assert slack.posts == [] and any(m.get("custom") for m in messages)


async def test_a_long_message_read_as_small_talk_still_counts_as_a_miss():
    text = "om det kostade en fem-sex hundra att tillverka vore jag nöjd"
    messages, events = await run(
        ActionClarify(), tracker({"language": "sv", "failed_attempts": 1.0}, text=text, intent="request_advice",
                                 requested="target_unit_cost_sek")
    )
    assert slot_events(events)["skipped_slots"] == ["target_unit_cost_sek"]  # never asked forever


async def test_thanks_during_the_interview_is_no_miss():
    _, events = await run(
        ActionClarify(), tracker({"language": "sv", "failed_attempts": 1.0}, text="tack!", intent="thank",
                                 requested="target_unit_cost_sek")
    )
    assert events == []


async def test_an_unsure_answer_read_as_skip_is_asked_back_not_skipped():
    clarify = {"slot": "design_maturity", "options": ["prototype", "validated_prototype"]}
    messages, events = await run(ActionSkipQuestion(), tracker(
        {"language": "en", "interview_clarify": clarify}, text="it works mostly", intent="skip_question",
        requested="design_maturity"))
    # not skipped: the form asks back with the buttons, and the miss is counted
    assert messages == [] and slot_events(events) == {"failed_attempts": 1.0}


async def test_an_unsure_answer_read_as_skip_a_second_time_takes_the_likeliest_reading():
    clarify = {"slot": "design_maturity", "options": ["prototype", "validated_prototype"]}
    messages, events = await run(ActionSkipQuestion(), tracker(
        {"language": "en", "interview_clarify": clarify, "failed_attempts": 1.0}, text="it works mostly",
        intent="skip_question", requested="design_maturity"))
    assert slot_events(events)["design_maturity"] == "prototype" and "prototype" in messages[0]["text"]


async def test_unsure_twice_takes_the_likeliest_reading_and_says_so():
    clarify = {"slot": "design_maturity", "options": ["validated_prototype", "prototype"]}
    messages, events = await run(ActionClarify(), tracker(
        {"language": "en", "failed_attempts": 1.0, "interview_clarify": clarify}, text="we used them all season",
        requested="design_maturity"))
    assert "validated prototype" in messages[0]["text"] and "summary" in messages[0]["text"]
    assert slot_events(events)["design_maturity"] == "validated_prototype"


async def test_a_statement_answered_as_a_question_still_counts_as_a_miss():
    from actions.answers import ActionAnswerQuestion
    messages, events = await run(ActionAnswerQuestion(), tracker(
        {"language": "en", "failed_attempts": 1.0}, text="before easter", intent="ask_path_difference",
        requested="timeline_weeks"))
    assert slot_events(events)["skipped_slots"] == ["timeline_weeks"]  # left open, not asked forever
    _, events = await run(ActionAnswerQuestion(), tracker(
        {"language": "en"}, text="what is the difference between a pilot and full scale?",
        intent="ask_path_difference", requested="timeline_weeks"))
    assert events == []  # a real question is no miss
