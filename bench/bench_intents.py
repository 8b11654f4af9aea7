"""Intent classification on held-out chat messages the training data never had.

    .venv/bin/python bench/bench_intents.py [--model models/tillverka.tar.gz] [--set heldout|seen]
        [--json out.json]

bench/heldout/intents_sv.yml and intents_en.yml (`intent`, `text`) were written by a writer who
had read only a description of the intents, never data/ or bot/. The trained model parses each
message in this process (no server); the intent is the one the bot acts on (after the
fallback and intent-guard components). Reports accuracy and macro F1 per language and for the
short messages (1-3 words), and the most frequent confusions. Always exits 0: a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import yaml
from sklearn.metrics import accuracy_score, f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the model names our components by module path
SHORT_MAX_WORDS = 3


def load_cases(folder: Path = ROOT / "bench" / "heldout") -> list[dict]:
    """intents_sv.yml, intents_en.yml and the replacement rounds (intents_sv_r2.yml, ...)."""
    cases = []
    for lang in ("sv", "en"):
        for path in [folder / f"intents_{lang}.yml", *sorted(folder.glob(f"intents_{lang}_r*.yml"))]:
            if path.exists():
                cases += [{**c, "language": lang} for c in yaml.safe_load(path.read_text()) or []]
    return cases


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_MAX_WORDS


def scores(rows: list[dict]) -> dict:
    truth = [r["intent"] for r in rows]
    predicted = [r["predicted"] for r in rows]
    labels = sorted(set(truth))  # a predicted fallback counts as wrong, not as a class
    return {
        "messages": len(rows),
        "accuracy": round(accuracy_score(truth, predicted), 3),
        "macro_f1": round(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0), 3),
    }


def report(rows: list[dict]) -> dict:
    groups = {}
    for lang in ("sv", "en"):
        mine = [r for r in rows if r["language"] == lang]
        groups[lang] = scores(mine)
        groups[f"{lang} short"] = scores([r for r in mine if is_short(r["text"])])
    groups["all"] = scores(rows)
    confusions = Counter((r["intent"], r["predicted"]) for r in rows if r["intent"] != r["predicted"])
    return {"groups": groups, "confusions": confusions.most_common(25)}


async def predict(model: str, cases: list[dict]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    rows = []
    for case in cases:
        parsed = await agent.parse_message(case["text"])
        rows.append({**case, "predicted": (parsed.get("intent") or {}).get("name")})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "tillverka.tar.gz"))
    parser.add_argument("--json", help="write the rows and scores here")
    parser.add_argument("--set", choices=("heldout", "seen"), default="heldout",
                        help="seen: the cases that led to a fix (bench/seen/)")  # fmt: skip
    args = parser.parse_args()
    rows = asyncio.run(predict(args.model, load_cases(ROOT / "bench" / args.set)))
    result = report(rows)
    print("| messages | count | accuracy | macro F1 |\n|---|---:|---:|---:|")
    for name, group in result["groups"].items():
        print(f"| {name} | {group['messages']} | {group['accuracy']:.3f} | {group['macro_f1']:.3f} |")
    print("\nmost frequent confusions (expected -> predicted):")
    for (expected, got), n in result["confusions"]:
        print(f"  {n:3d}  {expected} -> {got}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({**result, "rows": rows}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
