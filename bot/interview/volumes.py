"""Which of the counts a founder names is the yearly need.

Founders often name several: "a first batch of 100, then 1500-2000 a year", "vi säljer 600 om
året idag men räknar med 2000 nästa år", "3000 a month in winter, all in all 20k a year". The
yearly need going forward is:
- a count with a period ("per år", "a month", "i veckan") before one without;
- of several with a period, the last: founders go from today to the plan, and a correction
  has already replaced what it corrects;
- a count framed as one batch ("en nollserie på 150", "500 for the pilot") is what the next
  step makes: it is the answer only when the volume question is open and nothing else is;
- in an opening, a count without a period is a need only when a need word leads it ("vi
  behöver 500 st"); "12 units ran all season" is a head count.
While another question is answered, only a count with a period is a yearly need ("35 units ran
all season" is a head count).
"""

from __future__ import annotations

import functools
import re

from bot.nlu.lexicon import load_yaml
from bot.nlu.numbers import find_numbers, fold, split_tokens

# "per år", "a year", "/månad", "i veckan", "next year", "per säsong": a count with a period
# (on the text as written: folded, "är" would be "år")
PERIOD_RE = re.compile(
    r"(?:/|\bper\b|\ba\b|\bom\b|\bi\b|\bin\b|\bevery\b|\bannually\b|\byearly\b|\bmonthly\b|\bweekly\b"
    r"|\bårligen\b|\bårs\b|\bday\b|\bdag\b|\byear\b|\bår\b|\båret\b|\bseason\b|\bsäsong\w*)",
    re.IGNORECASE,
)
# "next year we plan 10k units", "första året kanske 300 st": the year said before the count
YEAR_BEFORE_RE = re.compile(r"\b(?:year|years|år|året|årligen|annually|yearly)\b", re.IGNORECASE)
YEAR_BEFORE_WORDS = 4


def has_period(entity: dict, text: str = "") -> bool:
    if PERIOD_RE.search(entity.get("text") or ""):
        return True
    before = " ".join(text[: entity.get("start") or 0].split()[-YEAR_BEFORE_WORDS:])
    return bool(text and YEAR_BEFORE_RE.search(before))


def _words_re(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted((fold(w) for w in words), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _batch_re() -> tuple[re.Pattern, re.Pattern, re.Pattern, int]:
    data = load_yaml("quantities.yml")
    batch = _words_re(data["batch_words"])
    inside = re.compile(rf"\b(?:{batch})\b")
    after = re.compile(rf"^\W*(?:\w+\W+){{0,2}}(?:the |a |en |ett )?(?:{batch})\b")
    need = re.compile(rf"\b(?:{_words_re(data['need_words'])})\b")
    return inside, after, need, int(data["batch_window_words"])


@functools.lru_cache(maxsize=1)
def _over_years_re() -> re.Pattern:
    over = _words_re(load_yaml("quantities.yml")["total_over_years"])
    return re.compile(rf"^\W*(?:st|pcs|units|stycken|exemplar)?\W*(?:{over})\s+(.{{1,12}}?)\s*(?:ar|aren|years?)\b")


def per_year(entity: dict, text: str) -> float:
    """The count per year: a contract's total over several years is divided by them."""
    value = float(entity["value"])
    match = _over_years_re().match(fold(text[entity.get("end") or 0 :]))
    if match:
        toks = split_tokens(match.group(1))
        numbers = find_numbers(toks)
        if len(numbers) == 1 and 1 < numbers[0].value <= 20:
            return value / numbers[0].value
    return value


def _before(entity: dict, text: str, window: int) -> str:
    return " ".join(fold(text[: entity.get("start") or 0]).split()[-window:])


def is_batch(entity: dict, text: str) -> bool:
    """A count framed as one batch: a batch word in it, just before it or right after it."""
    if has_period(entity, text):
        return False
    inside, after, _, window = _batch_re()
    before = _before(entity, text, window)
    own = fold(entity.get("text") or "")
    return bool(inside.search(own) or inside.search(before) or after.match(fold(text[entity.get("end") or 0 :])))


def is_stated_need(entity: dict, text: str) -> bool:
    """A count without a period that a need word leads ("vi behöver 500 st", "we plan 10k units")."""
    _, _, need, window = _batch_re()
    return bool(need.search(_before(entity, text, window)))


def yearly_volume(entities: list[dict], text: str, asked: str | None) -> float | None:
    """The yearly need among the message's annual_volume entities, or None."""
    counts = [e for e in entities if e.get("entity") == "annual_volume"]
    with_period = [e for e in counts if has_period(e, text)]
    if with_period:
        return with_period[-1]["value"]  # "60 000 över fem år" has no period: per_year divides
    if asked not in (None, "annual_volume"):
        return None
    plain = [e for e in counts if not is_batch(e, text)]
    if asked is None:  # an opening: "12 units ran all season" is a head count, not a need
        plain = [e for e in plain if is_stated_need(e, text)]
    if plain:
        return per_year(plain[-1], text)
    if asked == "annual_volume" and counts:
        return per_year(counts[-1], text)
    return None
