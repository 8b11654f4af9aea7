"""extract_entities(text): every fact Tillverka reads from a founder's message, normalised.

Pure Python + spaCy, no Rasa: the Rasa component (extractor.py) and the form's validation both
call this. The spaCy objects are built once, on first use.

Tokenisation: one rule set for both languages (numbers.split_tokens), fed to a blank Swedish
spaCy vocabulary. spaCy's own sv/en tokenizers disagree on exactly the strings this module
cares about ("500-1000" is one token in sv and three in en, "120kr" and "10k" stay whole),
and a message is often half Swedish, half English.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot.nlu.language import detect_language
from bot.nlu.lexicon import Lexicon, LexiconMatch
from bot.nlu.numbers import NumberSpan, Tok, find_numbers, split_tokens
from bot.nlu.quantities import NUMBER, Quantity, QuantityRules

# Longer messages are cut: nobody describes a product in 20 000 characters, and the matchers
# must stay fast whatever is pasted in.
MAX_CHARS = 20_000
# "one" / "en" alone answers "how many?": the only place an article is a number by itself.
LONE_ARTICLES = {"en": 1.0, "ett": 1.0, "one": 1.0}
# "a dozen ideas" is a manner of speaking: before a word these count only in a quantity
# ("a dozen a week"); "maybe a dozen" is 12.
IDIOM_NUMBERS = frozenset(
    {("a", "dozen"), ("ett", "dussin"), ("half", "a", "dozen"), ("a", "gross"), ("ett", "gross")}
)


@dataclass(frozen=True)
class _Engine:
    vocab: Vocab
    lexicon: Lexicon
    quantities: QuantityRules


@functools.lru_cache(maxsize=1)
def _engine() -> _Engine:
    nlp = spacy.blank("sv")
    return _Engine(nlp.vocab, Lexicon(nlp.vocab), QuantityRules(nlp.vocab))


def warm_up() -> None:
    """Build the matchers now (the Rasa component calls this when the model loads)."""
    extract_entities("500 st")


# "1000-ish a year", "€30ish": an approximate number. The suffix becomes spaces, so every
# offset still points into the founder's own text.
ISH_RE = re.compile(r"(?<=\d)(\s?-?\s?ish)\b", re.IGNORECASE)


def _without_ish(text: str) -> str:
    return ISH_RE.sub(lambda m: " " * len(m.group(1)), text)


def extract_entities(text: str, today: datetime.date | None = None) -> list[dict]:
    """Entities in `text`: dicts with entity, value, start, end, text (and role), by start.

    `today` is the date that dates ("i januari", "before Christmas", "vecka 10") count weeks
    from; None is the real today (quantities.today()).
    """
    if not isinstance(text, str) or not text.strip():
        return []
    text = text[:MAX_CHARS]
    engine = _engine()
    toks = split_tokens(_without_ish(text))
    if not toks:
        return []
    numbers = find_numbers(toks, engine.quantities.glued_units, engine.quantities.unit_words)
    doc = Doc(engine.vocab, words=[t.fold for t in toks])
    lexicon = engine.lexicon.find(doc, toks)
    found = engine.quantities.find(toks, numbers, today)
    lexicon = [m for m in lexicon if not _counted_standard(m, toks, found)]
    quantities = [q for q in found if not _inside_names(q, lexicon)]
    bare = _bare_numbers(toks, numbers, [*lexicon, *quantities], engine.quantities.other_units)
    quantities = engine.quantities.corrected(toks, [*quantities, *bare])

    entities = []
    for match in lexicon:
        entity = _entity(text, toks, match.entity, match.value, match.start, match.end)
        if getattr(match, "grade", None):
            entity["grade"] = match.grade  # "316L", "PA66-GF30": the founder's grade, normalised
        if match.entity == "language":
            entity["role"] = "explicit"  # "in English please": the founder's choice sticks
        entities.append(entity)
    for q in quantities:
        entities.append(_entity(text, toks, q.entity, q.value, q.start, q.end))
        if q.range:
            entities[-1]["range"] = list(q.range)  # "300-500 st": both ends, value per policy
    if not any(e["entity"] == "language" for e in entities):
        detected = detect_language(text)
        if detected:
            entities.append(
                {
                    "entity": "language",
                    "value": detected,
                    "start": toks[0].start,
                    "end": toks[-1].end,
                    "text": text[toks[0].start : toks[-1].end],
                    "role": "detected",
                }
            )
    entities.sort(key=lambda e: (e["start"], e["end"]))
    return entities


def entity_values(text: str, entity: str, today: datetime.date | None = None) -> list:
    """The values of one entity in `text`, in order ("500 st" -> [500.0] for annual_volume)."""
    return [e["value"] for e in extract_entities(text, today) if e["entity"] == entity]


def _entity(text: str, toks: list[Tok], entity: str, value, start: int, end: int) -> dict:
    char_start, char_end = toks[start].start, toks[end - 1].end
    return {
        "entity": entity,
        "value": value,
        "start": char_start,
        "end": char_end,
        "text": text[char_start:char_end],
    }


def _counted_standard(match: LexiconMatch, toks: list[Tok], quantities: list[Quantity]) -> bool:
    """ "14001 st per år": a bare standard number inside a longer quantity is a count."""
    if match.entity != "certification" or any(t.is_alpha for t in toks[match.start : match.end]):
        return False
    return any(
        q.start <= match.start and match.end <= q.end and q.end - q.start > match.end - match.start
        for q in quantities
    )


def _inside_names(quantity: Quantity, lexicon: list[LexiconMatch]) -> bool:
    """ "ISO 9001", "aluminium 6061", "EN 1090-2": the digits belong to the name."""
    names = [m for m in lexicon if m.entity in ("certification", "material", "process")]
    return any(m.start < quantity.end and quantity.start < m.end for m in names)


def _bare_numbers(
    toks: list[Tok],
    numbers: list[NumberSpan],
    used: list[LexiconMatch | Quantity],
    other_units: frozenset[str],
) -> list[Quantity]:
    """Every number no other entity took: the form reads it as the answer it asked for.

    A range ("300-500") keeps its upper bound as value and both ends in `range`: only the
    question being asked tells whether it is a volume, a price or a tolerance.
    """
    found = []
    for number in numbers:
        if any(u.start < number.end and number.start < u.end for u in used):
            continue
        if number.needs_context:
            continue  # "half a mil": money or a volume, or nothing (a thou, 10 km)
        if number.end < len(toks) and toks[number.end].fold in other_units:
            continue  # "50 %", "0,5 mil", "2 kg"
        spelled = tuple(t.fold for t in toks[number.start : number.end])
        if spelled in IDIOM_NUMBERS and number.end < len(toks) and toks[number.end].is_alpha:
            continue
        span = None if number.low is None else (number.low, number.value)
        found.append(Quantity(NUMBER, number.value, number.start, number.end, span, 1.0))
    words = [t for t in toks if t.is_alpha or t.is_digits]
    if not numbers and len(words) == 1 and words[0].fold in LONE_ARTICLES:
        index = toks.index(words[0])
        found.append(Quantity(NUMBER, LONE_ARTICLES[words[0].fold], index, index + 1, None, 1.0))
    return found


_SPACE_RE = re.compile(r"\s+")


def describe(text: str) -> str:
    """A one-line summary of the entities, for debugging from a shell."""
    parts = [f"{e['entity']}={e['value']!r}" for e in extract_entities(text)]
    return _SPACE_RE.sub(" ", text).strip() + " -> " + (", ".join(parts) or "nothing")
