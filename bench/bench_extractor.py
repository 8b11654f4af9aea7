"""Speed of the entity extractor on every training example (both languages).

Run: .venv/bin/python bench/bench_extractor.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from bot.nlu.pipeline import extract_entities, warm_up  # noqa: E402


def main() -> None:
    texts = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).training_examples]
    started = time.perf_counter()
    warm_up()
    build_ms = (time.perf_counter() - started) * 1000
    timings = []
    for text in texts * 3:
        t0 = time.perf_counter()
        extract_entities(text)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"messages: {len(timings)}, matcher build: {build_ms:.0f} ms")
    print(f"per message: p50 {statistics.median(timings):.2f} ms, "
          f"p99 {timings[int(len(timings) * 0.99)]:.2f} ms, max {timings[-1]:.2f} ms")
    print(f"throughput: {len(timings) / (sum(timings) / 1000):.0f} messages/s on one core")


if __name__ == "__main__":
    main()
