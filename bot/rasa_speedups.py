"""Fixes for Rasa 3.6 hot paths that cost most of a Tillverka message's time.

Installed in the Rasa process before the server starts (bot.runner.exec_rasa, which `make run`,
`make cluster` and the test stacks use). Each fix keeps Rasa's behaviour and only removes
repeated work; docs/benchmarks.md has the profiles that found them.
"""

from __future__ import annotations

from typing import Any


class ActionResponseCheck:
    """Whether an action server's response fits Rasa's response schema, decided once per
    event kind instead of against the whole schema each time.

    Rasa calls `jsonschema.validate(result, spec)` for every custom action and form
    validation, and `validate` checks the schema itself against the Draft 2020-12 meta-schema
    on every call: 10-25 ms of CPU, several times per founder message (64 % of the Rasa
    process's CPU in our profile), for a constant schema. Checking each event against the
    schema's `oneOf` list of some 20 event kinds then costs another 2-3 ms per response.

    Here the schema is checked once. Each alternative of the event schema's `oneOf` names its
    event by a `const`, and no two share a name, so an event with a known name is valid exactly
    when it fits the common part and its own alternative; anything else (an unknown or missing
    name, a wrong type) is decided by the whole schema, as Rasa would.
    """

    def __init__(self) -> None:
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction

        spec = RemoteAction.action_response_format_spec()
        cls = validator_for(spec)
        cls.check_schema(spec)
        self.whole = cls(spec)
        properties = spec["properties"]
        event_schema = properties["events"]["items"]
        common = {key: value for key, value in event_schema.items() if key != "oneOf"}
        self.by_event: dict[str, Any] = {}
        for alternative in event_schema["oneOf"]:
            name = alternative["properties"]["event"]["const"]
            if name in self.by_event:
                raise ValueError(f"two event schemas for {name!r}: the shortcut would be wrong")
            self.by_event[name] = cls({**common, "allOf": [alternative]})
        rest = {**spec, "properties": {k: v for k, v in properties.items() if k != "events"}}
        self.rest = cls(rest)

    def is_valid(self, result: Any) -> bool:
        if not isinstance(result, dict):
            return self.whole.is_valid(result)
        events = result.get("events", [])
        if not isinstance(events, list):
            return self.whole.is_valid(result)
        for event in events:
            name = event.get("event") if isinstance(event, dict) else None
            check = self.by_event.get(name) if isinstance(name, str) else None
            if check is None:
                return self.whole.is_valid(result)
            if not check.is_valid(event):
                return False
        return self.rest.is_valid(result)


def _cache_event_classes() -> None:
    """Event.resolve_by_type walks the whole Event subclass tree for every event it
    deserialises (each stored event on every tracker read, each event an action returns):
    about 5 % of the Rasa process's CPU per message. The classes do not change once loaded,
    so a name found once is remembered; unknown names still take Rasa's path."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    if getattr(original, "tillverka_cached", False):
        return
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    resolve_by_type.tillverka_cached = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)


def install() -> None:
    _cache_event_classes()
    _cache_action_response_validator()


def _cache_action_response_validator() -> None:
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, "tillverka_cached", False):
        return
    check = ActionResponseCheck()

    def _validate_action_result(self: RemoteAction, result: dict) -> bool:
        if check.is_valid(result):
            return True
        return original(self, result)  # invalid: Rasa's own path raises with its message

    _validate_action_result.tillverka_cached = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result
