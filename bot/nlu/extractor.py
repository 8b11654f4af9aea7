"""TillverkaEntityExtractor: the Rasa NLU component around bot.nlu.pipeline.

In config.yml:

    pipeline:
      - name: bot.nlu.extractor.TillverkaEntityExtractor
        # entities: [annual_volume, tolerance_mm]   # optional: only these (default: all)

Not trainable: it only runs in the prediction graph, so DIET never sees its entities in
training (keep `entity_recognition: false` or leave these entities unannotated).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.pipeline import extract_entities, warm_up

CONFIDENCE = 1.0  # rule-based: either a rule matched or it did not
# Set on each message it processed (even with no entities), for components after it.
EXTRACTED_FLAG = "tillverka_extracted"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class TillverkaEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Normalised quantities, materials, processes, regions, ... in Swedish and English."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": None}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TillverkaEntityExtractor:
        return cls({**cls.get_default_config(), **(config or {})})

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._wanted = set(config.get("entities") or ())
        # build the matchers while the model loads, not on the first founder's message
        warm_up()

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds our entities to each message, after those earlier extractors found."""
        for message in messages:
            found = self.filter_irrelevant_entities(
                extract_entities(message.get(TEXT) or ""), self._wanted
            )
            for entity in found:
                entity["confidence_entity"] = CONFIDENCE
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
            message.set(EXTRACTED_FLAG, True)
        return messages
