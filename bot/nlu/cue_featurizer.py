"""CueFeaturizer: the cues of bot.nlu.cues as sparse features for DIET's intents.

In config.yml, after the tokenizer and before DIETClassifier:

    - name: bot.nlu.cue_featurizer.CueFeaturizer

One column per cue (cues.cue_names()). Sentence features hold every cue of the message;
sequence features mark, per token, the word cues (speech acts, facts) that cover it. Not
trainable: the columns come from data/lexicon/speech_acts.yml, so a change there retrains
(the model fingerprint hashes data/).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.cues import cue_names, cues
from bot.nlu.extractor import EXTRACTED_FLAG, TillverkaEntityExtractor


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CueFeaturizer(SparseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CueFeaturizer:
        return cls({**cls.get_default_config(), **(config or {})}, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._columns = {cue: i for i, cue in enumerate(cue_names())}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            if message.get(TEXT) and tokens:
                sequence, sentence = self._features(message.get(TEXT), tokens, _extracted(message))
                self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def _features(
        self, text: str, tokens: list, entities: list[dict] | None
    ) -> tuple[scipy.sparse.coo_matrix, scipy.sparse.coo_matrix]:
        width = len(self._columns)
        sequence = np.zeros((len(tokens), width))
        sentence = np.zeros((1, width))
        whole = len(text)
        for cue in cues(text, entities):
            column = self._columns[cue.name]
            sentence[0, column] = 1.0
            if cue.start == 0 and cue.end == whole and not cue.name.startswith(("act:", "fact:")):
                continue  # a message-level cue belongs to no token
            for i, token in enumerate(tokens):
                if token.start < cue.end and token.end > cue.start:
                    sequence[i, column] = 1.0
        return scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence)


def _extracted(message: Message) -> list[dict] | None:
    """Our extractor's entities when it ran before us (prediction), so a message is not
    extracted twice; None in training, where it does not run (the cues then extract)."""
    if not message.get(EXTRACTED_FLAG):
        return None
    return [e for e in message.get(ENTITIES) or [] if e.get("extractor") == TillverkaEntityExtractor.__name__]
