"""NLU cross-validation report (not a gate): writes docs/nlu_report.md.

Runs `rasa test nlu --cross-validation` on data/nlu with config.yml and summarises the intent
report; the command and the date go into the report so it can be reproduced.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "nlu-cv"
FOLDS = 3


def main() -> int:
    rasa = str(Path(sys.executable).parent / "rasa")
    command = [rasa, "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
               "--cross-validation", "--folds", str(FOLDS), "--out", str(OUT.relative_to(ROOT))]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True)
    seconds = time.monotonic() - started
    report = json.loads((OUT / "intent_report.json").read_text())
    lines = [
        "# NLU cross-validation report",
        "",
        f"Made {date.today()} with `make nlu-report` (`{' '.join(['rasa'] + command[1:])}`), "
        f"{FOLDS} folds, {seconds:.0f} s on this machine (2 cores). Not a gate: a record to compare against.",
        "",
        f"- accuracy: {report['accuracy']:.3f}",
        f"- macro F1: {report['macro avg']['f1-score']:.3f}",
        f"- weighted F1: {report['weighted avg']['f1-score']:.3f}",
        "",
        "| intent | precision | recall | F1 | examples |",
        "|---|---|---|---|---|",
    ]
    for intent, scores in sorted(report.items()):
        if not isinstance(scores, dict) or intent.endswith("avg"):
            continue
        lines.append(
            f"| {intent} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
            f"{scores['f1-score']:.3f} | {scores['support']} |"
        )
    (ROOT / "docs" / "nlu_report.md").write_text("\n".join(lines) + "\n")
    print(f"wrote docs/nlu_report.md (accuracy {report['accuracy']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
