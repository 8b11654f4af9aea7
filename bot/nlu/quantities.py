"""Quantities with units: spaCy Matcher rules over a message whose numbers are single tokens.

The number scanner (numbers.py) first turns "10 000", "tvåtusen" or "500-1000" into one token
"#num"; the rules below then read like the phrases they catch ("#num st per år", "± #num mm",
"inom #num veckor"). The words each rule accepts come from data/lexicon/quantities.yml.

Overlapping matches: the longest wins ("500 st per månad" over "500 st"), then the order of
ENTITY_PRIORITY. A "dimension" ("10 x 20 mm") is matched only to keep its numbers from being
read as a multiplier or a tolerance; it is never emitted.

A range ("300-500 st") keeps both ends in `Quantity.range`; `range_values` in the yml says which
end is the value. `corrected` applies self-corrections ("500, nej förlåt, 5000 st").
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot import config
from bot.nlu.lexicon import load_yaml, phrase_words
from bot.nlu.numbers import FRACTIONS, NumberSpan, Tok

NUM = "#num"
NUMBER = "number"  # the entity of a bare number, which the pipeline adds
ARTICLES = ("en", "ett", "one", "a", "an")
# "one piece" is a count, "a part of it" is not: an article counts as 1 only before these
# (or before any unit followed by a frequency: "one unit a week")
ARTICLE_UNITS = ("st", "styck", "stycken", "exemplar", "ex", "pcs")
CLAUSE_BREAKS = frozenset({".", ",", ";", "!", "?", "och", "and", "men", "but"})
BUDGET_WINDOW_BEFORE = 5
BUDGET_WINDOW_AFTER = 3
# A correction names its new value right away ("nej förlåt, 0,2"); "sorry for the delay, we
# need 500 st" corrects nothing.
CORRECTION_REACH = 3  # tokens between the marker and the new value

ENTITY_PRIORITY = (
    "tolerance_mm",
    "target_unit_cost_sek",
    "budget_sek",
    "annual_volume",
    "timeline_weeks",
    "volume_multiplier",
    "dimension",
)
INTERNAL = frozenset({"dimension"})


@dataclass(frozen=True)
class Quantity:
    entity: str
    value: float
    start: int  # token indexes into the message's tokens, end exclusive
    end: int
    range: tuple[float, float] | None = None  # (low, high) of "300-500 st", in the value's unit
    factor: float | None = None  # what one of the number said is worth: 12 in "50 i månaden"

    @property
    def internal(self) -> bool:
        return self.entity in INTERNAL


# --- pattern building --------------------------------------------------------------------
Pattern = list[dict]


def _words(phrases: Iterable[str]) -> dict:
    """One token that is any word of the phrases."""
    return {"ORTH": {"IN": sorted({w for p in phrases for w in phrase_words(p)})}}


def _values(table: dict) -> list[str]:
    """All phrases of a {factor: [phrases]} table."""
    return [str(p) for phrases in table.values() for p in phrases]


def _alternatives(phrases: Iterable[str]) -> list[Pattern]:
    """Token patterns for phrases, one per phrase length, each position a set of words.

    Grouping by position keeps the Matcher small; it also accepts recombinations such as
    "om år" next to "om året", which mean the same.
    """
    by_length: dict[int, list[set[str]]] = {}
    for phrase in phrases:
        words = phrase_words(phrase)
        slots = by_length.setdefault(len(words), [set() for _ in words])
        for slot, word in zip(slots, words, strict=True):
            slot.add(word)
    return [
        [{"ORTH": {"IN": sorted(slot)}} for slot in slots]
        for _, slots in sorted(by_length.items())
        if slots
    ]


def _sequences(*parts: list[Pattern]) -> list[Pattern]:
    """Every concatenation of one alternative per part (an empty alternative makes it optional)."""
    return [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*parts)]


def _factor(key) -> float:
    """A factor from the yml: 12, 0.001 or "1/7"."""
    numerator, _, denominator = str(key).partition("/")
    return float(numerator) / float(denominator or 1)


def _factor_table(table: dict) -> dict[str, float]:
    return {
        w: _factor(factor)
        for factor, words in table.items()
        for p in words
        for w in phrase_words(p)
    }


OPTIONAL: Pattern = []


class QuantityRules:
    """The quantity Matcher, built once from data/lexicon/quantities.yml."""

    def __init__(self, vocab: Vocab, data: dict | None = None):
        self.vocab = vocab
        self.data = data if data is not None else load_yaml("quantities.yml")
        d = self.data
        self.length_factor = _factor_table(d["length_units"])
        self.inch_marks = frozenset(w for p in d["inch_marks"] for w in phrase_words(p)) - {"."}
        self.length_factor.update(dict.fromkeys(self.inch_marks, self.length_factor["inch"]))
        self.fraction_factor = {**FRACTIONS, **_factor_table(d["fractions"])}
        self.spelled_fraction_max_unit = float(d["spelled_fraction_max_unit_mm"])
        self.time_factor = _factor_table(d["time_units"])
        unknown = set(d["currencies"]) - set(_SEK_PER)
        if unknown:
            raise ValueError(f"quantities.yml: no exchange rate for {sorted(unknown)}")
        currency_of: dict[tuple[str, ...], str] = {}
        for table in ("currencies", "currency_prefixes"):
            for code, phrases in d[table].items():
                for phrase in phrases:
                    currency_of.setdefault(tuple(phrase_words(phrase)), code)
        # longest first: "euro cents" before "euro"
        self.currency_phrases = sorted(currency_of.items(), key=lambda pc: -len(pc[0]))
        self.range_values = dict(d["range_values"])
        self.correction_markers = sorted(
            {tuple(phrase_words(p)) for p in d["correction_markers"]}, key=lambda m: -len(m)
        )
        other_units = [w for p in d["other_units"] for w in phrase_words(p)]
        # "three quarters" alone is no 3 (nor 0.75: of what?)
        self.other_units = frozenset([*other_units, *FRACTIONS])
        self.bare_tolerance_max_mm = float(d["bare_tolerance_max_mm"])
        self.budget_cues = tuple(str(c).lower() for c in d["budget_cues"])
        self.past_markers = frozenset(w for p in d["past_markers"] for w in phrase_words(p))
        self.matcher = Matcher(vocab)
        self._build()

    @functools.cached_property
    def glued_units(self) -> frozenset[str]:
        """Words that may stick to digits: "500st", "10mm", "120kr", "10x"."""
        d = self.data
        words = [*d["volume_units"], *d["multiplier_words"]]
        for table in ("length_units", "time_units", "currencies"):
            words += [w for ws in d[table].values() for w in ws]
        return frozenset(w for p in words for w in phrase_words(p) if w.isalpha())

    @functools.cached_property
    def unit_words(self) -> frozenset[str]:
        """Words after which "ett par" / "a few" are amounts ("ett par veckor")."""
        d = self.data
        words = [*d["volume_units"], *_values(d["time_units"]), *_values(d["fractions"])]
        return frozenset(w for p in words for w in phrase_words(p))

    def _add(self, key: str, patterns: list[Pattern]) -> None:
        patterns = [p for p in patterns if p]
        if patterns:
            self.matcher.add(key, patterns)

    def _build(self) -> None:
        d = self.data
        self.num: Pattern = [{"ORTH": NUM}]
        self.num_or_article: Pattern = [{"ORTH": {"IN": [NUM, *ARTICLES]}}]
        self.cue_fill: Pattern = [{**_words(d["cue_fillers"]), "OP": "*"}]
        self.length: Pattern = [_words(_values(d["length_units"]))]
        self._build_volume(d)
        self._build_tolerance(d)
        self._build_money(d)
        self._build_timeline(d)
        self._build_multiplier(d)

    def _build_volume(self, d: dict) -> None:
        """annual_volume: "500 st", "50 a month", "500 st/år", "serie på 500", "one unit a week"."""
        num, cue_fill = self.num, self.cue_fill
        unit: Pattern = [_words(d["volume_units"])]
        article = {"ORTH": {"IN": list(ARTICLES)}}
        article_unit: Pattern = [article, {"ORTH": {"IN": list(ARTICLE_UNITS)}}]
        article_any_unit: Pattern = [article, *unit]  # "one unit a week": the frequency tells
        cues = _alternatives(d["volume_cues"])
        # no frequency word: the count is taken as per year
        self._add("annual_volume|1", _sequences([num], [unit]))
        self._add("annual_volume|1", _sequences([article_unit]))
        self._add("annual_volume|1", _sequences(cues, [cue_fill], [num], [unit, OPTIONAL]))
        for factor, phrases in d["frequencies"].items():
            freq = _alternatives(phrases)
            key = f"annual_volume|{factor}"
            self._add(key, _sequences([num], [unit, OPTIONAL], freq))
            self._add(key, _sequences([article_any_unit], freq))
            self._add(key, _sequences(cues, [cue_fill], [num], [unit, OPTIONAL], freq))

    def _build_tolerance(self, d: dict) -> None:
        """tolerance_mm: "±0,05 mm", "tolerans 0,05", "0,1 mm tolerans", "fem hundradelar"."""
        num, length = self.num, self.length
        plus_minus = _alternatives(d["plus_minus"])
        word: Pattern = [_words(d["tolerance_words"])]
        fill: Pattern = [{**_words(d["tolerance_fillers"]), "OP": "*"}]
        fraction: Pattern = [_words(_values(d["fractions"]))]
        of_a = [[{"ORTH": "of"}, {"ORTH": {"IN": ["a", "an"]}, "OP": "?"}], OPTIONAL]
        as_a = [[{"ORTH": {"IN": ["i", "in", "som", "as"]}}], OPTIONAL]
        asymmetric = [{"ORTH": "+"}, {"ORTH": NUM}, {"ORTH": "/"}, {"ORTH": "-"}, {"ORTH": NUM}]
        # "±0.002 in", 'tolerance 0.002"': an inch mark counts only when signed like this
        unit_or_mark = [length, *_alternatives(d["inch_marks"]), OPTIONAL]
        signed = "tolerance_mm|sign"
        self._add(signed, _sequences(plus_minus, [num], unit_or_mark))
        self._add(signed, _sequences([word], [fill], [*plus_minus, OPTIONAL], [num], unit_or_mark))
        self._add(signed, _sequences([num], [length], as_a, [word]))
        self._add(signed, _sequences([asymmetric], [length, OPTIONAL]))
        fraction_of = ([self.num_or_article], [fraction], of_a, [length, OPTIONAL])
        self._add(signed, _sequences([*plus_minus, OPTIONAL], *fraction_of))
        # "toleransen är fem hundradelar": longer than the word rule's "toleransen är fem"
        self._add(signed, _sequences([word], [fill], [*plus_minus, OPTIONAL], *fraction_of))
        # "en halv mm", "tre fjärdedels mm", "a quarter of a mm", "half a thou"
        spelled: Pattern = [{"ORTH": {"IN": sorted(FRACTIONS)}}]
        half_a: Pattern = [{"ORTH": "half"}, {"ORTH": {"IN": ["a", "an"]}}]
        maybe_sign = [*plus_minus, OPTIONAL]
        self._add(
            "tolerance_mm|spelled",
            _sequences(maybe_sign, [self.num_or_article], [spelled], of_a, [length]),
        )
        self._add("tolerance_mm|spelled", _sequences(maybe_sign, [half_a], [length]))
        # a length alone: a tolerance only if small (decided in _tolerance)
        self._add("tolerance_mm|bare", _sequences([num], [length]))
        # "10 x 20 x 5 mm" is a size: matched so that its numbers stay out of other rules
        x: Pattern = [{"ORTH": "x"}, {"ORTH": NUM}]
        self._add("dimension|", _sequences([num], [x], [x, OPTIONAL], [length, OPTIONAL]))

    def _build_money(self, d: dict) -> None:
        """Money: "120 kr/st", "€10 each", "under 300 kronor", "styckpris 250", "budget 100k"."""
        num, cue_fill = self.num, self.cue_fill
        currency = _alternatives(itertools.chain.from_iterable(d["currencies"].values()))
        prefix = _alternatives(itertools.chain.from_iterable(d["currency_prefixes"].values()))
        per_unit = _alternatives(d["per_unit"])
        price_cue = _alternatives(d["price_cues"])
        cue_regex = "^(" + "|".join(re.escape(c) for c in self.budget_cues) + ")"
        budget_cue: Pattern = [{"NORM": {"REGEX": cue_regex}}]
        maybe_prefix, maybe_currency = [*prefix, OPTIONAL], [*currency, OPTIONAL]
        self._add("money|unit", _sequences([num], currency, per_unit))
        self._add("money|unit", _sequences(prefix, [num], per_unit))
        self._add(
            "money|unit",
            _sequences(
                price_cue, [cue_fill], maybe_prefix, [num], maybe_currency, [*per_unit, OPTIONAL]
            ),
        )
        self._add("money|context", _sequences([num], currency))
        self._add("money|context", _sequences(prefix, [num], maybe_currency))
        self._add(
            "money|budget",
            _sequences([budget_cue], [cue_fill], maybe_prefix, [num], maybe_currency),
        )

    def _build_timeline(self, d: dict) -> None:
        """timeline_weeks: "inom 6 veckor", "in 3 months", "på ett år", "10 weeks"."""
        unit: Pattern = [_words(_values(d["time_units"]))]
        cue = _alternatives(d["timeline_cues"])
        fill: Pattern = [{**_words(d["timeline_fillers"]), "OP": "*"}]
        self._add("timeline_weeks|unit", _sequences(cue, [fill], [self.num_or_article], [unit]))
        self._add("timeline_weeks|unit", _sequences([self.num], [[_words(d["bare_time_units"])]]))
        for weeks, phrases in d["timeline_phrases"].items():
            self._add(f"timeline_weeks|{weeks}", _alternatives(phrases))

    def _build_multiplier(self, d: dict) -> None:
        """volume_multiplier: "10x", "x10", "tio gånger mer", "dubbla", "hälften"."""
        more: Pattern = [{**_words(d["multiplier_more"]), "OP": "*"}]
        times: Pattern = [_words(d["multiplier_words"])]
        self._add("volume_multiplier|num", _sequences([self.num], [times], [more]))
        self._add("volume_multiplier|num", [[{"ORTH": "x"}, {"ORTH": NUM}]])
        for factor, words in d["fixed_multipliers"].items():
            self._add(f"volume_multiplier|{factor}", _alternatives(words))

    # matching ----------------------------------------------------------------------------
    def find(self, toks: list[Tok], numbers: list[NumberSpan]) -> list[Quantity]:
        merged = _merge_numbers(toks, numbers)
        if not merged:
            return []
        doc = Doc(self.vocab, words=[w.text for w in merged])
        for token, word in zip(doc, merged, strict=True):
            token.norm_ = word.norm
        candidates = []
        for match_id, start, end in self.matcher(doc):
            entity, _, detail = self.vocab.strings[match_id].partition("|")
            spans = [w.number for w in merged[start:end] if w.number is not None]
            quantity = self._interpret(entity, detail, doc, [n.value for n in spans], start, end)
            if quantity is not None and len(spans) == 1 and spans[0].low is not None:
                low = self._interpret(entity, detail, doc, [spans[0].low], start, end)
                if low is not None:
                    quantity = self.with_range(quantity, low.value, quantity.value)
            if quantity is not None:
                candidates.append((quantity, start, end))
        chosen = _longest_first(candidates)
        return [
            replace(q, start=merged[start].start, end=merged[end - 1].end)
            for q, start, end in chosen
        ]

    def with_range(self, quantity: Quantity, one_end: float, other_end: float) -> Quantity:
        """The quantity with both ends of its range and the value `range_values` asks for."""
        low, high = sorted((one_end, other_end))
        value = {"low": low, "high": high, "mid": (low + high) / 2}[
            self.range_values.get(quantity.entity, "high")
        ]
        return replace(quantity, value=round(value, 9), range=(round(low, 9), round(high, 9)))

    def _interpret(
        self, entity: str, detail: str, doc: Doc, numbers: list[float], start: int, end: int
    ) -> Quantity | None:
        words = [t.orth_ for t in doc[start:end]]
        number = numbers[0] if numbers else 1.0  # no digits: an article, "en hundradel"
        following = doc[end].orth_ if end < len(doc) else ""
        value: float | None
        if entity == "annual_volume":
            value = number * _factor(detail)
        elif entity == "tolerance_mm":
            value = self._tolerance(detail, words, numbers or [number], following)
        elif entity == "money":
            entity, value = self._money(detail, doc, start, end, number)
        elif entity == "timeline_weeks":
            if following in self.past_markers:
                return None  # "3 months ago"
            if detail == "unit":
                unit = next(w for w in reversed(words) if w in self.time_factor)
                value = abs(number) * self.time_factor[unit]
            else:
                value = _factor(detail)
        elif entity == "volume_multiplier":
            if detail == "num":
                value = number
            elif following in ("a", "an"):
                return None  # "half a year" is a time, not half the volume
            else:
                value = _factor(detail)
        else:
            value = 0.0  # a dimension: never emitted
        if value is None:
            return None
        factor = value / number if len(numbers) <= 1 and number else None
        return Quantity(entity, round(value, 9), start, end, factor=factor)

    def _tolerance(
        self, detail: str, words: list[str], numbers: list[float], following: str
    ) -> float | None:
        unit = next((self.length_factor[w] for w in words if w in self.length_factor), 1.0)
        fraction = next((self.fraction_factor[w] for w in words if w in self.fraction_factor), 1.0)
        value = min(abs(n) for n in numbers) * fraction * unit
        if detail == "bare" and value > self.bare_tolerance_max_mm and unit > 0.01:
            return None  # "200 mm" is a size; "50 µm" is always a tolerance
        if detail == "spelled" and unit > self.spelled_fraction_max_unit:
            return None  # "en halv meter", "half an inch": a size
        if self.inch_marks.intersection(words) and (following.isalpha() or following == NUM):
            return None  # "± 2 in 3 weeks": "in" is a preposition; "± 2" alone still matches
        return value

    def _money(
        self, detail: str, doc: Doc, start: int, end: int, amount: float
    ) -> tuple[str, float]:
        sek = amount * _sek_per(self._currency([t.orth_ for t in doc[start:end]]))
        if detail == "unit":
            return "target_unit_cost_sek", sek
        if detail == "budget" or self._near_budget_cue(doc, start, end):
            return "budget_sek", sek
        return "target_unit_cost_sek", sek

    def _currency(self, words: list[str]) -> str:
        """The currency the words name, the longest phrase first ("euro cents", not "euro")."""
        for phrase, code in self.currency_phrases:
            n = len(phrase)
            if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
                return code
        return "SEK"

    def _near_budget_cue(self, doc: Doc, start: int, end: int) -> bool:
        """ "budget på 200 000 kr", "50 000 kr i verktyg": a total, not a price per part."""
        window = []
        for i in range(start - 1, max(start - BUDGET_WINDOW_BEFORE, 0) - 1, -1):
            if doc[i].norm_ in CLAUSE_BREAKS:
                break
            window.append(doc[i].norm_)
        for i in range(end, min(end + BUDGET_WINDOW_AFTER, len(doc))):
            if doc[i].norm_ in CLAUSE_BREAKS:
                break
            window.append(doc[i].norm_)
        window += [t.norm_ for t in doc[start:end]]
        return any(w.startswith(self.budget_cues) for w in window)

    # corrections -------------------------------------------------------------------------
    def corrected(self, toks: list[Tok], quantities: list[Quantity]) -> list[Quantity]:
        """ "500, no sorry, 5000 a year", "0,1 mm, nej förlåt 0,2": the correction wins.

        The first value after a correction marker drops the earlier values of its entity and
        the earlier bare numbers (dropped, not just ordered: the interview takes the smallest of
        several tolerances). A bare number after the marker takes the entity and unit of the
        quantity just before it. Bare numbers are passed in as Quantity(entity="number").
        """
        result = sorted((q for q in quantities if not q.internal), key=lambda q: q.start)
        for marker_start, marker_end in self._markers(toks):
            before = [q for q in result if q.end <= marker_start]
            after = next((q for q in result if q.start >= marker_end), None)
            if not before or after is None or after.start - marker_end > CORRECTION_REACH:
                continue
            new = after
            previous = before[-1]
            if after.entity == NUMBER and previous.entity != NUMBER and previous.factor:
                value = round(after.value * previous.factor, 9)
                new = replace(after, entity=previous.entity, value=value, factor=previous.factor)
                if after.range:
                    new = self.with_range(new, *(end * previous.factor for end in after.range))
            drop = {new.entity, NUMBER}
            result = [
                new if q is after else q
                for q in result
                if not (q.end <= marker_start and q.entity in drop)
            ]
        return result

    def _markers(self, toks: list[Tok]) -> list[tuple[int, int]]:
        folds = [t.fold for t in toks]
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(folds):
            marker = next(
                (m for m in self.correction_markers if tuple(folds[i : i + len(m)]) == m), None
            )
            if marker:
                found.append((i, i + len(marker)))
            i += len(marker) if marker else 1
        return found


_SEK_PER = {
    "SEK": lambda: 1.0,
    "SEK_THOUSANDS": lambda: 1e3,
    "SEK_MILLIONS": lambda: 1e6,
    "SEK_CENTS": lambda: 0.01,  # öre
    # read at call time: a changed TILLVERKA_SEK_PER_EUR applies without a restart
    "EUR": config.sek_per_eur,
    "EUR_CENTS": lambda: config.sek_per_eur() / 100,
    "USD": config.sek_per_usd,
    "USD_CENTS": lambda: config.sek_per_usd() / 100,
}


def _sek_per(code: str) -> float:
    return _SEK_PER[code]()


@dataclass(frozen=True)
class _Word:
    """A word of the Matcher's Doc: a token of the message, or a whole number span."""

    text: str  # what the rules match (folded), NUM for a number
    norm: str  # lower case, unfolded ("lån" is a budget cue, "län" is not)
    number: NumberSpan | None
    start: int  # token indexes into the message, end exclusive
    end: int


def _merge_numbers(toks: list[Tok], numbers: list[NumberSpan]) -> list[_Word]:
    """Folded words with each number span collapsed to one "#num" word.

    A banknote ("en hundralapp") is followed by its unit, "kr", which no token wrote.
    """
    words: list[_Word] = []
    starts = {n.start: n for n in numbers}
    i = 0
    while i < len(toks):
        number = starts.get(i)
        if number is not None:
            words.append(_Word(NUM, NUM, number, number.start, number.end))
            if number.unit:
                words.append(_Word(number.unit, number.unit, None, number.start, number.end))
            i = number.end
        else:
            words.append(_Word(toks[i].fold, toks[i].lower, None, i, i + 1))
            i += 1
    return words


def _longest_first(candidates: list[tuple[Quantity, int, int]]) -> list[tuple[Quantity, int, int]]:
    def rank(candidate: tuple[Quantity, int, int]) -> tuple:
        quantity, start, end = candidate
        return (start - end, ENTITY_PRIORITY.index(quantity.entity), start)

    taken: set[int] = set()
    chosen = []
    for candidate in sorted(candidates, key=rank):
        _, start, end = candidate
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c[1])
