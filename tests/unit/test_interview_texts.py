"""What the interviewer says back: acknowledgements and the summary, in both languages."""

from bot.interview import texts


def test_acknowledgement_follows_the_interview_order_and_formats_numbers():
    slots = {"annual_volume": 10000.0, "tolerance_mm": 0.05, "material": "stainless_steel"}
    noted = texts.acknowledge(["material", "tolerance_mm", "annual_volume"], slots, "sv")
    assert noted.replace("\u00a0", " ").replace("\u202f", " ") == (
        "Noterat: volym: 10 000 st per år; tolerans: ±0,05 mm; material: rostfritt stål."
    )
    assert texts.acknowledge(["material"], slots, "en") == "Noted: material: stainless steel."
    assert texts.acknowledge([], slots, "en") is None


def test_no_certifications_reads_as_none_required():
    assert texts.acknowledge(["certifications"], {"certifications": []}, "sv") == "Noterat: certifieringar: inga krav."


def test_summary_lists_what_is_known_and_how_to_correct_it():
    slots = {"design_maturity": "prototype", "annual_volume": 500.0, "skipped_slots": ["region"]}
    summary = texts.summary(slots, "en")
    assert "- design maturity: prototype" in summary
    assert "- region: no preference" in summary
    assert "tolerance" not in summary  # unknown and not skipped: not shown
    assert summary.endswith('e.g. "volume 2000 a year".')


def test_every_slot_has_a_name_and_an_example_in_both_languages():
    for slot in list(texts.SLOT_NAMES):
        for lang in ("sv", "en"):
            assert texts.slot_name(slot, lang)
            assert texts.EXAMPLES[slot][lang]
