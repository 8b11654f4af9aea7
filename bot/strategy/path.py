"""Choosing the production path: prototype, pilot (nollserie) or full scale.

The rules are written out in data/strategy/stages.yml; in short: design maturity outweighs
volume (no tooling before the design is validated), a validated prototype always goes
through a nollserie, and a frozen design goes to full scale only when the annual volume
reaches the tooling break-even of the best hard-tooled process for its material.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import config
from bot.i18n import pick
from bot.strategy.format import format_range, format_units, round_sig
from bot.strategy.parameters import Parameters
from bot.strategy.profile import MaterialChoice, Profile
from bot.vocabulary import MATURITY_LABELS, MATURITY_LEVELS, PATH_LABELS, PROCESS_LABELS, label

FROZEN = "full_scale_if_above_break_even"
# how "your design is ..." reads for the mature levels
_STATE = {
    "design_frozen": {"sv": "låst", "en": "frozen"},
    "in_production": {"sv": "redan i produktion", "en": "already in production"},
}


@dataclass
class PathDecision:
    path: str
    maturity: str  # the founder's, or the assumed one
    volume: float  # units a year: the founder's, or the assumed one
    evaluate_volume: float  # the volume the process costs are computed at
    threshold: float  # units a year from which full-scale tooling pays off for the material
    threshold_process: str | None  # the hard-tooled process that threshold belongs to
    maturity_assumed: bool = False
    volume_assumed: bool = False
    goal: str | None = None  # the founder's own goal, when said
    goal_moved: bool = False  # the goal moved the path (stages.yml rule 7)
    reasons: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


def full_scale_threshold(params: Parameters, material: MaterialChoice) -> tuple[float, str | None]:
    """The lowest full_scale_from among hard-tooled processes that work the material."""
    best: tuple[float, str | None] = (params.stages.full_scale_from_default, None)
    found = []
    for process in params.processes.values():
        if process.full_scale_from is None:
            continue
        if material.kind in ("id", "family") and not any(
            m in process.materials for m in material.ids
        ):
            continue
        found.append((process.full_scale_from, process.id))
    return min(found) if found else best


def nollserie_size(params: Parameters, volume: float) -> float:
    """About a tenth of a year's volume, within the pilot range, never more than the volume."""
    stages = params.stages
    size = min(max(volume * stages.nollserie_share, stages.nollserie_min), stages.nollserie_max)
    return max(1.0, min(volume, round_sig(size)))


def path_for(params: Parameters, maturity: str, volume: float, threshold: float) -> str:
    rule = params.stages.maturity_path[maturity]
    if rule != FROZEN:
        return rule
    return "full_scale" if volume >= threshold else "pilot"


def decide_path(profile: Profile, params: Parameters, lang: str) -> PathDecision:
    stages = params.stages
    maturity = profile.design_maturity if profile.design_maturity in MATURITY_LEVELS else None
    goal = profile.founder_goal
    if maturity is None and goal == "reshore":
        maturity = stages.reshore_maturity  # production moving home exists today
    maturity_assumed = maturity is None
    maturity = maturity or stages.assume_maturity
    material = profile.material_choice()
    threshold, threshold_process = full_scale_threshold(params, material)

    volume = profile.annual_volume
    volume_assumed = volume is None or volume <= 0
    if volume_assumed:
        rule = stages.maturity_path[maturity]
        implied = (
            "pilot" if rule == FROZEN else rule
        )  # a frozen design without a volume: assume a pilot's
        volume = stages.stages[implied].assumed_volume

    path = path_for(params, maturity, volume, threshold)
    goal_moved = (
        goal == "pilot"
        and path == "prototype"
        and not maturity_assumed
        and MATURITY_LEVELS.index(maturity) >= MATURITY_LEVELS.index(stages.goal_pilot_from)
    )
    if goal_moved:
        path = "pilot"
    decision = PathDecision(
        path=path,
        maturity=maturity,
        volume=volume,
        evaluate_volume=evaluation_volume(params, path, maturity, volume),
        threshold=threshold,
        threshold_process=threshold_process,
        maturity_assumed=maturity_assumed,
        volume_assumed=volume_assumed,
        goal=goal,
        goal_moved=goal_moved,
    )
    texts = PathTexts(params, decision, lang)
    if maturity_assumed:
        decision.assumptions.append(texts.assumed_maturity())
    if volume_assumed:
        decision.assumptions.append(texts.assumed_volume())
    decision.reasons.extend(texts.reasons())
    return decision


def evaluation_volume(params: Parameters, path: str, maturity: str, volume: float) -> float:
    """Prototype costs are for a prototype run, nollserie costs for pilot scale (stages.yml rule 5)."""
    stage = params.stages.stages[path]
    by_maturity = params.stages.maturity_path[maturity] != FROZEN
    if stage.evaluate_up_to is not None and (path == "prototype" or by_maturity):
        return max(1.0, min(volume, stage.evaluate_up_to))
    return max(1.0, volume)


class PathTexts:
    """The founder-facing sentences about a path decision."""

    def __init__(self, params: Parameters, decision: PathDecision, lang: str):
        self.params = params
        self.d = decision
        self.lang = lang

    def t(self, sv: str, en: str) -> str:
        return pick(self.lang, sv, en)

    def units(self, value: float) -> str:
        return format_units(round_sig(value, 3), self.lang)

    def maturity_label(self) -> str:
        return label(MATURITY_LABELS, self.d.maturity, self.lang)

    def state(self) -> str:
        return _STATE.get(self.d.maturity, {}).get(self.lang) or self.maturity_label()

    def threshold_text(self) -> str:
        """'about 2,000 a year for injection moulding' (or the pilot range's upper end)."""
        d = self.d
        amount = self.units(d.threshold)
        if d.threshold_process is None:
            return self.t(f"omkring {amount} per år", f"about {amount} a year")
        name = label(PROCESS_LABELS, d.threshold_process, self.lang)
        return self.t(f"omkring {amount} per år för {name}", f"about {amount} a year for {name}")

    def mould_change(self) -> str:
        usd = self.params.stages.mould_change_cost_usd
        sek = (round_sig(usd[0] * config.sek_per_usd()), round_sig(usd[1] * config.sek_per_usd()))
        return self.t(
            f"{format_range(*usd, 'sv', 'usd')} (cirka {format_range(*sek, 'sv', 'sek')})",
            f"{format_range(*usd, 'en', 'usd')} (about {format_range(*sek, 'en', 'sek')})",
        )

    def assumed_maturity(self) -> str:
        return self.t(
            f"Du angav inte hur långt konstruktionen har kommit, så jag antog att du har en {self.maturity_label()}.",
            f"You didn't say how far the design has come, so I assumed you have a {self.maturity_label()}.",
        )

    def assumed_volume(self) -> str:
        rule = self.params.stages.maturity_path[self.d.maturity]
        implied = "pilot" if rule == FROZEN else rule
        stage = label(PATH_LABELS, implied, self.lang)
        text = self.t(
            f"Du angav ingen årsvolym, så jag antog {self.units(self.d.volume)} per år, typiskt för {stage}.",
            f"You didn't give a yearly volume, so I assumed {self.units(self.d.volume)} a year, typical of a {stage}.",
        )
        if rule == FROZEN:
            text += self.t(
                " Berätta din volym så ser jag om fullskalig produktion lönar sig.",
                " Tell me your volume and I'll check whether full-scale production pays off.",
            )
        return text

    def reasons(self) -> list[str]:
        d = self.d
        rule = self.params.stages.maturity_path[d.maturity]
        if d.goal_moved:
            reasons = [self.goal_pilot_reason(), self.later_volume_reason()]
        elif d.path == "prototype":
            reasons = [self.prototype_reason(), self.later_volume_reason()]
        elif rule != FROZEN:
            reasons = [self.validated_reason(), self.later_volume_reason()]
        elif d.path == "full_scale":
            reasons = [self.full_scale_reason()]
        else:
            reasons = [self.below_break_even_reason()]
            if d.volume <= self.params.stages.small_series_up_to:
                reasons.append(self.small_series_reason())
        if d.evaluate_volume < d.volume:
            reasons.append(self.evaluated_at_reason())
        return [r for r in reasons if r]

    def prototype_reason(self) -> str:
        return self.t(
            f"Konstruktionen är på stadiet {self.maturity_label()}, så nästa steg är prototyper: inga formverktyg förrän konstruktionen är validerad, eftersom en ändring av en färdig form kostar {self.mould_change()}.",
            f"Your design is at the {self.maturity_label()} stage, so the next step is prototypes: no tooling until the design is validated, because changing a finished mould costs {self.mould_change()}.",
        )

    def goal_pilot_reason(self) -> str:
        size = self.units(nollserie_size(self.params, self.d.volume))
        return self.t(
            f"Ni vill köra en nollserie och har en {self.maturity_label()}: en nollserie på omkring {size} med enkla verktyg är också där prototypen bevisas hos riktiga användare, innan ni betalar för verktyg till full skala.",
            f"You want a pilot run and have a {self.maturity_label()}: a nollserie of about {size} with simple tooling is also where the prototype is proven with real users, before you pay for full-scale tooling.",
        )

    def validated_reason(self) -> str:
        size = self.units(nollserie_size(self.params, self.d.volume))
        return self.t(
            f"Prototypen är validerad men inte tillverkningsprocessen: en nollserie på omkring {size} visar utbyte, cykeltid och certifiering innan du betalar för verktyg till full skala.",
            f"Your prototype is validated, but the production process is not: a nollserie (pilot series) of about {size} proves yield, cycle time and certification before you pay for full-scale tooling.",
        )

    def later_volume_reason(self) -> str:
        d = self.d
        if d.volume_assumed:
            return ""
        volume = self.units(d.volume)
        if d.volume >= d.threshold:
            return self.t(
                f"Dina {volume} per år räcker för att verktyg till full skala ska löna sig (från {self.threshold_text()}), men först när konstruktionen är bevisad.",
                f"Your {volume} a year is enough for full-scale tooling to pay off (from {self.threshold_text()}), but only once the design is proven.",
            )
        return self.t(
            f"Dina {volume} per år ligger under där hårda verktyg brukar löna sig ({self.threshold_text()}), så verktygsfria eller enkla verktyg är troligen billigast även senare.",
            f"Your {volume} a year is below where hard tooling usually pays off ({self.threshold_text()}), so routes with little or no tooling will probably stay cheapest later too.",
        )

    def full_scale_reason(self) -> str:
        volume = self.units(self.d.volume)
        return self.t(
            f"Konstruktionen är {self.state()} och {volume} per år ligger över där verktygen brukar löna sig ({self.threshold_text()}): fullskalig produktion med egna verktyg är det ekonomiska valet.",
            f"Your design is {self.state()} and {volume} a year is above where tooling usually pays off ({self.threshold_text()}): full-scale production with dedicated tooling is the economical choice.",
        )

    def below_break_even_reason(self) -> str:
        volume = self.units(self.d.volume)
        return self.t(
            f"Konstruktionen är {self.state()}, men {volume} per år ligger under där hårda verktyg brukar löna sig ({self.threshold_text()}): vägar med lite eller inga verktyg är billigare, så tillverka i små serier.",
            f"Your design is {self.state()}, but {volume} a year is below where hard tooling usually pays off ({self.threshold_text()}): routes with little or no tooling are cheaper, so produce in small series.",
        )

    def small_series_reason(self) -> str:
        amount = self.units(self.params.stages.small_series_up_to)
        return self.t(
            f"Upp till omkring {amount} per år är vägarna desamma som för prototyper (CNC, 3D-utskrift, laser och bockning), men med låst konstruktion: dokumentera processen och behandla varje omgång som en liten serie.",
            f"Up to about {amount} a year the routes are those of prototypes (CNC, 3D printing, laser and bending), but with a frozen design: document the process and treat every batch as a small series.",
        )

    def evaluated_at_reason(self) -> str:
        amount = self.units(self.d.evaluate_volume)
        if self.d.path == "prototype":
            return self.t(
                f"Kostnaderna nedan gäller en prototypomgång på {amount}.",
                f"The costs below are for a prototype run of {amount}.",
            )
        return self.t(
            f"Kostnaderna nedan gäller en pilotskala på {amount}.",
            f"The costs below are for a pilot scale of {amount}.",
        )


__all__ = [
    "PathDecision",
    "decide_path",
    "evaluation_volume",
    "full_scale_threshold",
    "nollserie_size",
    "path_for",
]
