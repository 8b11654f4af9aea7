"""scripts/nlu_report.py: splitting Rasa's pooled cross-validation predictions by language."""

from __future__ import annotations

import json

import pytest

from scripts.nlu_report import language_reports, predictions


def row(text: str, intent: str, predicted: str) -> dict:
    return {"text": text, "intent": intent, "intent_prediction": {"name": predicted}}


def test_each_example_is_scored_in_the_language_the_bot_detects():
    rows = [
        row("hej, vi vill tillverka en produkt", "request_advice", "request_advice"),
        row("kan du hjälpa oss med det", "request_advice", "greet"),
        row("we want to make a product", "request_advice", "request_advice"),
        row("ok", "affirm", "affirm"),
    ]
    reports = language_reports(rows)
    assert {k: v["examples"] for k, v in reports.items()} == {"sv": 2, "en": 1, None: 1}
    assert reports["sv"]["accuracy"] == 0.5
    assert reports["en"]["accuracy"] == 1.0
    # only the intents of that language count in its macro average
    assert set(reports["en"]) >= {"request_advice", "macro avg"}
    assert "affirm" not in reports["en"]
    assert reports["sv"]["request_advice"]["recall"] == pytest.approx(0.5)


def test_predictions_joins_successes_and_errors_and_tolerates_a_missing_file(tmp_path):
    (tmp_path / "intent_successes.json").write_text(json.dumps([row("hej", "greet", "greet")]))
    assert [r["text"] for r in predictions(tmp_path)] == ["hej"]
    (tmp_path / "intent_errors.json").write_text(json.dumps([row("ok", "affirm", "deny")]))
    assert [r["text"] for r in predictions(tmp_path)] == ["hej", "ok"]
