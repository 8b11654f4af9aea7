"""Properties of the extractor that must hold for any number and any text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.nlu.numbers import parse_number
from bot.nlu.pipeline import entity_values, extract_entities

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
counts = st.integers(min_value=1, max_value=999_999)
microns = st.integers(min_value=1, max_value=999)
prices = st.integers(min_value=1, max_value=99_999)


def only(text: str, entity: str) -> float:
    values = entity_values(text, entity)
    assert len(values) == 1, (text, extract_entities(text))
    return values[0]


@FAST
@given(microns)
def test_microns_are_thousandths_of_a_mm(n):
    assert only(f"± {n} µm", "tolerance_mm") == pytest.approx(n / 1000)
    assert only(f"{n} um", "tolerance_mm") == pytest.approx(n / 1000)


@FAST
@given(counts)
def test_monthly_weekly_and_daily_counts_become_yearly(n):
    yearly = only(f"{n} st per år", "annual_volume")
    assert yearly == pytest.approx(n)
    assert only(f"{n} st per månad", "annual_volume") == pytest.approx(12 * yearly)
    assert only(f"{n} a month", "annual_volume") == pytest.approx(12 * yearly)
    assert only(f"{n} i veckan", "annual_volume") == pytest.approx(52 * yearly)
    assert only(f"{n} units a week", "annual_volume") == pytest.approx(52 * yearly)
    assert only(f"{n} per dag", "annual_volume") == pytest.approx(250 * yearly)


@FAST
@given(st.integers(min_value=1, max_value=999))
def test_k_means_thousand(n):
    assert only(f"{n}k", "number") == pytest.approx(n * 1000)
    assert only(f"{n} k st", "annual_volume") == pytest.approx(n * 1000)
    assert only(f"{n}K units", "annual_volume") == pytest.approx(n * 1000)


@FAST
@given(st.integers(min_value=1, max_value=999_999_999))
def test_thousands_separators_agree(n):
    spaced = f"{n:,}".replace(",", " ")
    assert parse_number(f"{n}") == n
    assert parse_number(spaced) == n
    assert parse_number(spaced.replace(" ", "\u00a0")) == n
    assert parse_number(f"{n:,}") == n  # English 1,000,000
    assert parse_number(f"{n:,}".replace(",", ".")) == n  # Swedish 1.000.000


@FAST
@given(prices, st.floats(min_value=0.5, max_value=50, allow_nan=False))
def test_euros_and_dollars_use_the_configured_rate(amount, rate):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TILLVERKA_SEK_PER_EUR", repr(rate))
        env.setenv("TILLVERKA_SEK_PER_USD", repr(rate * 2))
        assert only(f"€{amount} each", "target_unit_cost_sek") == pytest.approx(amount * rate)
        assert only(f"{amount} EUR", "target_unit_cost_sek") == pytest.approx(amount * rate)
        assert only(f"${amount}", "target_unit_cost_sek") == pytest.approx(amount * rate * 2)
        assert only(f"{amount} kr/st", "target_unit_cost_sek") == pytest.approx(amount)


def test_default_rates_without_environment(monkeypatch):
    monkeypatch.delenv("TILLVERKA_SEK_PER_EUR", raising=False)
    monkeypatch.delenv("TILLVERKA_SEK_PER_USD", raising=False)
    assert only("€10", "target_unit_cost_sek") == pytest.approx(115)
    assert only("$10", "target_unit_cost_sek") == pytest.approx(105)


ANY_TEXT = st.text(max_size=300)
FOUNDER_ALPHABET = st.sampled_from(
    list("0123456789 ,.-+/±:;%$€kKmMxX") + ["st", "kr", "mm", "µm", "per", "år", "a", "month",
    "tusen", "en", "ett", "hundra", "fem", "two", "thousand", "tolerans", "±", "och", "and",
    "between", "mellan", "inom", "veckor", "gånger", "ISO", "9001", "PC", "plast", "Skåne", "\u00a0"]
)  # fmt: skip
FOUNDERISH = st.lists(FOUNDER_ALPHABET, max_size=40).map("".join)


def check_entities(text: str) -> None:
    entities = extract_entities(text)
    for entity in entities:
        assert set(entity) >= {"entity", "value", "start", "end", "text"}
        assert 0 <= entity["start"] < entity["end"] <= len(text)
        assert text[entity["start"] : entity["end"]] == entity["text"]
    assert [e["start"] for e in entities] == sorted(e["start"] for e in entities)


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT)
def test_any_text_never_raises_and_offsets_slice_the_text(text):
    check_entities(text)


@settings(max_examples=250, deadline=None)
@given(FOUNDERISH)
def test_number_soup_never_raises_and_offsets_slice_the_text(text):
    check_entities(text)


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 500 st",  # a lone surrogate
        "0" * 5000,
        "1," * 3000,
        "femfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfemfem",
        "tvåtusenfemhundratjugotretusenfemhundramiljonermiljarder" * 3,
        "- - - -500 -- ± ± ±",
        "x" * 20_000 + " 500 st",
        "9" * 400 + " st",
    ],
)
def test_nasty_inputs(text):
    check_entities(text)


def test_ten_kilobytes_of_junk_is_fast():
    import random
    import time

    rng = random.Random(7)
    junk = "".join(rng.choice("abc 0123456789,.-±€$kst/år\n") for _ in range(10_000))
    extract_entities("500 st")  # the matchers are built once, when the model loads: not timed
    started = time.perf_counter()
    check_entities(junk)
    assert time.perf_counter() - started < 1.0


def test_a_normal_message_takes_about_a_millisecond():
    import time

    text = "vi behöver 1000 st, ±0,05 mm, 250 kr/st, rostfritt, inom 6 veckor, Göteborg"
    extract_entities(text)
    started = time.perf_counter()
    for _ in range(50):
        extract_entities(text)
    assert (time.perf_counter() - started) / 50 < 0.005  # generous for a loaded CI machine
