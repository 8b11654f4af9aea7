"""The held-out set stays held out: none of its texts may appear in training data or tests.

bench/heldout/ was written by a writer who had not seen data/, bot/ or domain/ (SPEC.md there).
A founder's words copied into training would make bench_interview's numbers meaningless.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# bench/seen/ holds cases that led to a fix (or came from the issue itself): those may be anywhere
HELD_OUT = sorted((ROOT / "bench" / "heldout").glob("*.yml"))
TRAINING = [*sorted((ROOT / "data").rglob("*.yml")), *sorted((ROOT / "tests").rglob("*.py"))]
MIN_CHARS = 25  # shorter answers ("ISO 9001", "ja") are said by everyone


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _texts(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("id", "language", "expected", "expected_path", "slot", "lang"):
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def held_out_texts() -> set[str]:
    found = set()
    for path in HELD_OUT:
        for text in _texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if len(text) >= MIN_CHARS:
                found.add(_norm(text))
    return found


@pytest.mark.skipif(not HELD_OUT, reason="no held-out set in this checkout")
def test_no_held_out_text_is_in_training_data_or_tests():
    texts = held_out_texts()
    assert len(texts) > 300
    leaks = []
    for path in TRAINING:
        content = _norm(path.read_text(encoding="utf-8"))
        leaks += [(path.relative_to(ROOT), t[:60]) for t in texts if t in content]
    assert leaks == []
