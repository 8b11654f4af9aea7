"""Register matching at scale: generate N fictional manufacturers, import, time a query mix.

Run: .venv/bin/python bench/bench_matching.py                     # 1k, 10k, 100k; SQLite + PG
     .venv/bin/python bench/bench_matching.py --sizes 100000 --backends sqlite --repeat 20
     .venv/bin/python bench/bench_matching.py --million            # adds 1,000,000 firms

PostgreSQL (--postgres-url, default postgresql://postgres@127.0.0.1:5432/test) gets a private
schema that is dropped afterwards; if no server answers, PostgreSQL is left out with a note.
Prints a markdown table (p50/p95/p99 over --repeat timed runs per query, after --warmup).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from generate_register import generate_rows, write_csv  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from bot.db import engine_for, private_schema  # noqa: E402
from bot.recommendation import PAGE_SIZE  # noqa: E402
from bot.register.matching import Requirements, match  # noqa: E402
from bot.register.store import RegisterStore  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BROAD = {
    "processes": ["cnc_machining", "sheet_metal"],
    "material": "aluminium",
    "tolerance_mm": 0.05,
    "annual_volume": 500,
}
# (name, requirements, offset): what founders ask, from the broadest to an empty list
QUERIES = [
    ("broad: CNC + sheet metal, alu, ±0.05, 500/yr, Jönköping",
     Requirements(**BROAD, region="Jönköping"), 0),
    ("broad, no county", Requirements(**BROAD), 0),
    ("broad, show more (page 2)", Requirements(**BROAD, region="Jönköping"), PAGE_SIZE),
    ("broad + timeline 2 weeks", Requirements(**BROAD, region="Skåne", timeline_weeks=2), 0),
    ("certification: moulding, plastic, ±0.1, 20k/yr, ISO 9001",
     Requirements(["injection_moulding"], material="plastic", tolerance_mm=0.1,
                  annual_volume=20000, certifications=["iso_9001"]), 0),
    ("additive: FDM + SLA + SLS, polyamide, 20/yr",
     Requirements(["fdm", "sla", "sls"], material="polyamide", annual_volume=20), 0),
    ("narrow: CNC, titanium, ±0.02, ISO 13485, Östergötland",
     Requirements(["cnc_machining"], material="titanium", tolerance_mm=0.02, annual_volume=50,
                  certifications=["iso_13485"], region="Östergötland"), 0),
    ("none: die casting ±0.01, IATF 16949, Norrbotten",
     Requirements(["die_casting"], material="aluminium", tolerance_mm=0.01, annual_volume=60000,
                  certifications=["iatf_16949"], region="Norrbotten"), 0),
    ("none: broad at ±0.005 (relaxations)",
     Requirements(**{**BROAD, "tolerance_mm": 0.005}, region="Jönköping"), 0),
]  # fmt: skip


@contextmanager
def postgres_schema(base: str) -> Iterator[str | None]:
    """A URL in a fresh schema, dropped on exit (bot.db.private_schema); None if no server
    answers, and PostgreSQL is left out with a note."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(private_schema(base, "bench_matching"))
        except OperationalError as exc:
            print(f"note: PostgreSQL not reachable at {base}, left out ({exc.orig})", file=sys.stderr)
            url = None
        yield url


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation): p95 of 50 runs is the 48th fastest."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, -(-len(ordered) * share // 1) - 1))
    return ordered[int(index)]


def time_queries(store: RegisterStore, warmup: int, repeat: int) -> list[tuple]:
    """(query name, total, p50, p95, p99) per query, in ms. Queries are interleaved run by
    run, so that noise from other processes on the machine spreads over all of them."""
    timings: dict[str, list[float]] = {name: [] for name, _, _ in QUERIES}
    totals: dict[str, int] = {}
    for run in range(warmup + repeat):
        for name, req, offset in QUERIES:
            start = time.perf_counter()
            result = match(store, req, lang="en", limit=PAGE_SIZE, offset=offset)
            elapsed = (time.perf_counter() - start) * 1000
            if run >= warmup:
                timings[name].append(elapsed)
            totals[name] = result.total
    return [
        (name, totals[name], *(percentile(timings[name], p) for p in (0.5, 0.95, 0.99)))
        for name, _, _ in QUERIES
    ]


def bench_backend(backend: str, url: str, csv_text: str, size: int, args) -> list[tuple]:
    store = RegisterStore(url)
    start = time.perf_counter()
    report = store.import_csv(csv_text)
    imported = time.perf_counter() - start
    assert report.ok, report.errors[:3]
    print(f"{size:,} firms: import {imported:.1f} s ({backend})", file=sys.stderr, flush=True)
    rows = time_queries(store, args.warmup, args.repeat)
    store.engine.dispose()
    return [(size, backend, *row) for row in rows]


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated firm counts")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 firms (slow)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per query first")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([1_000_000] if args.million else [])
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    results = []
    for size in sizes:
        start = time.perf_counter()
        buffer = io.StringIO()
        write_csv(generate_rows(size), buffer)
        csv_text = buffer.getvalue()
        print(f"{size:,} firms: generate {time.perf_counter() - start:.1f} s", file=sys.stderr)
        if "sqlite" in backends:
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
                results += bench_backend("SQLite", url, csv_text, size, args)
                engine_for(url).dispose()
        if "postgresql" in backends:
            with postgres_schema(args.postgres_url) as url:
                if url:
                    results += bench_backend("PostgreSQL", url, csv_text, size, args)

    print(f"`{' '.join(['.venv/bin/python', 'bench/bench_matching.py', *sys.argv[1:]])}`")
    print(
        f"({date.today().isoformat()}; {machine()}; {args.repeat} runs per query after "
        f"{args.warmup} warm-up, limit {PAGE_SIZE})\n"
    )
    print("| firms | backend | query | matches | p50 ms | p95 ms | p99 ms |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for size, backend, name, total, p50, p95, p99 in results:
        print(f"| {size:,} | {backend} | {name} | {total:,} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
