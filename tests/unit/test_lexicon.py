"""Materials, processes, certifications, regions, maturity and path words (data/lexicon/*.yml)."""

from __future__ import annotations

import unicodedata

import pytest
import spacy
from spacy.tokens import Doc

from bot import vocabulary
from bot.nlu.lexicon import LEXICON_FILES, Lexicon, load_yaml
from bot.nlu.numbers import split_tokens
from bot.nlu.pipeline import entity_values, extract_entities

MATERIALS = [
    ("aluminium", "aluminium"), ("alu", "aluminium"), ("aluminum", "aluminium"),
    ("aluminum 6061", "aluminium"), ("7075", "aluminium"), ("aluminiumdetaljer", "aluminium"),
    ("rostfritt", "stainless_steel"), ("rostfri", "stainless_steel"), ("syrafast", "stainless_steel"),
    ("stainless", "stainless_steel"), ("316L", "stainless_steel"), ("AISI 304", "stainless_steel"),
    ("inox", "stainless_steel"), ("rostfritt stål", "stainless_steel"),
    ("stål", "steel"), ("steel", "steel"), ("svartstål", "steel"), ("S355", "steel"),
    ("titan", "titanium"), ("titanium", "titanium"), ("koppar", "copper"), ("copper", "copper"),
    ("mässing", "brass"), ("brass", "brass"), ("zink", "zinc"), ("zinc", "zinc"),
    ("ABS", "abs"), ("abs-plast", "abs"), ("PC", "polycarbonate"), ("polykarbonat", "polycarbonate"),
    ("i PC", "polycarbonate"), ("pc-plast", "polycarbonate"), ("nylon", "polyamide"),
    ("PA12", "polyamide"), ("PA", "polyamide"), ("polyamid", "polyamide"),
    ("PP", "polypropylene"), ("polypropen", "polypropylene"), ("polypropylene", "polypropylene"),
    ("POM", "pom"), ("acetal", "pom"), ("delrin", "pom"), ("PLA", "pla"), ("PETG", "petg"),
    ("resin", "photopolymer_resin"), ("harts", "photopolymer_resin"),
    ("fotopolymer", "photopolymer_resin"), ("PU", "polyurethane"), ("polyuretan", "polyurethane"),
    ("uretan", "polyurethane"), ("silikon", "silicone"), ("silicone", "silicone"),
    ("kolfiber", "carbon_fibre"), ("carbon fibre", "carbon_fibre"), ("carbon fiber", "carbon_fibre"),
    ("FR4", "fr4"), ("FR-4", "fr4"), ("kretskort", "fr4"), ("PCB", "fr4"),
    ("plast", "plastic"), ("plastic", "plastic"), ("plastdetaljer", "plastic"),
    ("metall", "metal"), ("metal", "metal"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "material"), MATERIALS)
def test_material_names(text, material):
    assert material in entity_values(text, "material"), extract_entities(text)


@pytest.mark.parametrize(
    "text",
    ["a PC", "my PC", "on the PC", "min PC", "vi ses på fredag", "pa", "pp", "pu", "Pc",
     "det är en bra idé", "hon stal den"],
)  # fmt: skip
def test_everyday_words_are_no_material(text):
    assert entity_values(text, "material") == [], extract_entities(text)


def test_longest_name_wins():
    assert entity_values("rostfritt stål", "material") == ["stainless_steel"]
    assert entity_values("carbon steel", "material") == ["steel"]


def test_a_family_word_gives_way_to_a_named_material():
    assert entity_values("plastdetaljer i ABS", "material") == ["abs"]
    assert entity_values("ett metallhus i aluminium", "material") == ["aluminium"]
    assert entity_values("ett metallhus", "material") == ["metal"]


PROCESSES = [
    ("CNC", "cnc_machining"), ("fräsning", "cnc_machining"), ("svarvning", "cnc_machining"),
    ("frästa detaljer", "cnc_machining"), ("milling", "cnc_machining"),
    ("turning", "cnc_machining"), ("machining", "cnc_machining"),
    ("laserskärning", "sheet_metal"), ("bockning", "sheet_metal"), ("plåt", "sheet_metal"),
    ("sheet metal", "sheet_metal"), ("laser cutting", "sheet_metal"), ("bending", "sheet_metal"),
    ("stansning", "stamping"), ("pressning", "stamping"), ("stamping", "stamping"),
    ("punching", "stamping"),
    ("formsprutning", "injection_moulding"), ("formsprutad", "injection_moulding"),
    ("injection moulding", "injection_moulding"), ("injection molding", "injection_moulding"),
    ("vakuumgjutning", "urethane_casting"), ("urethane casting", "urethane_casting"),
    ("vacuum casting", "urethane_casting"),
    ("FDM", "fdm"), ("SLA", "sla"), ("SLS", "sls"), ("MJF", "mjf"),
    ("3D-printing", "fdm"), ("3d-skrivare", "fdm"), ("3D-utskrift", "fdm"), ("3D printed", "fdm"),
    ("metal 3D printing", "metal_3d_printing"), ("DMLS", "metal_3d_printing"),
    ("SLM", "metal_3d_printing"), ("metallprintning", "metal_3d_printing"),
    ("pressgjutning", "die_casting"), ("die casting", "die_casting"),
    ("sandgjutning", "sand_casting"), ("sand casting", "sand_casting"),
    ("precisionsgjutning", "investment_casting"), ("investment casting", "investment_casting"),
    ("lost wax", "investment_casting"),
    ("extrudering", "aluminium_extrusion"), ("strängpressning", "aluminium_extrusion"),
    ("extrusion", "aluminium_extrusion"),
    ("kretskort", "pcb_assembly"), ("mönsterkort", "pcb_assembly"), ("PCB", "pcb_assembly"),
    ("PCBA", "pcb_assembly"), ("elektronikmontering", "pcb_assembly"), ("SMT", "pcb_assembly"),
    ("svetsning", "welding_assembly"), ("welding", "welding_assembly"),
    ("svetsning och montering", "welding_assembly"), ("welding and assembly", "welding_assembly"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "process"), PROCESSES)
def test_process_names(text, process):
    assert process in entity_values(text, "process"), extract_entities(text)


def test_generic_3d_printing_gives_way_to_a_named_technology_only():
    assert entity_values("SLS 3D printing", "process") == ["sls"]
    assert entity_values("metal 3D printing", "process") == ["metal_3d_printing"]
    both = entity_values("3D-printad prototyp, sen formsprutning", "process")
    assert both == ["fdm", "injection_moulding"]


def test_pcb_is_both_a_material_and_a_process():
    assert entity_values("PCB", "material") == ["fr4"]
    assert entity_values("PCB assembly", "process") == ["pcb_assembly"]


CERTIFICATIONS = [
    ("ISO 9001", "iso_9001"), ("iso9001", "iso_9001"), ("9001", "iso_9001"),
    ("ISO 9001:2015", "iso_9001"), ("ISO 13485", "iso_13485"), ("13485", "iso_13485"),
    ("ISO 14001", "iso_14001"), ("IATF", "iatf_16949"), ("IATF 16949", "iatf_16949"),
    ("AS9100", "en_9100"), ("EN 9100", "en_9100"), ("EN9100", "en_9100"),
    ("EN 1090", "en_1090"), ("EN 1090-2", "en_1090"), ("ISO 3834", "iso_3834"),
    ("inga certifieringar", "none"), ("inga krav", "none"),
    ("no certifications needed", "none"), ("we need no certification", "none"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "certification"), CERTIFICATIONS)
def test_certifications(text, certification):
    assert entity_values(text, "certification") == [certification], extract_entities(text)


def test_one_entity_per_certification():
    text = "ISO 9001, ISO 14001 och IATF 16949"
    assert entity_values(text, "certification") == ["iso_9001", "iso_14001", "iatf_16949"]
    assert entity_values(text, "number") == []


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize("county", vocabulary.COUNTIES)
def test_every_county_is_reachable(county):
    genitive = county if county.endswith("s") else county + "s"
    for text in (county, f"{genitive} län", county.lower(), _without_accents(f"{genitive} lan")):
        assert entity_values(f"helst i {text}", "region") == [county], text


PLACES = [
    ("Göteborg", "Västra Götaland"), ("Gothenburg", "Västra Götaland"),
    ("Goteborg", "Västra Götaland"), ("Borås", "Västra Götaland"), ("Trollhättan", "Västra Götaland"),
    ("VG", "Västra Götaland"), ("västra götaland", "Västra Götaland"),
    ("Vastra Gotaland", "Västra Götaland"), ("Malmö", "Skåne"), ("Lund", "Skåne"),
    ("Helsingborg", "Skåne"), ("Skane", "Skåne"), ("Stockholm", "Stockholm"),
    ("Södertälje", "Stockholm"), ("Uppsala", "Uppsala"), ("Linköping", "Östergötland"),
    ("Norrköping", "Östergötland"), ("Jönköping", "Jönköping"), ("Jonkoping", "Jönköping"),
    ("Gnosjö", "Jönköping"), ("Värnamo", "Jönköping"), ("Växjö", "Kronoberg"),
    ("Kalmar", "Kalmar"), ("Visby", "Gotland"), ("Karlskrona", "Blekinge"),
    ("Halmstad", "Halland"), ("Karlstad", "Värmland"), ("Örebro", "Örebro"),
    ("Västerås", "Västmanland"), ("Falun", "Dalarna"), ("Borlänge", "Dalarna"),
    ("Gävle", "Gävleborg"), ("Sandviken", "Gävleborg"), ("Sundsvall", "Västernorrland"),
    ("Östersund", "Jämtland"), ("Umeå", "Västerbotten"), ("Skellefteå", "Västerbotten"),
    ("Luleå", "Norrbotten"), ("Kiruna", "Norrbotten"), ("Eskilstuna", "Södermanland"),
    ("Region Skåne", "Skåne"), ("Stockholms län", "Stockholm"), ("Norrbottens län", "Norrbotten"),
    ("var som helst i Sverige", "any"), ("spelar ingen roll var", "any"),
    ("anywhere in Sweden", "any"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "region"), PLACES)
def test_places_map_to_their_county(text, region):
    assert entity_values(text, "region") == [region], extract_entities(text)


def test_vg_only_in_capitals():
    assert entity_values("det blev vg", "region") == []


MATURITY = [
    ("bara en idé", "idea"), ("vi har en skiss", "idea"), ("just an idea", "idea"),
    ("it's a concept", "idea"), ("only on paper", "idea"),
    ("vi har en prototyp", "prototype"), ("a prototype", "prototype"),
    ("3D-printad prototyp", "prototype"), ("proof of concept", "prototype"),
    ("early prototype", "prototype"), ("works-like prototype", "prototype"),
    ("testad prototyp", "validated_prototype"), ("den är validerad", "validated_prototype"),
    ("validated", "validated_prototype"), ("tested with customers", "validated_prototype"),
    ("beta testad", "validated_prototype"), ("works-like looks-like", "validated_prototype"),
    ("designen är låst", "design_frozen"), ("frusen design", "design_frozen"),
    ("klar konstruktion", "design_frozen"), ("ready for production", "design_frozen"),
    ("design frozen", "design_frozen"), ("final design", "design_frozen"),
    ("färdig ritning", "design_frozen"),
    ("redan i produktion", "in_production"), ("vi tillverkar redan", "in_production"),
    ("already in production", "in_production"), ("we already sell", "in_production"),
    ("säljer redan", "in_production"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "level"), MATURITY)
def test_design_maturity(text, level):
    assert entity_values(text, "design_maturity") == [level], extract_entities(text)


def test_no_idea_is_not_an_idea():
    assert entity_values("I have no idea", "design_maturity") == []


PATHS = [
    ("full scale", "full_scale"), ("full-scale", "full_scale"), ("fullskala", "full_scale"),
    ("fullskalig", "full_scale"), ("serieproduktion", "full_scale"),
    ("mass production", "full_scale"), ("volymproduktion", "full_scale"),
    ("nollserie", "pilot"), ("pilotserie", "pilot"), ("pilot series", "pilot"),
    ("pilot run", "pilot"), ("prototyp", "prototype"), ("prototype", "prototype"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path"), PATHS)
def test_path_mentions(text, path):
    assert entity_values(text, "path_mention") == [path], extract_entities(text)


def test_every_lexicon_names_only_known_ids():
    for name in LEXICON_FILES:
        data = load_yaml(name)
        assert data["entity"]
        assert data["values"]
    Lexicon(spacy.blank("sv").vocab)  # raises on an unknown id


def test_a_typo_in_a_lexicon_fails_loudly(tmp_path):
    (tmp_path / "materials.yml").write_text("entity: material\nvalues:\n  alumimium: [alu]\n")
    with pytest.raises(ValueError, match="alumimium"):
        Lexicon(spacy.blank("sv").vocab, files=("materials.yml",), directory=tmp_path)


def test_an_unquoted_yaml_boolean_fails_loudly(tmp_path):
    (tmp_path / "units.yml").write_text("entity: material\nvalues:\n  aluminium: [alu, off]\n")
    with pytest.raises(ValueError, match="quote it"):
        load_yaml("units.yml", tmp_path)


def test_a_new_phrase_only_needs_the_yml(tmp_path):
    (tmp_path / "materials.yml").write_text(
        "entity: material\nvalues:\n  brass: [gulmetall*]\n  zinc: [zamak 5]\n"
    )
    lexicon = Lexicon(spacy.blank("sv").vocab, files=("materials.yml",), directory=tmp_path)
    toks = split_tokens("Gulmetallen eller Zamak 5")
    found = lexicon.find(Doc(lexicon.vocab, words=[t.fold for t in toks]), toks)
    assert [(m.entity, m.value) for m in found] == [("material", "brass"), ("material", "zinc")]
