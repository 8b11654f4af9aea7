"""Tokens and numbers, in Swedish and English, without spaCy.

`split_tokens` cuts a message into tokens that keep their offsets into the original text;
`find_numbers` finds every numeric expression among them ("10 000", "1,5k", "tvåtusen",
"two thousand five hundred", "500-1000") and normalises it to a float.

Normalisations worth knowing:
- "10.000" / "10,000" are thousands only when exactly three digits follow and the integer part
  is not 0; otherwise "," or "." is the decimal mark ("0,050" = 0.05, "1.5" = 1.5).
- "ett par hundra" / "a couple of hundred" = 200, "några hundra" / "a few hundred" = 300;
  before a unit "ett par" / "a couple of" = 2 and "några" / "a few" = 3 ("ett par veckor").
- Fractions count only in front of a scale word: "en halv miljon" / "half a million" = 500 000,
  "three quarters of a million" = 750 000, "en kvarts miljon" = 250 000; "en kvarts" or
  "three quarters" alone is no number (a quarter of what? "500 a quarter" is a frequency).
  "One and a half" is 1.5 anywhere ("one and a half thousand" = 1 500).
- "dussin" / "dozen" is 12 after a count ("två dussin" = 24, "a dozen" = 12).
- Banknotes are kronor, marked unit="kr": "hundralapp" / "hundring" = 100, "femhundring" = 500,
  "tusenlappar" = 1000, and after a count "lapp(ar)" is a hundred ("två lappar" = 200). A bare
  "lapp" ("en lapp på kylen") is no number.
- A range ("500-1000", "between 500 and 1000", "2 till 3 tusen") has its upper bound as value
  and keeps the lower one in `low`; the quantity rules choose which end (or the middle) counts.
  A scale word after the upper bound also scales the lower one when the lower one is smaller
  than the upper one's count: "5-10 tusen" = 5 000-10 000, "2-4k", "3-4 thousand"; but
  "500-2 tusen" stays 500-2 000.
- "ett hundratal" / "ett tusental" / "ett tiotal" = 100 / 1 000 / 10 (they need a count, like
  "dussin"); "a gross" = 144 (not after digits: "500 gross" is no 72 000).
- "half a mil" / "a mil" (English slang, 500 000 / 1 000 000) are marked `needs_context`: they
  count only as money or a volume ("half a mil in tooling", "a mil a year"), never as a bare
  number or a tolerance (a "mil" is also a thou, and 10 km in Swedish).
- "1/10", "1/100", "5/1000": a numerator over 10, 100 or 1000 is that fraction (0.1, 0.01,
  0.005), for tolerances ("1/10 mm"); "24/7" or "50/50" stay two numbers.
- Coins and notes in slang, "en femma" / "en tia" / "en tjuga" (5, 10, 20) and "två tior", are
  numbers marked unit=COIN: a price only next to a price word ("en tia styck", "styckpris en
  tjuga"), otherwise a bare number ("en tia" answers "what may it cost?" as 10).
- "en"/"ett"/"one"/"a"/"an" are articles far more often than numbers: they count only in front of
  hundra/tusen/hundred/thousand/... here; the quantity rules accept them before a unit.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

# Digits with "," or "." between digit groups, letters (with combining marks), or one symbol.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|(?:[^\W\d_][\u0300-\u036f]*)+|[^\s]")
_FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "à": "a",
        "á": "a",
        "ö": "o",
        "ø": "o",
        "ó": "o",
        "é": "e",
        "è": "e",
        "ü": "u",
        "µ": "u",  # micro sign: "µm" == "um"
        "μ": "u",  # Greek mu, what phones type
        "−": "-",
        "–": "-",
        "—": "-",
        "×": "x",
    }
)


@dataclass(frozen=True)
class Tok:
    text: str  # as written
    lower: str  # lower case
    fold: str  # lower case, accents folded (å/ä -> a, ö -> o, µ -> u): what rules match on
    start: int
    end: int
    space_before: bool  # whitespace between this token and the previous one
    newline_before: bool

    @property
    def is_digits(self) -> bool:
        return self.fold[:1].isdigit()

    @property
    def is_alpha(self) -> bool:
        return self.fold[:1].isalpha()


def fold(text: str) -> str:
    """Lower case without Swedish accents, so "Skane" matches "Skåne"."""
    return _valid_utf8(unicodedata.normalize("NFC", text).lower().translate(_FOLD))


def _valid_utf8(text: str) -> str:
    # spaCy's string store needs valid UTF-8; a lone surrogate would make it raise
    return text.encode("utf-8", "replace").decode("utf-8") or "?"


def split_tokens(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    previous_end = 0
    for match in _TOKEN_RE.finditer(text):
        gap = text[previous_end : match.start()]
        tokens.append(
            Tok(
                text=match.group(),
                lower=_valid_utf8(match.group().lower()),
                fold=fold(match.group()),
                start=match.start(),
                end=match.end(),
                space_before=bool(gap),
                newline_before="\n" in gap,
            )
        )
        previous_end = match.end()
    return tokens


def parse_digits(text: str, space_grouped: bool = False) -> float | None:
    """The value of a digit string like "10.000", "0,05", "1,234.5"; None if it is no number.

    `space_grouped` means the thousands were already written with spaces ("10 000,500"), so a
    remaining separator can only be the decimal mark.
    """
    if not text or not text[0].isdigit():
        return None
    separators = [c for c in text if c in ".,"]
    if len(text) > _MAX_DIGITS:
        return None  # an id or junk, and beyond what a float holds exactly
    try:
        if not separators:
            return float(int(text))
        groups = re.split(r"[.,]", text)
        if space_grouped:
            if len(separators) > 1:
                return None
            return float(f"{int(groups[0])}.{groups[1]}")
        if len(set(separators)) == 1:
            thousands = all(len(g) == 3 for g in groups[1:]) and int(groups[0]) != 0
            if thousands and len(groups[0]) <= 3:
                return float(int("".join(groups)))
            if len(separators) == 1:
                return float(f"{int(groups[0])}.{groups[1]}")
            return None  # "1.2.3", "2024.01.05": a version or a date
        # Both marks: the last one is the decimal mark, the others group thousands.
        decimal_mark = separators[-1]
        whole, _, decimals = text.rpartition(decimal_mark)
        whole_groups = re.split(r"[.,]", whole)
        if decimal_mark in whole or not all(len(g) == 3 for g in whole_groups[1:]):
            return None
        return float(f"{int(''.join(whole_groups))}.{decimals}")
    except (ValueError, OverflowError):
        return None


_MAX_DIGITS = 24


# --- number words ------------------------------------------------------------------------
# (value, kind); kinds drive a tiny grammar: unit 0-9, teen 10-19, tens 20-90, hundred, scale.
_WORDS: dict[str, tuple[float, str]] = {}


def _add_words(kind: str, table: dict[str, float]) -> None:
    for word, value in table.items():
        _WORDS[fold(word)] = (value, kind)


_add_words(
    "unit",
    {
        "noll": 0, "zero": 0, "en": 1, "ett": 1, "one": 1, "två": 2, "two": 2, "tre": 3,
        "three": 3, "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7,
        "seven": 7, "åtta": 8, "eight": 8, "nio": 9, "nine": 9,
    },
)  # fmt: skip
_add_words(
    "teen",
    {
        "tio": 10, "ten": 10, "elva": 11, "eleven": 11, "tolv": 12, "twelve": 12, "tretton": 13,
        "thirteen": 13, "fjorton": 14, "fourteen": 14, "femton": 15, "fifteen": 15,
        "sexton": 16, "sixteen": 16, "sjutton": 17, "seventeen": 17, "arton": 18, "aderton": 18,
        "eighteen": 18, "nitton": 19, "nineteen": 19,
    },
)  # fmt: skip
_add_words(
    "tens",
    {
        "tjugo": 20, "tjugu": 20, "twenty": 20, "trettio": 30, "thirty": 30, "fyrtio": 40,
        "forty": 40, "femtio": 50, "fifty": 50, "sextio": 60, "sixty": 60, "sjuttio": 70,
        "seventy": 70, "åttio": 80, "eighty": 80, "nittio": 90, "ninety": 90,
    },
)  # fmt: skip
_add_words("hundred", {"hundra": 100, "hundred": 100})
# scales that need a count before them: "två dussin", "ett hundratal", "a gross"
_add_words("dozen", {"dussin": 12, "dozen": 12, "tiotal": 10, "hundratal": 100, "tusental": 1e3})
# "ett tjugotal", "ett femtiotal": about that many
_add_words("dozen", {f"{word}tal": value for word, value in (
    ("tjugo", 20), ("trettio", 30), ("fyrtio", 40), ("femtio", 50), ("sextio", 60), ("sjuttio", 70),
    ("åttio", 80), ("nittio", 90))})
_add_words("dozen", {"gross": 144})
_add_words(
    "scale",
    {
        "tusen": 1e3, "thousand": 1e3, "ettusen": 1e3, "miljon": 1e6, "miljoner": 1e6,
        "million": 1e6, "millions": 1e6, "miljard": 1e9, "miljarder": 1e9, "billion": 1e9,
    },
)  # fmt: skip
_ARTICLES = frozenset({"en", "ett", "one", "a", "an"})
_SCALE_KINDS = ("hundred", "scale", "dozen")
# After digits: "2 tusen", "1,5 miljoner", "10 k", "3 dussin"
_SCALE_AFTER_DIGITS = {
    **{w: v for w, (v, kind) in _WORDS.items() if kind in _SCALE_KINDS and w != "gross"},
    "k": 1e3,
    "mn": 1e6,
    "milj": 1e6,
    "mio": 1e6,
}
# "ett par hundra" = 200, "några hundra" = 300: vague amounts get a fixed, documented value.
# (words, amount, also before a unit: "ett par veckor" yes, "half a year" no - that is 26 weeks)
_VAGUE = (
    (("ett", "par"), 2, True),
    (("a", "couple", "of"), 2, True),
    (("a", "couple"), 2, True),
    (("nagra",), 3, True),
    (("a", "few"), 3, True),
    (("half", "a"), 0.5, False),  # "en halv miljon": an article and a fraction, fraction_at
)
# Fractions of a scale word ("three quarters of a million"); quantities.py also reads them as
# fractions of a length unit ("en halv mm", "tre fjärdedels mm", "a quarter of a mm").
FRACTIONS: dict[str, float] = {
    fold(word): value
    for value, words in {
        1 / 2: ("halv", "halvt", "half"),
        1 / 4: ("kvarts", "fjärdedel", "fjärdedels", "fjärdedelar", "quarter", "quarters"),
        1 / 3: ("tredjedel", "tredjedels", "tredjedelar", "third", "thirds"),
    }.items()
    for word in words
}
_HALVES = frozenset({"halv", "halvt", "half"})
# A banknote: "<number>lapp" is that many kronor, "<hundra minus a>ing" too ("femhundring").
_NOTE_SUFFIXES = (("lappar", ""), ("lappen", ""), ("lapp", ""), ("ingar", "a"), ("ing", "a"))
_HUNDRED_NOTES = frozenset({"lapp", "lappar"})  # after a count: "två lappar" = 200 kr
KRONOR = "kr"
# Coins and notes in slang: numbers with unit=COIN, a price only next to a price word.
COIN = "#coin"
_COINS = {"femma": 5.0, "femmor": 5.0, "tia": 10.0, "tior": 10.0, "tjuga": 20.0, "tjugor": 20.0}
# English slang scales after an article: "half a mil", "a mil" (money or volume only)
_SLANG_SCALES = {"mil": 1e6, "mill": 1e6}
_POWERS_OF_TEN = (10.0, 100.0, 1000.0)

_RANGE_WORDS = frozenset({"-", "till", "to"})
_MAX_MORPHEMES = 12
_MAX_WORD_LENGTH = 60  # "tvåhundrasjuttiofemtusenniohundranittionio" is 42
_LONGEST_MORPHEME = max(len(w) for w in _WORDS)
_OPENINGS = frozenset(w[:2] for w in _WORDS)  # a cheap first test: most words are no numbers


@functools.lru_cache(maxsize=4096)
def _morphemes(word: str) -> tuple[tuple[float, str], ...] | None:
    """Split a (compound) number word: "tvåtusenfemhundra" -> två, tusen, fem, hundra."""
    if word in _WORDS:
        return (_WORDS[word],)
    if len(word) > _MAX_WORD_LENGTH or word[:2] not in _OPENINGS:
        return None
    for cut in range(min(len(word) - 1, _LONGEST_MORPHEME), 1, -1):
        head = _WORDS.get(word[:cut])
        if head is None:
            continue
        rest = _morphemes(word[cut:])
        if rest is not None and len(rest) < _MAX_MORPHEMES:
            return (head, *rest)
    return None


@functools.lru_cache(maxsize=1024)
def _banknote(word: str) -> float | None:
    """ "hundralapp" 100, "femhundring" 500, "tusenlappar" 1000: a banknote's value in kronor."""
    for suffix, restore in _NOTE_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and stem:
            parts = _morphemes(stem + restore)
            number = _WordNumber()
            return number.value if parts and number.feed(parts) else None
    return None


class _WordNumber:
    """Accumulates number words left to right and refuses sequences that are no number."""

    def __init__(self) -> None:
        self.total = 0.0
        self.current = 0.0
        self.last: str | None = None
        self.scale: float | None = None  # "tio tusen": 1000; "tusen fem": None

    def accepts(self, kind: str) -> bool:
        if kind == "unit":
            return self.last in (None, "tens", "hundred", "scale")
        if kind in ("teen", "tens"):
            return self.last in (None, "hundred", "scale")
        if kind == "hundred":
            return self.last in (None, "unit", "teen") and self.current < 100
        if kind == "dozen":
            return self.current > 0  # "två dussin", not "dussin" or "tusen dussin"
        return self.last != "scale" or self.current > 0

    def add(self, value: float, kind: str) -> None:
        if kind in ("unit", "teen", "tens"):
            self.current += value
            self.scale = None
        elif kind == "hundred":
            self.current = (self.current or 1) * 100
            self.scale = 100.0 if not self.total else None
        else:
            self.scale = value if not self.total else None
            self.total += (self.current or 1) * value
            self.current = 0
        self.last = kind

    @property
    def value(self) -> float:
        return self.total + self.current

    def feed(self, parts: tuple[tuple[float, str], ...]) -> bool:
        """Add a word's morphemes, all or nothing."""
        before = (self.total, self.current, self.last, self.scale)
        for value, kind in parts:
            if not self.accepts(kind):
                self.total, self.current, self.last, self.scale = before
                return False
            self.add(value, kind)
        return True


@dataclass(frozen=True)
class NumberSpan:
    start: int  # token indexes, end exclusive
    end: int
    value: float
    low: float | None = None  # a range's lower end ("300-500": value 500, low 300)
    unit: str | None = None  # KRONOR for a banknote ("en hundralapp"), COIN for "en tia"
    scale: float | None = None  # the scale word the number ends with: 1000 in "10 tusen"
    needs_context: bool = False  # "half a mil": only money or a volume, never a bare number


class _Scanner:
    def __init__(self, tokens: list[Tok], glued_units: frozenset[str], units: frozenset[str]):
        self.toks = tokens
        self.glued_units = glued_units
        self.units = units

    def glued(self, i: int) -> bool:
        """Token i touches the previous token (no whitespace)."""
        return 0 < i < len(self.toks) and not self.toks[i].space_before

    def fold_at(self, i: int) -> str:
        return self.toks[i].fold if 0 <= i < len(self.toks) else ""

    def scan(self) -> list[NumberSpan]:
        spans: list[NumberSpan] = []
        i = 0
        while i < len(self.toks):
            chain_end = self.code_chain_end(i)
            if chain_end:
                i = chain_end  # "2024-05-01", "1.2.3-4": a date or a code, not quantities
                continue
            span = self.digits_at(i) or self.words_at(i)
            span = self.fraction_at(i, span) or span
            span = self.notes_after(span) if span else self.banknote_at(i)
            if span is None:
                i += 1
                continue
            if not math.isfinite(span.value):
                i = span.end  # "9 miljarder miljarder ..." overflows: no quantity anyway
                continue
            spans.append(span)
            i = span.end
        return self.merge_ranges(spans)

    # digits ----------------------------------------------------------------------------
    def digits_at(self, i: int) -> NumberSpan | None:
        toks = self.toks
        if not toks[i].is_digits:
            return None
        # "PA12", "M8", "ISO9001": digits glued to a word are part of a name (but "x10" is not)
        if self.glued(i) and toks[i - 1].is_alpha and toks[i - 1].fold != "x":
            return None
        groups = [toks[i].fold]
        end = i + 1
        # "10 000" / "1 500 000": thousands separated by one space (or NBSP)
        if re.fullmatch(r"\d{1,3}", groups[0]):
            while (
                end < len(toks)
                and re.fullmatch(r"\d{3}(?:[.,]\d+)?", toks[end].fold)
                and toks[end].start - toks[end - 1].end == 1
                and not toks[end].newline_before
                and not re.search(r"[.,]", groups[-1])
            ):
                groups.append(toks[end].fold)
                end += 1
        value = parse_digits("".join(groups), space_grouped=len(groups) > 1)
        if value is None:
            return None
        start = i
        if self.is_minus_sign(i - 1):
            value, start = -value, i - 1
        # glued suffix: "10k", "1.5M", "3D" (a name, not 3), "1st" (an ordinal)
        if end < len(toks) and self.glued(end) and toks[end].is_alpha:
            suffix = toks[end].text
            if suffix in ("k", "K"):
                return NumberSpan(start, end + 1, value * 1e3, scale=1e3)
            if suffix == "M":
                return NumberSpan(start, end + 1, value * 1e6, scale=1e6)
            is_ordinal = (
                suffix.lower() == "st"
                and groups[-1].endswith("1")
                and not groups[-1].endswith("11")
            )
            if toks[end].fold not in self.glued_units or is_ordinal:
                return None
        fraction = self.decimal_fraction(end, value)
        if fraction is not None:
            return NumberSpan(start, end + 2, fraction)
        # spaced scale words: "2 tusen", "1,5 miljoner", "10 k", "5 hundred thousand"
        scale = 1.0
        while end < len(toks) and (toks[end].fold in _SCALE_AFTER_DIGITS or toks[end].text == "M"):
            scale *= _SCALE_AFTER_DIGITS.get(toks[end].fold, 1e6)
            end += 1
        return NumberSpan(start, end, value * scale, scale=scale if scale != 1 else None)

    def decimal_fraction(self, slash: int, numerator: float) -> float | None:
        """ "1/10", "1/100", "5/1000" (glued): that fraction; "24/7", "50/50" are none."""
        toks = self.toks
        if not (
            slash + 1 < len(toks)
            and toks[slash].fold == "/"
            and self.glued(slash)
            and self.glued(slash + 1)
            and toks[slash + 1].fold.isdecimal()
            and numerator == int(numerator)
            and 0 < numerator < 10  # "500/1000" is "500 or 1000"
        ):
            return None
        denominator = float(toks[slash + 1].fold)
        if denominator not in _POWERS_OF_TEN or numerator >= denominator:
            return None
        if slash + 2 < len(toks) and toks[slash + 2].fold in ("/", "-") and self.glued(slash + 2):
            return None  # "1/10/26", "1/10-2026": a date
        return numerator / denominator

    def code_chain_end(self, i: int) -> int | None:
        """End of three or more digit groups glued by "-", "/" or ":" starting at i, if any."""
        if not self.toks[i].is_digits or self.glued(i) and self.toks[i - 1].fold in ("-", "/", ":"):
            return None
        end, groups = i + 1, 1
        while (
            end + 1 < len(self.toks)
            and self.toks[end].fold in ("-", "/", ":")
            and self.toks[end + 1].is_digits
            and self.glued(end)
            and self.glued(end + 1)
        ):
            end, groups = end + 2, groups + 1
        return end if groups >= 3 else None

    def is_minus_sign(self, i: int) -> bool:
        """A "-" glued to the digits and standing alone in front: "-500 st" (not "500-1000")."""
        if i < 0 or self.toks[i].fold != "-" or not self.glued(i + 1):
            return False
        return i == 0 or self.toks[i].space_before or self.toks[i - 1].fold in ("(", "[")

    # words -----------------------------------------------------------------------------
    def words_at(self, i: int) -> NumberSpan | None:
        if not self.toks[i].is_alpha:
            return None
        slang = self.slang_at(i)
        if slang is not None:
            return slang
        for words, amount, before_units in _VAGUE:
            after = i + len(words)
            if all(self.fold_at(i + k) == w for k, w in enumerate(words)):
                word = _WORDS.get(self.fold_at(after))
                if word and word[1] in _SCALE_KINDS:
                    return NumberSpan(i, after + 1, float(amount * word[0]), scale=word[0])
                following = self.fold_at(after)
                if before_units and (following in self.units or following in _HUNDRED_NOTES):
                    return NumberSpan(i, after, float(amount))  # "ett par veckor"
        number = _WordNumber()
        end = i
        j = i
        while j < len(self.toks):
            parts = self.word_parts(j, first=j == i)
            if parts is None or not number.feed(parts):
                break
            end = j + 1
            j = self.next_word(end)
        if end == i:
            return None
        return NumberSpan(i, end, float(number.value), scale=number.scale)

    def slang_at(self, i: int) -> NumberSpan | None:
        """ "half a mil" = 500 000, "a mil" = 1 000 000: money or volume only (needs_context)."""
        if self.fold_at(i) == "half" and self.fold_at(i + 1) in ("a", "an"):
            amount, j = 0.5, i + 2
        elif self.fold_at(i) in ("a", "one"):
            amount, j = 1.0, i + 1
        else:
            return None
        scale = _SLANG_SCALES.get(self.fold_at(j))
        if scale is None:
            return None
        return NumberSpan(i, j + 1, amount * scale, scale=scale, needs_context=True)

    def word_parts(self, j: int, first: bool) -> tuple[tuple[float, str], ...] | None:
        word = self.toks[j].fold
        if not self.toks[j].is_alpha:
            return None
        # "one" after "twenty" is a digit; first, it is as much an article as "en"/"a"
        is_article = word in _ARTICLES and (first or word != "one")
        if is_article:
            # an article is 1 only in front of hundra/tusen/hundred/thousand ("ett tusen")
            following = _WORDS.get(self.fold_at(j + 1))
            if first and following and following[1] in _SCALE_KINDS:
                return ((1, "unit"),)
            return None
        return _morphemes(word)

    # fractions and banknotes ---------------------------------------------------------
    def fraction_at(self, i: int, count: NumberSpan | None) -> NumberSpan | None:
        """ "three quarters of a million", "en kvarts miljon", "one and a half (thousand)"."""
        if count is not None:
            amount, j = count.value, count.end
        elif self.fold_at(i) in _ARTICLES:
            amount, j = 1.0, i + 1
        else:
            return None
        and_a_half = (
            self.fold_at(j) in ("and", "och")
            and self.fold_at(j + 1) in _ARTICLES
            and self.fold_at(j + 2) in _HALVES
            and _WORDS.get(self.fold_at(j - 1), (0, ""))[1] not in _SCALE_KINDS
        )
        if and_a_half:
            amount, j = amount + 0.5, j + 3
        elif self.fold_at(j) in FRACTIONS:
            amount, j = amount * FRACTIONS[self.fold_at(j)], j + 1
            if self.fold_at(j) == "of" and self.fold_at(j + 1) in ("a", "an"):
                j += 2
        else:
            return None
        scale = _WORDS.get(self.fold_at(j))
        if scale and scale[1] in _SCALE_KINDS:
            return NumberSpan(i, j + 1, amount * scale[0])
        return NumberSpan(i, j, amount) if and_a_half else None

    def notes_after(self, span: NumberSpan) -> NumberSpan:
        """ "två lappar" = 200 kr, "3 hundralappar" = 300 kr, "två tior" = 20 (a coin);
        otherwise the span unchanged."""
        following = self.fold_at(span.end)
        if span.unit or span.needs_context:
            return span
        if following in _COINS:
            return NumberSpan(span.start, span.end + 1, span.value * _COINS[following], unit=COIN)
        note = 100.0 if following in _HUNDRED_NOTES else _banknote(following)
        if note is None:
            return span
        return NumberSpan(span.start, span.end + 1, span.value * note, unit=KRONOR)

    def banknote_at(self, i: int) -> NumberSpan | None:
        """ "en hundralapp", "en femhundring": the note word alone is its value in kronor;
        "en tia", "en femma": a coin after an article."""
        if self.fold_at(i) in _ARTICLES and self.fold_at(i + 1) in _COINS:
            return NumberSpan(i, i + 2, _COINS[self.fold_at(i + 1)], unit=COIN)
        note = _banknote(self.toks[i].fold) if self.toks[i].is_alpha else None
        return NumberSpan(i, i + 1, note, unit=KRONOR) if note else None

    def next_word(self, j: int) -> int:
        """Where the next number word would start: skips "-" in "twenty-five", "and"/"och"."""
        if j < len(self.toks) and self.toks[j].fold == "-" and self.glued(j) and self.glued(j + 1):
            return j + 1
        if self.fold_at(j) in ("and", "och") and self.fold_at(j - 1) in _SCALE_AFTER_DIGITS:
            return j + 1
        return j

    # ranges ----------------------------------------------------------------------------
    def merge_ranges(self, spans: list[NumberSpan]) -> list[NumberSpan]:
        """ "500-1000", "2 till 3 veckor", "between 500 and 1000": one span, both ends kept."""
        merged: list[NumberSpan] = []
        for span in spans:
            if merged and self.is_range(merged[-1], span):
                low = merged.pop()
                start = low.start
                if self.fold_at(start - 1) in ("mellan", "between"):
                    start -= 1
                low_value = low.value
                if low.scale is None and span.scale and low.value < span.value / span.scale:
                    low_value = low.value * span.scale  # "5-10 tusen": 5 000-10 000
                merged.append(
                    NumberSpan(
                        start,
                        span.end,
                        span.value,
                        low_value,
                        span.unit,
                        span.scale,
                        span.needs_context,
                    )
                )
            else:
                merged.append(span)
        return merged

    def is_range(self, low: NumberSpan, high: NumberSpan) -> bool:
        between = [t.fold for t in self.toks[low.end : high.start]]
        if high.value < low.value or len(between) != 1:
            return False
        if between[0] in _RANGE_WORDS:
            return True
        return between[0] in ("och", "and") and self.fold_at(low.start - 1) in ("mellan", "between")


DEFAULT_GLUED_UNITS = frozenset({"k", "m", "mm", "cm", "um", "st", "pcs", "x", "kr", "sek"})


def find_numbers(
    tokens: list[Tok],
    glued_units: frozenset[str] = DEFAULT_GLUED_UNITS,
    units: frozenset[str] = frozenset(),
) -> list[NumberSpan]:
    """Every numeric expression among the tokens, in order, as token spans with values.

    `glued_units` are the words that may stick to digits ("10mm", "500st"); digits glued to any
    other word ("3D", "316L", "2nd") are part of that word, not a number. `units` are the words
    after which a vague amount is a number ("ett par veckor" = 2, "a few weeks" = 3, but not
    "a few questions").
    """
    return _Scanner(tokens, glued_units, units).scan()


def parse_number(text: str) -> float | None:
    """The value of a text that is one number ("10 000", "tvåtusen", "1,5k"), else None."""
    tokens = split_tokens(text)
    spans = find_numbers(tokens)
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(tokens):
        return spans[0].value
    return None
