"""The fictional sample register: reproducible, valid, plausibly Swedish, and fast."""

from __future__ import annotations

import csv
import importlib.util
import io
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.register.csv_import import parse_csv
from bot.register.seed import SAMPLE_CSV
from bot.vocabulary import COUNTIES, PROCESS_MATERIALS

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_register.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("generate_register", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


gen = _load_script()


def generated(count: int, seed: int = gen.DEFAULT_SEED) -> str:
    out = io.StringIO()
    gen.write_csv(gen.generate_rows(count, seed), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def sample() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8"))))


def test_the_same_seed_gives_the_same_file_and_another_seed_another():
    assert generated(200) == generated(200)
    assert generated(200) != generated(200, seed=1)


def test_the_committed_sample_is_what_the_generator_makes():
    assert SAMPLE_CSV.read_text(encoding="utf-8") == generated(300)


def test_the_sample_passes_import_validation(sample):
    parsed = parse_csv(SAMPLE_CSV.read_bytes())
    assert parsed.errors == []
    assert len(parsed.manufacturers) == len(sample) == 300


def test_every_row_says_it_is_fictional(sample):
    assert {r["sample_data"] for r in sample} == {"true"}
    assert all(r["contact"].split("@")[-1].endswith(".example") for r in sample)
    assert len({r["name"] for r in sample}) == 300


def test_every_lan_has_firms_and_the_five_big_regions_most(sample):
    per_county = Counter(r["county"] for r in sample)
    assert set(per_county) == set(COUNTIES)
    assert min(per_county.values()) >= 2
    big = sum(per_county[c] for c in gen.BIG_REGIONS)
    assert big > 0.5 * len(sample)
    assert per_county.most_common(1)[0][0] == "Västra Götaland"
    for r in sample:
        assert r["municipality"] in gen.MUNICIPALITIES[r["county"]]


def test_capabilities_are_physically_plausible(sample):
    for r in sample:
        processes = r["processes"].split(";")
        workable = {m for p in processes for m in PROCESS_MATERIALS[p]}
        assert set(r["materials"].split(";")) <= workable, r["id"]
        for entry in r["tolerances"].split(";"):
            process, mm = entry.split(":")
            low, high = gen.TOLERANCE_RANGES[process]
            assert low <= float(mm) <= high, r["id"]
        main = processes[0]
        if main in ("stamping", "die_casting"):
            assert int(r["batch_min"]) >= 1000, r["id"]
        if main in ("fdm", "sla", "sls", "mjf", "metal_3d_printing"):
            assert int(r["batch_max"]) <= 3000, r["id"]
        certifications = set(r["certifications"].split(";")) - {""}
        if "iatf_16949" in certifications:
            assert r["county"] in gen.AUTOMOTIVE_REGIONS
        if certifications & {"en_1090", "iso_3834"}:
            assert "welding_assembly" in processes


def test_most_firms_are_machine_or_sheet_metal_shops_and_certifications_vary(sample):
    main = Counter(r["processes"].split(";")[0] for r in sample)
    assert main["cnc_machining"] + main["sheet_metal"] > 0.35 * len(sample)
    held = Counter(c for r in sample for c in r["certifications"].split(";") if c)
    assert held["iso_9001"] > held["iso_13485"] > 0
    assert held["iso_9001"] > 0.4 * len(sample)
    small = [r for r in sample if int(r["annual_capacity"]) <= 100000]
    assert len(small) > 0.6 * len(sample)


def test_two_thousand_rows_are_fast():
    started = time.perf_counter()
    text = generated(2000)
    assert time.perf_counter() - started < 2.0
    assert text.count("\n") == 2001


def test_the_command_line_writes_a_file(tmp_path):
    out = tmp_path / "sub" / "register.csv"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--count", "30", "--seed", "7", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 30 fictional manufacturers" in done.stderr
    assert out.read_text(encoding="utf-8") == generated(30, seed=7)
