"""Entity F1 of our rule-based extractor on a hand-written gold set (no folds: nothing is trained).

Run: .venv/bin/python bench/bench_entities.py   (also part of `make nlu-report`)

The gold set, data/nlu_gold/entities.yml, lists founder messages with the values the interview
should read from them. It lives outside data/nlu so that it never becomes training data. A
predicted value is correct when it is within 1 % of a gold value of the same entity in the same
message; each gold value can be matched once, so a duplicate prediction is a false positive.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import config  # noqa: E402
from bot.nlu.pipeline import entity_values  # noqa: E402

GOLD = ROOT / "data" / "nlu_gold" / "entities.yml"
ENTITIES = ("annual_volume", "tolerance_mm", "target_unit_cost_sek")
LANGUAGES = ("sv", "en")
RELATIVE_TOLERANCE = 0.01
# Gold prices may be written in the founder's currency ("10 EUR"): converted with the bot's own
# rates, so a changed TILLVERKA_SEK_PER_EUR does not turn correct answers into errors.
_SEK_PER = {"SEK": lambda: 1.0, "EUR": config.sek_per_eur, "USD": config.sek_per_usd}


@dataclass(frozen=True)
class GoldMessage:
    text: str
    language: str
    expected: dict[str, tuple[float, ...]]  # every entity of ENTITIES, () when none


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _value(raw, where: str) -> float:
    """A gold value: a number, or "10 EUR" / "12 USD" / "120 SEK"."""
    if isinstance(raw, bool):
        raise ValueError(f"{where}: {raw!r} is not a number")
    if isinstance(raw, int | float):
        return float(raw)
    amount, _, currency = str(raw).strip().partition(" ")
    if currency.upper() not in _SEK_PER:
        raise ValueError(f"{where}: {raw!r} is neither a number nor an amount like '10 EUR'")
    return float(amount) * _SEK_PER[currency.upper()]()


def load_gold(path: Path = GOLD) -> list[GoldMessage]:
    """The gold messages; a ValueError names the first malformed entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ValueError(f"{path.name}: expected a mapping with a 'messages' list")
    messages = []
    for i, entry in enumerate(data["messages"], start=1):
        where = f"{path.name} message {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ValueError(f"{where}: needs a 'text'")
        unknown = set(entry) - {"text", "lang", *ENTITIES}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if entry.get("lang") not in LANGUAGES:
            raise ValueError(f"{where}: 'lang' must be one of {LANGUAGES}")
        expected = {}
        for entity in ENTITIES:
            raw = entry.get(entity, [])
            raw = raw if isinstance(raw, list) else [raw]
            expected[entity] = tuple(_value(v, f"{where} {entity}") for v in raw)
        messages.append(GoldMessage(entry["text"], entry["lang"], expected))
    return messages


def _close(predicted: float, gold: float) -> bool:
    return abs(predicted - gold) <= RELATIVE_TOLERANCE * abs(gold)


def score(messages: list[GoldMessage]) -> dict[tuple[str, str | None], Score]:
    """Scores by (entity, language), and (entity, None) for both languages together."""
    scores = {(e, lang): Score() for e in ENTITIES for lang in (*LANGUAGES, None)}
    for message in messages:
        for entity in ENTITIES:
            remaining = list(message.expected[entity])
            predicted = [float(v) for v in entity_values(message.text, entity)]
            tp = fp = 0
            for value in predicted:
                match = next((g for g in remaining if _close(value, g)), None)
                if match is None:
                    fp += 1
                else:
                    remaining.remove(match)
                    tp += 1
            for key in ((entity, message.language), (entity, None)):
                s = scores[key]
                s.tp, s.fp, s.fn = s.tp + tp, s.fp + fp, s.fn + len(remaining)
                if fp or remaining:
                    s.misses.append(
                        f"{message.text!r}: gold {list(message.expected[entity])}, got {predicted}"
                    )
    return scores


def entity_table(messages: list[GoldMessage] | None = None) -> list[str]:
    """Markdown lines: precision/recall/F1 per entity, overall and per language."""
    messages = load_gold() if messages is None else messages
    scores = score(messages)
    counts = {lang: sum(m.language == lang for m in messages) for lang in LANGUAGES}
    lines = [
        f"`.venv/bin/python bench/bench_entities.py` on `{GOLD.relative_to(ROOT)}`: "
        f"{len(messages)} messages ({counts['sv']} Swedish, {counts['en']} English), "
        f"a value is correct within {RELATIVE_TOLERANCE:.0%}.",
        "",
        "| entity | gold values | precision | recall | F1 | F1 sv | F1 en |",
        "|---|---|---|---|---|---|---|",
    ]
    for entity in ENTITIES:
        total = scores[(entity, None)]
        per_language = " | ".join(f"{scores[(entity, lang)].f1:.3f}" for lang in LANGUAGES)
        lines.append(
            f"| {entity} | {total.tp + total.fn} | {total.precision:.3f} | {total.recall:.3f} | "
            f"{total.f1:.3f} | {per_language} |"
        )
    return lines


def main() -> None:
    messages = load_gold()
    print("\n".join(entity_table(messages)))
    for entity in ENTITIES:
        misses = score(messages)[(entity, None)].misses
        if misses:
            print(f"\n{entity}: {len(misses)} messages wrong")
            print("\n".join(f"  {m}" for m in misses))


if __name__ == "__main__":
    main()
