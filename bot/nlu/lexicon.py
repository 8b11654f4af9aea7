"""Phrase lexicons (data/lexicon/*.yml) turned into a spaCy PhraseMatcher.

Each lexicon file names one entity and maps ids to phrases:

    entity: material
    values:
      aluminium: [aluminium, aluminum, alu*]
    ambiguous:          # short codes that are ordinary words elsewhere ("a PC")
      polycarbonate: [PC]
    fallbacks:          # generic words, dropped when something more specific is named
      plastic: {phrases: [plast*, plastic], unless: "*"}
    accents_required: [stål]   # "stal" is another word ("stole")

Other keys: `whole_message` (phrases that count only as the entire message, "English"),
`genitive_forms: true` (places also match "Skånes", "Skåne län", "Region Skåne"),
`ambiguous_context` / `ambiguous_not_after` (words that confirm / veto an ambiguous code).

Phrases match whole tokens, case-insensitively and accent-folded ("Skane" = "Skåne"): the
matcher's Doc holds each token lower-cased and folded, so the PhraseMatcher compares ORTH. A
trailing "*" matches any word starting with the last word ("formsprut*" -> "formsprutade").
Those prefix phrases go to a small index of their own: spaCy's Matcher with a REGEX per
pattern was the slowest part of the whole extractor (0.7 ms a message).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot import vocabulary
from bot.config import DATA_DIR
from bot.nlu.numbers import Tok, fold, split_tokens

LEXICON_DIR = DATA_DIR / "lexicon"
LEXICON_FILES = (
    "materials.yml",
    "processes.yml",
    "certifications.yml",
    "regions.yml",
    "maturity.yml",
    "paths.yml",
    "languages.yml",
)
# The ids each entity may take; a lexicon naming anything else is a typo and fails loudly.
ALLOWED_VALUES = {
    "material": set(vocabulary.MATERIALS) | set(vocabulary.MATERIAL_FAMILIES),
    "process": set(vocabulary.PROCESSES),
    "certification": set(vocabulary.CERTIFICATIONS) | {"none"},
    "region": set(vocabulary.COUNTIES) | {"any"},
    "design_maturity": set(vocabulary.MATURITY_LEVELS),
    "path_mention": set(vocabulary.PATHS),
    "language": set(vocabulary.LANGUAGES),
}

_EXACT, _AMBIGUOUS, _FALLBACK, _WHOLE = "exact", "ambiguous", "fallback", "whole"


@functools.cache
def load_yaml(name: str, directory: Path = LEXICON_DIR) -> dict:
    with open(directory / name, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    _check_phrases(data, name)
    return data


def _check_phrases(node, where: str) -> None:
    """Every phrase must be a string: YAML reads a bare `off`, `on` or `no` as a boolean."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_phrases(value, f"{where}: {key}")
    elif isinstance(node, list):
        for item in node:
            if not isinstance(item, str):
                raise ValueError(f"{where}: {item!r} is not a phrase; quote it in the yml")


def phrase_words(phrase: str) -> list[str]:
    """A phrase as the folded tokens a message would have ("3D-print" -> 3, d, -, print)."""
    return [tok.fold for tok in split_tokens(str(phrase))]


@dataclass(frozen=True)
class LexiconMatch:
    entity: str
    value: str
    start: int  # token indexes, end exclusive
    end: int
    mode: str = _EXACT


@dataclass(frozen=True)
class _Fallback:
    unless: frozenset[str] | None  # None: any other value of the entity


class _PrefixIndex:
    """Phrases whose last word is a prefix ("rostfri*", "3d print*"), looked up by prefix."""

    def __init__(self) -> None:
        self.by_stem: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.longest = 0

    def add(self, words: list[str], key: str) -> None:
        stem = words[-1]
        self.by_stem.setdefault(stem, []).append((tuple(words[:-1]), key))
        self.longest = max(self.longest, len(stem))

    def __call__(self, words: list[str]) -> list[tuple[str, int, int]]:
        found = []
        for i, word in enumerate(words):
            for length in range(1, min(len(word), self.longest) + 1):
                for before, key in self.by_stem.get(word[:length], ()):
                    start = i - len(before)
                    if start >= 0 and tuple(words[start:i]) == before:
                        found.append((key, start, i + 1))
        return found


class Lexicon:
    """All lexicon files compiled into one PhraseMatcher (exact) and one prefix index."""

    def __init__(
        self, vocab: Vocab, files: tuple[str, ...] = LEXICON_FILES, directory: Path = LEXICON_DIR
    ):
        self.vocab = vocab
        self.phrases = PhraseMatcher(vocab, attr="ORTH")
        self.prefixes = _PrefixIndex()
        self.fallbacks: dict[tuple[str, str], _Fallback] = {}
        self.ambiguous_not_after: dict[str, frozenset[str]] = {}
        self.ambiguous_context: dict[str, frozenset[str]] = {}
        self.ambiguous_forms: dict[tuple[str, str], frozenset[str]] = {}
        self.accented: dict[str, str] = {}  # folded word -> how it must be written
        for name in files:
            self._load(load_yaml(name, directory))

    # building ----------------------------------------------------------------------------
    def _load(self, data: dict) -> None:
        entity = data["entity"]
        allowed = ALLOWED_VALUES.get(entity)
        expand = _genitive_forms if data.get("genitive_forms") else _same
        sections = (
            (data.get("values") or {}, _EXACT),
            (data.get("whole_message") or {}, _WHOLE),
            (data.get("ambiguous") or {}, _AMBIGUOUS),
            ({k: v["phrases"] for k, v in (data.get("fallbacks") or {}).items()}, _FALLBACK),
        )
        for table, mode in sections:
            for value, phrases in table.items():
                value = str(value)
                if allowed is not None and value not in allowed:
                    raise ValueError(f"lexicon for {entity!r} names unknown id {value!r}")
                for phrase in phrases:
                    for form in expand(str(phrase)):
                        self._add(entity, value, form, mode)
        for value, spec in (data.get("fallbacks") or {}).items():
            unless = spec.get("unless", "*")
            self.fallbacks[(entity, str(value))] = _Fallback(
                None if unless == "*" else frozenset(str(u) for u in unless)
            )
        for word in data.get("accents_required") or ():
            self.accented[fold(word)] = word.lower()
        for value, phrases in (data.get("ambiguous") or {}).items():
            self.ambiguous_forms[(entity, str(value))] = frozenset(str(p) for p in phrases)
        if "ambiguous" in data:
            self.ambiguous_context[entity] = frozenset(
                w for p in data.get("ambiguous_context", []) for w in phrase_words(p)
            )
            self.ambiguous_not_after[entity] = frozenset(
                w for p in data.get("ambiguous_not_after", []) for w in phrase_words(p)
            )

    def _add(self, entity: str, value: str, phrase: str, mode: str) -> None:
        key = f"{entity}|{value}|{mode}"
        if phrase.endswith("*"):
            words = phrase_words(phrase[:-1])
            if not words:
                return
            self.prefixes.add(words, key)
            return
        words = phrase_words(phrase)
        if words:
            self.phrases.add(key, [Doc(self.vocab, words=words)])

    # matching ----------------------------------------------------------------------------
    def find(self, doc: Doc, toks: list[Tok]) -> list[LexiconMatch]:
        """Lexicon entities in a message; `doc` holds the folded words of `toks`."""
        candidates = []
        keys = [
            (self.vocab.strings[match_id], start, end) for match_id, start, end in self.phrases(doc)
        ]
        for key, start, end in keys + self.prefixes([t.fold for t in toks]):
            entity, value, mode = key.split("|")
            match = LexiconMatch(entity, value, start, end, mode)
            if self._accept(match, toks):
                candidates.append(match)
        return self._drop_fallbacks(_longest_per_entity(candidates))

    def _accept(self, match: LexiconMatch, toks: list[Tok]) -> bool:
        if match.mode == _WHOLE:
            # "English" alone is a request; "English customers" is not
            outside = toks[: match.start] + toks[match.end :]
            return not any(t.is_alpha or t.is_digits for t in outside)
        for tok in toks[match.start : match.end]:
            if self.accented.get(tok.fold, tok.lower) != tok.lower:
                return False  # "stal" (stole) is not "stål" (steel)
        if match.mode != _AMBIGUOUS:
            return True
        before = toks[match.start - 1].fold if match.start > 0 else ""
        after = toks[match.end].fold if match.end < len(toks) else ""
        after_hyphen = (
            toks[match.end + 1].fold if after == "-" and match.end + 1 < len(toks) else ""
        )
        context = self.ambiguous_context.get(match.entity, frozenset())
        if {before, after, after_hyphen} & context:
            return True
        written = " ".join(t.text for t in toks[match.start : match.end])
        as_listed = written in self.ambiguous_forms.get((match.entity, match.value), ())
        return as_listed and before not in self.ambiguous_not_after.get(match.entity, ())

    def _drop_fallbacks(self, matches: list[LexiconMatch]) -> list[LexiconMatch]:
        kept = []
        for match in matches:
            rule = self.fallbacks.get((match.entity, match.value))
            if rule is not None and match.mode == _FALLBACK:
                others = {
                    m.value for m in matches if m.entity == match.entity and m.mode != _FALLBACK
                }
                if rule.unless is not None:
                    others &= rule.unless
                if others:
                    continue
            kept.append(match)
        return kept


def _longest_per_entity(matches: list[LexiconMatch]) -> list[LexiconMatch]:
    """Within one entity, overlapping matches keep the longest ("rostfritt stål" over "stål")."""
    kept: list[LexiconMatch] = []
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start, m.mode != _EXACT)):
        overlaps = any(
            k.entity == match.entity and k.start < match.end and match.start < k.end for k in kept
        )
        if not overlaps:
            kept.append(match)
    return sorted(kept, key=lambda m: (m.start, m.entity))


def _same(phrase: str) -> list[str]:
    return [phrase]


def _genitive_forms(phrase: str) -> list[str]:
    """A place and how Swedish writes it in a län name: "Skåne", "Skånes", "Skåne län", ..."""
    if phrase.endswith("*") or phrase.isupper() or not phrase[:1].isupper():
        return [phrase]  # abbreviations and "var som helst" have no genitive
    genitive = phrase if phrase.endswith("s") else phrase + "s"
    return [phrase, genitive, f"{phrase} län", f"{genitive} län", f"region {phrase}"]
