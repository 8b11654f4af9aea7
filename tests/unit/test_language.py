"""Which language a founder writes in, and explicit requests to switch."""

from __future__ import annotations

import pytest

from bot.nlu.language import detect_language
from bot.nlu.pipeline import extract_entities


@pytest.mark.parametrize(
    "text",
    [
        "Hej! Vi har en prototyp och behöver hjälp med tillverkning",
        "Vi vill göra ungefär 500 st per år",
        "det är inte så viktigt",
        "tack så mycket",
        "ja tack",
        "Jag vet inte riktigt",
        "vi need 500 pcs per år",
    ],
)
def test_swedish(text):
    assert detect_language(text) == "sv"


@pytest.mark.parametrize(
    "text",
    [
        "Hi! We have a prototype and need help with manufacturing",
        "We want to make about 500 units a year",
        "it is not that important",
        "thank you",
        "yes please",
        "I don't really know",
        "We are based in Malmö and Göteborg",
    ],
)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("word", ["ja", "nej", "tack", "hej", "Hej!", "Tack."])
def test_single_swedish_words_that_tell(word):
    assert detect_language(word) == "sv"


@pytest.mark.parametrize("word", ["yes", "no", "thanks", "hi", "Hello!", "Yes."])
def test_single_english_words_that_tell(word):
    assert detect_language(word) == "en"


@pytest.mark.parametrize(
    "text",
    ["", "500", "CNC", "ok", "aluminium", "Malmö", "PCB 500 st", "ISO 9001", "ja yes",
     "🙂", "±0,05 mm", "the", "och", "med"],
)  # fmt: skip
def test_short_or_mixed_answers_say_nothing(text):
    assert detect_language(text) is None


def _languages(text: str) -> list[tuple[str, str]]:
    return [
        (e["value"], e.get("role")) for e in extract_entities(text) if e["entity"] == "language"
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("in English please", "en"),
        ("Can we speak English?", "en"),
        ("english please", "en"),
        ("English", "en"),
        ("kan vi ta det på engelska", "en"),
        ("på svenska", "sv"),
        ("svenska tack", "sv"),
        ("kan vi ta det på svenska?", "sv"),
        ("could you speak Swedish", "sv"),
        ("in swedish", "sv"),
        ("Svenska!", "sv"),
    ],
)
def test_explicit_requests(text, language):
    assert _languages(text) == [(language, "explicit")]


def test_explicit_request_wins_over_the_words_around_it():
    assert _languages("Vi pratar ju svenska här, men kan vi ta det på engelska?") == [
        ("en", "explicit")
    ]


def test_detected_language_spans_the_message():
    text = "Vi har en prototyp i aluminium"
    [entity] = [e for e in extract_entities(text) if e["entity"] == "language"]
    assert (entity["value"], entity["role"], entity["start"], entity["end"]) == (
        "sv",
        "detected",
        0,
        len(text),
    )


def test_naming_a_language_in_passing_is_no_request():
    assert _languages("We sell to English customers") == [("en", "detected")]
    assert _languages("500") == []
