"""IntentGuard: evidence rules over DIET's intent, so a founder's statement stays a statement.

In config.yml, after FallbackClassifier:

    - name: bot.nlu.intent_guard.IntentGuard

DIET reads a long opening by its words; a few of them can look like a command or a question
("till att börja med" like "börja om", "the drawings are final" like a question about paths),
and an unusual opening may fall back altogether. The guard looks at what the message holds:
- a reset (start over, delete my data) is a short command: a long message, or one that states
  facts, is information;
- a knowledge question is asked: a message that states facts and does not read as a question
  is information;
- a fallback that still states facts, or is a sentence or more, is information, so the interview
  starts with what was understood instead of a "didn't get that".
The original intent stays in the message as `intent_guard` for the transcript and debugging.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.guard_rules import guarded_intent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get("name")
            new = guarded_intent(name, message.get(TEXT) or "", message.get(ENTITIES) or [])
            if new != name:
                message.set(INTENT, {"name": new, "confidence": intent.get("confidence", 1.0)}, add_to_output=True)
                message.set("intent_guard", {"from": name, "to": new}, add_to_output=True)
        return messages
