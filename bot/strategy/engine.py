"""The strategy engine: from a founder's profile to a path, process options, next steps and
support, every decision with a reason in the founder's language.

Pure functions over the parameters in data/strategy/ (read once, cached). The rules live in
path.py (which path), options.py (which processes, ranking, break-even), costs.py (the cost
model) and support.py; this module puts them together and answers the follow-up questions
("why not full scale?", "what if 10x the volume?", "why do you ask?").
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import partial

from bot import config
from bot.i18n import pick
from bot.strategy.costs import CostModel
from bot.strategy.format import (
    format_mm,
    format_plain,
    format_range,
    format_sek,
    format_units,
    format_weeks,
    round_sig,
)
from bot.strategy.options import ProcessOption, Request, build_options
from bot.strategy.parameters import Parameters, load_parameters
from bot.strategy.path import PathDecision, PathTexts, decide_path, nollserie_size
from bot.strategy.profile import Profile
from bot.strategy.support import offer_text, support_for
from bot.vocabulary import (
    CERTIFICATION_LABELS,
    MATERIAL_LABELS,
    MATURITY_LABELS,
    MATURITY_LEVELS,
    PATH_LABELS,
    PATHS,
    PROCESS_LABELS,
    PROCESSES,
    label,
)


@dataclass
class Strategy:
    path: str  # prototype | pilot | full_scale
    reasons: list[str]
    assumptions: list[str]
    processes: list[ProcessOption]  # ranked, best first
    next_steps: list[str]
    support: list[dict]  # {"name", "offer", "url", "checked"}

    def to_payload(self) -> dict:
        return {
            "path": self.path,
            "reasons": list(self.reasons),
            "assumptions": list(self.assumptions),
            "processes": [option.to_payload() for option in self.processes],
            "next_steps": list(self.next_steps),
            "support": [dict(entry) for entry in self.support],
        }


def _lang(lang: str | None) -> str:
    return "sv" if lang == "sv" else "en"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _units(value: float, lang: str) -> str:
    return format_units(round_sig(value, 3), lang)


# --- recommend ------------------------------------------------------------------------------


def recommend(profile: Profile, lang: str = "en") -> Strategy:
    """The recommendation for a profile (see path.py, options.py and the YAML files for the rules)."""
    lang = _lang(lang)
    params = load_parameters()
    profile = profile.cleaned()
    decision = decide_path(profile, params, lang)
    named = profile.process if profile.process in PROCESSES else None
    request = Request(
        maturity=decision.maturity,
        volume=decision.evaluate_volume,
        material=profile.material_choice(),
        tolerance_mm=profile.tolerance_mm,
        named_process=named,
        lang=lang,
    )
    result = build_options(params, CostModel(params), request)
    options = result.options
    texts = _Texts(params, profile, decision, lang)
    reasons = (
        decision.reasons
        + result.reasons
        + texts.tolerance_remarks(options)
        + texts.target_remarks(options)
    )
    assumptions = decision.assumptions + texts.input_assumptions() + [texts.cost_basis()]
    return Strategy(
        path=decision.path,
        reasons=[r for r in reasons if r],
        assumptions=assumptions,
        processes=options,
        next_steps=texts.next_steps(options),
        support=support_for(params, decision.path, lang, profile.region, profile.certifications),
    )


class _Texts:
    """Sentences of a recommendation that depend on several parts of the profile."""

    def __init__(self, params: Parameters, profile: Profile, decision: PathDecision, lang: str):
        self.params = params
        self.profile = profile
        self.d = decision
        self.lang = lang

    def t(self, sv: str, en: str) -> str:
        return pick(self.lang, sv, en)

    def sek(self, value: float) -> str:
        return format_sek(round_sig(value, 2) if value >= 100 else value, self.lang)

    # --- reasons about the options as a whole ---

    def tolerance_remarks(self, options: list[ProcessOption]) -> list[str]:
        required = self.profile.tolerance_mm
        suitable = [o for o in options if o.suitable]
        if required is None or not suitable or any(o.fits_tolerance for o in suitable):
            return []
        need = format_mm(required, self.lang)
        return [
            self.t(
                f"Ingen av processerna håller {need}, inte ens med precisionsbearbetning. Fundera på om toleransen behövs på hela detaljen, eller planera en efterbearbetning (till exempel slipning) av de kritiska måtten.",
                f"None of the processes holds {need}, not even with precision work. Consider whether the whole part needs that tolerance, or plan a finishing step (such as grinding) for the critical features.",
            )
        ]

    def target_remarks(self, options: list[ProcessOption]) -> list[str]:
        target = self.profile.target_unit_cost_sek
        suitable = [o for o in options if o.suitable and o.fits_tolerance] or [
            o for o in options if o.suitable
        ]
        if target is None or not suitable:
            return []
        goal = self.sek(target)
        if self.d.evaluate_volume < self.d.volume:
            return [
                self.t(
                    f"Detaljer i det här skedet kostar mer än i serie, så ditt mål på {goal} per detalj prövas när du planerar serien.",
                    f"Parts at this stage cost more than series parts, so your target of {goal} per part is checked when you plan the series.",
                )
            ]
        cheapest = min(suitable, key=lambda o: o.unit_cost_sek)
        cost = self.sek(cheapest.unit_cost_sek)
        if target < cheapest.unit_cost_sek:
            gap = cheapest.unit_cost_sek - target
            share = format_percent_rounded(gap / target, self.lang)
            return [
                self.t(
                    f"Ditt mål på {goal} per detalj ligger under alla alternativ: det billigaste, {cheapest.label}, kostar omkring {cost}, alltså {self.sek(gap)} ({share}) över målet. Högre volym, en enklare detalj eller ett annat material kan minska gapet.",
                    f"Your target of {goal} per part is below every option: the cheapest, {cheapest.label}, costs about {cost}, which is {self.sek(gap)} ({share}) above your target. Higher volume, a simpler part or another material could close the gap.",
                )
            ]
        if target < cheapest.total_cost_per_unit_sek:
            tooling = self.sek(cheapest.total_cost_per_unit_sek - cheapest.unit_cost_sek)
            return [
                self.t(
                    f"Ditt mål på {goal} per detalj går att nå med {cheapest.label} (omkring {cost}), men verktygen lägger till omkring {tooling} per detalj första året.",
                    f"Your target of {goal} per part is within reach with {cheapest.label} (about {cost}), but tooling adds about {tooling} per part in the first year.",
                )
            ]
        return [
            self.t(
                f"Ditt mål på {goal} per detalj ser ut att gå att nå med {cheapest.label} (omkring {cost}).",
                f"Your target of {goal} per part looks reachable with {cheapest.label} (about {cost}).",
            )
        ]

    # --- assumptions ---

    def input_assumptions(self) -> list[str]:
        result = []
        material = self.profile.material_choice()
        if material.kind == "missing":
            result.append(
                self.t(
                    "Du angav inget material, så jag jämförde processerna i deras vanligaste material.",
                    "You didn't name a material, so I compared the processes in their most common material.",
                )
            )
        elif material.kind == "unknown" and material.text in MATERIAL_LABELS:
            # a material we recognise (wood, PEEK, glass, ...) but have no process rates for
            name = label(MATERIAL_LABELS, material.text, self.lang)
            result.append(
                self.t(
                    f"Jag har ännu inga kostnadsdata för {name}, så jag sorterade inte bort processer efter material och räknade med deras vanligaste material. En rådgivare eller verkstad behöver bekräfta vilka metoder som fungerar.",
                    f"I have no cost data for {name} yet, so I didn't rule out processes by material and costed each in its most common material. An advisor or a shop needs to confirm which processes work for it.",
                )
            )
        elif material.kind == "unknown":
            result.append(
                self.t(
                    f"Jag känner inte igen materialet ”{material.text}”, så jag sorterade inte bort processer efter material och räknade med deras vanligaste material.",
                    f"I don't recognise the material “{material.text}”, so I didn't rule out processes by material and costed each in its most common material.",
                )
            )
        elif material.kind == "family":
            members = ", ".join(label(MATERIAL_LABELS, m, self.lang) for m in material.ids)
            result.append(
                self.t(
                    f"Du angav {material.label('sv')}: jag räknade med de vanliga sorterna ({members}).",
                    f"You said {material.label('en')}: I included the common kinds ({members}).",
                )
            )
        if self.profile.tolerance_mm is None:
            result.append(
                self.t(
                    "Du angav ingen tolerans, så ingen process sorterades bort på precision; varje alternativ visar vad det normalt håller.",
                    "You didn't give a tolerance, so no process was ruled out on precision; each option shows what it usually holds.",
                )
            )
        process = self.profile.process
        if process and process not in PROCESSES:
            result.append(
                self.t(
                    f"Jag känner inte igen processen ”{process}”, så den är inte kostnadsberäknad; alternativen nedan är de jag känner till.",
                    f"I don't recognise the process “{process}”, so it isn't costed; the options below are the ones I know.",
                )
            )
        return result

    def cost_basis(self) -> str:
        rates = self.params.rates
        cnc = rates.machine_rates["cnc"]
        part = rates.reference_part[self.lang]
        usd = format_sek(config.sek_per_usd(), self.lang)
        return self.t(
            f"Kostnaderna gäller {part}, med schablonpriser för svenska verkstäder (till exempel {format_range(*cnc, 'sv', 'sek')} per timme för CNC) och {usd} per USD. Storlek och komplexitet kan ändra dem flera gånger om – be om offerter.",
            f"Costs are for {part}, at default Swedish shop rates (for example {format_range(*cnc, 'en', 'sek')} an hour for CNC) and {usd} per USD. Size and complexity can change them several-fold – ask for quotes.",
        )

    # --- next steps ---

    def next_steps(self, options: list[ProcessOption]) -> list[str]:
        stage = self.params.stages.stages[self.d.path]
        suitable = [o for o in options if o.suitable]
        top = suitable[0] if suitable else (options[0] if options else None)
        process = top.label if top else self.t("den bästa processen", "the best process")
        nollserie = format_units(nollserie_size(self.params, self.d.volume), self.lang)
        steps = [
            step.text[self.lang].format(process=process, nollserie=nollserie)
            for step in stage.next_steps
            if step.applies(self.d.maturity)
        ]
        certificates = self.certification_step()
        if certificates:
            steps.append(certificates)
        timeline = self.timeline_step(top, suitable)
        if timeline:
            steps.append(timeline)
        return steps

    def certification_step(self) -> str:
        certs = self.profile.certifications
        if not certs:
            return ""
        names = ", ".join(CERTIFICATION_LABELS.get(c, c) for c in certs)
        when = {
            "prototype": ("redan under prototypomgångarna", "already during the prototype rounds"),
            "pilot": ("med detaljer från nollserien", "with parts from the nollserie"),
            "full_scale": ("innan serien startar", "before the series starts"),
        }[self.d.path]
        return self.t(
            f"Välj leverantörer som är certifierade enligt {names} och planera produktens egna certifieringsprov {when[0]}.",
            f"Choose suppliers certified to {names}, and plan the product's own certification tests {when[1]}.",
        )

    def timeline_step(self, top: ProcessOption | None, options: list[ProcessOption]) -> str:
        weeks = self.profile.timeline_weeks
        if weeks is None or top is None:
            return ""
        lo, hi = top.lead_time_weeks_range
        lead = format_range(lo, hi, self.lang, "weeks")
        yours = format_weeks(weeks, self.lang)
        if weeks < lo:
            faster = [
                o
                for o in options
                if o is not top and o.lead_time_weeks_range[0] <= weeks and o.fits_tolerance
            ]
            if faster:
                alt = faster[0]
                alt_lead = format_range(*alt.lead_time_weeks_range, self.lang, "weeks")
                return self.t(
                    f"Din tidsplan på {yours} är kortare än ledtiden för {top.label} ({lead}); {alt.label} går snabbare ({alt_lead}), eller planera för ett senare datum.",
                    f"Your timeline of {yours} is shorter than the lead time of {top.label} ({lead}); {alt.label} is faster ({alt_lead}), or plan for a later date.",
                )
            return self.t(
                f"Din tidsplan på {yours} är kortare än ledtiden för {top.label} ({lead}); planera för ett senare datum eller fråga verkstäderna om expressleverans.",
                f"Your timeline of {yours} is shorter than the lead time of {top.label} ({lead}); plan for a later date or ask the shops about express delivery.",
            )
        if weeks < hi:
            return self.t(
                f"Din tidsplan på {yours} är snäv för {top.label} ({lead}): beställ tidigt och få ledtiden bekräftad i offerten.",
                f"Your timeline of {yours} is tight for {top.label} ({lead}): order early and have the lead time confirmed in the quote.",
            )
        return ""


def format_percent_rounded(share: float, lang: str) -> str:
    amount = format_plain(round_sig(share * 100, 2), lang, 1)
    return f"{amount} %" if lang == "sv" else f"{amount}%"


# --- follow-up questions ----------------------------------------------------------------------

_PATH_ALIASES = {
    "prototype": "prototype",
    "prototyp": "prototype",
    "prototyping": "prototype",
    "pilot": "pilot",
    "pilot_series": "pilot",
    "pilotserie": "pilot",
    "nollserie": "pilot",
    "zero_series": "pilot",
    "full_scale": "full_scale",
    "full": "full_scale",
    "fullskala": "full_scale",
    "fullskalig": "full_scale",
    "fullskalig_produktion": "full_scale",
    "full_scale_production": "full_scale",
    "series_production": "full_scale",
    "serieproduktion": "full_scale",
}


def normalise_path(text: str | None) -> str | None:
    """A path id from an id, an alias or a label ("nollserie", "full scale"), else None."""
    if not isinstance(text, str):
        return None
    key = "_".join(text.strip().lower().replace("-", " ").split())
    if key in _PATH_ALIASES:
        return _PATH_ALIASES[key]
    for pid, labels in PATH_LABELS.items():
        if key in ("_".join(v.lower().split()) for v in labels.values()):
            return pid
    return None


def explain_not_path(profile: Profile, other_path: str, lang: str = "en") -> str:
    """Why the recommendation is not `other_path`, and what would have to change for it."""
    lang = _lang(lang)
    params = load_parameters()
    other = normalise_path(other_path)
    if other is None:
        names = ", ".join(label(PATH_LABELS, p, lang) for p in PATHS)
        return pick(
            lang,
            f"Jag känner bara till vägarna {names}. Vilken av dem menar du?",
            f"I only know the paths {names}. Which one do you mean?",
        )
    d = decide_path(profile.cleaned(), params, lang)
    t = partial(pick, lang)  # t(sv, en): the text in the founder's language
    maturity = label(MATURITY_LABELS, d.maturity, lang)
    volume = _units(d.volume, lang)
    threshold_text = PathTexts(params, d, lang).threshold_text()
    other_label = label(PATH_LABELS, other, lang)
    # what was assumed, as far as it matters for this question
    relevant = [PathTexts(params, d, lang).assumed_maturity()] if d.maturity_assumed else []
    if d.volume_assumed and "full_scale" in (other, d.path):
        relevant.append(PathTexts(params, d, lang).assumed_volume())
    assumed = "".join(" " + text for text in relevant)
    if other == d.path:
        return (
            t(
                f"Det är redan min rekommendation: {d.reasons[0]}",
                f"That is already my recommendation: {d.reasons[0]}",
            )
            + assumed
        )
    level = MATURITY_LEVELS.index(d.maturity)
    if other == "prototype":
        text = t(
            f"Prototypvägen är till för konstruktioner som fortfarande ändras; din är {maturity}. Gå bara tillbaka till prototyper om konstruktionen måste ändras igen – det är billigare än att ändra verktyg.",
            f"The prototype path is for designs that still change; yours is at the {maturity} stage. Go back to prototypes only if the design has to change again – that is cheaper than changing tooling.",
        )
    elif other == "pilot" and d.path == "prototype":
        text = t(
            f"En nollserie kräver en validerad prototyp; din är på stadiet {maturity}. Testa funktionen och bestäm de kritiska toleranserna först, sedan är nollserien nästa steg.",
            f"A pilot series (nollserie) needs a validated prototype; yours is at the {maturity} stage. Test the function and pin down the critical tolerances first; then the nollserie is the next step.",
        )
    elif other == "pilot":
        text = t(
            f"En nollserie eller småserie sparar verktygskostnaden, men vid {volume} per år ligger du över där verktygen lönar sig ({threshold_text}). Under den volymen hade jag rekommenderat småserie. Du kan ändå köra en nollserie i produktionsverktyget för att kontrollera utbytet först.",
            f"A pilot or small series saves the tooling cost, but at {volume} a year you are above where tooling pays off ({threshold_text}). Below that volume I would recommend a small series. You can still run a nollserie in the production tool to check the yield first.",
        )
    else:  # full_scale
        needs = []
        if level < MATURITY_LEVELS.index("design_frozen"):
            needs.append(
                t(
                    f"en låst konstruktion (nu: {maturity}), bevisad i en nollserie",
                    f"a frozen design (now: {maturity}), proven in a nollserie",
                )
            )
        if d.volume < d.threshold:
            factor = format_plain(round_sig(d.threshold / d.volume, 2), lang)
            needs.append(
                t(
                    f"en volym på {threshold_text} eller mer (du planerar {volume} per år, alltså behövs {factor} gånger så mycket)",
                    f"a volume of {threshold_text} or more (you plan {volume} a year, so {factor} times as much)",
                )
            )
        text = t(
            f"Fullskalig produktion skulle kräva {' och '.join(needs)}.",
            f"Full-scale production would need {' and '.join(needs)}.",
        )
    return t(f"Varför inte {other_label}? ", f"Why not {other_label}? ") + text + assumed


def with_volume(
    profile: Profile, factor: float | None = None, volume: float | None = None
) -> Profile:
    """A copy of the profile with another annual volume ("what if we need 10x the volume?").

    `factor` multiplies the current volume (or the assumed one when none was given); `volume`
    sets it. If both are given the factor wins: a "10x" message often also yields a bare number.
    Raises ValueError when neither is given or the value is not a positive number.
    """
    if factor is None and volume is None:
        raise ValueError("give a factor or a volume")
    value = factor if factor is not None else volume
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(
            f"the {'factor' if factor is not None else 'volume'} must be a positive number, got {value!r}"
        )
    if factor is None:
        new_volume = float(volume)
    else:
        base = (
            profile.cleaned().annual_volume
            or decide_path(profile.cleaned(), load_parameters(), "en").volume
        )
        new_volume = base * factor
    return dataclasses.replace(
        profile, annual_volume=new_volume, certifications=list(profile.certifications)
    )


# --- knowledge answers ------------------------------------------------------------------------


def explain_field(slot: str, lang: str) -> str:
    """'Why do you ask?': what the answer to an interview question changes."""
    lang = _lang(lang)
    params = load_parameters()
    processes = params.processes
    t = partial(pick, lang)  # t(sv, en): the text in the founder's language

    def threshold(pid: str) -> str:
        return _units(processes[pid].full_scale_from, lang)

    def capability(pid: str) -> str:
        return format_mm(processes[pid].tolerance.standard_at(params.rates.feature_mm), lang)

    def lead(pid: str, tool: int | None = None) -> str:
        process = processes[pid]
        weeks = (
            process.tooling[tool].lead_time_weeks if tool is not None else process.lead_time_weeks
        )
        return format_range(*weeks, lang, "weeks")

    usd = params.stages.mould_change_cost_usd
    texts = {
        "product_description": t(
            "Vad produkten är säger mig vilka processer och material som är rimliga, och hjälper rådgivare och tillverkare att förstå vad du behöver.",
            "What the product is tells me which processes and materials are plausible, and helps advisers and manufacturers understand what you need.",
        ),
        "founder_goal": t(
            "Ert eget mål väger in där en rådgivare skulle låta det göra det: vill ni köra en nollserie på en fungerande prototyp blir det nollserie, och flyttar ni hem en befintlig produktion räknar jag den som i produktion.",
            "Your own goal counts where an adviser would let it: if you want a pilot run on a working prototype, the path is a nollserie, and if you are moving existing production home, I treat the product as in production.",
        ),
        "design_maturity": t(
            f"Hur långt konstruktionen har kommit avgör vägen: inga formverktyg förrän prototypen är validerad, eftersom en ändring av en färdig form kostar {format_range(*usd, 'sv', 'usd')}.",
            f"How far the design has come decides the path: no tooling before the prototype is validated, because changing a finished mould costs {format_range(*usd, 'en', 'usd')}.",
        ),
        "annual_volume": t(
            f"Volymen avgör om verktyg lönar sig – formsprutning oftast från omkring {threshold('injection_moulding')} per år, stansning från {threshold('stamping')}, pressgjutning från {threshold('die_casting')} – och styr kostnaden per detalj.",
            f"Volume decides whether tooling pays off – injection moulding usually from about {threshold('injection_moulding')} a year, stamping from {threshold('stamping')}, die casting from {threshold('die_casting')} – and drives the cost per part.",
        ),
        "tolerance_mm": t(
            f"Den snävaste toleransen avgör vilka processer som klarar detaljen: CNC håller normalt {capability('cnc_machining')}, FDM-utskrift {capability('fdm')} och sandgjutning {capability('sand_casting')}.",
            f"The tightest tolerance decides which processes can make the part: CNC usually holds {capability('cnc_machining')}, FDM printing {capability('fdm')} and sand casting {capability('sand_casting')}.",
        ),
        "target_unit_cost_sek": t(
            "Med en målkostnad per detalj kan jag säga om alternativen når den och hur stort gapet är.",
            "With a target cost per part I can tell you whether the options reach it and how big the gap is.",
        ),
        "material": t(
            "Materialet begränsar vilka processer som kan göra detaljen, och priset är en del av kostnaden per detalj.",
            "The material limits which processes can make the part, and its price is part of the cost per part.",
        ),
        "process": t(
            "Om du redan har en process i tankarna räknar jag på den också och berättar hur den står sig mot alternativen.",
            "If you already have a process in mind, I cost it too and tell you how it compares with the alternatives.",
        ),
        "certifications": t(
            "Certifieringar (till exempel ISO 13485 för medicinteknik) begränsar vilka tillverkare som kan göra detaljen och lägger till provning i planen.",
            "Certifications (such as ISO 13485 for medical devices) limit which manufacturers can make the part and add testing to the plan.",
        ),
        "region": t(
            "Din region hjälper mig att föreslå tillverkare i närheten och regionala kontor hos stödaktörerna.",
            "Your region helps me suggest nearby manufacturers and the regional offices of support actors.",
        ),
        "timeline_weeks": t(
            f"Tidsplanen jämförs med ledtiderna: en stålform tar {lead('injection_moulding', 1)}, CNC-detaljer {lead('cnc_machining')} och 3D-utskrifter {lead('fdm')}.",
            f"Your timeline is compared with the lead times: a steel mould takes {lead('injection_moulding', 1)}, CNC parts {lead('cnc_machining')} and 3D prints {lead('fdm')}.",
        ),
    }
    return texts.get(
        slot,
        t(
            "Jag frågar för att rådet ska passa just din produkt.",
            "I ask so that the advice fits your product.",
        ),
    )


def stage_overview(lang: str) -> str:
    """Prototype, pilot series and full scale in a few lines."""
    lang = _lang(lang)
    stages = load_parameters().stages.stages
    lines = [f"• {stages[p].summary[lang]} {stages[p].move_on[lang]}" for p in PATHS]
    rule = pick(
        lang,
        "Konstruktionens mognad väger tyngre än volymen: inga hårda verktyg förrän konstruktionen är validerad.",
        "Design maturity weighs more than volume: no hard tooling before the design is validated.",
    )
    return "\n".join(lines + [rule])


def tooling_overview(lang: str) -> str:
    """What tooling costs: every tool in the data, cheapest first, and the break-even rule."""
    lang = _lang(lang)
    params = load_parameters()
    rows = []
    for process in params.processes.values():
        for tool in process.tooling:
            sek = tool.cost.sek()
            rows.append((sek[0], process, tool, sek))
    lines = [
        pick(
            lang,
            "Verktyg är en engångskostnad som sprids över volymen. Typiska kostnader per verktyg:",
            "Tooling is a one-off cost spread over the volume. Typical costs per tool:",
        )
    ]
    for _, process, tool, sek in sorted(rows, key=lambda row: row[0]):
        name = _capitalised(label(PROCESS_LABELS, process.id, lang))
        cost = format_range(round_sig(sek[0]), round_sig(sek[1]), lang, "sek")
        if tool.cost.currency == "USD":
            cost += f" ({format_range(*tool.cost.range, lang, 'usd')})"
        line = f"• {name}, {tool.label[lang]}: {cost}"
        if tool.life_parts:
            life = format_range(*tool.life_parts, lang, "units")
            line += pick(lang, f", räcker till {life}", f", lasts {life}")
        lines.append(line)
    lines.append(
        pick(
            lang,
            "Ett verktyg lönar sig när volymen passerar break-even: verktygskostnad / (styckpris utan verktyg − styckpris med verktyg).",
            "A tool pays off once the volume passes break-even: tooling cost / (unit cost without the tool − unit cost with it).",
        )
    )
    return "\n".join(lines)


def nollserie_explainer(lang: str) -> str:
    """What a nollserie (pilot series) is."""
    lang = _lang(lang)
    params = load_parameters()
    stages = params.stages
    pilot = stages.stages["pilot"]
    span = format_range(*pilot.typical_volume, lang, "units")
    upper = format_units(pilot.typical_volume_upper or pilot.typical_volume[1], lang)
    share = round(stages.nollserie_share * 100)
    return pick(
        lang,
        f"En nollserie (pilotserie) är en första liten serie – oftast {span}, upp till omkring {upper} – tillverkad med produktionsprocessen eller nära den, när konstruktionen är låst eller nästan låst. "
        f"Den visar utbyte, cykeltid och kostnad per detalj, ger detaljer till certifieringsprov och de första kunderna, och visar om prognosen räcker för verktyg till full skala. "
        f"Tumregel här: omkring {share} % av en årsvolym.",
        f"A nollserie (zero series, or pilot series) is a first small run – usually {span}, up to about {upper} – made with the production process or close to it, once the design is frozen or nearly so. "
        f"It shows the yield, cycle time and cost per part, gives parts for certification tests and first customers, and shows whether the forecast justifies full-scale tooling. "
        f"Rule of thumb here: about {share}% of a year's volume.",
    )


def support_overview(lang: str) -> str:
    """Who can help: every support actor in the data with its offer and link."""
    lang = _lang(lang)
    actors = load_parameters().support
    lines = [pick(lang, "De här kan hjälpa dig:", "These can help you:")]
    for actor in actors:
        lines.append(f"• {actor.name[lang]}: {offer_text(actor, lang)} {actor.url}")
    checked = max(a.checked for a in actors)
    lines.append(
        pick(
            lang,
            f"Beloppen kontrollerades senast {checked} och ändras – kontrollera på länkarna.",
            f"Amounts were last checked on {checked} and change – check the links.",
        )
    )
    return "\n".join(lines)
