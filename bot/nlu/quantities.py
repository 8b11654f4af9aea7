"""Quantities with units: spaCy Matcher rules over a message whose numbers are single tokens.

The number scanner (numbers.py) first turns "10 000", "tvåtusen" or "500-1000" into one token
"#num"; the rules below then read like the phrases they catch ("#num st per år", "± #num mm",
"inom #num veckor"). The words each rule accepts come from data/lexicon/quantities.yml.

Overlapping matches: the longest wins ("500 st per månad" over "500 st"), then the order of
ENTITY_PRIORITY. A "dimension" ("10 x 20 mm") is matched only to keep its numbers from being
read as a multiplier or a tolerance; it is never emitted.

A range ("300-500 st") keeps both ends in `Quantity.range`; `range_values` in the yml says which
end is the value. `corrected` applies self-corrections ("500, nej förlåt, 5000 st").

Dates ("i januari", "till hösten nästa år", "före jul", "vecka 10", "Q2") are read by
`DateRules`, a small scanner of its own, into timeline_weeks counted from `today()`; a date
wins over any other quantity on its words. Rates are multiplied out: "2 batchar om året på
750 st" is 1500 a year, "4 a day, about 220 working days a year" 880.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import dateutil.easter
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot import config
from bot.nlu.lexicon import load_yaml, phrase_words
from bot.nlu.numbers import COIN, FRACTIONS, NumberSpan, Tok, fold

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
CORRECTION_REACH = 3  # tokens between the marker and the new value (default, see the yml)
# Entities a "half a mil" may be (money or a volume): never a tolerance or a timeline
SLANG_ENTITIES = frozenset({"annual_volume", "target_unit_cost_sek", "budget_sek"})

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
        self.correction_firsts = frozenset(m[0] for m in self.correction_markers)
        other_units = [w for p in d["other_units"] for w in phrase_words(p)]
        # "three quarters" alone is no 3 (nor 0.75: of what?)
        self.other_units = frozenset([*other_units, *FRACTIONS])
        self.bare_tolerance_max_mm = float(d["bare_tolerance_max_mm"])
        self.budget_cues = tuple(str(c).lower() for c in d["budget_cues"])
        self.past_markers = frozenset(w for p in d["past_markers"] for w in phrase_words(p))
        self.weak_length_units = frozenset(
            w for p in d["weak_length_units"] for w in phrase_words(p)
        )
        self.bare_inch_max = float(d["bare_inch_max"])
        self.correction_reach = int(d.get("correction_reach_words", CORRECTION_REACH))
        self.dates = DateRules(d["dates"], frozenset(self.length_factor))
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
        # "a couple of bucks", "ett par kronor": currency words, not symbols
        words += [w for ws in d["currencies"].values() for w in ws]
        return frozenset(w for p in words for w in phrase_words(p) if w.isalpha())

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
        # "300-500 stolar om året", "600 pairs a month": the product's own noun as the unit
        not_counts = [*_values(d["time_units"]), *_values(d["length_units"]), *d["other_units"],
                      *d["multiplier_words"], *_values(d["currencies"])]  # fmt: skip
        noun: Pattern = [{"IS_ALPHA": True, "ORTH": {"NOT_IN": sorted(_words(not_counts)["ORTH"]["IN"])}}]
        for factor, phrases in d["frequencies"].items():
            freq = _alternatives(phrases)
            key = f"annual_volume|{factor}"
            self._add(key, _sequences([num], [unit, OPTIONAL], freq))
            self._add(key, _sequences([num], [noun], freq))
            self._add(key, _sequences([article_any_unit], freq))
            self._add(key, _sequences(cues, [cue_fill], [num], [unit, OPTIONAL], freq))
        self._build_rates(d, unit)

    def _build_rates(self, d: dict, unit: Pattern) -> None:
        """ "2 batchar om året på 750 st", "a pallet a week, 96 per pallet", "4 a day, 220
        working days a year": a rate multiplied out (the factor is per year)."""
        num = self.num
        lot: Pattern = [_words(d["lot_words"])]
        lot_of = _alternatives(d["lot_of"])
        lot_per = _alternatives(d["lot_per"])
        fill: Pattern = [{**_words(d["rate_fillers"]), "OP": "*"}]
        count = [self.num_or_article]
        maybe_unit = [unit, OPTIONAL]
        year = _alternatives(d["frequencies"][1])
        for factor, phrases in d["frequencies"].items():
            freq = _alternatives(phrases)
            key = f"annual_volume|lots:{factor}"
            # "2 batchar om året på 750 st", "a pallet a week with 96"
            self._add(key, _sequences(count, [lot], freq, lot_of, [fill], [num], maybe_unit))
            # "2 batches of 750 a year", "en pall med 120 st i veckan"
            self._add(key, _sequences(count, [lot], lot_of, [fill], [num], maybe_unit, freq))
            # "a pallet a week, 96 per pallet", "en pall i veckan, 120 st per pall"
            self._add(
                key,
                _sequences(count, [lot], freq, [fill], [num], maybe_unit, lot_per, [lot, OPTIONAL]),
            )
            periods = d["periods_per_year"].get(factor)
            if periods:
                period = _alternatives(periods)
                self._add(
                    "annual_volume|periods",
                    _sequences([num], maybe_unit, freq, [fill], [num], period, year),
                )

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
        # "halv mm" without an article
        self._add("tolerance_mm|spelled", _sequences(maybe_sign, [spelled], [length]))
        # "en halv tiondel" (0.05), "half a tenth": a fraction of a fraction
        self._add(
            signed,
            _sequences(
                maybe_sign, [self.num_or_article], [spelled], [fraction], [length, OPTIONAL]
            ),
        )
        self._add(signed, _sequences(maybe_sign, [half_a], [fraction], of_a, [length, OPTIONAL]))
        # "en millimeter hit eller dit", "a mm either way", "två tiondelar åt vardera hållet"
        either = _alternatives(d["either_way"])
        self._add(signed, _sequences([self.num_or_article], [length], either))
        self._add(signed, _sequences(*fraction_of, either))
        self._add(signed, _sequences([self.num_or_article], [spelled], of_a, [length], either))
        # '0.001" on the bore': an inch mark right after a small number (see _tolerance)
        inch_sign = [[{"ORTH": {"IN": ['"', "″"]}}]]
        self._add("tolerance_mm|inch_sign", _sequences([num], inch_sign))
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
        # "en tia styck", "styckpris en tjuga", "en femma/st": a coin is a price only so
        coin: Pattern = [{"ORTH": COIN}]
        self._add("money|unit", _sequences([num], [coin], maybe_currency, per_unit))
        self._add("money|unit", _sequences(price_cue, [cue_fill], [num], [coin], maybe_currency))
        self._add("money|context", _sequences([num], [coin], currency))
        # "half a mil in tooling": slang with no currency is money only near a budget word
        self._add("money|slang", [num])
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
        # "a year from now", "tre månader från idag"
        from_now = _alternatives(d["from_now"])
        self._add("timeline_weeks|unit", _sequences([self.num_or_article], [unit], from_now))
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
    def find(
        self, toks: list[Tok], numbers: list[NumberSpan], on: datetime.date | None = None
    ) -> list[Quantity]:
        """The quantities in a message; dates count weeks from `on` (None: today())."""
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
            if detail == "slang" and not (
                spans[0].needs_context and self._near_budget_cue(doc, start, end)
            ):
                continue
            quantity = self._interpret(entity, detail, doc, [n.value for n in spans], start, end)
            if quantity and any(n.needs_context for n in spans):
                if quantity.entity not in SLANG_ENTITIES:
                    continue  # "tolerance half a mil" is a thou, not 500 000 mm
            if quantity is not None and len(spans) == 1 and spans[0].low is not None:
                low = self._interpret(entity, detail, doc, [spans[0].low], start, end)
                if low is not None:
                    quantity = self.with_range(quantity, low.value, quantity.value)
            if quantity is not None:
                candidates.append((quantity, start, end))
        chosen = _longest_first(candidates)
        found = [
            replace(q, start=merged[start].start, end=merged[end - 1].end)
            for q, start, end in chosen
        ]
        dates = self.dates.find(toks, today() if on is None else on)
        found = [q for q in found if not any(d.start < q.end and q.start < d.end for d in dates)]
        return sorted([*found, *dates], key=lambda q: q.start)

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
            if following in self.time_factor:
                return None  # "första batchen om ca tre månader": a time, not a count
            value = self._volume(detail, words, numbers or [number])
        elif entity == "tolerance_mm":
            if detail == "inch_sign" and not self._inch_sign_ok(doc, start, number):
                return None
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

    @staticmethod
    def _volume(detail: str, words: list[str], numbers: list[float]) -> float:
        if detail == "periods":  # "4 a day, 220 working days a year": rate x periods
            return numbers[0] * numbers[-1]
        if detail.startswith("lots:"):  # "2 batchar om året på 750 st": lots x size x freq
            lots = 1.0 if words[0] in ARTICLES else numbers[0]
            return lots * numbers[-1] * _factor(detail.partition(":")[2])
        return numbers[0] * _factor(detail)

    def _inch_sign_ok(self, doc: Doc, start: int, number: float) -> bool:
        """'0.001" on the bore' is a tolerance; '"0.01" was the quote' closes a quotation."""
        quotes_before = sum(1 for t in doc[:start] if t.orth_ in ('"', "″"))
        return quotes_before % 2 == 0 and 0 < abs(number) <= self.bare_inch_max

    def _tolerance(
        self, detail: str, words: list[str], numbers: list[float], following: str
    ) -> float | None:
        unit = next((self.length_factor[w] for w in words if w in self.length_factor), 1.0)
        fraction = 1.0
        for word in words:  # "en halv tiondel": a half of a tenth
            fraction *= self.fraction_factor.get(word, 1.0)
        value = min(abs(n) for n in numbers) * fraction * unit
        if self.weak_length_units.intersection(words) and (following.isalpha()):
            return None  # "5 my friends"
        if detail == "bare" and value > self.bare_tolerance_max_mm and unit > 0.01:
            return None  # "200 mm" is a size; "50 µm" is always a tolerance
        if detail == "spelled" and unit > self.spelled_fraction_max_unit:
            return None  # "en halv meter", "half an inch": a size
        word_marks = {m for m in self.inch_marks.intersection(words) if m[:1].isalpha()}
        small = min(abs(n) for n in numbers) <= self.bare_inch_max
        if word_marks and (following == NUM or (following.isalpha() and not small)):
            # "± 2 in 3 weeks": "in" is a preposition ("± 2" alone still matches); "±0.001 in on
            # the shaft" is a thou: nobody asks for a micrometre with a word after it
            return None
        return value

    def _money(
        self, detail: str, doc: Doc, start: int, end: int, amount: float
    ) -> tuple[str, float]:
        sek = amount * _sek_per(self._currency([t.orth_ for t in doc[start:end]]))
        if detail == "unit":
            return "target_unit_cost_sek", sek
        if detail in ("budget", "slang") or self._near_budget_cue(doc, start, end):
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
            if not before or after is None:
                continue
            gap = [t for t in toks[marker_end : after.start] if t.is_alpha or t.is_digits]
            if len(gap) > self.correction_reach:
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
        firsts = self.correction_firsts
        while i < len(folds):
            marker = None
            if folds[i] in firsts:
                marker = next(
                    (m for m in self.correction_markers if tuple(folds[i : i + len(m)]) == m),
                    None,
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


# --- dates -------------------------------------------------------------------------------
def today() -> datetime.date:
    """The date dates count weeks from: the one place that reads the clock (tests pass one)."""
    return datetime.date.today()


_DAY = datetime.timedelta(days=1)
_ORDINAL_SUFFIXES = frozenset({"th", "st", "nd", "rd", "e", "a"})  # "15th", "1st", "15:e"
# (date it names, earliest date of a vague one or None, last day it covers) for one year
_Resolved = tuple[datetime.date, datetime.date | None, datetime.date]


class _Phrases:
    """Phrases as folded token tuples, indexed by their first word, longest first."""

    def __init__(self, phrases: Iterable[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for words in sorted({tuple(phrase_words(p)) for p in phrases}, key=lambda w: -len(w)):
            if words:
                self.by_first.setdefault(words[0], []).append(words)

    def end_at(self, folds: list[str], i: int) -> int | None:
        """End of the longest phrase starting at token i, if any."""
        if i >= len(folds):
            return None
        for words in self.by_first.get(folds[i], ()):
            if tuple(folds[i : i + len(words)]) == words:
                return i + len(words)
        return None


def _phrase_set(phrases: Iterable[str]) -> _Phrases:
    return _Phrases(phrases)


def _midsummer(year: int) -> datetime.date:
    """Midsommarafton: the Friday between June 19 and 25."""
    first = datetime.date(year, 6, 19)
    return first + (4 - first.weekday()) % 7 * _DAY


def _month_day(year: int, spec: str) -> datetime.date:
    """A holiday or season date from the yml: "12-24", "midsummer", "midsummer+3", "easter"."""
    name, _, offset = spec.partition("+")
    if name == "midsummer":
        return _midsummer(year) + int(offset or 0) * _DAY
    if name == "easter":  # Easter Sunday (Western), as Swedish calendars have it
        return dateutil.easter.easter(year) + int(offset or 0) * _DAY
    month, _, day = spec.partition("-")
    return datetime.date(year, int(month), int(day))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class DateRules:
    """Dates said in words -> timeline_weeks: weeks from today to the date they name.

    A scanner over folded tokens rather than Matcher patterns: what a date means depends on
    today and on a year that may come after it ("till hösten nästa år"). See `dates` in
    data/lexicon/quantities.yml for every word and the day each expression stands for.
    """

    def __init__(self, d: dict, length_words: frozenset[str]):
        self.months = {w: int(m) for m, words in d["months"].items() for w in map(fold, words)}
        self.may_not_before = frozenset(map(fold, d["may_not_before"]))
        self.month_parts = {
            part: _phrase_set(phrases) for part, phrases in d["month_parts"].items()
        }
        self.whole_fillers = frozenset(map(fold, d["whole_fillers"]))
        self.next_year = _phrase_set(d["next_year"])
        self.this_year = _phrase_set(d["this_year"])
        self.seasons = {
            word: spec for spec in d["seasons"].values() for word in map(fold, spec["words"])
        }
        self.ambiguous_seasons = frozenset(map(fold, d["ambiguous_seasons"]))
        self.season_followers = frozenset(map(fold, d["season_followers"]))
        self.season_preps = {k: _phrase_set(v) for k, v in d["season_preps"].items()}
        self.holidays = {
            tuple(phrase_words(word)): spec
            for spec in d["holidays"].values()
            for word in spec["words"]
        }
        self.holiday_words = sorted(self.holidays, key=lambda w: -len(w))
        self.holiday_preps = {k: _phrase_set(v) for k, v in d["holiday_preps"].items()}
        self.week_words = _phrase_set(d["week_words"])
        self.week_not_after = frozenset(map(fold, d["week_not_after"]))
        self.quarter_words = frozenset(map(fold, d["quarter_words"]))
        self.quarter_ordinals = {
            w: int(q) for q, words in d["quarter_ordinals"].items() for w in map(fold, words)
        }
        self.day_month_cues = _phrase_set(d["day_month_cues"])
        self.length_words = length_words
        # a date starts with one of these words (or digits): a cheap first test per token
        tables = [
            *self.month_parts.values(), *self.season_preps.values(),
            *self.holiday_preps.values(), self.week_words, self.day_month_cues,
        ]  # fmt: skip
        self.openings = frozenset(
            {w for table in tables for w in table.by_first}
            | set(self.months)
            | set(self.seasons)
            | self.quarter_words
            | set(self.quarter_ordinals)
            | {"the", "det"}
        )

    # scanning ----------------------------------------------------------------------------
    def find(self, toks: list[Tok], on: datetime.date) -> list[Quantity]:
        self.toks = toks  # one message at a time; the pipeline is not threaded per message
        self.folds = [t.fold for t in toks]
        found: list[Quantity] = []
        i = 0
        while i < len(toks):
            quantity = self._date_at(i, on)
            if quantity is None:
                i += 1
                continue
            found.append(quantity)
            i = quantity.end
        return found

    def _date_at(self, i: int, on: datetime.date) -> Quantity | None:
        if self.folds[i] not in self.openings and not self.folds[i].isdecimal():
            return None
        readers = (self._iso_at, self._month_at, self._quarter_at, self._week_at,
                   self._season_at, self._holiday_at, self._day_month_at)  # fmt: skip
        best: tuple[int, Callable[[int], _Resolved | None], int | None] | None = None
        for reader in readers:
            hit = reader(i)
            if hit is not None and (best is None or hit[0] > best[0]):
                best = hit
        if best is None:
            return None
        end, resolve, fixed_year = best
        return self._weeks(i, end, resolve, fixed_year, on)

    def _weeks(
        self,
        start: int,
        end: int,
        resolve: Callable[[int], _Resolved | None],
        fixed_year: int | None,
        on: datetime.date,
    ) -> Quantity | None:
        year_end, mode, year = self._year_after(end, on)
        if fixed_year is not None:
            mode, year, year_end = "fixed", fixed_year, end
        resolved = resolve(year)
        if mode == "roll" and (resolved is None or resolved[2] < on):
            resolved = resolve(year + 1)  # "i mars" said in December: next March
        if resolved is None or resolved[2] < on:
            return None  # "i mars i år" said in December; "vecka 53" of a year without one
        date, earliest, _ = resolved
        weeks = round(max((date - on).days, 0) / 7, 1)
        span = None
        if earliest is not None:
            span = (round(max((earliest - on).days, 0) / 7, 1), weeks)
        return Quantity("timeline_weeks", weeks, start, year_end, range=span)

    def _year_after(self, end: int, on: datetime.date) -> tuple[int, str, int]:
        """ "nästa år", "i år", "2027" right after a date: (end, mode, year)."""
        j = end + 1 if self._fold(end) == "," and self._is_year(end + 1) else end
        if self._is_year(j):
            return j + 1, "fixed", int(self.folds[j])
        after = self._phrase(end, self.next_year)
        if after:
            return after, "fixed", on.year + 1
        after = self._phrase(end, self.this_year)
        if after:
            return after, "fixed", on.year
        return end, "roll", on.year

    # helpers -----------------------------------------------------------------------------
    def _fold(self, i: int) -> str:
        return self.folds[i] if 0 <= i < len(self.folds) else ""

    def _glued(self, i: int) -> bool:
        return 0 < i < len(self.toks) and not self.toks[i].space_before

    def _phrase(self, i: int, phrases: _Phrases) -> int | None:
        """End of the longest phrase starting at token i, if any."""
        return phrases.end_at(self.folds, i)

    def _int(self, i: int, low: int, high: int) -> int | None:
        """Token i as a whole number between low and high ("15", "10")."""
        word = self._fold(i)
        if not word.isdecimal() or len(word) > 4:
            return None
        value = int(word)
        return value if low <= value <= high else None

    def _is_year(self, i: int) -> bool:
        return self._int(i, 2000, 2100) is not None and len(self._fold(i)) == 4

    def _whole_message(self, start: int, end: int) -> bool:
        outside = self.toks[:start] + self.toks[end:]
        return all(t.fold in self.whole_fillers for t in outside if t.is_alpha or t.is_digits)

    def _day_after(self, i: int) -> tuple[int, int] | None:
        """A day of the month at token i, with its ordinal suffix: (day, end)."""
        day = self._int(i, 1, 31)
        if day is None or self._glued(i) and self.toks[i - 1].is_alpha:
            return None
        j = i + 1
        if self._glued(j) and self._fold(j) == ":":
            j += 1  # "15:e"
        if self._fold(j) in _ORDINAL_SUFFIXES and self._glued(j):
            j += 1
        return day, j

    # readers: (end, resolve(year), fixed year or None) --------------------------------
    def _iso_at(self, i: int):
        """ "2027-03-15" """
        f = self.folds
        if not (
            i + 4 < len(f)
            and self._is_year(i)
            and f[i + 1] == "-"
            and f[i + 3] == "-"
            and all(self._glued(k) for k in range(i + 1, i + 5))
        ):
            return None
        month, day = self._int(i + 2, 1, 12), self._int(i + 4, 1, 31)
        if month is None or day is None or day > _last_day(int(f[i]), month):
            return None
        date = datetime.date(int(f[i]), month, day)
        return i + 5, lambda _year: (date, None, date), int(f[i])

    def _month_at(self, i: int):
        part, j = None, i
        for name, phrases in self.month_parts.items():
            end = self._phrase(i, phrases)
            if end and end > j and (end < len(self.folds)):
                part, j = name, end
        day = None
        the = j + 1 if self._fold(j) in ("den", "the") else j
        day_hit = self._day_after(the)
        if day_hit:  # "15 mars", "den 15:e mars", "the 15th of March"
            day, k = day_hit
            k = k + 1 if self._fold(k) == "of" else k
            month = self._month_word(k)
            if month is None:
                return None
            end = k + 1
        else:
            month = self._month_word(j)
            if month is None:
                return None
            end = j + 1
            day_hit = self._day_after(end) if self.toks[end - 1].is_alpha else None
            if day_hit and not self._is_year(end):  # "March 15th"
                day, end = day_hit
        if day is None and part is None and not self._whole_message(i, end):
            return None  # "Maj tycker ...": a name
        if day is not None:
            part = "day"

        def resolve(year: int) -> _Resolved | None:
            last = _last_day(year, month)
            if part == "day":
                if day > last:
                    return None
                date = datetime.date(year, month, day)
                return date, None, date
            if part == "end":
                date = datetime.date(year, month, last)
                return date, None, date
            if part == "early":
                return (
                    datetime.date(year, month, 5),
                    datetime.date(year, month, 1),
                    datetime.date(year, month, 5),
                )
            if part in ("start", "by"):
                date = datetime.date(year, month, 1)
                return date, None, date
            date = datetime.date(year, month, 15)  # "i januari", "mid-March", a month alone
            return date, None, date

        return end, resolve, None

    def _month_word(self, j: int) -> int | None:
        month = self.months.get(self._fold(j))
        if month is None:
            return None
        tok = self.toks[j]
        if tok.fold in ("jan", "maj") and tok.text[:1].isupper() and j > 0:
            if self._fold(j - 1) not in (".", "!", "?", ":", "-"):
                return None  # "med Jan", "till Maj": Swedish months are lower case; a name
        if tok.fold == "may" and self._fold(j + 1) in self.may_not_before:
            return None  # "in may be": a verb
        return month

    def _quarter_at(self, i: int):
        part, j = None, i
        for name, phrases in self.month_parts.items():
            end = self._phrase(i, phrases)
            if end and end > j:
                part, j = name, end
        if self._fold(j) in ("the", "det"):
            j += 1
        quarter = None
        word = self._fold(j)
        if word == "q" and self._glued(j + 1) and self._int(j + 1, 1, 4):
            quarter, end = self._int(j + 1, 1, 4), j + 2
        elif word in self.quarter_words and word != "q" and self._int(j + 1, 1, 4):
            quarter, end = self._int(j + 1, 1, 4), j + 2  # "kvartal 2"
        elif word in self.quarter_ordinals and self._fold(j + 1) in self.quarter_words:
            quarter, end = self.quarter_ordinals[word], j + 2  # "andra kvartalet"
        if quarter is None:
            return None
        first, last = 3 * quarter - 2, 3 * quarter

        def resolve(year: int) -> _Resolved | None:
            end_date = datetime.date(year, last, _last_day(year, last))
            if part == "start":
                date = datetime.date(year, first, 1)
                return date, None, date
            if part == "mid":
                date = datetime.date(year, first + 1, 15)
                return date, None, date
            if part == "early":
                date = datetime.date(year, first, 5)
                return date, datetime.date(year, first, 1), date
            return end_date, None, end_date  # "Q2", "i Q2", "end of Q2": the quarter's end

        return end, resolve, None

    def _week_at(self, i: int):
        if self._fold(i - 1) in self.week_not_after or self._fold(i - 1)[:1].isdecimal():
            return None  # "per vecka 50": a rate; "inom 1 vecka 20 st": a time and a count
        j = self._phrase(i, self.week_words)
        if j is None:
            return None
        if j >= len(self.toks):
            return None  # "vecka" without a number
        if self.folds[i] == "w" and not self._glued(j):
            return None  # "w12" only
        if not self._glued(j) and self.toks[j].start - self.toks[j - 1].end > 1:
            return None
        week = self._int(j, 1, 53)
        if week is None or self._fold(j + 1) in self.length_words:
            return None
        if self._glued(j + 1) and self._fold(j + 1) in ("/", ".", ","):
            return None  # "v 12/3", "v 1.5"

        def resolve(year: int) -> _Resolved | None:
            try:
                monday = datetime.date.fromisocalendar(year, week, 1)
            except ValueError:
                return None  # week 53 of a year that has 52
            return monday, None, monday + 6 * _DAY

        return j + 1, resolve, None

    def _season_at(self, i: int):
        kind, j = None, i
        for name, phrases in self.season_preps.items():
            end = self._phrase(i, phrases)
            if end and end > j:
                kind, j = name, end
        word = self._fold(j)
        spec = self.seasons.get(word)
        if spec is None:
            return None
        end = j + 1
        if kind is None:
            # "våren 2027", "hösten nästa år": a season with its year needs no preposition
            with_year = self._is_year(end) or self._phrase(end, self.next_year)
            if not with_year or not word.endswith("n"):
                return None
            kind = "in"
        if word in self.ambiguous_seasons:
            following = self.toks[end] if end < len(self.toks) else None
            if following is not None and following.is_alpha:
                if following.fold not in self.season_followers:
                    return None  # "i vår fabrik", "in spring steel"
        anchor = spec[kind]

        def resolve(year: int) -> _Resolved | None:
            date = _month_day(year, anchor)
            return date, None, date

        return end, resolve, None

    def _holiday_at(self, i: int):
        kind, j = None, i
        for name, phrases in self.holiday_preps.items():
            end = self._phrase(i, phrases)
            if end and end > j:
                kind, j = name, end
        if kind is None:
            return None
        if self._fold(j) == "the" and tuple(self.folds[j : j + 1]) not in self.holidays:
            j += 1
        words = next(
            (w for w in self.holiday_words if tuple(self.folds[j : j + len(w)]) == w), None
        )
        if words is None:
            return None
        anchor = self.holidays[words][kind]

        def resolve(year: int) -> _Resolved | None:
            date = _month_day(year, anchor)
            return date, None, date

        return j + len(words), resolve, None

    def _day_month_at(self, i: int):
        """ "den 15/3", "senast 1/10", "by 15/3" """
        j = self._phrase(i, self.day_month_cues)
        if j is None:
            return None
        day, month = self._int(j, 1, 31), self._int(j + 2, 1, 12)
        if (
            day is None
            or month is None
            or self._fold(j + 1) != "/"
            or not (self._glued(j + 1) and self._glued(j + 2))
        ):
            return None
        if self._glued(j + 3) and self._fold(j + 3) in ("/", "-", ".", ","):
            return None  # "15/3/2027" is read elsewhere (or not at all)
        if self._fold(j + 3) in self.length_words:
            return None  # "till 1/10 mm": a tolerance

        def resolve(year: int) -> _Resolved | None:
            if day > _last_day(year, month):
                return None
            date = datetime.date(year, month, day)
            return date, None, date

        return j + 3, resolve, None
