#!/usr/bin/env python
"""Write a FICTIONAL sample capacity register as CSV (the format bot/register imports).

    python scripts/generate_register.py --count 300 --seed 20261127 \
        --out data/register/manufacturers_sample.csv
    python scripts/generate_register.py --count 100000 --out var/register_100k.csv   # benchmarks

Every firm is invented: names are made-up place names + trade + the firm's number, contacts use
the reserved .example domain, and every row has sample_data=true. What is realistic is the shape:
firms spread over the 21 län with most in the big subcontracting regions (Västra Götaland,
Jönköping/Gnosjö, Skåne, Stockholm, Östergötland), mostly small, each with a plausible process
cluster, materials those processes can work (bot.vocabulary.PROCESS_MATERIALS) and best
tolerances, batch ranges and lead times within the ranges of DESIGN.md section 5.
The same --seed (and --as-of) always gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.register.validation import CSV_COLUMNS  # noqa: E402
from bot.vocabulary import CERTIFICATIONS, COUNTIES, PROCESS_MATERIALS  # noqa: E402

DEFAULT_SEED = 20261127
DEFAULT_AS_OF = date(2026, 11, 20)  # fixed, so that a seed gives the same file on any day
FRESHNESS_DAYS = 150  # free capacity was stated up to this long before --as-of

# Relative number of firms per län: the five subcontracting regions hold about 60 %.
COUNTY_WEIGHTS = {
    "Stockholm": 10,
    "Uppsala": 2.5,
    "Södermanland": 3,
    "Östergötland": 8,
    "Jönköping": 13,
    "Kronoberg": 3,
    "Kalmar": 3,
    "Gotland": 0.6,
    "Blekinge": 2,
    "Skåne": 12,
    "Halland": 3.5,
    "Västra Götaland": 20,
    "Värmland": 2.5,
    "Örebro": 3,
    "Västmanland": 3,
    "Dalarna": 2.5,
    "Gävleborg": 2.5,
    "Västernorrland": 2,
    "Jämtland": 1,
    "Västerbotten": 2,
    "Norrbotten": 2,
}
BIG_REGIONS = ("Västra Götaland", "Jönköping", "Skåne", "Stockholm", "Östergötland")
AUTOMOTIVE_REGIONS = ("Västra Götaland", "Jönköping")
AEROSPACE_REGIONS = ("Östergötland", "Västra Götaland")  # Linköping, Trollhättan

# Real municipalities of each län (a few per län; the first, the largest, twice as likely).
MUNICIPALITIES = {
    "Stockholm": (
        "Stockholm",
        "Södertälje",
        "Huddinge",
        "Järfälla",
        "Norrtälje",
        "Haninge",
        "Upplands Väsby",
    ),
    "Uppsala": ("Uppsala", "Enköping", "Östhammar", "Tierp", "Knivsta", "Heby"),
    "Södermanland": ("Eskilstuna", "Nyköping", "Katrineholm", "Strängnäs", "Flen", "Oxelösund"),
    "Östergötland": ("Linköping", "Norrköping", "Motala", "Mjölby", "Finspång", "Åtvidaberg"),
    "Jönköping": (
        "Jönköping",
        "Gnosjö",
        "Gislaved",
        "Värnamo",
        "Vaggeryd",
        "Nässjö",
        "Tranås",
        "Vetlanda",
    ),
    "Kronoberg": ("Växjö", "Ljungby", "Älmhult", "Alvesta", "Markaryd"),
    "Kalmar": ("Kalmar", "Västervik", "Oskarshamn", "Nybro", "Emmaboda", "Vimmerby"),
    "Gotland": ("Gotland",),
    "Blekinge": ("Karlskrona", "Karlshamn", "Ronneby", "Olofström", "Sölvesborg"),
    "Skåne": (
        "Malmö",
        "Helsingborg",
        "Lund",
        "Kristianstad",
        "Landskrona",
        "Hässleholm",
        "Ängelholm",
        "Trelleborg",
    ),
    "Halland": ("Halmstad", "Varberg", "Kungsbacka", "Falkenberg", "Laholm", "Hylte"),
    "Västra Götaland": (
        "Göteborg",
        "Borås",
        "Trollhättan",
        "Skövde",
        "Uddevalla",
        "Alingsås",
        "Lidköping",
        "Ulricehamn",
        "Mölndal",
        "Falköping",
    ),
    "Värmland": ("Karlstad", "Kristinehamn", "Arvika", "Säffle", "Hagfors", "Filipstad"),
    "Örebro": ("Örebro", "Karlskoga", "Kumla", "Lindesberg", "Hallsberg", "Degerfors"),
    "Västmanland": ("Västerås", "Köping", "Sala", "Fagersta", "Arboga", "Hallstahammar"),
    "Dalarna": ("Falun", "Borlänge", "Avesta", "Ludvika", "Mora", "Hedemora"),
    "Gävleborg": ("Gävle", "Sandviken", "Hudiksvall", "Bollnäs", "Söderhamn", "Hofors"),
    "Västernorrland": ("Sundsvall", "Örnsköldsvik", "Härnösand", "Kramfors", "Timrå", "Sollefteå"),
    "Jämtland": ("Östersund", "Krokom", "Strömsund", "Åre", "Berg"),
    "Västerbotten": ("Umeå", "Skellefteå", "Lycksele", "Vännäs", "Robertsfors"),
    "Norrbotten": ("Luleå", "Piteå", "Boden", "Kiruna", "Gällivare", "Kalix"),
}

# Best tolerance a firm states for a process (mm), drawn from these "round" values within the
# DESIGN.md range of the process.
TOLERANCE_RANGES = {
    "cnc_machining": (0.01, 0.13),
    "sheet_metal": (0.1, 0.5),
    "stamping": (0.05, 0.15),
    "injection_moulding": (0.05, 0.15),
    "urethane_casting": (0.1, 0.3),
    "fdm": (0.1, 0.3),
    "sla": (0.05, 0.1),
    "sls": (0.2, 0.3),
    "mjf": (0.2, 0.3),
    "metal_3d_printing": (0.05, 0.1),
    "die_casting": (0.05, 0.25),
    "sand_casting": (0.5, 1.0),
    "investment_casting": (0.08, 0.3),
    "aluminium_extrusion": (0.2, 0.3),
    "pcb_assembly": (0.1, 0.1),
    "welding_assembly": (0.5, 2.0),
}
ROUND_TOLERANCES = (
    0.01, 0.013, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.13, 0.15,
    0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0,
)  # fmt: skip

# Batch range of a firm, from its main process: ((min low, min high), (max low, max high)).
# Hard tooling means big minimum batches; printing and casting in silicone stay small.
BATCH_RANGES = {
    "cnc_machining": ((1, 10), (200, 5000)),
    "sheet_metal": ((1, 10), (500, 10000)),
    "stamping": ((1000, 10000), (50000, 500000)),
    "injection_moulding": ((100, 2000), (10000, 200000)),
    "urethane_casting": ((1, 10), (100, 500)),
    "fdm": ((1, 1), (100, 1000)),
    "sla": ((1, 1), (100, 1000)),
    "sls": ((1, 1), (200, 2000)),
    "mjf": ((1, 1), (300, 3000)),
    "metal_3d_printing": ((1, 1), (50, 500)),
    "die_casting": ((1000, 5000), (50000, 300000)),
    "sand_casting": ((1, 20), (500, 5000)),
    "investment_casting": ((10, 200), (2000, 50000)),
    "aluminium_extrusion": ((200, 2000), (20000, 200000)),
    "pcb_assembly": ((1, 10), (500, 20000)),
    "welding_assembly": ((1, 5), (200, 5000)),
}
LEAD_TIME_WEEKS = {
    "cnc_machining": (1, 3),
    "sheet_metal": (1, 2),
    "stamping": (5, 9),
    "injection_moulding": (3, 10),
    "urethane_casting": (1, 2),
    "fdm": (1, 2),
    "sla": (1, 2),
    "sls": (1, 2),
    "mjf": (1, 2),
    "metal_3d_printing": (1, 3),
    "die_casting": (8, 17),
    "sand_casting": (3, 5),
    "investment_casting": (4, 10),
    "aluminium_extrusion": (2, 4),
    "pcb_assembly": (1, 3),
    "welding_assembly": (1, 4),
}
# Odds that a firm offering a process works each material (all within PROCESS_MATERIALS).
MATERIAL_ODDS = {
    "cnc_machining": {"aluminium": 0.9, "steel": 0.8, "stainless_steel": 0.55, "brass": 0.3, "copper": 0.15, "titanium": 0.08, "pom": 0.3, "polyamide": 0.2, "abs": 0.1, "polycarbonate": 0.1},
    "sheet_metal": {"steel": 0.95, "aluminium": 0.7, "stainless_steel": 0.6, "copper": 0.1, "brass": 0.1},
    "stamping": {"steel": 0.95, "aluminium": 0.5, "stainless_steel": 0.4, "copper": 0.2, "brass": 0.2},
    "injection_moulding": {"polypropylene": 0.8, "abs": 0.7, "polyamide": 0.6, "polycarbonate": 0.5, "pom": 0.5, "silicone": 0.1},
    "urethane_casting": {"polyurethane": 1.0, "silicone": 0.5},
    "fdm": {"pla": 0.9, "petg": 0.8, "abs": 0.6, "polyamide": 0.3, "polycarbonate": 0.2, "carbon_fibre": 0.2},
    "sla": {"photopolymer_resin": 1.0},
    "sls": {"polyamide": 1.0, "polypropylene": 0.3},
    "mjf": {"polyamide": 1.0, "polypropylene": 0.4},
    "metal_3d_printing": {"stainless_steel": 0.8, "aluminium": 0.6, "titanium": 0.5},
    "die_casting": {"aluminium": 0.9, "zinc": 0.4},
    "sand_casting": {"aluminium": 0.6, "steel": 0.3, "brass": 0.3, "copper": 0.2},
    "investment_casting": {"stainless_steel": 0.7, "steel": 0.5, "aluminium": 0.4, "titanium": 0.1, "brass": 0.1},
    "aluminium_extrusion": {"aluminium": 1.0},
    "pcb_assembly": {"fr4": 1.0},
    "welding_assembly": {"steel": 0.95, "stainless_steel": 0.6, "aluminium": 0.5},
}  # fmt: skip


@dataclass(frozen=True)
class Cluster:
    """A kind of firm: its main process(es), what else it often does, and its trade name."""

    weight: float
    main: tuple[str, ...]  # the firm offers `picks` of these
    extras: dict[str, float] = field(default_factory=dict)  # other processes and their odds
    picks: tuple[int, int] = (1, 1)
    trades: tuple[str, ...] = ()
    automotive: bool = False  # may hold IATF 16949 in the automotive regions
    medical_odds: float = 0.02  # ISO 13485


CLUSTERS = {
    "machine_shop": Cluster(0.30, ("cnc_machining",), {"welding_assembly": 0.55, "sheet_metal": 0.15},
                            trades=("Mekaniska", "Mekaniska Verkstad", "Precision", "Maskinbearbetning"),
                            automotive=True, medical_odds=0.06),
    "sheet_metal_shop": Cluster(0.22, ("sheet_metal",), {"welding_assembly": 0.8, "stamping": 0.2, "cnc_machining": 0.2},
                                trades=("Plåt", "Plåtslageri", "Plåtteknik", "Laser & Plåt"), automotive=True),
    "plastics": Cluster(0.12, ("injection_moulding",), {"urethane_casting": 0.3, "cnc_machining": 0.1},
                        trades=("Plast", "Plastteknik", "Formsprutning"), automotive=True, medical_odds=0.08),
    "additive": Cluster(0.10, ("fdm", "sla", "sls", "mjf"), {"metal_3d_printing": 0.2, "urethane_casting": 0.2},
                        picks=(1, 3), trades=("Additiv", "3D-print", "Prototyp"), medical_odds=0.06),
    "foundry": Cluster(0.09, ("sand_casting", "investment_casting", "die_casting"), {"cnc_machining": 0.4},
                       picks=(1, 2), trades=("Gjuteri", "Metallgjuteri", "Gjuteriteknik"), automotive=True),
    "electronics": Cluster(0.09, ("pcb_assembly",), {},
                           trades=("Elektronik", "Elektronikmontage", "Kretskort"), medical_odds=0.06),
    "press_shop": Cluster(0.04, ("stamping",), {"sheet_metal": 0.5, "welding_assembly": 0.4},
                          trades=("Press", "Stans & Press", "Pressteknik"), automotive=True),
    "extrusion": Cluster(0.04, ("aluminium_extrusion",), {"cnc_machining": 0.6, "welding_assembly": 0.2},
                         trades=("Profil", "Aluprofil", "Strängpress"), automotive=True),
}  # fmt: skip

# Invented place names: a first part and an ending ("Lövdal", "Bergvik", "Eknäs").
NAME_STARTS = ("Berg", "Löv", "Nord", "Sjö", "Ek", "Björk", "Gran", "Lind", "Al", "Hag", "Ås",
               "Sten", "Myr", "Fors", "Ängs", "Tall", "Rönn", "Hassel", "Vass", "Ler")  # fmt: skip
NAME_ENDS = ("dal", "vik", "ås", "berg", "holm", "näs", "torp", "by", "mo", "hult", "lunda",
             "bäck", "åker", "sund")  # fmt: skip
# (odds for a small, medium and large firm); most firms are small
SIZES = {"small": (0.75, 1.0), "medium": (0.2, 3.0), "large": (0.05, 8.0)}
ISO_9001_ODDS = {"small": 0.55, "medium": 0.85, "large": 0.95}
ISO_14001_ODDS = {"small": 0.15, "medium": 0.45, "large": 0.8}


def _check_tables() -> None:
    """The tables above must stay within the shared vocabulary."""
    for process, odds in MATERIAL_ODDS.items():
        assert set(odds) <= set(PROCESS_MATERIALS[process]), process
    assert set(MUNICIPALITIES) == set(COUNTIES) == set(COUNTY_WEIGHTS)
    assert (
        set(TOLERANCE_RANGES) == set(BATCH_RANGES) == set(LEAD_TIME_WEEKS) == set(PROCESS_MATERIALS)
    )


def _round(value: float) -> int:
    """Two significant digits: 3742 -> 3700, as firms state capacities."""
    if value < 10:
        return max(1, round(value))
    magnitude = 10 ** (int(math.log10(value)) - 1)
    return int(round(value / magnitude) * magnitude)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


class _Firm:
    """Draws one firm; the order of rng calls is fixed, so a seed gives the same file."""

    def __init__(self, rng: random.Random, number: int, county: str, as_of: date):
        self.rng = rng
        self.number = number
        self.county = county
        self.as_of = as_of
        names = list(CLUSTERS)
        self.cluster_name = rng.choices(names, weights=[CLUSTERS[n].weight for n in names])[0]
        self.cluster = CLUSTERS[self.cluster_name]
        self.size = rng.choices(list(SIZES), weights=[s[0] for s in SIZES.values()])[0]
        self.processes = self._processes()

    def _processes(self) -> list[str]:
        cluster = self.cluster
        main = self.rng.sample(cluster.main, self.rng.randint(*cluster.picks))
        extras = [p for p, odds in cluster.extras.items() if self.rng.random() < odds]
        return main + [p for p in extras if p not in main]

    def _materials(self) -> list[str]:
        """Materials of the main process; a side process (a foundry's machining, a machine
        shop's welding) works what the firm already has where it can."""
        chosen: list[str] = []
        for process in self.processes:
            odds = MATERIAL_ODDS[process]
            shared = [m for m in chosen if m in odds]
            picked = shared or [m for m, p in odds.items() if self.rng.random() < p]
            for material in picked or [max(odds, key=odds.get)]:
                if material not in chosen:
                    chosen.append(material)
        return chosen

    def _tolerance(self, process: str) -> float:
        low, high = TOLERANCE_RANGES[process]
        return self.rng.choice([t for t in ROUND_TOLERANCES if low <= t <= high])

    def _certifications(self) -> list[str]:
        rng, size, cluster = self.rng, self.size, self.cluster
        held = set()
        if rng.random() < ISO_9001_ODDS[size]:
            held.add("iso_9001")
        if rng.random() < ISO_14001_ODDS[size]:
            held.add("iso_14001")
        if rng.random() < cluster.medical_odds:
            held.add("iso_13485")
        if cluster.automotive and self.county in AUTOMOTIVE_REGIONS:
            if rng.random() < (0.18 if size == "small" else 0.4):
                held.add("iatf_16949")
        metal_precision = self.cluster_name in ("machine_shop", "foundry")
        if metal_precision and rng.random() < (0.08 if self.county in AEROSPACE_REGIONS else 0.01):
            held.add("en_9100")
        if "welding_assembly" in self.processes:
            if rng.random() < 0.4:
                held.add("en_1090")
            if rng.random() < 0.35:
                held.add("iso_3834")
        if held & {"iatf_16949", "en_9100"}:
            held.add("iso_9001")  # both build on an ISO 9001 quality system
        return [c for c in CERTIFICATIONS if c in held]

    def row(self) -> dict[str, str]:
        rng = self.rng
        ident = f"m-{self.number:05d}"
        trade = rng.choice(self.cluster.trades)
        place = rng.choice(NAME_STARTS) + rng.choice(NAME_ENDS)
        municipalities = MUNICIPALITIES[self.county]
        municipality = rng.choice(municipalities[:1] + municipalities)
        materials = self._materials()
        tolerances = {p: self._tolerance(p) for p in self.processes}
        main = self.processes[0]
        (min_low, min_high), (max_low, max_high) = BATCH_RANGES[main]
        batch_min = _round(_log_uniform(rng, min_low, min_high))
        batch_max = max(batch_min, _round(_log_uniform(rng, max_low, max_high)))
        batches_a_year = rng.uniform(3, 12) * SIZES[self.size][1]
        capacity = max(batch_max, _round(batch_max * batches_a_year))
        share = round(min(rng.betavariate(2, 5) * 0.8, 0.8) / 0.05) * 0.05
        stated = self.as_of - timedelta(days=rng.randint(0, FRESHNESS_DAYS))
        lead_time = rng.randint(*LEAD_TIME_WEEKS[main])
        contact = (
            f"kontakt@{ident}.example" if rng.random() < 0.85 else f"https://www.{ident}.example"
        )
        return {
            "id": ident,
            # Swedish genitive: no extra s after s ("Eknäs Plåt", "Lövdals Plåt")
            "name": f"{place if place.endswith('s') else place + 's'} {trade} {self.number}",
            "county": self.county,
            "municipality": municipality,
            "processes": ";".join(self.processes),
            "materials": ";".join(materials),
            "tolerances": ";".join(f"{p}:{t:g}" for p, t in tolerances.items()),
            "batch_min": str(batch_min),
            "batch_max": str(batch_max),
            "annual_capacity": str(capacity),
            "free_capacity_share": f"{share:.2f}",
            "free_capacity_date": stated.isoformat(),
            "lead_time_weeks": str(lead_time),
            "certifications": ";".join(self._certifications()),
            "contact": contact,
            "sample_data": "true",
        }


def _counties(rng: random.Random, count: int) -> list[str]:
    """Weighted län for `count` firms, with at least two in every län once count allows it."""
    guaranteed = [c for c in COUNTIES for _ in range(2)] if count >= 5 * 2 * len(COUNTIES) else []
    drawn = rng.choices(
        COUNTIES, weights=[COUNTY_WEIGHTS[c] for c in COUNTIES], k=count - len(guaranteed)
    )
    counties = guaranteed + drawn
    rng.shuffle(counties)
    return counties


def generate_rows(
    count: int, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF
) -> Iterator[dict[str, str]]:
    """`count` fictional firms, m-00001 upwards, one row dict (CSV_COLUMNS -> text) at a time."""
    _check_tables()
    rng = random.Random(seed)
    for number, county in enumerate(_counties(rng, count), start=1):
        yield _Firm(rng, number, county, as_of).row()


def write_csv(rows: Iterator[dict[str, str]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="number of firms (default 300)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=DEFAULT_AS_OF,
        help="the date free capacity is stated up to (YYYY-MM-DD)",
    )
    parser.add_argument("--out", default="-", help="CSV file to write, '-' for stdout")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    rows = generate_rows(args.count, args.seed, args.as_of)
    if args.out == "-":
        write_csv(rows, sys.stdout)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            written = write_csv(rows, out)
        print(f"wrote {written} fictional manufacturers to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
