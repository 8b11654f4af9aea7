"""Cue features for DIET: what a message does, from words the training data may never have had."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.cue_featurizer import CueFeaturizer
from bot.nlu.cues import cue_names, cues


def names(text: str) -> set[str]:
    return {c.name for c in cues(text)}


def test_speech_acts_in_both_languages_with_accents_dropped_and_inflections():
    assert "act:farewell" in names("ajöss då!")
    assert "act:farewell" in names("catch you later")
    assert "act:farewell" in names("hej da")  # written without å
    assert "act:thanks" in names("tackar")
    assert {"act:negation", "act:thanks"} <= names("nej tack")
    assert "act:affirmation" in names("Japp")
    assert "act:unknown" in names("ingen aning faktiskt")
    assert "act:manufacturing" in names("formsprutade detaljer")  # "formsprut*"


def test_message_shape_and_product_facts():
    assert names("ok") >= {"act:affirmation", "len:1"}
    assert "len:13+" in names(" ".join(["ord"] * 20))
    assert "shape:question" in names("vad kostar ett verktyg?")
    facts = names("vi gör 500 st om året i aluminium")
    assert {"fact:annual_volume", "fact:material", "shape:number"} <= facts
    assert not names("")
    assert names("what is the weather like tomorrow") & {n for n in cue_names() if n.startswith("act:")} == set()


def test_every_cue_has_a_column():
    columns = set(cue_names())
    for text in ("hej då och tack", "vi har en prototyp i PEEK, 300 st, ±0,1 mm, Skåne", "why?"):
        assert names(text) <= columns


def featurizer(tmp_path) -> CueFeaturizer:
    return CueFeaturizer.create(
        {}, LocalModelStorage(tmp_path), Resource("cues"), ExecutionContext(GraphSchema({}), node_name="cues")
    )


def tokenized(text: str) -> Message:
    message = Message(data={TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def test_features_land_on_the_message_for_training_and_prediction(tmp_path):
    component = featurizer(tmp_path)
    message = tokenized("tack och hej då")
    component.process_training_data(TrainingData([message]))
    sequence, sentence = message.get_sparse_features(TEXT)
    width = len(cue_names())
    assert sentence.features.shape == (1, width)
    assert sequence.features.shape == (4, width)
    farewell = cue_names().index("act:farewell")
    thanks = cue_names().index("act:thanks")
    row = sentence.features.toarray()[0]
    assert row[farewell] == row[thanks] == 1.0
    per_token = sequence.features.toarray()
    assert per_token[0, thanks] == 1.0 and per_token[0, farewell] == 1.0  # "tack" in "tack och hej"
    assert per_token[:, cue_names().index("len:3-4")].sum() == 0  # the length is no token's


def test_a_message_without_tokens_gets_no_features(tmp_path):
    message = Message(data={TEXT: ""})
    featurizer(tmp_path).process([message])
    assert message.get_sparse_features(TEXT) == (None, None)


def test_after_our_extractor_the_features_are_the_same_without_extracting_again(tmp_path):
    from bot.nlu.extractor import TillverkaEntityExtractor

    text = "vi gör 500 st om året i aluminium, tack"
    alone, after = tokenized(text), tokenized(text)
    TillverkaEntityExtractor({"entities": None}).process([after])
    featurizer(tmp_path).process([alone, after])
    for a, b in zip(alone.get_sparse_features(TEXT), after.get_sparse_features(TEXT), strict=True):
        assert (a.features != b.features).nnz == 0
