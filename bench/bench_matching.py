"""Register matching at scale: generate N fictional manufacturers, import, match.

Run: .venv/bin/python bench/bench_matching.py --count 100000
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from generate_register import generate_rows, write_csv  # noqa: E402

from bot.register.matching import Requirements, match  # noqa: E402
from bot.register.store import RegisterStore  # noqa: E402

QUERIES = [
    Requirements(processes=["cnc_machining", "sheet_metal"], material="aluminium", tolerance_mm=0.05,
                 annual_volume=500, region="Jönköping"),
    Requirements(processes=["injection_moulding"], material="plastic", tolerance_mm=0.1,
                 annual_volume=20000, certifications=["iso_9001"]),
    Requirements(processes=["fdm", "sla", "sls"], material="polyamide", annual_volume=20),
    Requirements(processes=["die_casting"], material="aluminium", tolerance_mm=0.01,
                 annual_volume=60000, certifications=["iatf_16949"], region="Norrbotten"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = RegisterStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        buffer = io.StringIO()
        t0 = time.perf_counter()
        write_csv(generate_rows(args.count), buffer)
        t1 = time.perf_counter()
        report = store.import_csv(buffer.getvalue())
        t2 = time.perf_counter()
        assert report.ok, report.errors[:3]
        print(f"{args.count} manufacturers: generate {t1 - t0:.1f} s, import {t2 - t1:.1f} s (SQLite)")
        for query in QUERIES:
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                result = match(store, query, lang="en")
                timings.append((time.perf_counter() - start) * 1000)
            print(f"- {'+'.join(query.processes)}: {result.total} matches, "
                  f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms")


if __name__ == "__main__":
    main()
