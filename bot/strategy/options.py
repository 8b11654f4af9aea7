"""Process options: which processes can make the part, what they cost, and why.

Rules (data in data/strategy/processes.yml):
- Candidates work the material (a family means any member; an unknown or missing material
  filters nothing and the engine says so), are economic near the volume (within
  rates.yml economic_volume_margin of their range) and are allowed by the design maturity
  (each tool has a min_maturity: no moulds or dies before the prototype is validated).
  If that leaves nothing, the economic filter is dropped first, then the material filter,
  and the reasons say so.
- The founder's own process is always costed and reported, with why it is or is not a fit.
- Each process uses the cheapest tool its maturity allows at the volume (aluminium against
  steel mould, simple against progressive die).
- fits_tolerance: the standard capability on the reference feature holds the tolerance, or
  a precision level does (with its cost factor on machine time and a reason).
- Ranking: fits tolerance first, then total cost per unit (unit cost + tooling / volume).
- Break-even: a tooled option against the cheapest route without tooling ("pays off from"),
  a route without tooling against the tooled route that overtakes it first ("cheaper up
  to"). The comparison ignores maturity and economic range: it tells the founder where the
  volume will take them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import pick
from bot.strategy.costs import MID, CostModel, Route, midpoint
from bot.strategy.format import format_mm, format_range, format_units, round_sig
from bot.strategy.parameters import Parameters, PrecisionLevel, Process, Tooling
from bot.strategy.profile import MaterialChoice
from bot.vocabulary import MATERIAL_LABELS, MATURITY_LABELS, MATURITY_LEVELS, PROCESS_LABELS, label

OPEN_ENDED = 1e6  # an economic range reaching this high has no practical upper limit


@dataclass
class ProcessOption:
    """One process for the part, costed at the profile's volume (contract fields first)."""

    process: str
    unit_cost_sek: float
    unit_cost_sek_range: tuple[float, float]
    tooling_sek: float
    tooling_sek_range: tuple[float, float]
    lead_time_weeks: float
    lead_time_weeks_range: tuple[float, float]
    fits_tolerance: bool
    break_even_units: tuple[float, float] | None
    break_even_against: str | None
    reasons: list[str]
    label: str = ""
    tooling: str | None = None  # tool id from processes.yml, None without tooling
    total_cost_per_unit_sek: float = 0.0  # midpoint, tooling spread over the volume
    suitable: bool = True  # False: the founder's own choice that the material or maturity rules out

    def to_payload(self) -> dict:
        return {
            "process": self.process,
            "label": self.label,
            "unit_cost_sek": self.unit_cost_sek,
            "unit_cost_sek_range": list(self.unit_cost_sek_range),
            "tooling_sek": self.tooling_sek,
            "tooling_sek_range": list(self.tooling_sek_range),
            "total_cost_per_unit_sek": self.total_cost_per_unit_sek,
            "lead_time_weeks": self.lead_time_weeks,
            "lead_time_weeks_range": list(self.lead_time_weeks_range),
            "fits_tolerance": self.fits_tolerance,
            "break_even_units": None
            if self.break_even_units is None
            else list(self.break_even_units),
            "break_even_against": self.break_even_against,
            "tooling": self.tooling,
            "suitable": self.suitable,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Fit:
    fits: bool
    capability: float | None  # standard ± mm on the reference feature (None: not in mm)
    level: PrecisionLevel | None  # the precision level needed, if any


@dataclass
class Request:
    """What the options are computed for."""

    maturity: str
    volume: float  # units a year the costs are evaluated at
    material: MaterialChoice
    tolerance_mm: float | None
    named_process: str | None  # a PROCESSES id the founder mentioned
    lang: str


@dataclass
class OptionsResult:
    options: list[ProcessOption]
    reasons: list[str] = field(default_factory=list)  # remarks for the whole recommendation
    routes: dict[str, Route] = field(default_factory=dict)


def maturity_allows(tool: Tooling, maturity: str) -> bool:
    return MATURITY_LEVELS.index(maturity) >= MATURITY_LEVELS.index(tool.min_maturity)


def works_material(process: Process, material: MaterialChoice) -> bool:
    """Whether the process can work the material (anything, when the material is not known)."""
    if material.kind in ("missing", "unknown"):
        return True
    return any(m in process.materials for m in material.ids)


def offered(process: Process, request: Request) -> bool:
    """The `offered` rule of processes.yml: is the process a candidate for this request?"""
    if process.offered == "when_named":
        return process.id == request.named_process
    if process.offered == "when_material_given" and request.material.kind not in ("id", "family"):
        return False
    return works_material(process, request.material)


def costed_materials(process: Process, material: MaterialChoice) -> tuple[str, ...]:
    matching = tuple(m for m in material.ids if m in process.materials)
    return matching or (process.reference_material,)


def is_economic(process: Process, volume: float, margin: float) -> bool:
    lo, hi = process.economic_volume
    return lo / margin <= volume <= hi * margin


def tolerance_fit(process: Process, required: float | None, feature_mm: float) -> Fit:
    tol = process.tolerance
    if tol is None:
        return Fit(True, None, None)
    capability = tol.standard_at(feature_mm)
    if required is None or required >= capability - 1e-9:
        return Fit(True, capability, None)
    for level in tol.precision:  # loosest first: the cheapest level that is enough
        if required >= level.mm - 1e-9:
            return Fit(True, capability, level)
    return Fit(False, capability, None)


class OptionBuilder:
    def __init__(self, params: Parameters, model: CostModel, request: Request):
        self.params = params
        self.model = model
        self.request = request
        self.lang = request.lang
        self.margin = params.rates.economic_volume_margin

    def t(self, sv: str, en: str) -> str:
        return pick(self.lang, sv, en)

    # --- routes --------------------------------------------------------------------------

    def route(self, process: Process, tool: Tooling | None) -> Route:
        fit = tolerance_fit(process, self.request.tolerance_mm, self.params.rates.feature_mm)
        precision = fit.level.cost_factor if fit.level else (1.0, 1.0)
        return Route(process, tool, costed_materials(process, self.request.material), precision)

    def routes_for(self, process: Process, respect_maturity: bool) -> list[Route]:
        if not process.tooling:
            return [self.route(process, None)]
        tools = [
            t
            for t in process.tooling
            if not respect_maturity or maturity_allows(t, self.request.maturity)
        ]
        return [self.route(process, t) for t in tools]

    def best_route(self, process: Process, respect_maturity: bool = True) -> Route | None:
        routes = self.routes_for(process, respect_maturity)
        if not routes:
            return None
        volume = self.request.volume
        return min(routes, key=lambda r: self.model.total_per_unit(r, volume, MID))

    # --- candidates ----------------------------------------------------------------------

    def candidates(self) -> tuple[list[Process], list[str]]:
        """Candidate processes, relaxing the filters in order if none is left."""
        req = self.request
        processes = list(self.params.processes.values())
        allowed = [p for p in processes if self.best_route(p) is not None]
        by_material = [p for p in allowed if offered(p, req)]
        economic = [p for p in by_material if is_economic(p, req.volume, self.margin)]
        if economic:
            # too few to compare: add the cheapest of the others, their reasons say why
            others = sorted(
                (p for p in by_material if p not in economic),
                key=lambda p: self.model.total_per_unit(self.best_route(p), req.volume, MID),
            )
            missing = max(0, self.params.rates.min_options - len(economic))
            return economic + others[:missing], []
        volume = format_units(req.volume, self.lang)
        if by_material:
            remarks = [
                self.t(
                    f"Ingen process är det vanliga ekonomiska valet vid {volume}, så jag jämför alla som klarar materialet.",
                    f"No process is the usual economic choice at {volume}, so I compare all that can work the material.",
                )
            ]
            if all(p.tooling for p in by_material) and req.material.kind in ("id", "family"):
                material = req.material.label(self.lang)
                remarks.append(
                    self.t(
                        f"Alla processer som klarar {material} kräver verktyg; vid låg volym undviker ett material som kan fräsas eller skrivas ut (till exempel aluminium eller nylon) verktygskostnaden.",
                        f"Every process that works {material} needs tooling; at low volume a material that can be machined or printed (such as aluminium or nylon) avoids the tooling cost.",
                    )
                )
            return by_material, remarks
        material = req.material.label(self.lang)
        fallback = [
            p for p in allowed if p.offered == "always" and is_economic(p, req.volume, self.margin)
        ]
        return fallback or [p for p in allowed if p.offered == "always"], [
            self.t(
                f"Inga processer som är tillåtna i det här skedet kan bearbeta {material}; alternativen nedan gäller ett ersättningsmaterial för prototyper.",
                f"No process allowed at this stage can work {material}; the options below use a substitute material for prototypes.",
            )
        ]

    # --- options -------------------------------------------------------------------------

    def build(self) -> OptionsResult:
        req = self.request
        processes, remarks = self.candidates()
        routes = {p.id: self.best_route(p) for p in processes}
        options = [self.option(routes[p.id], suitable=True) for p in processes]
        options.sort(key=rank_key)
        options = options[: self.params.rates.max_options]
        named = req.named_process
        if named and named not in [o.process for o in options]:
            route, option = self.named_option(self.params.processes[named])
            routes[named] = route
            options.append(option)
        elif named:
            for option in options:
                if option.process == named:
                    option.reasons.insert(0, self.mentioned())
        self.add_break_even(options, routes)
        return OptionsResult(options, remarks, {o.process: routes[o.process] for o in options})

    def named_option(self, process: Process) -> tuple[Route, ProcessOption]:
        """The founder's own process, costed even where it is not a fit, with the reasons why."""
        req = self.request
        reasons = [self.mentioned()]
        suitable = True
        if req.material.kind in ("id", "family") and not works_material(process, req.material):
            suitable = False
            reasons.append(
                self.t(
                    f"{self.process_label(process.id)} kan inte bearbeta {req.material.label('sv')}; kostnaden gäller {label(MATERIAL_LABELS, process.reference_material, 'sv')}.",
                    f"{self.process_label(process.id)} cannot work {req.material.label('en')}; the cost is for {label(MATERIAL_LABELS, process.reference_material, 'en')}.",
                )
            )
        route = self.best_route(process)
        if route is None:
            suitable = False
            route = self.best_route(process, respect_maturity=False)
            reasons.append(self.blocked_reason(route.tooling))
        option = self.option(route, suitable, reasons)
        return route, option

    def mentioned(self) -> str:
        return self.t(
            "Du nämnde den här processen, så jag har räknat på den.",
            "You mentioned this process, so I have costed it.",
        )

    def blocked_reason(self, tool: Tooling) -> str:
        usd = self.params.stages.mould_change_cost_usd
        need = label(MATURITY_LABELS, tool.min_maturity, self.lang)
        return self.t(
            f"Den kräver verktyg ({tool.label['sv']}) som en konstruktionsändring gör värdelösa (en formändring kostar {format_range(*usd, 'sv', 'usd')}); vänta tills du har en {need}.",
            f"It needs tooling ({tool.label['en']}) that a design change would scrap (a mould change costs {format_range(*usd, 'en', 'usd')}); wait until you have a {need}.",
        )

    def process_label(self, pid: str) -> str:
        return label(PROCESS_LABELS, pid, self.lang)

    def option(
        self, route: Route, suitable: bool, reasons: list[str] | None = None
    ) -> ProcessOption:
        req = self.request
        model = self.model
        process = route.process
        fit = tolerance_fit(process, req.tolerance_mm, self.params.rates.feature_mm)
        unit = model.unit_cost_range(route, req.volume)
        tooling = model.tooling_range(route, req.volume)
        total = midpoint(model.total_per_unit_range(route, req.volume))
        lead = route.lead_time_weeks
        reasons = list(reasons or [])
        reasons.append(process.suits[self.lang])
        reasons.append(self.tolerance_reason(process, fit))
        reasons.append(self.tooling_reason(route))
        reasons.append(self.volume_reason(process))
        reasons.append(process.note[self.lang])
        return ProcessOption(
            process=process.id,
            unit_cost_sek=money(midpoint(unit)),
            unit_cost_sek_range=(money(unit[0]), money(unit[1])),
            tooling_sek=money(midpoint(tooling)),
            tooling_sek_range=(money(tooling[0]), money(tooling[1])),
            lead_time_weeks=round(midpoint(lead), 1),
            lead_time_weeks_range=lead,
            fits_tolerance=fit.fits,
            break_even_units=None,
            break_even_against=None,
            reasons=reasons,
            label=self.process_label(process.id),
            tooling=route.tooling.id if route.tooling else None,
            total_cost_per_unit_sek=money(total),
            suitable=suitable,
        )

    # --- reasons -------------------------------------------------------------------------

    def tolerance_reason(self, process: Process, fit: Fit) -> str:
        lang = self.lang
        required = self.request.tolerance_mm
        if fit.capability is None:
            return self.t(
                "Toleranser för elektronik anges som IPC-klass 2 eller 3, inte i millimeter.",
                "Electronics tolerances are set as IPC class 2 or 3, not in millimetres.",
            )
        capability = format_mm(fit.capability, lang)
        if required is None:
            return self.t(f"Håller normalt {capability}.", f"Usually holds {capability}.")
        need = format_mm(required, lang)
        if fit.fits and fit.level is None:
            return self.t(
                f"Håller normalt {capability}, vilket räcker för dina {need}.",
                f"Usually holds {capability}, which covers your {need}.",
            )
        if fit.fits:
            extra = format_range(
                fit.level.cost_factor[0] - 1, fit.level.cost_factor[1] - 1, lang, "percent"
            )
            return self.t(
                f"Dina {need} går att nå med {fit.level.label['sv']} (omkring {format_mm(fit.level.mm, 'sv')}); jag har lagt till {extra} maskintid för det.",
                f"Your {need} is feasible with {fit.level.label['en']} (about {format_mm(fit.level.mm, 'en')}); I added {extra} machine time for it.",
            )
        if process.tolerance.precision:
            best = format_mm(process.tolerance.precision[-1].mm, lang)
            capability = self.t(
                f"{capability} och i bästa fall {best}", f"{capability} and at best {best}"
            )
        return self.t(
            f"Håller normalt {capability}: dina {need} är snävare än processen klarar säkert.",
            f"Usually holds {capability}: your {need} is tighter than it can reliably hold.",
        )

    def tooling_reason(self, route: Route) -> str:
        lang = self.lang
        tool = route.tooling
        lead = format_range(*route.lead_time_weeks, lang, "weeks")
        if tool is None:
            return self.t(
                f"Inga verktyg behövs; första detaljerna på {lead}.",
                f"No tooling needed; first parts in {lead}.",
            )
        one = approx_money_range(tool.cost.sek(), lang)
        text = self.t(
            f"Verktyg: {tool.label['sv']} ({one}); första detaljerna på {lead}.",
            f"Tooling: {tool.label['en']} ({one}); first parts in {lead}.",
        )
        tools = self.model.tools_needed(route, self.request.volume)
        if tools[1] > 1.05 and tool.life_parts:
            life = format_range(*tool.life_parts, lang, "units")
            count = format_range(round_sig(tools[0]), round_sig(tools[1]), lang)
            text += self.t(
                f" Ett verktyg räcker till {life}, så volymen kräver {count} stycken.",
                f" One tool lasts {life}, so the volume needs {count} of them.",
            )
        if tool.tool_class == "hard":
            usd = format_range(*self.params.stages.mould_change_cost_usd, lang, "usd")
            text += self.t(
                f" Hårda verktyg: en ändring efteråt kostar {usd}.",
                f" Hard tooling: a change afterwards costs {usd}.",
            )
        return text

    def volume_reason(self, process: Process) -> str:
        lang = self.lang
        lo, hi = process.economic_volume
        volume = format_units(self.request.volume, lang)
        if hi >= OPEN_ENDED and lo <= 1:
            return self.t(
                f"Fungerar vid alla volymer; här räknat på {volume}.",
                f"Works at any volume; costed here at {volume}.",
            )
        if hi >= OPEN_ENDED:
            span = self.t(
                f"från omkring {format_units(lo, 'sv')} per år",
                f"from about {format_units(lo, 'en')} a year",
            )
        else:
            span = self.t(
                f"vid {format_range(lo, hi, 'sv', 'units')} per år",
                f"at {format_range(lo, hi, 'en', 'units')} a year",
            )
        if lo <= self.request.volume <= hi:
            return self.t(
                f"Vanligtvis ekonomisk {span}; här räknat på {volume}.",
                f"Usually economic {span}; costed here at {volume}.",
            )
        side = self.t("under", "below") if self.request.volume < lo else self.t("över", "above")
        return self.t(
            f"{volume} ligger {side} det vanliga ekonomiska området (ekonomisk {span}).",
            f"{volume} is {side} its usual economic range (economic {span}).",
        )

    # --- break-even ----------------------------------------------------------------------

    def reference_routes(self, route: Route) -> list[Route]:
        """Every other way to make the part in the route's material(s), whatever the maturity
        or economic range, keeping those that hold the tolerance when any does."""
        routes = []
        for process in self.params.processes.values():
            shared = tuple(m for m in route.materials if m in process.materials)
            if process.offered == "when_named" or process.id == route.process.id or not shared:
                continue
            fit = tolerance_fit(process, self.request.tolerance_mm, self.params.rates.feature_mm)
            precision = fit.level.cost_factor if fit.level else (1.0, 1.0)
            tools = process.tooling or (None,)
            routes.extend(Route(process, tool, shared, precision) for tool in tools)
        fitting = [
            r
            for r in routes
            if tolerance_fit(
                r.process, self.request.tolerance_mm, self.params.rates.feature_mm
            ).fits
        ]
        return fitting or routes

    def add_break_even(self, options: list[ProcessOption], routes: dict[str, Route]) -> None:
        model = self.model
        volume = self.request.volume
        for option in options:
            route = routes[option.process]
            references = self.reference_routes(route)
            tool_free = [r for r in references if r.tooling is None]
            tooled = [r for r in references if r.tooling is not None]
            if route.tooling is not None:
                others = tool_free
                if not others:
                    continue
                # the cheapest route without tooling is the one the tool has to beat
                other = min(others, key=lambda r: model.unit_cost(r, volume, MID))
                found = model.break_even_range(route, other)
                verb = "pays_off"
            else:
                crossings = [(model.crossing(r, MID, route, MID), r) for r in tooled]
                crossings = [(c, r) for c, r in crossings if c is not None and c > 1]
                if not crossings:
                    continue
                # the tooled route that overtakes this one first
                other = min(crossings, key=lambda pair: pair[0])[1]
                found = model.break_even_range(other, route)
                verb = "cheaper_until"
            if found is None or found[1] <= 1:
                continue
            lo, hi = round_sig(max(1.0, found[0])), round_sig(found[1])
            option.break_even_units = (lo, hi)
            option.break_even_against = other.process.id
            option.reasons.insert(-1, self.break_even_reason(verb, other, lo, hi))

    def break_even_reason(self, verb: str, other: Route, lo: float, hi: float) -> str:
        lang = self.lang
        name = self.process_label(other.process.id)
        if other.tooling is not None:
            name += f" ({other.tooling.label[lang]})"
        span = format_range(lo, hi, lang, "units")
        if lo <= 1:
            at_most = format_units(hi, lang)
            if verb == "pays_off":
                return self.t(
                    f"Verktyget kan löna sig mot {name} redan vid några få detaljer, och senast vid omkring {at_most} per år.",
                    f"The tooling can pay off against {name} from just a few parts, and at the latest from about {at_most} a year.",
                )
            return self.t(
                f"Billigare än {name} upp till högst omkring {at_most} per år, ibland inte ens för några få.",
                f"Cheaper than {name} up to at most about {at_most} a year, sometimes not even for a few.",
            )
        if verb == "pays_off":
            return self.t(
                f"Verktyget lönar sig mot {name} från omkring {span} per år.",
                f"The tooling pays off against {name} from about {span} a year.",
            )
        return self.t(
            f"Billigare än {name} upp till omkring {span} per år.",
            f"Cheaper than {name} up to about {span} a year.",
        )


def rank_key(option: ProcessOption) -> tuple:
    """Suitable before unsuitable, fitting the tolerance before not, then cheapest in total."""
    return (not option.suitable, not option.fits_tolerance, option.total_cost_per_unit_sek)


def money(value: float) -> float:
    """Costs kept to three significant figures: they are estimates, not quotes."""
    return round_sig(value, 3) if abs(value) >= 10 else round(value, 2)


def approx_money_range(sek: tuple[float, float], lang: str) -> str:
    return format_range(round_sig(sek[0]), round_sig(sek[1]), lang, "sek")


def build_options(params: Parameters, model: CostModel, request: Request) -> OptionsResult:
    """Ranked process options for a request (see the module docstring for the rules)."""
    return OptionBuilder(params, model, request).build()


__all__ = [
    "Fit",
    "OptionsResult",
    "ProcessOption",
    "Request",
    "build_options",
    "rank_key",
    "tolerance_fit",
]
