"""The Rasa NLU component: entities land on Rasa's Message next to other extractors' ones."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.extractor import TillverkaEntityExtractor


def make_component(tmp_path, config: dict | None = None) -> TillverkaEntityExtractor:
    return TillverkaEntityExtractor.create(
        {**TillverkaEntityExtractor.get_default_config(), **(config or {})},
        LocalModelStorage(tmp_path),
        Resource("tillverka_entity_extractor"),
        ExecutionContext(GraphSchema({}), model_id="test"),
    )


def ours(message: Message) -> list[dict]:
    return [e for e in message.get(ENTITIES, []) if e["extractor"] == "TillverkaEntityExtractor"]


def test_entities_land_on_the_message_with_the_extractor_name(tmp_path):
    component = make_component(tmp_path)
    message = Message(data={TEXT: "vi behöver 1000 st, ±0,05 mm, 250 kr/st, rostfritt"})
    [processed] = component.process([message])
    found = {e["entity"]: e for e in ours(processed)}
    assert found["annual_volume"]["value"] == pytest.approx(1000)
    assert found["tolerance_mm"]["value"] == pytest.approx(0.05)
    assert found["target_unit_cost_sek"]["value"] == pytest.approx(250)
    assert found["material"]["value"] == "stainless_steel"
    assert found["language"]["role"] == "detected"
    for entity in ours(processed):
        assert entity["confidence_entity"] == 1.0
        assert processed.get(TEXT)[entity["start"] : entity["end"]] == entity["text"]
    # Rasa sends the entities to the tracker only when they are part of the output
    assert ENTITIES in processed.output_properties


def test_earlier_entities_are_kept(tmp_path):
    component = make_component(tmp_path)
    earlier = {"entity": "product", "value": "cykellåda", "start": 0, "end": 9, "extractor": "DIET"}
    message = Message(data={TEXT: "cykellåda, 500 st per år", ENTITIES: [earlier]})
    [processed] = component.process([message])
    entities = processed.get(ENTITIES)
    assert entities[0] == earlier
    assert sorted(e["entity"] for e in ours(processed)) == ["annual_volume", "language"]


def test_roles_are_passed_on(tmp_path):
    [processed] = make_component(tmp_path).process([Message(data={TEXT: "in English please"})])
    assert [(e["entity"], e["value"], e["role"]) for e in ours(processed)] == [
        ("language", "en", "explicit")
    ]


def test_several_messages_and_a_message_without_text(tmp_path):
    messages = [Message(data={TEXT: "10 weeks"}), Message(data={}), Message(data={TEXT: ""})]
    processed = make_component(tmp_path).process(messages)
    assert [e["entity"] for e in ours(processed[0])] == ["timeline_weeks"]
    assert processed[1].get(ENTITIES) == []
    assert processed[2].get(ENTITIES) == []


def test_config_can_restrict_the_entities(tmp_path):
    component = make_component(tmp_path, {"entities": ["tolerance_mm"]})
    [processed] = component.process([Message(data={TEXT: "500 st, ±0,1 mm, in English please"})])
    assert [e["entity"] for e in ours(processed)] == ["tolerance_mm"]


def test_registered_as_a_non_trainable_entity_extractor():
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    registered = DefaultV1Recipe._from_registry(TillverkaEntityExtractor.__name__)
    assert registered.clazz is TillverkaEntityExtractor
    assert set(registered.types) == {DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR}
    assert registered.is_trainable is False
