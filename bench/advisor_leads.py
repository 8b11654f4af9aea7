"""Speed of the advisors' lead list: 10,000 fictional leads with ~30 indexed messages each.

Times the list page 1 and page 150 (default sort), a filter with a sort, full-text searches
(rare word, common word, two words, a word with Swedish letters) and a full CSV-style
iteration, on a temporary SQLite file and, when reachable, on PostgreSQL (a temporary schema,
dropped afterwards). Prints a markdown table of medians.

Run: .venv/bin/python bench/advisor_leads.py [--leads 10000] [--messages 30] [--repeat 5]
     (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from bot.db import engine_for, get_engine, private_schema  # noqa: E402
from bot.leads import LeadFilter, LeadStore, leads_table  # noqa: E402
from bot.transcript_index import transcript_messages  # noqa: E402

PRODUCTS = [
    "sensor housing", "bike rack", "drone frame", "coffee grinder burr", "sensorhus",
    "cykelställ", "lamp bracket", "pump impeller", "robot gripper", "kabelgenomföring",
]
WORDS = (
    "we need about units a year with tolerance of mm in aluminium steel stainless abs "
    "polycarbonate cnc machining injection moulding sheet metal prototype pilot series "
    "vi behöver ungefär stycken per år med tolerans i stålplåt aluminium gjutning fräsning "
    "leverans veckor pris kronor styck kvalitet certifiering iso godkänd montering"
).split()
MATERIALS = ["aluminium", "steel", "stainless_steel", "abs", "polycarbonate", None]
PROCESSES = ["cnc_machining", "sheet_metal", "injection_moulding", "fdm", None]
REGIONS = ["Stockholm", "Jönköping", "Örebro", "Västra Götaland", "Skåne", None]
PATHS = ["prototype", "pilot", "full_scale", None]
RARE = "zetaflux"  # said in about one conversation in a hundred


def generate(url: str, leads: int, messages: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    engine = get_engine(url)
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    lead_rows, message_rows = [], []
    for n in range(leads):
        cid = uuid.UUID(int=rng.getrandbits(128)).hex
        created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
        last = created + timedelta(minutes=rng.randrange(1, 600))
        product = rng.choice(PRODUCTS) + f" model {n}"
        lead_rows.append(
            {
                "conversation_id": cid,
                "channel": rng.choice(["web", "web", "slack"]),
                "language": rng.choice(["sv", "en"]),
                "product": product,
                "profile": json.dumps({"product_description": product}),
                "path": rng.choice(PATHS),
                "matches": "[]",
                "match_count": rng.randrange(0, 6),
                "annual_volume": rng.choice([None, float(rng.randrange(10, 50_000))]),
                "tolerance_mm": rng.choice([None, 0.01, 0.05, 0.1, 0.5]),
                "target_unit_cost_sek": rng.choice([None, float(rng.randrange(5, 2000))]),
                "material": rng.choice(MATERIALS),
                "process": rng.choice(PROCESSES),
                "region": rng.choice(REGIONS),
                "handoff_requested": rng.random() < 0.1,
                "status": rng.choice(["new", "new", "contacted", "handed_over", "closed"]),
                "created_at": created,
                "updated_at": last,
                "last_message_at": last,
            }
        )
        for m in range(rng.randrange(messages // 2, messages * 3 // 2 + 1)):
            words = rng.choices(WORDS, k=rng.randrange(4, 25))
            if m == 0 and rng.random() < 0.01:
                words.append(RARE)
            message_rows.append(
                {
                    "conversation_id": cid,
                    "ts": created.timestamp() + m * 30,
                    "speaker": rng.choice(["founder", "bot"]),
                    "text": " ".join(words).capitalize() + ".",
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(leads_table), lead_rows)
        for start in range(0, len(message_rows), 20_000):
            conn.execute(insert(transcript_messages), message_rows[start : start + 20_000])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"{url.split(':')[0]}: {len(lead_rows)} leads, {len(message_rows)} messages", flush=True)


CASES = [
    ("list page 1 (newest first)", lambda s: s.list(LeadFilter())),
    ("list page 150 of 200", lambda s: s.list(LeadFilter(), page=150)),
    (
        "filter pilot, volume >= 1000, sorted by volume",
        lambda s: s.list(LeadFilter(path="pilot", volume_min=1000), sort="-annual_volume"),
    ),
    (
        "filter status + material substring + unassigned",
        lambda s: s.list(LeadFilter(status="new", material="alu", unassigned=True)),
    ),
    (f"search rare word '{RARE}'", lambda s: s.list(LeadFilter(q=RARE))),
    ("search common word 'aluminium'", lambda s: s.list(LeadFilter(q="aluminium"))),
    ("search two words 'sensor tolerance'", lambda s: s.list(LeadFilter(q="sensor tolerance"))),
    ("search Swedish 'STÅLPLÅT'", lambda s: s.list(LeadFilter(q="STÅLPLÅT"))),
    ("search matching nothing 'qqqq'", lambda s: s.list(LeadFilter(q="qqqq"))),
    ("export: iterate all leads", lambda s: sum(1 for _ in s.iter_leads(LeadFilter()))),
]


def measure(url: str, repeat: int) -> dict[str, tuple[float, str]]:
    store = LeadStore(url)
    results = {}
    for name, case in CASES:
        case(store)  # warm the caches
        timings = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            outcome = case(store)
            timings.append((time.perf_counter() - t0) * 1000)
        found = outcome if isinstance(outcome, int) else f"{len(outcome.items)}/{outcome.total}"
        results[name] = (statistics.median(timings), str(found))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    columns: dict[str, dict[str, tuple[float, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        generate(url, args.leads, args.messages)
        columns["SQLite"] = measure(url, args.repeat)
        engine_for(url).dispose()
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(private_schema(base, "bench_leads"))
        except OperationalError as exc:
            print(f"PostgreSQL not reachable at {base}: {exc.orig}".strip())
        else:
            generate(url, args.leads, args.messages)
            columns["PostgreSQL"] = measure(url, args.repeat)

    names = list(columns)
    print(f"\n{args.leads} leads, ~{args.messages} messages each; median of {args.repeat} runs\n")
    print("| case | " + " | ".join(f"{n} ms | {n} found" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(names))
    for case, _ in CASES:
        cells = " | ".join(f"{columns[n][case][0]:.1f} | {columns[n][case][1]}" for n in names)
        print(f"| {case} | {cells} |")


if __name__ == "__main__":
    main()
