"""The Rasa speed-ups keep Rasa's behaviour: the same event classes, the same validation."""

from __future__ import annotations

from datetime import datetime

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.utils.common import all_subclasses

from bot import rasa_speedups


@pytest.fixture(autouse=True, scope="module")
def installed():
    rasa_speedups.install()
    rasa_speedups.install()  # a second install changes nothing


def test_every_event_name_resolves_to_rasas_class():
    for cls in all_subclasses(Event):
        if isinstance(getattr(cls, "type_name", None), str):
            assert Event.resolve_by_type(cls.type_name).type_name == cls.type_name
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered


def test_unknown_event_names_still_follow_rasa():
    assert Event.resolve_by_type("no_such_event", default=BotUttered) is BotUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    # a default is never remembered as the class of that name
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_events_round_trip_through_the_cache():
    events = [ActionExecuted("action_listen"), UserUttered("hej"), SlotSet("language", "sv")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_a_valid_action_response_passes():
    action = RemoteAction("action_extract_profile", None)
    response = {
        "events": [{"event": "slot", "timestamp": None, "name": "language", "value": "sv"}],
        "responses": [{"text": "Noterat", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
    }
    assert action._validate_action_result(response) is True


def test_an_invalid_action_response_raises_with_rasas_explanation():
    action = RemoteAction("action_extract_profile", None)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def rasa_events() -> list[dict]:
    """One event of every kind the actions send, as Rasa serialises them."""
    return [
        e.as_dict()
        for e in [
            SlotSet("annual_volume", 500.0),
            SlotSet("understood", ["material", "annual_volume"]),
            SlotSet("interview_problems", None),
            BotUttered("Noterat", {"buttons": [{"title": "Ja", "payload": "/affirm"}]}),
            ActionExecuted("action_listen"),
            UserUttered("hej", {"name": "greet", "confidence": 0.9}),
            ActiveLoop("interview_form"),
            FollowupAction("action_listen"),
            ConversationPaused(),
            ConversationResumed(),
            Restarted(),
            AllSlotsReset(),
            SessionStarted(),
            ReminderScheduled("remind", datetime(2026, 12, 1, 9, 0)),
        ]
    ]


def corruptions(event: dict) -> list:
    """Ways an action server could get an event wrong."""
    return [
        {**event, "event": "no_such_event"},
        {**event, "event": 7},
        {**event, "event": ["slot"]},
        {k: v for k, v in event.items() if k != "event"},
        {**event, "timestamp": "yesterday"},
        {**event, "metadata": "none"},
        {**event, "name": 5},
        {**event, "text": 5},
        {**event, "name": None},
        "slot",
        None,
        [event],
    ]


def test_the_shortcut_decides_as_the_whole_schema_does():
    check = rasa_speedups.ActionResponseCheck()
    responses = [{"text": "Noterat"}, {"buttons": []}]
    cases = [
        {},
        {"events": []},
        {"events": rasa_events(), "responses": responses},
        {"events": "not a list"},
        {"events": rasa_events(), "responses": "not a list"},
        {"events": rasa_events(), "responses": ["not an object"]},
        "not an object",
        None,
    ]
    for event in rasa_events():
        cases += [{"events": [event, bad]} for bad in corruptions(event)]
    for case in cases:
        assert check.is_valid(case) == check.whole.is_valid(case), case
    assert check.is_valid({"events": rasa_events(), "responses": responses})
