"""The entity gold set (data/nlu_gold/entities.yml) and its scoring (bench/bench_entities.py)."""

from __future__ import annotations

import pytest

from bench.bench_entities import (
    ENTITIES,
    GOLD,
    LANGUAGES,
    ROOT,
    GoldMessage,
    entity_table,
    load_gold,
    score,
)
from bot import config

# Well below today's scores (docs/benchmarks.md): a floor against a broken extractor or gold
# file, not a target.
F1_FLOOR = 0.85


@pytest.fixture(scope="module")
def gold() -> list[GoldMessage]:
    return load_gold()


def test_gold_file_parses_with_both_languages_and_every_entity(gold):
    assert len(gold) >= 40
    for language in LANGUAGES:
        messages = [m for m in gold if m.language == language]
        for entity in ENTITIES:
            assert any(m.expected[entity] for m in messages), (language, entity)
        # numbers that are not volumes, tolerances or prices ("version 2", sizes, budgets)
        assert any(not any(m.expected.values()) for m in messages), language


def test_gold_file_is_not_training_data():
    # Rasa trains on every file under data/nlu
    assert ROOT / "data" / "nlu" not in GOLD.parents


def test_gold_prices_in_euro_use_the_bots_rate(gold):
    message = next(m for m in gold if m.text == "target price €10 per unit")
    assert message.expected["target_unit_cost_sek"] == (pytest.approx(10 * config.sek_per_eur()),)


@pytest.mark.parametrize("entity", ENTITIES)
def test_extractor_f1_is_above_the_floor(gold, entity):
    result = score(gold)[(entity, None)]
    assert result.f1 >= F1_FLOOR, result.misses


def test_table_has_a_row_per_entity(gold):
    rows = [line for line in entity_table(gold) if line.startswith("| ")]
    assert [r.split(" | ")[0][2:] for r in rows[1:]] == list(ENTITIES)


def message(text: str, language: str = "sv", **expected) -> GoldMessage:
    values = {e: tuple(expected.get(e, ())) for e in ENTITIES}
    return GoldMessage(text, language, values)


def test_a_value_within_one_percent_is_correct():
    # 20 a week is 1040 a year; 1035 is within 1 %, 1000 is not
    close = score([message("20 i veckan", annual_volume=[1035])])[("annual_volume", None)]
    far = score([message("20 i veckan", annual_volume=[1000])])[("annual_volume", None)]
    assert (close.tp, close.fp, close.fn) == (1, 0, 0)
    assert (far.tp, far.fp, far.fn) == (0, 1, 1)


def test_a_number_that_is_no_volume_is_a_false_positive_when_read_as_one():
    result = score([message("500 st"), message("version 2 av kretskortet")])
    assert (result[("annual_volume", "sv")].fp, result[("annual_volume", "en")].fp) == (1, 0)
    assert result[("annual_volume", None)].f1 == 0.0


def test_scores_are_kept_per_language():
    result = score([message("500 st", annual_volume=[500]), message("500 pcs", "en")])
    assert result[("annual_volume", "sv")].f1 == 1.0
    assert result[("annual_volume", "en")].fp == 1


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("- {lang: sv}", "needs a 'text'"),
        ("- {text: 500 st, lang: de}", "'lang' must be one of"),
        ("- {text: 500 st, lang: sv, volume: 500}", "unknown keys ['volume']"),
        ("- {text: 500 st, lang: sv, annual_volume: many}", "neither a number nor"),
        ("- {text: '€10', lang: en, target_unit_cost_sek: 10 GBP}", "neither a number nor"),
        ("- {text: 500 st, lang: sv, annual_volume: true}", "is not a number"),
    ],
)
def test_a_malformed_gold_entry_is_named(tmp_path, entry, complaint):
    path = tmp_path / "entities.yml"
    path.write_text("messages:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="message 1") as error:
        load_gold(path)
    assert complaint in str(error.value)


@pytest.mark.parametrize("content", ["", "- text: hej", "messages: hej"])
def test_a_gold_file_without_a_message_list_is_refused(tmp_path, content):
    path = tmp_path / "entities.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="'messages' list"):
        load_gold(path)
