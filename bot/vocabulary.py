"""The fixed vocabularies every part of Tillverka shares.

Ids are stable (they are stored in the register, the leads table and slot values);
labels are what a founder reads, in Swedish and English.
"""

from __future__ import annotations

LANGUAGES = ("sv", "en")

# The founder's profile: the interview's slots and the recommendation payload's "profile"
# (DESIGN section 4), in the order the interview asks for them.
PROFILE_FIELDS = (
    "product_description",
    "design_maturity",
    "annual_volume",
    "tolerance_mm",
    "target_unit_cost_sek",
    "material",
    "process",
    "certifications",
    "region",
    "timeline_weeks",
)

# design_maturity slot values, from least to most mature
MATURITY_LEVELS = ("idea", "prototype", "validated_prototype", "design_frozen", "in_production")
MATURITY_LABELS = {
    "idea": {"sv": "idé eller skiss", "en": "idea or sketch"},
    "prototype": {"sv": "prototyp", "en": "prototype"},
    "validated_prototype": {"sv": "testad och validerad prototyp", "en": "validated prototype"},
    "design_frozen": {"sv": "låst konstruktion", "en": "design frozen"},
    "in_production": {"sv": "redan i produktion", "en": "already in production"},
}

# production_path slot values
PATHS = ("prototype", "pilot", "full_scale")
PATH_LABELS = {
    "prototype": {"sv": "prototyp", "en": "prototype"},
    "pilot": {"sv": "nollserie (pilotserie)", "en": "pilot series (nollserie)"},
    "full_scale": {"sv": "fullskalig produktion", "en": "full-scale production"},
}

PROCESSES = (
    "cnc_machining",
    "sheet_metal",
    "stamping",
    "injection_moulding",
    "urethane_casting",
    "fdm",
    "sla",
    "sls",
    "mjf",
    "metal_3d_printing",
    "die_casting",
    "sand_casting",
    "investment_casting",
    "aluminium_extrusion",
    "pcb_assembly",
    "welding_assembly",
)
PROCESS_LABELS = {
    "cnc_machining": {"sv": "CNC-bearbetning", "en": "CNC machining"},
    "sheet_metal": {"sv": "plåtbearbetning (laser + kantpress)", "en": "sheet metal (laser + press brake)"},
    "stamping": {"sv": "stansning/pressning", "en": "stamping"},
    "injection_moulding": {"sv": "formsprutning", "en": "injection moulding"},
    "urethane_casting": {"sv": "vakuumgjutning (uretan)", "en": "urethane/vacuum casting"},
    "fdm": {"sv": "3D-utskrift FDM", "en": "FDM 3D printing"},
    "sla": {"sv": "3D-utskrift SLA", "en": "SLA 3D printing"},
    "sls": {"sv": "3D-utskrift SLS", "en": "SLS 3D printing"},
    "mjf": {"sv": "3D-utskrift MJF", "en": "MJF 3D printing"},
    "metal_3d_printing": {"sv": "metall-3D-utskrift", "en": "metal 3D printing"},
    "die_casting": {"sv": "pressgjutning", "en": "high-pressure die casting"},
    "sand_casting": {"sv": "sandgjutning", "en": "sand casting"},
    "investment_casting": {"sv": "precisionsgjutning", "en": "investment casting"},
    "aluminium_extrusion": {"sv": "aluminiumprofiler (extrudering)", "en": "aluminium extrusion"},
    "pcb_assembly": {"sv": "kretskort och elektronikmontering", "en": "PCB fabrication and assembly"},
    "welding_assembly": {"sv": "svetsning och montering", "en": "welding and assembly"},
}

MATERIALS = (
    "aluminium",
    "steel",
    "stainless_steel",
    "titanium",
    "copper",
    "brass",
    "zinc",
    "abs",
    "polycarbonate",
    "polyamide",
    "polypropylene",
    "pom",
    "pla",
    "petg",
    "photopolymer_resin",
    "polyurethane",
    "silicone",
    "carbon_fibre",
    "fr4",
)
MATERIAL_LABELS = {
    "aluminium": {"sv": "aluminium", "en": "aluminium"},
    "steel": {"sv": "stål", "en": "steel"},
    "stainless_steel": {"sv": "rostfritt stål", "en": "stainless steel"},
    "titanium": {"sv": "titan", "en": "titanium"},
    "copper": {"sv": "koppar", "en": "copper"},
    "brass": {"sv": "mässing", "en": "brass"},
    "zinc": {"sv": "zink", "en": "zinc"},
    "abs": {"sv": "ABS-plast", "en": "ABS"},
    "polycarbonate": {"sv": "polykarbonat (PC)", "en": "polycarbonate (PC)"},
    "polyamide": {"sv": "polyamid (nylon, PA)", "en": "polyamide (nylon, PA)"},
    "polypropylene": {"sv": "polypropen (PP)", "en": "polypropylene (PP)"},
    "pom": {"sv": "acetalplast (POM)", "en": "acetal (POM)"},
    "pla": {"sv": "PLA", "en": "PLA"},
    "petg": {"sv": "PETG", "en": "PETG"},
    "photopolymer_resin": {"sv": "fotopolymer (resin)", "en": "photopolymer resin"},
    "polyurethane": {"sv": "polyuretan", "en": "polyurethane"},
    "silicone": {"sv": "silikon", "en": "silicone"},
    "carbon_fibre": {"sv": "kolfiberkomposit", "en": "carbon-fibre composite"},
    "fr4": {"sv": "kretskortslaminat (FR-4)", "en": "circuit board laminate (FR-4)"},
}

# Materials the extractor recognises and the interview names, but that the register and the
# cost tables do not know (yet): no process in PROCESS_MATERIALS works them, no firm may list
# them (register validation takes MATERIALS only) and data/strategy/rates.yml has no density
# or price for them. Moving one into MATERIALS needs a rates.yml row, and it must go at the
# end of MATERIALS: the register stores materials as bits numbered by position there.
OTHER_MATERIALS = (
    "asa",
    "polyethylene",
    "pmma",
    "tpu",
    "peek",
    "pei",
    "ptfe",
    "rubber",
    "bronze",
    "magnesium",
    "nickel_alloy",
    "glass_fibre",
    "wood",
    "glass",
    "ceramic",
    "textile",
)
MATERIAL_LABELS.update(
    {
        "asa": {"sv": "ASA-plast", "en": "ASA"},
        "polyethylene": {"sv": "polyeten (PE)", "en": "polyethylene (PE)"},
        "pmma": {"sv": "akryl (PMMA, plexiglas)", "en": "acrylic (PMMA)"},
        "tpu": {
            "sv": "termoplastisk elastomer (TPU/TPE)",
            "en": "thermoplastic elastomer (TPU/TPE)",
        },
        "peek": {"sv": "PEEK", "en": "PEEK"},
        "pei": {"sv": "PEI (Ultem)", "en": "PEI (Ultem)"},
        "ptfe": {"sv": "PTFE (teflon)", "en": "PTFE (Teflon)"},
        "rubber": {"sv": "gummi", "en": "rubber"},
        "bronze": {"sv": "brons", "en": "bronze"},
        "magnesium": {"sv": "magnesium", "en": "magnesium"},
        "nickel_alloy": {"sv": "nickellegering", "en": "nickel alloy"},
        "glass_fibre": {"sv": "glasfiberkomposit", "en": "glass-fibre composite"},
        "wood": {"sv": "trä", "en": "wood"},
        "glass": {"sv": "glas", "en": "glass"},
        "ceramic": {"sv": "keramik", "en": "ceramic"},
        "textile": {"sv": "textil", "en": "textile"},
    }
)
# Every id the material slot can hold besides the families below ("plastic", "metal").
MATERIAL_IDS = MATERIALS + OTHER_MATERIALS

# Which materials each process can work; the register generator and the strategy engine
# both rely on this so that sample capabilities stay physically plausible.
_METALS_MACHINABLE = ("aluminium", "steel", "stainless_steel", "titanium", "copper", "brass")
_ENGINEERING_PLASTICS = ("abs", "polycarbonate", "polyamide", "polypropylene", "pom")
PROCESS_MATERIALS = {
    "cnc_machining": _METALS_MACHINABLE + ("abs", "polycarbonate", "polyamide", "pom"),
    "sheet_metal": ("aluminium", "steel", "stainless_steel", "copper", "brass"),
    "stamping": ("aluminium", "steel", "stainless_steel", "copper", "brass"),
    "injection_moulding": _ENGINEERING_PLASTICS + ("silicone",),
    "urethane_casting": ("polyurethane", "silicone"),
    "fdm": ("pla", "petg", "abs", "polyamide", "polycarbonate", "carbon_fibre"),
    "sla": ("photopolymer_resin",),
    "sls": ("polyamide", "polypropylene"),
    "mjf": ("polyamide", "polypropylene"),
    "metal_3d_printing": ("aluminium", "stainless_steel", "titanium"),
    "die_casting": ("aluminium", "zinc"),
    "sand_casting": ("aluminium", "steel", "brass", "copper"),
    "investment_casting": ("steel", "stainless_steel", "aluminium", "titanium", "brass"),
    "aluminium_extrusion": ("aluminium",),
    "pcb_assembly": ("fr4",),
    "welding_assembly": ("steel", "stainless_steel", "aluminium"),
}

CERTIFICATIONS = (
    "iso_9001",
    "iso_14001",
    "iso_13485",
    "iatf_16949",
    "en_9100",
    "en_1090",
    "iso_3834",
)
CERTIFICATION_LABELS = {
    "iso_9001": "ISO 9001",
    "iso_14001": "ISO 14001",
    "iso_13485": "ISO 13485",
    "iatf_16949": "IATF 16949",
    "en_9100": "EN 9100",
    "en_1090": "EN 1090",
    "iso_3834": "ISO 3834",
}

# The 21 län, by the short name used in the region slot and the register.
COUNTIES = (
    "Stockholm",
    "Uppsala",
    "Södermanland",
    "Östergötland",
    "Jönköping",
    "Kronoberg",
    "Kalmar",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra Götaland",
    "Värmland",
    "Örebro",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland",
    "Västerbotten",
    "Norrbotten",
)


def label(table: dict, key: str, lang: str) -> str:
    """The founder-facing label of a vocabulary id, falling back to the id itself."""
    entry = table.get(key)
    if entry is None:
        return key
    if isinstance(entry, str):
        return entry
    return entry.get(lang) or entry["en"]

# Generic words ("plast", "metal") name a family; the material slot keeps the family id and
# the strategy engine treats it as "any of these".
MATERIAL_FAMILIES = {
    "plastic": ("abs", "polycarbonate", "polyamide", "polypropylene", "pom"),
    "metal": ("aluminium", "steel", "stainless_steel"),
}
# Fibres that fill a polymer: "glasfiberfylld PA66", "PA6 med 30 % glasfiber" is a polyamide
# (a filled grade), not a glass-fibre composite.
FIBRES = ("glass_fibre", "carbon_fibre")
FILLED_POLYMERS = ("abs", "asa", "polycarbonate", "polyamide", "polypropylene", "polyethylene", "pom",
                   "pla", "petg", "peek", "pei", "ptfe", "pmma", "tpu", "polyurethane")  # fmt: skip
MATERIAL_LABELS["plastic"] = {"sv": "plast (ej specificerad)", "en": "plastic (unspecified)"}
MATERIAL_LABELS["metal"] = {"sv": "metall (ej specificerad)", "en": "metal (unspecified)"}

# founder_goal slot values: the next step the founder says they want (never asked, kept when said)
GOALS = ("prototype", "pilot", "full_scale", "reshore")
GOAL_LABELS = {
    "prototype": {"sv": "ta fram en prototyp", "en": "build a prototype"},
    "pilot": {"sv": "köra en nollserie", "en": "run a pilot series"},
    "full_scale": {"sv": "skala upp till serieproduktion", "en": "scale up to series production"},
    "reshore": {"sv": "flytta hem tillverkningen till Sverige", "en": "bring production home to Sweden"},
}

# Areas founders name that span several län (landskap and parts of the country). The region
# slot keeps the area's name; matching treats every county in it as "in the region".
REGION_AREAS = {
    "Småland": ("Jönköping", "Kronoberg", "Kalmar"),
    "Norrland": ("Gävleborg", "Västernorrland", "Jämtland", "Västerbotten", "Norrbotten"),
    "Mälardalen": ("Stockholm", "Uppsala", "Södermanland", "Västmanland", "Örebro"),
    "Västsverige": ("Västra Götaland", "Halland"),
    "Sydsverige": ("Skåne", "Blekinge", "Halland", "Kronoberg", "Kalmar", "Jönköping"),
    "Bergslagen": ("Örebro", "Västmanland", "Dalarna", "Värmland"),
    "Svealand": ("Stockholm", "Uppsala", "Södermanland", "Västmanland", "Örebro", "Värmland", "Dalarna"),
    "Götaland": ("Skåne", "Blekinge", "Halland", "Västra Götaland", "Östergötland", "Jönköping",
                 "Kronoberg", "Kalmar", "Gotland"),
    "Uppland": ("Stockholm", "Uppsala"),
    "Lappland": ("Västerbotten", "Norrbotten"),
}


def area_name(region: str | None) -> str | None:
    """The REGION_AREAS key a region slot names, whatever its case."""
    key = (region or "").strip().casefold()
    return next((name for name in REGION_AREAS if name.casefold() == key), None)


def counties_of(region: str | None) -> tuple[str, ...]:
    """The counties a region slot stands for: an area's, a county itself, or none."""
    area = area_name(region)
    if area:
        return REGION_AREAS[area]
    return (region,) if region in COUNTIES else ()
