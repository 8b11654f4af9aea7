"""Open materials: any material a founder names, in Swedish or English, with grades
(data/lexicon/materials.yml, bot/vocabulary.py MATERIAL_IDS)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from bot import vocabulary
from bot.nlu.lexicon import Lexicon, _grade_forms, load_yaml, phrase_words
from bot.nlu.numbers import split_tokens
from bot.nlu.pipeline import entity_values, extract_entities


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(spacy.blank("sv").vocab)


def _materials(lexicon: Lexicon, text: str) -> list[tuple[str, str | None]]:
    toks = split_tokens(text)
    found = lexicon.find(Doc(lexicon.vocab, words=[t.fold for t in toks]), toks)
    return [(m.value, m.grade) for m in found if m.entity == "material"]


# (text, material id, grade or None)
NAMED = [
    # the new ids, Swedish and English
    ("ASA", "asa", None), ("i ASA", "asa", None), ("ASA-plast", "asa", None),
    ("ASA filament", "asa", None),
    ("PE", "polyethylene", None), ("polyeten", "polyethylene", None),
    ("polyethylene", "polyethylene", None), ("PE-plast", "polyethylene", None),
    ("ett PE-rör", "polyethylene", None), ("HDPE", "polyethylene", "HDPE"),
    ("PE-HD", "polyethylene", "HDPE"), ("LDPE", "polyethylene", "LDPE"),
    ("UHMW-PE", "polyethylene", "UHMW-PE"), ("UHMWPE", "polyethylene", "UHMW-PE"),
    ("PE1000", "polyethylene", "PE1000"),
    ("PMMA", "pmma", None), ("akryl", "pmma", None), ("akrylglas", "pmma", None),
    ("acrylic", "pmma", None), ("plexiglas", "pmma", None), ("Plexiglass", "pmma", None),
    ("perspex", "pmma", None),
    ("TPU", "tpu", "TPU"), ("TPE", "tpu", "TPE"), ("TPU 95A", "tpu", "TPU 95A"),
    ("termoplastisk elastomer", "tpu", "TPE"), ("thermoplastic polyurethane", "tpu", "TPU"),
    ("PEEK", "peek", None), ("peek filament", "peek", None), ("peek-plast", "peek", None),
    ("PEEK GF30", "peek", "PEEK-GF30"), ("PEEK-CF", "peek", "PEEK-CF"),
    ("PEI", "pei", None), ("Ultem", "pei", None), ("Ultem 9085", "pei", "Ultem 9085"),
    ("PTFE", "ptfe", None), ("teflon", "ptfe", None), ("Teflon", "ptfe", None),
    ("pfte", "ptfe", None),
    ("gummi", "rubber", None), ("gummipackning", "rubber", None), ("rubber", "rubber", None),
    ("EPDM", "rubber", "EPDM"), ("EPDM-gummi", "rubber", "EPDM"), ("NBR", "rubber", "NBR"),
    ("nitrilgummi", "rubber", "NBR"), ("Viton", "rubber", "FKM"), ("neopren", "rubber", "CR"),
    ("naturgummi", "rubber", "NR"),
    ("brons", "bronze", None), ("bronze", "bronze", None), ("bronsbussning", "bronze", None),
    ("fosforbrons", "bronze", "phosphor bronze"), ("aluminium bronze", "bronze", "aluminium bronze"),
    ("CuSn8", "bronze", "CuSn8"),
    ("magnesium", "magnesium", None), ("magnesiumlegering", "magnesium", None),
    ("magnesium AZ91D", "magnesium", "AZ91D"),
    ("Inconel", "nickel_alloy", "Inconel"), ("inconnel", "nickel_alloy", "Inconel"),
    ("Inconel 718", "nickel_alloy", "Inconel 718"), ("Hastelloy", "nickel_alloy", "Hastelloy"),
    ("Hastelloy C-276", "nickel_alloy", "Hastelloy C-276"), ("Monel", "nickel_alloy", "Monel"),
    ("nickellegering", "nickel_alloy", None), ("nickel alloy", "nickel_alloy", None),
    ("glasfiber", "glass_fibre", None), ("glasfiberarmerad plast", "glass_fibre", None),
    ("GFRP", "glass_fibre", None), ("glass fibre", "glass_fibre", None),
    ("fiberglass", "glass_fibre", None), ("glas fiber", "glass_fibre", None),
    ("G10", "glass_fibre", "G10"),
    ("trä", "wood", None), ("trädetaljer", "wood", None), ("massivt trä", "wood", None),
    ("wood", "wood", None), ("wooden", "wood", None), ("ek", "wood", "oak"),
    ("massiv ek", "wood", "oak"), ("ekträ", "wood", "oak"), ("oak", "wood", "oak"),
    ("björk", "wood", "birch"), ("birch", "wood", "birch"),
    ("björkplywood", "wood", "birch plywood"), ("plywood", "wood", "plywood"),
    ("kryssfaner", "wood", "plywood"), ("MDF", "wood", "MDF"), ("furu", "wood", "pine"),
    ("bambu", "wood", "bamboo"),
    ("glas", "glass", None), ("glaset", "glass", None), ("glass", "glass", None),
    ("härdat glas", "glass", None), ("tempered glass", "glass", None),
    ("borosilikatglas", "glass", "borosilicate"), ("borosilicate", "glass", "borosilicate"),
    ("kvartsglas", "glass", "fused silica"),
    ("keramik", "ceramic", None), ("keramiska", "ceramic", None), ("ceramic", "ceramic", None),
    ("porslin", "ceramic", "porcelain"), ("porcelain", "ceramic", "porcelain"),
    ("alumina", "ceramic", "alumina"), ("aluminiumoxid", "ceramic", "alumina"),
    ("Al2O3", "ceramic", "alumina"), ("zirconia", "ceramic", "zirconia"),
    ("zirkoniumoxid", "ceramic", "zirconia"), ("SiC", "ceramic", None),
    ("tyg", "textile", None), ("tyget", "textile", None), ("textil", "textile", None),
    ("textile", "textile", None), ("fabric", "textile", None), ("filt", "textile", "felt"),
    ("felt pads", "textile", "felt"), ("wool felt", "textile", "wool felt"),
    ("wool", "textile", "wool"), ("ull", "textile", "wool"), ("Cordura", "textile", "Cordura"),
    ("canvas", "textile", "canvas"), ("nylon fabric", "textile", "nylon"),
    ("nylontyg", "textile", "nylon"),
    # grades of the existing ids
    ("PA6", "polyamide", "PA6"), ("PA66", "polyamide", "PA66"), ("PA12", "polyamide", "PA12"),
    ("nylon 6/6", "polyamide", "PA66"), ("PA 6.6", "polyamide", "PA66"),
    ("PA66-GF30", "polyamide", "PA66-GF30"), ("PA66 GF30", "polyamide", "PA66-GF30"),
    ("pa66gf30", "polyamide", "PA66-GF30"), ("glass-filled nylon", "polyamide", "PA-GF"),
    ("glass filled nylon", "polyamide", "PA-GF"), ("glasfylld nylon", "polyamide", "PA-GF"),
    ("glasfyllt polyamid", "polyamide", "PA-GF"), ("PA-CF", "polyamide", "PA-CF"),
    ("POM-C", "pom", "POM-C"), ("POM C", "pom", "POM-C"), ("Delrin", "pom", "Delrin"),
    ("derlin", "pom", "Delrin"), ("acetal", "pom", None),
    ("6061-T6", "aluminium", "6061-T6"), ("6061 T6", "aluminium", "6061-T6"),
    ("aluminium 6061-T6", "aluminium", "6061-T6"), ("Al6061-T6", "aluminium", "6061-T6"),
    ("6082", "aluminium", "6082"), ("EN AW-6082 T6", "aluminium", "6082-T6"),
    ("aluminium i 6082", "aluminium", "6082"), ("7075", "aluminium", "7075"),
    ("5754", "aluminium", "5754"), ("6000-serien", "aluminium", "6000 series"),
    ("6000 series aluminium", "aluminium", "6000 series"),
    ("aluminiumprofil", "aluminium", None), ("aluprofiler", "aluminium", None),
    ("alumnium", "aluminium", None), ("aliminium", "aluminium", None),
    ("alluminium", "aluminium", None), ("aluminum", "aluminium", None),
    ("AISI 304", "stainless_steel", "304"), ("SS304", "stainless_steel", "304"),
    ("316 rostfritt", "stainless_steel", "316"), ("316L", "stainless_steel", "316L"),
    ("rostfritt stål 316L", "stainless_steel", "316L"),
    ("316L rostfritt", "stainless_steel", "316L"), ("1.4404", "stainless_steel", "316L"),
    ("A4 rostfritt", "stainless_steel", "A4"), ("A4-stål", "stainless_steel", "A4"),
    ("A2-70", "stainless_steel", "A2"), ("18-8", "stainless_steel", "18-8"),
    ("18/8 rostfritt", "stainless_steel", "18-8"), ("17-4PH", "stainless_steel", "17-4PH"),
    ("rostfritt", "stainless_steel", None), ("rostfria", "stainless_steel", None),
    ("rostfri stål", "stainless_steel", None), ("rosfritt", "stainless_steel", None),
    ("stainles steel", "stainless_steel", None), ("stainless steal", "stainless_steel", None),
    ("rostfri plåt", "stainless_steel", None),
    ("S235", "steel", "S235"), ("S235JR", "steel", "S235JR"), ("S355", "steel", "S355"),
    ("S355J2", "steel", "S355J2"), ("stål (S355)", "steel", "S355"), ("C45", "steel", "C45"),
    ("AISI 4140", "steel", "4140"), ("4140 steel", "steel", "4140"),
    ("42CrMo4", "steel", "42CrMo4"), ("verktygsstål", "steel", "tool steel"),
    ("tool steel", "steel", "tool steel"), ("Hardox 450", "steel", "Hardox 450"),
    ("Corten", "steel", "Corten"), ("plåt", "steel", None), ("plåten", "steel", None),
    ("plåtdetaljer", "steel", None), ("stålplåt", "steel", None), ("svartplåt", "steel", None),
    ("stålet", "steel", None),
    ("Ti6Al4V", "titanium", "Ti6Al4V"), ("Ti-6Al-4V", "titanium", "Ti6Al4V"),
    ("titanium grade 5", "titanium", "Ti6Al4V"), ("titan grad 5", "titanium", "Ti6Al4V"),
    ("grade 5 titanium", "titanium", "Ti6Al4V"), ("titanum", "titanium", None),
    ("CFRP", "carbon_fibre", None), ("kolfiber", "carbon_fibre", None),
    ("kolfiberkomposit", "carbon_fibre", None), ("carbon fibres", "carbon_fibre", None),
    ("karbonfiber", "carbon_fibre", None),
    ("CuZn39Pb3", "brass", "CuZn39Pb3"), ("CW614N", "brass", "CuZn39Pb3"),
    ("automatmässing", "brass", "CuZn39Pb3"), ("mässing", "brass", None),
    ("Zamak 5", "zinc", "Zamak 5"), ("Cu-ETP", "copper", "Cu-ETP"),
    ("PP-GF30", "polypropylene", "PP-GF"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "material", "grade"), NAMED)
def test_a_named_material_gives_its_id_and_grade(lexicon, text, material, grade):
    assert set(entity_values(text, "material")) == {material}, extract_entities(text)
    assert (material, grade) in _materials(lexicon, text), _materials(lexicon, text)


def test_there_are_enough_cases():
    assert len(NAMED) >= 80
    assert {m for _, m, _ in NAMED} >= set(vocabulary.OTHER_MATERIALS)


# Messages that name no material at all, though a material word is hiding in them.
NO_MATERIAL = [
    "Hollywood", "verktyg", "verktyget", "verktygen", "ekonomi", "ekonomin", "tra la la",
    "take a peek", "sneak peek", "a PE teacher", "pe", "hej, jag heter Åsa", "Asa",
    "I felt that the price was high", "filter", "fabrication", "the project stalled",
    "en bra plats", "platta", "plattform", "stall", "glasögon", "I am 60 years old",
    "we sell 1050 a year", "4140 st", "leverans 18/8", "A4-papper", "an A4 sheet", "sic",
    "silicon", "full duplex", "läder",
]  # fmt: skip


@pytest.mark.parametrize("text", NO_MATERIAL)
def test_words_that_merely_contain_a_material_name_are_none(text):
    assert entity_values(text, "material") == [], extract_entities(text)


# (text, the id it names, an id a careless matcher would also find in it)
NOT_THIS = [
    ("glasklar polykarbonat", "polycarbonate", "glass"),
    ("glasfiber", "glass_fibre", "glass"),
    ("akrylglas", "pmma", "glass"),
    ("aluminiumoxid", "ceramic", "aluminium"),
    ("aluminium bronze", "bronze", "aluminium"),
    ("akrylnitrilbutadienstyren", "abs", "pmma"),
    ("silikongummi", "silicone", "rubber"),
    ("glass-filled nylon", "polyamide", "glass"),
    ("carbon fiber nylon", "polyamide", "carbon_fibre"),
    ("nylon fabric", "textile", "polyamide"),
    ("plåt i aluminium", "aluminium", "steel"),
    ("rostfri plåt", "stainless_steel", "steel"),
    ("rostfritt stål", "stainless_steel", "steel"),
    ("termoplastisk elastomer", "tpu", "plastic"),
    ("PEEK-plast", "peek", "plastic"),
    ("HDPE", "polyethylene", "plastic"),
]


@pytest.mark.parametrize(("text", "material", "not_material"), NOT_THIS)
def test_the_longer_or_more_specific_name_wins(text, material, not_material):
    values = entity_values(text, "material")
    assert material in values and not_material not in values, extract_entities(text)


def test_a_grade_joins_the_material_named_beside_it(lexicon):
    assert _materials(lexicon, "aluminium, 6082-T6") == [("aluminium", "6082-T6")]
    assert _materials(lexicon, "AISI 316L stainless steel") == [("stainless_steel", "316L")]
    # "grad 5" on its own names nothing, so there is no grade to join
    assert _materials(lexicon, "titan av grad 5") == [("titanium", None)]
    # two grades, another word, or another material between stay apart
    assert _materials(lexicon, "POM-C eller Delrin") == [("pom", "POM-C"), ("pom", "Delrin")]
    assert _materials(lexicon, "stål och sedan S355") == [("steel", None), ("steel", "S355")]
    assert _materials(lexicon, "aluminium eller stål") == [("aluminium", None), ("steel", None)]


def test_the_material_entity_value_stays_the_id():
    entities = [e for e in extract_entities("rostfritt 316L, 300 st") if e["entity"] == "material"]
    assert [e["value"] for e in entities] == ["stainless_steel"]
    assert isinstance(entities[0]["value"], str)
    assert entity_values("rostfritt 316L, 300 st", "annual_volume") == [300]


def test_a_grade_and_its_numbers_are_no_quantity():
    assert entity_values("aluminium 6061-T6", "number") == []
    assert entity_values("Hardox 450 plåt", "number") == []
    assert entity_values("PA66-GF30", "number") == []


def test_existing_material_ids_are_unchanged():
    # stored in the register (as bits by position), leads and slots: never rename or reorder
    assert vocabulary.MATERIALS == (
        "aluminium", "steel", "stainless_steel", "titanium", "copper", "brass", "zinc", "abs",
        "polycarbonate", "polyamide", "polypropylene", "pom", "pla", "petg",
        "photopolymer_resin", "polyurethane", "silicone", "carbon_fibre", "fr4",
    )  # fmt: skip


def test_new_ids_are_labelled_and_kept_out_of_costing_and_the_register():
    assert not set(vocabulary.OTHER_MATERIALS) & set(vocabulary.MATERIALS)
    assert vocabulary.MATERIAL_IDS == vocabulary.MATERIALS + vocabulary.OTHER_MATERIALS
    worked = {m for ms in vocabulary.PROCESS_MATERIALS.values() for m in ms}
    assert not worked & set(vocabulary.OTHER_MATERIALS)
    for material in vocabulary.MATERIAL_IDS:
        labels = vocabulary.MATERIAL_LABELS[material]
        assert labels["sv"].strip() and labels["en"].strip(), material


def test_every_material_id_has_a_name_in_the_lexicon():
    data = load_yaml("materials.yml")
    named = set(data["values"]) | set(data["grades"]) | set(data["ambiguous"])
    assert named >= set(vocabulary.MATERIAL_IDS)


def test_no_phrase_names_two_materials_or_grades():
    data = load_yaml("materials.yml")
    meaning: dict[tuple, set] = {}

    def note(phrase: str, material: str, grade: str | None, forms=lambda p: [p]):
        for form in forms(phrase):
            key = (tuple(phrase_words(form.rstrip("*"))), form.endswith("*"))
            meaning.setdefault(key, set()).add((material, grade))

    for material, phrases in data["values"].items():
        for phrase in phrases:
            note(phrase, material, None)
    for material, grades in data["grades"].items():
        for grade, phrases in grades.items():
            for phrase in phrases:
                note(phrase, material, grade, _grade_forms)
    clashes = {key: found for key, found in meaning.items() if len(found) > 1}
    assert clashes == {}


def test_an_unquoted_grade_fails_loudly(tmp_path):
    (tmp_path / "materials.yml").write_text(
        "entity: material\nvalues:\n  aluminium: [alu]\ngrades:\n  aluminium:\n    6061: [al 6061]\n"
    )
    with pytest.raises(ValueError, match="quote it"):
        Lexicon(spacy.blank("sv").vocab, files=("materials.yml",), directory=tmp_path)


def test_grade_phrases_take_a_hyphen_or_not():
    assert sorted(_grade_forms("en aw-6082-t6")) == [
        "en aw 6082 t6", "en aw 6082-t6", "en aw-6082 t6", "en aw-6082-t6",
    ]  # fmt: skip
    assert _grade_forms("18-8") == ["18-8"]  # digits on both sides: the hyphen is the name
