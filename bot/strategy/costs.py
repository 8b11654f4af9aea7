"""The cost model: unit cost, tooling and break-even for one process route.

Deliberately simple so that every number can be explained to a founder (data in
data/strategy/processes.yml and rates.yml):

    unit cost  = setup hours x machine rate / batch size
               + cycle minutes / 60 x machine rate x precision factor
               + material per part
    material   = part volume x density x utilisation x bulk price x feedstock premium
                 (or a price per part, for circuit boards)
    tooling    = first tool + further tools when the volume outlives one tool
    total/unit = unit cost + tooling / parts over the amortisation period
    break-even N* = tooling / (unit cost without tool - unit cost with tool)   (DESIGN.md 5)

Every input is a [low, high] range. A scenario s in [0, 1] takes every input at the same
point of its range (0: all low, 1: all high), so a cost range is (cost at 0, cost at 1).
Break-even ranges pair opposite scenarios to show the full spread the sources allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.strategy.parameters import Parameters, Process, Range, Tooling

LOW, MID, HIGH = 0.0, 0.5, 1.0
MAX_VOLUME = 1e8  # break-even search limit (units a year)


def at(r: Range, s: float) -> float:
    """The point s (0 = low, 1 = high) of a range."""
    return r[0] + s * (r[1] - r[0])


def midpoint(r: Range) -> float:
    return (r[0] + r[1]) / 2


def break_even_units(tooling: float, unit_without: float, unit_with: float) -> float | None:
    """N* = tooling / (unit cost without tool - unit cost with tool); None if the tool saves nothing.

    DESIGN's example: a laser-cut part at USD 1.50 against a stamped one at USD 0.40 with a
    USD 4,000 die breaks even at about 3,600 parts.
    """
    saving = unit_without - unit_with
    if saving <= 0:
        return None
    return tooling / saving


@dataclass(frozen=True)
class Route:
    """One way to make the part: a process, its tool (or none) and the materials costed.

    precision: the cycle-time factor for tighter tolerances ((1, 1) when standard suffices).
    """

    process: Process
    tooling: Tooling | None
    materials: tuple[str, ...]
    precision: Range = (1.0, 1.0)

    @property
    def cycle_minutes(self) -> Range:
        if self.tooling and self.tooling.cycle_minutes:
            return self.tooling.cycle_minutes
        return self.process.cycle_minutes

    @property
    def setup_hours(self) -> Range:
        if self.tooling and self.tooling.setup_hours:
            return self.tooling.setup_hours
        return self.process.setup_hours

    @property
    def lead_time_weeks(self) -> Range:
        if self.tooling and self.tooling.lead_time_weeks:
            return self.tooling.lead_time_weeks
        return self.process.lead_time_weeks


class CostModel:
    """Costs of routes with one set of parameters (rates read once per model)."""

    def __init__(self, params: Parameters):
        self.params = params
        self.rates = params.rates

    # --- pieces of the unit cost ---------------------------------------------------------

    def batch_size(self, volume: float) -> float:
        """Parts per order: a year's volume in a few call-offs; small volumes in one go."""
        volume = max(1.0, volume)
        return max(volume / self.rates.orders_per_year, min(volume, self.rates.single_order_up_to))

    def machine_rate(self, route: Route) -> Range:
        return self.rates.machine_rates[route.process.machine]

    def part_mass_kg(self, material: str) -> float:
        return self.rates.reference_volume_cm3 * self.rates.materials[material].density / 1000

    def material_cost(self, route: Route) -> Range:
        """Material per part; over several candidate materials, from the cheapest to the dearest."""
        process = route.process
        if process.material_sek_per_part is not None:
            return process.material_sek_per_part
        lows, highs = [], []
        for material in route.materials or (process.reference_material,):
            price = self.rates.materials[material].price_sek_per_kg
            mass = self.part_mass_kg(material)
            lows.append(
                mass * process.material_utilisation[0] * price[0] * process.feedstock_premium[0]
            )
            highs.append(
                mass * process.material_utilisation[1] * price[1] * process.feedstock_premium[1]
            )
        return (min(lows), max(highs))

    def unit_cost(self, route: Route, volume: float, s: float) -> float:
        rate = at(self.machine_rate(route), s)
        setup = at(route.setup_hours, s) * rate / self.batch_size(volume)
        machining = at(route.cycle_minutes, s) / 60 * rate * at(route.precision, s)
        return setup + machining + at(self.material_cost(route), s)

    def tooling_cost(self, route: Route, volume: float, s: float) -> float:
        """Tools for the amortisation period's parts: the first one plus replacements as they wear."""
        tool = route.tooling
        if tool is None:
            return 0.0
        first = at(tool.cost.sek(), s)
        if tool.life_parts is None:
            return first
        parts = max(1.0, volume) * self.rates.amortisation_years
        life = at(tool.life_parts, 1 - s)  # the dear scenario wears tools fastest
        extra_tools = max(0.0, parts / life - 1)
        replacement = at((tool.replacement_cost or tool.cost).sek(), s)
        return first + extra_tools * replacement

    def tools_needed(self, route: Route, volume: float) -> Range:
        """How many tools a year's volume uses (low, high)."""
        tool = route.tooling
        if tool is None or tool.life_parts is None:
            return (1.0, 1.0) if tool else (0.0, 0.0)
        parts = max(1.0, volume) * self.rates.amortisation_years
        return (max(1.0, parts / tool.life_parts[1]), max(1.0, parts / tool.life_parts[0]))

    # --- totals and ranges ---------------------------------------------------------------

    def total_per_unit(self, route: Route, volume: float, s: float) -> float:
        parts = max(1.0, volume) * self.rates.amortisation_years
        return self.unit_cost(route, volume, s) + self.tooling_cost(route, volume, s) / parts

    def period_cost(self, route: Route, volume: float, s: float) -> float:
        parts = max(1.0, volume) * self.rates.amortisation_years
        return parts * self.unit_cost(route, volume, s) + self.tooling_cost(route, volume, s)

    def unit_cost_range(self, route: Route, volume: float) -> Range:
        return (self.unit_cost(route, volume, LOW), self.unit_cost(route, volume, HIGH))

    def tooling_range(self, route: Route, volume: float) -> Range:
        return (self.tooling_cost(route, volume, LOW), self.tooling_cost(route, volume, HIGH))

    def total_per_unit_range(self, route: Route, volume: float) -> Range:
        return (self.total_per_unit(route, volume, LOW), self.total_per_unit(route, volume, HIGH))

    # --- break-even ----------------------------------------------------------------------

    def crossing(
        self, tooled: Route, s_tooled: float, other: Route, s_other: float
    ) -> float | None:
        """The smallest annual volume from which `tooled` costs less in total than `other`.

        1.0 if it is cheaper from the first part; None if it never is below MAX_VOLUME.
        """

        def gap(volume: float) -> float:
            return self.period_cost(tooled, volume, s_tooled) - self.period_cost(
                other, volume, s_other
            )

        if gap(1.0) <= 0:
            return 1.0
        lo = 1.0
        hi = None
        volume = 1.0
        while volume < MAX_VOLUME:  # a coarse geometric scan finds the first sign change
            volume = min(volume * 1.25, MAX_VOLUME)
            if gap(volume) <= 0:
                hi = volume
                break
            lo = volume
        if hi is None:
            return None
        for _ in range(40):  # then bisection, in log space since volumes span decades
            mid = math.sqrt(lo * hi)
            if gap(mid) <= 0:
                hi = mid
            else:
                lo = mid
        return hi

    def break_even_range(self, tooled: Route, other: Route) -> Range | None:
        """Annual volumes from which `tooled` beats `other`, optimistic to pessimistic.

        The ends pair opposite scenarios (cheap tool with a dear alternative and the reverse),
        so the range shows how much the answer depends on the part, as DESIGN asks for
        3D printing against moulding (100-2,000 parts in the sources).
        """
        points = [
            self.crossing(tooled, LOW, other, HIGH),
            self.crossing(tooled, MID, other, MID),
            self.crossing(tooled, HIGH, other, LOW),
        ]
        found = [p for p in points if p is not None]
        if not found:
            return None
        return (min(found), max(found))

    def fixed_cost_first(self, a: Route, b: Route, volume: float) -> tuple[Route, Route]:
        """The pair ordered (more tooling, less tooling), for break_even_range."""
        if self.tooling_cost(a, volume, MID) >= self.tooling_cost(b, volume, MID):
            return a, b
        return b, a
