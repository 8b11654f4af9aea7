"""The whole stack side by side in one run, so the ratios hold on a noisy machine:

  bare        Rasa alone on the `rasa init` model (the baseline), REST channel
  embedded    Tillverka as `make run` starts it (SQLite, no Redis): through the web app, and REST
  cluster-1   Tillverka on PostgreSQL + Redis, 1 instance of each server behind nginx (`make cluster`)
  cluster-2   the same with 2 instances

For each: per-message latency p50/p95/p99 and throughput at each concurrency (bench/load.py),
and the resident memory of every process at rest and at its peak under load (from /proc).

Each concurrency runs twice over: founders sending their next message as soon as the reply is
in (saturation: throughput, and latency as queueing makes it), and, at --think-levels, founders
pausing 2-8 s before each message as a quick founder clicking buttons would (latency at a
realistic load).

Run:  .venv/bin/python bench/full_stack.py [--concurrency 1,10,50,200] [--only bare,embedded]
Needs the trained model (make train), nginx, and PostgreSQL/Redis on 127.0.0.1 for the cluster.
Uses ports 5105/8100 (bare, embedded web) and the cluster's defaults shifted to 52xx/81xx; the
embedded stack uses make run's fixed Rasa/actions ports 5005/5055, so stop `make run` first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import markdown, run_level, seconds_range  # noqa: E402

PY = sys.executable
RASA = str(Path(PY).with_name("rasa"))
BARE_DIR = ROOT / "var" / "bench" / "rasa-init"
START_TIMEOUT_S = 300
BENCH_DB = "tillverka_bench"
BENCH_REDIS = "redis://127.0.0.1:6379/13"
WARM_UP_INTERVIEWS = 4
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # one address sends every founder's messages here
    "TILLVERKA_CHAT_RATE_PER_IP_MINUTE": "100000000",
    "TILLVERKA_CHAT_RATE_PER_MINUTE": "100000000",
}


def wait_for(url: str, proc: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def start(argv: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, cwd=cwd, env={**os.environ, **QUIET_ENV, **env}, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


# ---- memory of the process tree, by role


def _role(cmdline: str) -> str | None:
    if "nginx" in cmdline:
        return "nginx"
    if "rasa_sdk" in cmdline:
        return "actions"
    if "bot.web" in cmdline:
        return "web"
    if (
        "exec_rasa" in cmdline
        or "bot.cluster rasa" in cmdline
        or " run" in cmdline
        and "rasa" in cmdline
    ):
        return "rasa"
    return None


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_by_role(root: int) -> dict[str, list[float]]:
    """RSS in MB of each server process under `root`, by role."""
    roles: dict[str, list[float]] = {}
    for pid in _tree(root):
        try:
            cmdline = (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        role = _role(cmdline)
        rss = next(
            (line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), None
        )
        if role and rss:
            roles.setdefault(role, []).append(round(int(rss) / 1024, 1))
    return roles


class PeakMemory:
    """Samples the tree's memory every half second while load runs; keeps each role's peak."""

    def __init__(self, root: int) -> None:
        self.root, self.peak, self._stop = root, {}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for role, values in memory_by_role(self.root).items():
                self.peak[role] = max(self.peak.get(role, 0.0), max(values))


# ---- the configurations


def ensure_bare_project() -> Path:
    if not list((BARE_DIR / "models").glob("*.tar.gz")):
        BARE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [RASA, "init", "--no-prompt", "--init-dir", str(BARE_DIR)],
            cwd=BARE_DIR, env={**os.environ, **QUIET_ENV}, check=True,
        )  # fmt: skip
    return BARE_DIR


def configurations(tmp: Path, only: set[str]) -> list[tuple[str, list[str], dict, Path, str, list]]:
    """(name, argv, env, cwd, health urls (every server ready), [(target, base url)])"""
    out = []
    if "bare" in only:
        project = ensure_bare_project()
        argv = [RASA, "run", "--enable-api", "-i", "127.0.0.1", "-p", "5105", "--model", "models"]
        out.append(("bare", argv, {}, project, ["http://127.0.0.1:5105/"],
                     [("bare", "http://127.0.0.1:5105")]))  # fmt: skip
    if "embedded" in only:
        env = {"TILLVERKA_WEB_PORT": "8100", "DATABASE_URL": f"sqlite:///{tmp / 'embedded.db'}",
               "TILLVERKA_VAR_DIR": str(tmp / "var-embedded"), "REDIS_URL": ""}  # fmt: skip
        health = ["http://127.0.0.1:8100/health", "http://127.0.0.1:5005/"]
        out.append(("embedded", [PY, "-m", "bot.runner"], env, ROOT, health,
                    [("web", "http://127.0.0.1:8100"), ("rest", "http://127.0.0.1:5005")]))  # fmt: skip
    for n in (1, 2):
        if f"cluster-{n}" in only:
            env = {
                "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}",
                "REDIS_URL": BENCH_REDIS,
                "TILLVERKA_WEB_PORT": "8200",
                "TILLVERKA_VAR_DIR": str(tmp / f"var-cluster-{n}"),
            }
            argv = [PY, "-m", "bot.cluster", "--instances", str(n), "--rasa-port", "5205",
                    "--actions-port", "5255", "--web-port", "8201"]  # fmt: skip
            health = ["http://127.0.0.1:8200/healthz"]
            health += [f"http://127.0.0.1:{5205 + i}/" for i in range(n)]
            out.append((f"cluster-{n}", argv, env, ROOT, health,
                        [("web", "http://127.0.0.1:8200")]))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", default="1,10,50,200")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="bare,embedded,cluster-1,cluster-2")
    parser.add_argument("--think", type=seconds_range, default=(2.0, 8.0),
                        help="MIN,MAX seconds founders pause at --think-levels")  # fmt: skip
    parser.add_argument("--think-levels", default="50",
                        help="concurrencies also run with founders pausing (realistic latency)")  # fmt: skip
    args = parser.parse_args()
    levels = [(int(c), None) for c in args.concurrency.split(",") if c]
    levels += [(int(c), args.think) for c in args.think_levels.split(",") if c]
    rows, memory = [], []
    with tempfile.TemporaryDirectory(prefix="tillverka-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for name, argv, env, cwd, health, targets in configurations(tmp, set(args.only.split(","))):
            proc = start(argv, env, cwd, tmp / f"{name}.log")
            try:
                for url in health:
                    wait_for(url, proc)
                time.sleep(5)  # let start-up work settle before measuring "at rest"
                at_rest = memory_by_role(proc.pid)
                with PeakMemory(proc.pid) as peak:
                    for target, base in targets:
                        # untimed: the first messages trace TensorFlow functions, fill caches
                        asyncio.run(run_level(target, base, 2, WARM_UP_INTERVIEWS))
                        for level, think in levels:
                            conversations = max(level * args.rounds, 10)
                            row = asyncio.run(run_level(target, base, level, conversations, think))
                            row["target"] = f"{name} {target}"
                            rows.append(row)
                            print(markdown([row]).splitlines()[-1], flush=True)
                memory.append((name, at_rest, peak.peak))
            finally:
                stop(proc)
    print()
    print(markdown(rows))
    print()
    print("| configuration | process | RSS at rest MB (each) | peak under load MB |")
    print("|---|---|---|---:|")
    for name, at_rest, peak in memory:
        for role in sorted(at_rest):
            print(
                f"| {name} | {role} | {', '.join(map(str, at_rest[role]))} | {peak.get(role, '')} |"
            )


if __name__ == "__main__":
    main()
