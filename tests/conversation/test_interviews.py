"""Full interviews through the trained model and the real action server, in both languages.

Each test is one founder: what they type, what the bot must understand (slots) and what it
must recommend (the `custom` payload of DESIGN section 4).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.conversation

CONTRACT_KEYS = {"type", "path", "profile", "reasons", "processes", "manufacturers", "next_steps", "support"}


async def talk(chat, *messages):
    for message in messages:
        await chat.say(message)
    return chat


def assert_recommendation(payload, path, **profile):
    assert payload is not None, "no recommendation was sent"
    assert CONTRACT_KEYS <= set(payload)
    assert payload["type"] == "recommendation" and payload["path"] == path
    for key, value in profile.items():
        assert payload["profile"][key] == pytest.approx(value), key
    assert payload["reasons"] and payload["next_steps"] and payload["support"]
    for option in payload["processes"]:
        assert {"process", "unit_cost_sek", "tooling_sek", "lead_time_weeks", "fits_tolerance"} <= set(option)
    for firm in payload["manufacturers"]:
        assert {"id", "name", "county", "processes", "score", "reasons"} <= set(firm)
        assert firm["sample_data"] is True


# --- English -------------------------------------------------------------------------------


async def test_en_pilot_with_everything_volunteered_at_once(chat, lead_store):
    await chat.say(
        "Hi, we have a validated prototype of an aluminium sensor housing. "
        "We need 500 a year, +/- 0.05 mm, around $40 each."
    )
    assert "delete my data" in chat.text  # the welcome says how to be forgotten
    assert "volume: 500 units a year" in chat.text  # confirms what it understood
    assert await chat.slot("requested_slot") == "certifications"  # never asks what it knows
    await talk(chat, "ISO 9001", "Jönköping", "within 8 weeks")
    assert await chat.slot("requested_slot") == "profile_confirmed"
    assert "This is what I understood" in chat.text
    await chat.say("yes")
    assert_recommendation(
        chat.recommendation, "pilot",
        annual_volume=500, tolerance_mm=0.05, target_unit_cost_sek=420, material="aluminium",
    )
    assert chat.recommendation["profile"]["certifications"] == ["iso_9001"]
    assert chat.recommendation["manufacturers"], "a pilot in aluminium must find sample firms"
    assert await chat.slot("production_path") == "pilot"
    lead = lead_store.get(chat.sender)
    assert lead.path == "pilot" and lead.profile["region"] == "Jönköping"


async def test_en_prototype_from_an_idea_with_interruptions_and_a_skipped_question(chat):
    await talk(chat, "hello", "a smart dog collar with GPS", "just an idea so far")
    assert await chat.slot("design_maturity") == "idea"
    await chat.say("why do you need that?")
    assert "tooling" in chat.text.lower()  # explains what the volume changes
    assert await chat.slot("requested_slot") == "annual_volume"  # and resumes
    await talk(chat, "maybe 2000 a year", "what is a pilot series?")
    assert "nollserie" in chat.text.lower()
    assert await chat.slot("requested_slot") == "tolerance_mm"
    await chat.say("asdf qwerty")
    assert await chat.slot("requested_slot") == "tolerance_mm"  # one miss: asked again
    await chat.say("blorp zzz")
    assert "open for now" in chat.text  # a second miss: left open, never asked a third time
    buttons = [b["payload"] for r in chat.replies for b in r.get("buttons", [])]
    assert "/talk_to_human" in buttons
    assert await chat.slot("requested_slot") == "target_unit_cost_sek"
    await talk(chat, "$15 each", "nylon", "yes")
    assert_recommendation(chat.recommendation, "prototype", annual_volume=2000, material="polyamide")
    assert chat.recommendation["profile"]["tolerance_mm"] is None
    assert any("tolerance" in a for a in chat.recommendation["assumptions"])


async def test_en_full_scale_with_a_correction_before_the_recommendation(chat):
    await chat.say("We already produce a bike rack in steel, 20000 a year, ±0.5 mm, 150 SEK each")
    assert await chat.slot("requested_slot") == "process"  # in production: a process in mind?
    await talk(chat, "welding", "no certifications", "anywhere in Sweden", "no rush")
    assert await chat.slot("certifications") == []
    assert await chat.slot("requested_slot") == "profile_confirmed"
    await chat.say("no")
    assert "change" in chat.text.lower()
    await chat.say("actually 30000 a year")
    assert "30,000" in chat.text  # the summary again, with the new value
    await chat.say("yes")
    assert_recommendation(chat.recommendation, "full_scale", annual_volume=30000, material="steel")
    await chat.say("why not a pilot series?")
    assert "30,000" in chat.text


async def test_en_switches_to_english_on_request(chat):
    await chat.say("hej, vi har en prototyp av ett lock i ABS")
    assert await chat.slot("language") == "sv" and "Hej" in chat.text
    await chat.say("in English please")
    assert await chat.slot("language") == "en"
    assert "What would you like to do next" in chat.text  # the pending question, now in English
    await talk(chat, "another round of prototypes", "1000 a year", "0.1 mm", "20 kr each", "yes")
    assert await chat.slot("founder_goal") == "prototype"
    assert_recommendation(chat.recommendation, "prototype", annual_volume=1000, material="abs")
    assert chat.text.startswith("My recommendation")


async def test_en_what_if_the_volume_grows_tenfold(chat, lead_store):
    await talk(
        chat,
        "Our design is frozen: a polypropylene clip, 1000 a year, 0.1 mm, 5 kr each",
        "no", "no certifications", "anywhere", "no rush", "yes",
    )
    assert_recommendation(chat.recommendation, "pilot", annual_volume=1000)
    await chat.say("what if we need 10x the volume?")
    assert_recommendation(chat.recommendation, "full_scale", annual_volume=10000)
    assert await chat.slot("annual_volume") == 10000
    assert lead_store.get(chat.sender).path == "full_scale"
    await chat.say("show more manufacturers")
    assert "More manufacturers" in chat.text or "no more" in chat.text


async def test_en_impossible_values_get_a_clear_question_and_data_can_be_deleted(chat, lead_store):
    await talk(chat, "Hello, I want to manufacture a drone frame", "we have a prototype", "not sure yet")
    await chat.say("-500 units")
    assert "greater than zero" in chat.text
    assert await chat.slot("annual_volume") is None
    await chat.say("300 a year")
    await chat.say("5 m tolerance")
    assert "dimension" in chat.text and await chat.slot("tolerance_mm") is None
    await talk(chat, "0.1 mm", "cheap")
    assert "SEK 250" in chat.text  # a vague price: asked again with an example, no guess
    assert await chat.slot("target_unit_cost_sek") is None
    await chat.say("talk to a human")
    assert "advisor" in chat.text
    assert lead_store.get(chat.sender).handoff_requested
    assert await chat.slot("requested_slot") == "target_unit_cost_sek"  # interview goes on
    await chat.say("delete my data")
    assert "cannot be undone" in chat.text and lead_store.get(chat.sender) is not None  # asked first
    await chat.say("yes")
    assert "deleted" in chat.text
    assert lead_store.get(chat.sender) is None
    assert await chat.slot("annual_volume") is None


# --- Svenska -------------------------------------------------------------------------------


async def test_sv_pilot_with_facts_first_and_product_after(chat, lead_store):
    await chat.say("vi behöver 1000 st, ±0,05 mm, 250 kr/st, rostfritt")
    assert await chat.slot("language") == "sv"
    slots = await chat.slots()
    assert (slots["annual_volume"], slots["tolerance_mm"], slots["target_unit_cost_sek"], slots["material"]) == (
        1000, 0.05, 250, "stainless_steel"
    )
    assert "Noterat" in chat.text
    await talk(chat, "ett fäste för solpaneler", "prototypen är testad och validerad")
    assert await chat.slot("design_maturity") == "validated_prototype"
    await talk(chat, "inga krav", "Göteborg", "inom 6 veckor")
    assert await chat.slot("region") == "Västra Götaland"
    assert await chat.slot("timeline_weeks") == 6
    await chat.say("ja")
    assert_recommendation(chat.recommendation, "pilot", annual_volume=1000, material="stainless_steel")
    assert chat.text.startswith("Min rekommendation: nollserie")
    assert lead_store.get(chat.sender).language == "sv"


async def test_sv_prototype_from_an_idea_with_words_for_numbers(chat):
    await chat.say("hej! vi har en idé om ett plastlock till en kaffekopp")
    assert await chat.slot("design_maturity") == "idea"
    await chat.say("kanske 10k per år, två tiondelar, max 5 kr/st")
    slots = await chat.slots()
    assert (slots["annual_volume"], slots["tolerance_mm"], slots["target_unit_cost_sek"]) == (10000, 0.2, 5)
    await chat.say("varför undrar du det?")
    # "plastlock" names no plastic: the material is asked (a generic word said in passing fills nothing)
    assert await chat.slot("requested_slot") == "material"
    await chat.say("plast, vet inte vilken")
    assert await chat.slot("requested_slot") == "profile_confirmed"
    await chat.say("nej")
    await chat.say("materialet är PP")
    assert await chat.slot("material") == "polypropylene"
    await chat.say("ja")
    assert_recommendation(chat.recommendation, "prototype", annual_volume=10000, material="polypropylene")
    process_ids = [p["process"] for p in chat.recommendation["processes"]]
    assert "injection_moulding" not in process_ids[:1]  # no hard tooling for an idea


async def test_sv_full_scale_die_casting_and_knowledge_questions_after(chat):
    await talk(
        chat,
        "Vi tillverkar redan ett hölje i aluminium, 60 000 st per år, ±0,1 mm, 40 kr/st",
        "pressgjutning", "ISO 9001 och ISO 14001", "Skåne", "om 3 månader", "ja",
    )
    assert_recommendation(chat.recommendation, "full_scale", annual_volume=60000, process="die_casting")
    assert chat.recommendation["profile"]["certifications"] == ["iso_9001", "iso_14001"]
    await chat.say("varför inte nollserie?")
    assert "60 000" in chat.text.replace("\u00a0", " ")
    await chat.say("vad är en nollserie?")
    assert "nollserie" in chat.text.lower()
    await chat.say("vad händer med mina uppgifter?")
    assert "radera mina uppgifter" in chat.text


async def test_sv_questions_mid_interview_then_resume(chat):
    await talk(chat, "hej", "en sensorhållare i aluminium för lantbruk")
    assert await chat.slot("requested_slot") == "design_maturity"
    await chat.say("vad kostar verktyg?")
    assert "verktyg" in chat.text.lower()
    assert await chat.slot("requested_slot") == "design_maturity"
    await chat.say("vem kan hjälpa oss med finansiering?")
    assert "Almi" in chat.text
    await chat.say("vad är skillnaden mellan prototyp, nollserie och full skala?")
    assert await chat.slot("requested_slot") == "design_maturity"
    await chat.say('/inform{"design_maturity": "prototype"}')  # the button
    assert await chat.slot("design_maturity") == "prototype"
    assert await chat.slot("requested_slot") == "founder_goal"
    await chat.say('/inform{"founder_goal": "none"}')  # "not sure, that's what I want to know"
    assert "founder_goal" in await chat.slot("skipped_slots")
    await talk(chat, "200 st per år", "fem hundradelar", "300 kronor", "ja")
    assert_recommendation(chat.recommendation, "prototype", annual_volume=200, tolerance_mm=0.05)


async def test_sv_switches_to_swedish_on_request(chat):
    await chat.say("Hello there")
    assert await chat.slot("language") == "en" and "What do you want to make" in chat.text
    await chat.say("på svenska tack")
    assert await chat.slot("language") == "sv"
    assert "Vad vill ni tillverka" in chat.text  # the pending question, now in Swedish
    await talk(chat, "ett stålfäste för solpaneler", "vi har en prototyp", "vet inte", "50 i månaden", "±0,2 mm", "€12",
               "ja")
    assert_recommendation(chat.recommendation, "prototype", annual_volume=600, target_unit_cost_sek=138)
    assert chat.text.startswith("Min rekommendation")


async def test_sv_start_over_and_a_new_product(chat):
    await talk(chat, "vi har en idé om en lampa i aluminium, 100 st per år, ±0,1 mm, 500 kr/st", "ja")
    assert chat.recommendation is not None
    await chat.say("börja om")
    assert "glömmer" in chat.text and await chat.slot("annual_volume") == 100  # asked first
    await chat.say("ja")
    assert await chat.slot("annual_volume") is None
    assert await chat.slot("language") == "sv"
    assert await chat.slot("requested_slot") == "product_description"
    await talk(chat, "ett mönsterkort till en sensor", "vi har en prototyp", "fler prototyper först", "5000 per år",
               "0,1 mm", "80 kr/st")
    # a board in a description is a part, not yet the material: asked, and the board answers
    assert await chat.slot("requested_slot") == "material"
    await chat.say("mönsterkort")
    assert await chat.slot("material") == "fr4"
    await chat.say("ja")
    assert_recommendation(chat.recommendation, "prototype", annual_volume=5000, material="fr4")


async def test_junk_input_is_answered_politely_and_nothing_collected_is_lost(chat):
    await talk(chat, "hej, vi har en prototyp av en pump i rostfritt, 400 st per år", "vet inte riktigt")
    before = await chat.slots()
    for junk in ("🙂🙂🙂", "x" * 10_000, "/", "???", "{}[]<script>alert(1)</script>"):
        replies = await chat.say(junk)
        assert replies, f"no answer to {junk[:20]!r}"
    after = await chat.slots()
    for slot in ("design_maturity", "annual_volume", "material", "product_description"):
        assert after[slot] == before[slot], slot
    # two misses on a question leave it open (stated as an assumption), never a third ask
    assert "tolerance_mm" in after["skipped_slots"] and after["tolerance_mm"] is None
