"""What a message does, as evidence for the intent classifier: cue words and message shape.

DIET learns intents from the words of ~1,700 examples, so a farewell or a "yes" it never saw
("ajöss", "yessir") has nothing to go on. These cues carry what the two languages already
know (data/lexicon/speech_acts.yml) plus the message's shape: how long it is, whether it reads
as a question, which facts about a product it states (our entity extractor). The featurizer
(cue_featurizer.py) hands them to DIET as features; DIET still decides.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import spacy
from spacy.tokens import Doc

from bot.nlu.lexicon import Lexicon, load_yaml
from bot.nlu.numbers import split_tokens
from bot.nlu.pipeline import extract_entities
from bot.nlu.statements import FACT_ENTITIES, reads_as_question

SPEECH_ACTS_FILE = "speech_acts.yml"
# Message length in words, in buckets: one word, two, three or four, a sentence, a long one.
LENGTH_BUCKETS = ((1, "len:1"), (2, "len:2"), (4, "len:3-4"), (12, "len:5-12"))
LONG = "len:13+"
SHAPES = ("shape:question", "shape:number", *(name for _, name in LENGTH_BUCKETS), LONG)


@dataclass(frozen=True)
class Cue:
    name: str  # "act:farewell", "fact:material", "shape:question", ...
    start: int  # characters in the text; the whole text for a message-level cue
    end: int


@functools.lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return Lexicon(spacy.blank("sv").vocab, files=(SPEECH_ACTS_FILE,))


@functools.lru_cache(maxsize=1)
def cue_names() -> tuple[str, ...]:
    """Every cue the featurizer may emit, in a fixed order (its feature columns)."""
    acts = sorted(load_yaml(SPEECH_ACTS_FILE)["values"])
    return (
        *(f"act:{a}" for a in acts),
        *(f"fact:{e}" for e in sorted(FACT_ENTITIES)),
        *SHAPES,
    )


def cues(text: str, entities: list[dict] | None = None) -> list[Cue]:
    """The cues in a message; word cues with their characters, message cues over all of it.
    `entities`: our extractor's, when it already ran on the message (else they are found here)."""
    text = text or ""
    toks = split_tokens(text)
    if not toks:
        return []
    found: list[Cue] = []
    doc = Doc(_lexicon().vocab, words=[t.fold for t in toks])
    for match in _lexicon().all_matches(doc, toks):
        found.append(Cue(f"act:{match.value}", toks[match.start].start, toks[match.end - 1].end))
    for entity in extract_entities(text) if entities is None else entities:
        if entity["entity"] in FACT_ENTITIES:
            found.append(Cue(f"fact:{entity['entity']}", entity["start"], entity["end"]))
    whole = (0, len(text))
    words = sum(1 for t in toks if any(c.isalnum() for c in t.text))
    found.append(Cue(_length_bucket(words), *whole))
    if reads_as_question(text):
        found.append(Cue("shape:question", *whole))
    if any(t.is_digits for t in toks):
        found.append(Cue("shape:number", *whole))
    return found


def _length_bucket(words: int) -> str:
    for most, name in LENGTH_BUCKETS:
        if words <= most:
            return name
    return LONG
