"""Phrase lexicons (data/lexicon/*.yml) turned into a spaCy PhraseMatcher.

Each lexicon file names one entity and maps ids to phrases:

    entity: material
    values:
      aluminium: [aluminium, aluminum, alu*]
    ambiguous:          # short codes that are ordinary words elsewhere ("a PC")
      polycarbonate: [PC]
    fallbacks:          # generic words, dropped when something more specific is named
      plastic: {phrases: [plast*, plastic], unless: "*"}
    accents_required: [stål, "plåt*"]   # "stal" is another word ("stole"); with "*": every
                                        # word starting so ("plåten", not "plats", "platta")
    grades:             # phrases that also name a grade, kept on the match ("316L")
      stainless_steel: {"316L": ["316l", "aisi 316l"]}

Other keys: `whole_message` (phrases that count only as the entire message, "English"),
`in_lists` (phrases that count only in a list next to another name of the entity, joined by
`list_separators`: the bare "3834" in "EN 1090 och 3834"),
`genitive_forms: true` (places also match "Skånes", "Skåne län", "Region Skåne"; with
`compound_suffixes` / `compound_prefixes` also "Stockholmsområdet", "Storgöteborg"),
`ambiguous_context` / `ambiguous_not_after` (words that confirm / veto an ambiguous code).

Phrases match whole tokens, case-insensitively and accent-folded ("Skane" = "Skåne"): the
matcher's Doc holds each token lower-cased and folded, so the PhraseMatcher compares ORTH. A
trailing "*" matches any word starting with the last word ("formsprut*" -> "formsprutade").
Those prefix phrases go to a small index of their own: spaCy's Matcher with a REGEX per
pattern was the slowest part of the whole extractor (0.7 ms a message). When two names cover
the same words, an exact phrase beats a prefix and a longer prefix a shorter one
("aluminiumoxid*" is a ceramic, not "aluminium*").

Grades: a `grades` phrase matches like a `values` one and carries its grade (the key, as the
register or a quote would write it). A hyphen next to a letter is optional in grade phrases
("PA66-GF30" also matches "PA66 GF30"; digits and letters are separate tokens anyway, so
"pa66gf30" is the same). A grade next to a name of the same material, with only punctuation
or a word like "i"/"grade" between, joins it: "aluminium 6061-T6", "316L rostfritt", "stål
(S355)" are each one match with the grade.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
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
    "material": set(vocabulary.MATERIAL_IDS) | set(vocabulary.MATERIAL_FAMILIES),
    "process": set(vocabulary.PROCESSES),
    "certification": set(vocabulary.CERTIFICATIONS) | {"none"},
    "region": set(vocabulary.COUNTIES) | set(vocabulary.REGION_AREAS) | {"any"},
    "design_maturity": set(vocabulary.MATURITY_LEVELS),
    "path_mention": set(vocabulary.PATHS),
    "language": set(vocabulary.LANGUAGES),
}

_EXACT, _AMBIGUOUS, _FALLBACK, _WHOLE = "exact", "ambiguous", "fallback", "whole"
_LIST = "list"
_LIST_GAP = 4  # tokens at most between two names of a list ("9001 , samt 3834")
# Words that may stand between a material and its grade ("aluminium i 6082", "titan grad 5").
GRADE_JOINERS = frozenset(
    {"i", "in", "av", "of", "typ", "type", "grade", "grad", "kvalitet", "quality", "legering",
     "alloy", "aisi", "sae", "en"}
)  # fmt: skip
_GRADE_GAP = 3  # tokens at most between a material and its grade
_OPTIONAL_HYPHEN = re.compile(r"(?<=[^\W\d_])-|-(?=[^\W\d_])")


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
    grade: str | None = None  # the grade a `grades` phrase names ("316L"), else None


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
            # longest stem first: of two prefixes covering the same word the longer one wins
            for length in range(min(len(word), self.longest), 0, -1):
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
        # entity -> folded word start -> how it must be written ("plat" -> "plåt")
        self.accented_starts: dict[str, dict[str, str]] = {}
        self.list_separators: dict[str, frozenset[str]] = {}
        for name in files:
            self._load(load_yaml(name, directory))

    # building ----------------------------------------------------------------------------
    def _load(self, data: dict) -> None:
        entity = data["entity"]
        allowed = ALLOWED_VALUES.get(entity)
        expand = _same
        if data.get("genitive_forms"):
            suffixes = tuple(data.get("compound_suffixes") or ())
            prefixes = tuple(data.get("compound_prefixes") or ())

            def expand(phrase: str) -> list[str]:
                return _genitive_forms(phrase) + _compound_forms(phrase, suffixes, prefixes)

        if "in_lists" in data:
            self.list_separators[entity] = frozenset(
                w for p in data.get("list_separators", []) for w in phrase_words(p)
            )
        sections = (
            (data.get("values") or {}, _EXACT),
            (data.get("whole_message") or {}, _WHOLE),
            (data.get("in_lists") or {}, _LIST),
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
        for value, grades in (data.get("grades") or {}).items():
            value = str(value)
            if allowed is not None and value not in allowed:
                raise ValueError(f"lexicon for {entity!r} names unknown id {value!r}")
            for grade, phrases in grades.items():
                if not isinstance(grade, str) or "|" in grade:
                    raise ValueError(f"{entity} grade {grade!r} of {value}: quote it in the yml")
                for phrase in phrases:
                    for form in _grade_forms(phrase):
                        self._add(entity, value, form, _EXACT, grade)
        for value, spec in (data.get("fallbacks") or {}).items():
            unless = spec.get("unless", "*")
            self.fallbacks[(entity, str(value))] = _Fallback(
                None if unless == "*" else frozenset(str(u) for u in unless)
            )
        for word in data.get("accents_required") or ():
            if word.endswith("*"):
                starts = self.accented_starts.setdefault(entity, {})
                starts[fold(word[:-1])] = word[:-1].lower()
            else:
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

    def _add(
        self, entity: str, value: str, phrase: str, mode: str, grade: str | None = None
    ) -> None:
        key = f"{entity}|{value}|{mode}" + (f"|{grade}" if grade else "")
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
        candidates = self.all_matches(doc, toks)
        matches = self._in_lists(_longest_per_entity(candidates), toks)
        return _join_grades(self._drop_fallbacks(matches), toks)

    def all_matches(self, doc: Doc, toks: list[Tok]) -> list[LexiconMatch]:
        """Every accepted match, overlaps included (`find` then picks among them)."""
        candidates = []
        keys = [
            (self.vocab.strings[match_id], start, end) for match_id, start, end in self.phrases(doc)
        ]
        for key, start, end in keys + self.prefixes([t.fold for t in toks]):
            entity, value, mode, *grade = key.split("|", 3)
            match = LexiconMatch(entity, value, start, end, mode, grade[0] if grade else None)
            if self._accept(match, toks):
                candidates.append(match)
        return candidates

    def _in_lists(self, matches: list[LexiconMatch], toks: list[Tok]) -> list[LexiconMatch]:
        """Keep a list-only name ("3834") only when a chain of separators joins it to another
        name of its entity ("EN 1090 och 3834", "9001, 14001 and 3834")."""
        pending = [m for m in matches if m.mode == _LIST]
        if not pending:
            return matches
        anchored = [m for m in matches if m.mode != _LIST]
        changed = True
        while pending and changed:
            changed = False
            for match in list(pending):
                separators = self.list_separators.get(match.entity, frozenset())
                if any(_joined(a, match, toks, separators) for a in anchored):
                    anchored.append(match)
                    pending.remove(match)
                    changed = True
        return [m for m in matches if m not in pending]

    def _accept(self, match: LexiconMatch, toks: list[Tok]) -> bool:
        if match.mode == _WHOLE:
            # "English" alone is a request; "English customers" is not
            outside = toks[: match.start] + toks[match.end :]
            return not any(t.is_alpha or t.is_digits for t in outside)
        starts = self.accented_starts.get(match.entity, {})
        for tok in toks[match.start : match.end]:
            if self.accented.get(tok.fold, tok.lower) != tok.lower:
                return False  # "stal" (stole) is not "stål" (steel)
            for folded, written in starts.items():
                if tok.fold.startswith(folded) and not tok.lower.startswith(written):
                    return False  # "stalled" is not "stålet", "plats" not "plåt"
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


def _joined(one: LexiconMatch, other: LexiconMatch, toks: list[Tok], separators) -> bool:
    """Two names of one entity with only list separators between them."""
    if one.entity != other.entity:
        return False
    first, second = (one, other) if one.end <= other.start else (other, one)
    gap = toks[first.end : second.start]
    if first.end > second.start or not gap or len(gap) > _LIST_GAP:
        return False
    return all(t.fold in separators for t in gap)


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


def _join_grades(matches: list[LexiconMatch], toks: list[Tok]) -> list[LexiconMatch]:
    """ "aluminium 6061-T6", "316L rostfritt": a material named next to one of its grades is
    one match, with the grade (two grades, or a word in between other than GRADE_JOINERS,
    keep them apart)."""
    kept: list[LexiconMatch] = []
    for match in matches:
        index = next((i for i in reversed(range(len(kept))) if kept[i].entity == match.entity), -1)
        previous = kept[index] if index >= 0 else None
        if (
            previous is not None
            and previous.value == match.value
            and (previous.grade is None) != (match.grade is None)
            and match.start - previous.end <= _GRADE_GAP
            and all(
                not (t.is_alpha or t.is_digits) or t.fold in GRADE_JOINERS
                for t in toks[previous.end : match.start]
            )
            and not any(previous.end <= k.start < match.start for k in kept)
        ):
            mode = _EXACT if _EXACT in (previous.mode, match.mode) else previous.mode
            grade = previous.grade or match.grade
            kept[index] = replace(previous, end=match.end, mode=mode, grade=grade)
            continue
        kept.append(match)
    return kept


def _grade_forms(phrase: str) -> list[str]:
    """A grade phrase with each hyphen that touches a letter there or not: "EN AW-6082-T6",
    "EN AW 6082-T6", "EN AW-6082 T6", "EN AW 6082 T6"."""
    parts = _OPTIONAL_HYPHEN.split(str(phrase))
    forms = [parts[0]]
    for part in parts[1:]:
        forms = [form + joint + part for form in forms for joint in ("-", " ")]
    return forms


def _same(phrase: str) -> list[str]:
    return [phrase]


def _compound_forms(phrase: str, suffixes: tuple[str, ...], prefixes: tuple[str, ...]) -> list[str]:
    """ "Stockholm" -> "stockholmsområdet", "stockholmområdet", "stockholm-området",
    "storstockholm", ...: a one-word place with an area word (abbreviations excepted)."""
    if not suffixes and not prefixes or " " in phrase or phrase.endswith("*"):
        return []
    if phrase.isupper() or not phrase[:1].isupper():
        return []
    place = phrase.lower()
    stems = {place} if place.endswith("s") else {place, place + "s"}
    forms = [
        f"{stem}{joint}{suffix}" for stem in stems for suffix in suffixes for joint in ("", "-")
    ]
    forms += [f"{prefix}{joint}{place}" for prefix in prefixes for joint in ("", "-")]
    return forms


def _genitive_forms(phrase: str) -> list[str]:
    """A place and how Swedish writes it in a län name: "Skåne", "Skånes", "Skåne län", ..."""
    if phrase.endswith("*") or phrase.isupper() or not phrase[:1].isupper():
        return [phrase]  # abbreviations and "var som helst" have no genitive
    genitive = phrase if phrase.endswith("s") else phrase + "s"
    return [phrase, genitive, f"{phrase} län", f"{genitive} län", f"region {phrase}"]
