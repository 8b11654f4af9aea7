"""NLU cross-validation report (not a gate): writes docs/nlu_report.md.

Runs `rasa test nlu --cross-validation` on data/nlu with config.yml, summarises the intent
report overall and per language, and adds the entity extractor's scores on the gold set
(bench/bench_entities.py). The command and the date go into the report so it can be reproduced.

Per language: Rasa only reports the pooled test folds, so its per-example predictions
(intent_successes.json + intent_errors.json) are split by the language the bot itself detects
(bot.nlu.language.detect_language); each language is scored on the same folds. Short phrases
the detector cannot place ("ok", "bye", "cnc") form a third group instead of being guessed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_entities import entity_table  # noqa: E402
from bot.nlu.language import detect_language  # noqa: E402

OUT = ROOT / "results" / "nlu-cv"
FOLDS = 3
# Rasa's StratifiedKFold shuffles with numpy's global generator and no seed of its own:
# seeding it here gives the same folds on every run, so reports can be compared.
FOLD_SEED = 20261127
GROUPS = (("sv", "Swedish"), ("en", "English"), (None, "undetected (short or mixed)"))
COMMAND = (
    "test nlu --nlu data/nlu --config config.yml --cross-validation "
    f"--folds {FOLDS} --successes --out {OUT.relative_to(ROOT)}"
).split()


def run_cross_validation() -> float:
    """Rasa's own CLI, in this process so that the fold seed applies; returns seconds."""
    import numpy
    from rasa.__main__ import main as rasa_main

    os.chdir(ROOT)
    shutil.rmtree(OUT, ignore_errors=True)  # a stale intent_errors.json would mix in
    numpy.random.seed(FOLD_SEED)
    sys.argv = ["rasa", *COMMAND]
    started = time.monotonic()
    rasa_main()
    return time.monotonic() - started


def predictions(out: Path = OUT) -> list[dict]:
    """Every test-fold example once: its text, intent and predicted intent."""
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():  # Rasa skips a file that would be empty
            rows += json.loads(path.read_text())
    return rows


def language_reports(rows: list[dict]) -> dict[str | None, dict]:
    """Per detected language: Rasa's own metrics (same function as its intent_report.json)."""
    from rasa.model_testing import get_evaluation_metrics

    by_language: dict[str | None, list[dict]] = defaultdict(list)
    for row in rows:
        by_language[detect_language(row["text"])].append(row)
    reports = {}
    for language, group in by_language.items():
        targets = [r["intent"] for r in group]
        predicted = [r["intent_prediction"]["name"] for r in group]
        report, _, _, accuracy = get_evaluation_metrics(targets, predicted, output_dict=True)
        reports[language] = {**report, "accuracy": accuracy, "examples": len(group)}
    return reports


def write_report(seconds: float) -> str:
    report = json.loads((OUT / "intent_report.json").read_text())
    by_language = language_reports(predictions())
    command = " ".join(["rasa", *COMMAND])
    lines = [
        "# NLU cross-validation report",
        "",
        f"Made {date.today()} with `make nlu-report` (`{command}`, folds seeded with "
        f"{FOLD_SEED}), {FOLDS} folds, {seconds:.0f} s on this machine (2 cores). "
        "Not a gate: a record to compare against.",
        "",
        f"- accuracy: {report['accuracy']:.3f}",
        f"- macro F1: {report['macro avg']['f1-score']:.3f}",
        f"- weighted F1: {report['weighted avg']['f1-score']:.3f}",
        "",
        "## Per language",
        "",
        "The same folds, split by the language `bot.nlu.language.detect_language` gives each "
        "example (what the bot itself would detect).",
        "",
        "| language | examples | accuracy | macro F1 | weighted F1 |",
        "|---|---|---|---|---|",
    ]
    for language, label in GROUPS:
        scores = by_language.get(language)
        if scores:
            lines.append(
                f"| {label} | {scores['examples']} | {scores['accuracy']:.3f} | "
                f"{scores['macro avg']['f1-score']:.3f} | {scores['weighted avg']['f1-score']:.3f} |"
            )
    lines += [
        "",
        "## Per intent",
        "",
        "| intent | precision | recall | F1 | F1 sv | F1 en | F1 undetected | examples (sv/en/undetected) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for intent, scores in sorted(report.items()):
        if not isinstance(scores, dict) or intent.endswith("avg"):
            continue
        per_language = [by_language.get(language, {}).get(intent) for language, _ in GROUPS]
        f1s = " | ".join(f"{s['f1-score']:.3f}" if s else "-" for s in per_language)
        counts = "/".join(str(s["support"]) if s else "0" for s in per_language)
        lines.append(
            f"| {intent} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
            f"{scores['f1-score']:.3f} | {f1s} | {counts} |"
        )
    lines += ["", "## Entities (rule-based extractor, gold set)", "", *entity_table()]
    (ROOT / "docs" / "nlu_report.md").write_text("\n".join(lines) + "\n")
    return f"accuracy {report['accuracy']:.3f}"


def main() -> int:
    seconds = run_cross_validation()
    print(f"cross-validation took {seconds:.0f} s")
    print(f"wrote docs/nlu_report.md ({write_report(seconds)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
