"""A trained reading of the interview's categorical answers.

The lexicon (data/lexicon) knows names: materials, processes, certifications, places. What
founders say about design maturity, their goal, or "none needed" / "anywhere" / "no rush" is
open-ended ("we've tried it on our own boat all summer", "inga krav som jag vet"), so each of
those readings is a small text classifier trained on the paraphrases in data/answers/<slot>.yml
(hundreds per class, both languages, many registers). Character n-grams carry typos and Swedish
compounds, word n-grams carry negation ("not validated yet") and tense.

The models are trained when first used (about a second each on two cores) and kept in memory;
the data is a few hundred kB, so no trained artefact needs to be stored or versioned.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "answers"
# Classes that mean "this message says nothing about it" (a goal's "none": no goal stated).
SILENT = {"founder_goal": frozenset({"none"})}
DEFAULT_SILENT = frozenset({"other"})
# Sentences of a long message are read one by one: an opening's maturity is one clause of many.
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+(?:men|but|och sen|and then)\s+", re.IGNORECASE)
# A goal is one clause of a sentence that states facts first ("ritningarna är frysta, vi har ett
# avtal och behöver komma igång med serieproduktion"): read clause by clause.
_CLAUSE_RE = re.compile(
    r"(?<=[.!?;])\s+|\n+|,\s*|\s+(?:men|but|och|and|så|so|because|eftersom|därför|then|sen)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Guess:
    label: str
    confidence: float
    runner_up: str | None = None
    runner_up_confidence: float = 0.0
    says_something: bool = True


def normalise(text: str) -> str:
    return " ".join((text or "").lower().split())


class AnswerModel:
    """One slot's classifier: TF-IDF over character and word n-grams, logistic regression."""

    def __init__(self, examples: dict[str, list[str]], silent=DEFAULT_SILENT) -> None:
        self.silent = frozenset(silent)
        texts, labels = [], []
        for label, items in examples.items():
            for item in items:
                texts.append(normalise(str(item)))
                labels.append(label)
        if len(set(labels)) < 2:
            raise ValueError("an answer model needs at least two classes")
        features = FeatureUnion(
            [
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ]
        )
        self._pipeline = make_pipeline(
            features, LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
        )
        self._pipeline.fit(texts, labels)
        self.labels = tuple(self._pipeline.classes_)

    def guess(self, text: str) -> Guess:
        probabilities = self._pipeline.predict_proba([normalise(text)])[0]
        ranked = sorted(zip(self.labels, probabilities, strict=True), key=lambda pair: -pair[1])
        (best, p_best), (second, p_second) = ranked[0], ranked[1]
        return Guess(best, float(p_best), second, float(p_second), best not in self.silent)

    def guess_sentences(self, text: str, splitter: re.Pattern = _SENTENCE_RE) -> Guess:
        """The most confident reading of any sentence that says something (else the whole)."""
        whole = self.guess(text)
        parts = [p for p in splitter.split(text or "") if p and len(p.split()) >= 2]
        if len(parts) < 2:
            return whole
        guesses = [whole, *(self.guess(part) for part in parts)]
        telling = [g for g in guesses if g.says_something]
        return max(telling, key=lambda g: g.confidence) if telling else whole


def _read(slot: str, data_dir: Path) -> dict | None:
    path = data_dir / f"{slot}.yml"
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_examples(slot: str, data_dir: Path = DATA_DIR) -> dict[str, list[str]] | None:
    data = _read(slot, data_dir)
    if data is None:
        return None
    return {str(label): list(items or []) for label, items in (data.get("examples") or {}).items()}


def build(slot: str, data_dir: Path = DATA_DIR) -> AnswerModel | None:
    """The slot's model; with `hard_negatives` in its file, statements from another slot's data
    that a first model misreads as one of the `confusable` classes are added to `into` and the
    model is trained again ("we have a prototype" is a state, not the goal of making one)."""
    examples = load_examples(slot, data_dir)
    if not examples:
        return None
    silent = SILENT.get(slot, DEFAULT_SILENT)
    first = AnswerModel(examples, silent)
    spec = (_read(slot, data_dir) or {}).get("hard_negatives")
    if not spec:
        return first
    source = load_examples(spec["from"], data_dir) or {}
    confusable = set(spec["confusable"])
    mined = [
        text
        for label in spec["classes"]
        for text in source.get(label, [])
        if first.guess(text).label in confusable
    ]
    examples[spec["into"]] = examples.get(spec["into"], []) + mined
    return AnswerModel(examples, silent)


@functools.cache
def model(slot: str) -> AnswerModel | None:
    return build(slot)


def guess(slot: str, text: str, *, sentences: bool = False, clauses: bool = False) -> Guess | None:
    """The trained reading of `text` as an answer about `slot`, or None without a model;
    `sentences` / `clauses`: the most telling sentence / clause of a long message."""
    found = model(slot)
    if found is None or not (text or "").strip():
        return None
    if clauses:
        return found.guess_sentences(text, _CLAUSE_RE)
    return found.guess_sentences(text) if sentences else found.guess(text)


def warm_up() -> None:
    """Train every model now (the action server calls this at start, not on a founder's turn)."""
    for path in sorted(DATA_DIR.glob("*.yml")):
        model(path.stem)
