"""Where a Tillverka message's time goes: py-spy on the running Rasa and action server while one
founder replays interviews (bench/load.py), then the share of CPU samples under each step.

Run `make run` first (with TILLVERKA_CHAT_RATE_PER_IP_MINUTE=100000000), then:
    .venv/bin/pip install py-spy==0.4.3      # a profiler, not a dependency of the service
    .venv/bin/python bench/profile_stack.py [--seconds 30] [--top 25]
Prints, per process, the share of samples under each step below, and the frames that take
most samples themselves.
py-spy needs ptrace (root, or CAP_SYS_PTRACE in a container).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import markdown, run_level  # noqa: E402

PROCESSES = {"rasa": "exec_rasa", "actions": "rasa_sdk --actions"}
# (label, frame name as py-spy prints it without the line number)
STEPS = [
    ("NLU (DIET and our extractor)", "parse_message (rasa/core/processor.py)"),
    ("policy predictions", "predict_next_with_tracker_if_should (rasa/core/processor.py)"),
    ("  of which TED", "predict_action_probabilities (rasa/core/policies/ted_policy.py)"),
    ("custom action calls (HTTP, JSON)", "_execute_custom_action (rasa/core/actions/action.py)"),
    ("  of which response validation", "_validate_action_result ("),
    ("reading the tracker", "fetch_tracker_and_update_session (rasa/core/processor.py)"),
    ("saving the tracker", "save_tracker (rasa/core/processor.py)"),
    ("  of which the event broker", "stream_events ("),
    ("action server: our actions", "run (rasa_sdk/executor.py)"),
    ("action server: strategy engine", "recommend (bot/strategy/engine.py)"),
    ("action server: register matching", "match (bot/register/matching.py)"),
]


def pid_of(pattern: str) -> int:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    pids = [int(p) for p in found.split()]
    if not pids:
        raise SystemExit(f"no process matches {pattern!r}: start `make run` first")
    return pids[0]


def samples(raw: Path) -> tuple[int, Counter, Counter]:
    """Total samples; samples per frame counted once per stack (inclusive); and per frame at
    the top of the stack (self)."""
    total, frames, tops = 0, Counter(), Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        names = [re.sub(r":\d+\)", ")", f) for f in stack.split(";")]
        total += int(count)
        tops[names[-1]] += int(count)
        for frame in set(names):
            frames[frame] += int(count)
    return total, frames, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not py_spy:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy==0.4.3")
    with tempfile.TemporaryDirectory() as tmp:
        outputs, profilers = {}, []
        for name, pattern in PROCESSES.items():
            outputs[name] = Path(tmp) / f"{name}.txt"
            argv = [py_spy, "record", "-p", str(pid_of(pattern)), "-r", "100",
                    "-d", str(args.seconds), "-f", "raw", "-o", str(outputs[name])]  # fmt: skip
            profilers.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL))
        row = asyncio.run(run_level("rest", args.rasa, 1, args.conversations))
        for profiler in profilers:
            profiler.wait()
        print(markdown([row]), end="\n\n")
        for name, raw in outputs.items():
            total, frames, tops = samples(raw)
            per_message = total * 10 / max(row["messages"], 1)  # 100 Hz: 10 ms per sample
            print(f"{name}: {total} samples, about {per_message:.0f} ms of CPU per message")
            for label, frame in STEPS:
                hits = sum(n for f, n in frames.items() if f.startswith(frame))
                if hits:
                    print(f"  {label:38} {100 * hits / total:5.1f} %")
            print("  most samples in the frame itself:")
            for frame, hits in tops.most_common(args.top):
                print(f"    {100 * hits / total:5.1f} %  {frame[:110]}")


if __name__ == "__main__":
    main()
