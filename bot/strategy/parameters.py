"""The strategy engine's parameters, read once from data/strategy/*.yml and checked.

The YAML files hold every number the engine uses (rates, tooling, volumes, tolerances, lead
times, stage thresholds, support offers), each table or row with its `source`. This module
only reads and validates them; it never decides anything. A file with a missing or wrong
value raises ParameterError naming the file, the row and the problem, so a bad edit fails at
start-up instead of producing odd advice.

TILLVERKA_STRATEGY_DATA may point at another directory with the same four files (for
example a copy with your own machine rates).
"""

from __future__ import annotations

import datetime as dt
import os
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import config
from bot.vocabulary import MATERIALS, MATURITY_LEVELS, PATHS, PROCESS_MATERIALS, PROCESSES

Range = tuple[float, float]
Text = dict[str, str]  # {"sv": ..., "en": ...}

DEFAULT_DIR = config.DATA_DIR / "strategy"
FILES = ("processes.yml", "rates.yml", "stages.yml", "support_actors.yml")
OFFERED = ("always", "when_material_given", "when_named")
TOOL_CLASSES = ("soft", "hard")
CURRENCIES = ("SEK", "USD")


class ParameterError(ValueError):
    """A parameter file is missing, unreadable or has a wrong value."""


@dataclass(frozen=True)
class Money:
    currency: str
    range: Range

    def sek(self) -> Range:
        """The range in kronor; US dollars at today's configured rate (bot.config)."""
        rate = config.sek_per_usd() if self.currency == "USD" else 1.0
        return (self.range[0] * rate, self.range[1] * rate)


@dataclass(frozen=True)
class PrecisionLevel:
    mm: float
    cost_factor: Range
    label: Text


@dataclass(frozen=True)
class Tolerance:
    standard: float
    per_mm: float
    precision: tuple[PrecisionLevel, ...]

    def standard_at(self, feature_mm: float) -> float:
        """What the process holds without extra effort on a feature of this size."""
        return self.standard + self.per_mm * feature_mm


@dataclass(frozen=True)
class Tooling:
    id: str
    tool_class: str
    min_maturity: str
    cost: Money
    life_parts: Range | None
    replacement_cost: Money | None
    cycle_minutes: Range | None
    setup_hours: Range | None
    lead_time_weeks: Range | None
    label: Text


@dataclass(frozen=True)
class Process:
    id: str
    source: str
    estimated: tuple[str, ...]
    economic_volume: Range
    tolerance: Tolerance | None
    lead_time_weeks: Range
    machine: str
    setup_hours: Range
    cycle_minutes: Range
    material_utilisation: Range
    feedstock_premium: Range
    material_sek_per_part: Range | None
    reference_material: str
    offered: str
    full_scale_from: float | None
    tooling: tuple[Tooling, ...]
    suits: Text
    note: Text

    @property
    def materials(self) -> tuple[str, ...]:
        return PROCESS_MATERIALS[self.id]


@dataclass(frozen=True)
class Material:
    density: float
    price_sek_per_kg: Range


@dataclass(frozen=True)
class Rates:
    machine_rates: dict[str, Range]
    materials: dict[str, Material]
    reference_volume_cm3: float
    feature_mm: float
    reference_part: Text
    orders_per_year: float
    single_order_up_to: float
    economic_volume_margin: float
    min_options: int
    max_options: int
    amortisation_years: float
    sources: dict[str, str]


@dataclass(frozen=True)
class Step:
    text: Text
    before: str | None  # shown only while the design maturity is below this level

    def applies(self, maturity: str) -> bool:
        return self.before is None or MATURITY_LEVELS.index(maturity) < MATURITY_LEVELS.index(
            self.before
        )


@dataclass(frozen=True)
class Stage:
    id: str
    typical_volume: Range
    typical_volume_upper: float | None
    assumed_volume: float
    evaluate_up_to: float | None
    summary: Text
    move_on: Text
    next_steps: tuple[Step, ...]


@dataclass(frozen=True)
class Stages:
    source: str
    assume_maturity: str
    mould_change_cost_usd: Range
    full_scale_from_default: float
    small_series_up_to: float
    nollserie_share: float
    nollserie_min: float
    nollserie_max: float
    maturity_path: dict[str, str]
    stages: dict[str, Stage]
    goal_pilot_from: str = "prototype"
    reshore_maturity: str = "in_production"


@dataclass(frozen=True)
class SupportActor:
    id: str
    name: Text  # the same in both languages unless the file gives {sv, en}
    paths: tuple[str, ...]
    regional: bool
    amounts: dict[str, float | Range]
    url: str
    source: str
    checked: str
    offer: Text
    certification_help: bool = False


@dataclass(frozen=True)
class Parameters:
    processes: dict[str, Process]
    rates: Rates
    stages: Stages
    support: tuple[SupportActor, ...]


# --- reading helpers: each names the file and row in its error ------------------------------


def _at(where: str, key: str) -> str:
    """'…/rates.yml: materials.rows.zinc': the file, then the row inside it."""
    return f"{where}: {key}" if where.endswith(".yml") else f"{where}.{key}"


class _Reader:
    """Typed access to one YAML mapping, with errors that say where the value is."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise ParameterError(f"{where}: expected a mapping, got {type(data).__name__}")
        self.data = data
        self.where = where

    def child(self, key: str) -> _Reader:
        return _Reader(self.get(key), _at(self.where, key))

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise ParameterError(f"{self.where}: missing '{key}'")
        return self.data[key]

    def opt(self, key: str) -> Any:
        return self.data.get(key)

    def number(self, key: str, minimum: float = 0.0) -> float:
        return _number(self.get(key), _at(self.where, key), minimum)

    def range(self, key: str, minimum: float = 0.0) -> Range:
        return _range(self.get(key), _at(self.where, key), minimum)

    def opt_range(self, key: str) -> Range | None:
        value = self.opt(key)
        return None if value is None else _range(value, _at(self.where, key))

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ParameterError(f"{_at(self.where, key)}: expected non-empty text")
        return value.strip()

    def bilingual(self, key: str | None = None) -> Text:
        node = self if key is None else self.child(key)
        return {lang: node.text(lang) for lang in ("sv", "en")}

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key)
        if value not in allowed:
            raise ParameterError(f"{_at(self.where, key)}: {value!r} is not one of {list(allowed)}")
        return value


def _number(value: Any, where: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{where}: expected a number, got {value!r}")
    if value < minimum:
        raise ParameterError(f"{where}: {value} is below {minimum}")
    return float(value)


def _range(value: Any, where: str, minimum: float = 0.0) -> Range:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ParameterError(f"{where}: expected [low, high], got {value!r}")
    lo, hi = (_number(v, where, minimum) for v in value)
    if lo > hi:
        raise ParameterError(f"{where}: low {lo} is above high {hi}")
    return (lo, hi)


def _money(value: Any, where: str) -> Money:
    node = _Reader(value, where)
    return Money(node.choice("currency", CURRENCIES), node.range("range"))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ParameterError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc})") from exc


# --- the four files -------------------------------------------------------------------------


def _tolerance(value: Any, where: str) -> Tolerance | None:
    if value is None:
        return None
    node = _Reader(value, where)
    levels = []
    for i, level in enumerate(node.opt("precision") or []):
        row = _Reader(level, f"{_at(where, 'precision')}[{i}]")
        levels.append(
            PrecisionLevel(row.number("mm"), row.range("cost_factor", 1.0), row.bilingual())
        )
    standard = node.number("standard")
    if any(level.mm >= standard for level in levels):
        raise ParameterError(f"{where}: precision levels must be tighter than standard")
    levels.sort(key=lambda level: -level.mm)  # loosest (cheapest) precision level first
    return Tolerance(standard, float(node.opt("per_mm") or 0.0), tuple(levels))


def _tooling(value: Any, where: str) -> Tooling:
    node = _Reader(value, where)
    replacement = node.opt("replacement_cost")
    return Tooling(
        id=node.text("id"),
        tool_class=node.choice("class", TOOL_CLASSES),
        min_maturity=node.choice("min_maturity", MATURITY_LEVELS),
        cost=_money(node.get("cost"), _at(where, "cost")),
        life_parts=_checked_life(node.opt_range("life_parts"), where),
        replacement_cost=None
        if replacement is None
        else _money(replacement, _at(where, "replacement_cost")),
        cycle_minutes=node.opt_range("cycle_minutes"),
        setup_hours=node.opt_range("setup_hours"),
        lead_time_weeks=node.opt_range("lead_time_weeks"),
        label=node.bilingual(),
    )


def _checked_life(life: Range | None, where: str) -> Range | None:
    if life is not None and life[0] < 1:
        raise ParameterError(f"{_at(where, 'life_parts')}: a tool makes at least one part")
    return life


def _processes(data: Any, where: str, rates: Rates) -> dict[str, Process]:
    rows = _Reader(data, where).get("processes")
    if not isinstance(rows, dict):
        raise ParameterError(f"{_at(where, 'processes')}: expected a mapping of process ids")
    missing = sorted(set(PROCESSES) - set(rows))
    extra = sorted(set(rows) - set(PROCESSES))
    if missing or extra:
        raise ParameterError(
            f"{where}: process ids must match bot.vocabulary.PROCESSES (missing {missing}, unknown {extra})"
        )
    result = {}
    for pid in PROCESSES:
        row_where = f"{_at(where, 'processes')}.{pid}"
        node = _Reader(rows[pid], row_where)
        machine = node.text("machine")
        if machine not in rates.machine_rates:
            raise ParameterError(
                f"{_at(row_where, 'machine')}: no rate for {machine!r} in rates.yml"
            )
        reference = node.text("reference_material")
        if reference not in PROCESS_MATERIALS[pid]:
            raise ParameterError(
                f"{_at(row_where, 'reference_material')}: {pid} cannot work {reference!r}"
            )
        per_part = node.opt_range("material_sek_per_part")
        tooling = tuple(
            _tooling(t, f"{_at(row_where, 'tooling')}[{i}]")
            for i, t in enumerate(node.opt("tooling") or [])
        )
        full_scale_from = node.opt("full_scale_from")
        has_hard = any(t.tool_class == "hard" for t in tooling)
        if has_hard != (full_scale_from is not None):
            raise ParameterError(
                f"{row_where}: full_scale_from belongs on (and only on) processes with hard tooling"
            )
        result[pid] = Process(
            id=pid,
            source=node.text("source"),
            estimated=tuple(str(e) for e in node.opt("estimated") or ()),
            economic_volume=node.range("economic_volume", 1.0),
            tolerance=_tolerance(node.get("tolerance_mm"), _at(row_where, "tolerance_mm")),
            lead_time_weeks=node.range("lead_time_weeks"),
            machine=machine,
            setup_hours=node.range("setup_hours"),
            cycle_minutes=node.range("cycle_minutes"),
            material_utilisation=(1.0, 1.0)
            if per_part
            else node.range("material_utilisation", 1.0),
            feedstock_premium=(1.0, 1.0) if per_part else node.range("feedstock_premium", 1.0),
            material_sek_per_part=per_part,
            reference_material=reference,
            offered=node.choice("offered", OFFERED),
            full_scale_from=None
            if full_scale_from is None
            else _number(full_scale_from, _at(row_where, "full_scale_from"), 1.0),
            tooling=tooling,
            suits=node.bilingual("suits"),
            note=node.bilingual("note"),
        )
    return result


def _rates(data: Any, where: str) -> Rates:
    root = _Reader(data, where)
    sources = {}
    for table in (
        "machine_rates_sek_per_hour",
        "materials",
        "reference_part",
        "batching",
        "candidates",
        "tooling_amortisation",
    ):
        sources[table] = root.child(table).text("source")
    machine = root.child("machine_rates_sek_per_hour")
    rates_node = machine.child("rates")
    machine_rates = {key: rates_node.range(key, 1.0) for key in rates_node.data}
    materials_node = root.child("materials").child("rows")
    missing = sorted(set(MATERIALS) - set(materials_node.data))
    if missing:
        raise ParameterError(f"{_at(where, 'materials')}.rows: no density/price for {missing}")
    materials = {}
    for mid in materials_node.data:
        row = materials_node.child(mid)
        materials[mid] = Material(row.number("density"), row.range("price_sek_per_kg"))
    part = root.child("reference_part")
    batching = root.child("batching")
    candidates = root.child("candidates")
    return Rates(
        machine_rates=machine_rates,
        materials=materials,
        reference_volume_cm3=part.number("volume_cm3", 0.001),
        feature_mm=part.number("feature_mm", 0.001),
        reference_part=part.bilingual(),
        orders_per_year=batching.number("orders_per_year", 1.0),
        single_order_up_to=batching.number("single_order_up_to", 1.0),
        economic_volume_margin=candidates.number("economic_volume_margin", 1.0),
        min_options=int(candidates.number("min_options", 1.0)),
        max_options=int(candidates.number("max_options", 1.0)),
        amortisation_years=root.child("tooling_amortisation").number("years", 0.1),
        sources=sources,
    )


def _stages(data: Any, where: str) -> Stages:
    root = _Reader(data, where)
    maturity_node = root.child("maturity_path")
    allowed = PATHS + ("full_scale_if_above_break_even",)
    maturity_path = {m: maturity_node.choice(m, allowed) for m in MATURITY_LEVELS}
    stages_node = root.child("stages")
    stages = {}
    for pid in PATHS:
        node = stages_node.child(pid)
        items = node.get("next_steps")
        if not isinstance(items, list) or not items:
            raise ParameterError(f"{_at(node.where, 'next_steps')}: expected a list of steps")
        steps = []
        for i, item in enumerate(items):
            step = _Reader(item, f"{_at(node.where, 'next_steps')}[{i}]")
            before = (
                step.choice("before", MATURITY_LEVELS) if step.opt("before") is not None else None
            )
            steps.append(Step(step.bilingual(), before))
        upper = node.opt("typical_volume_upper")
        evaluate = node.opt("evaluate_up_to")
        stages[pid] = Stage(
            id=pid,
            typical_volume=node.range("typical_volume", 1.0),
            typical_volume_upper=None
            if upper is None
            else _number(upper, _at(node.where, "typical_volume_upper"), 1.0),
            assumed_volume=node.number("assumed_volume", 1.0),
            evaluate_up_to=None
            if evaluate is None
            else _number(evaluate, _at(node.where, "evaluate_up_to"), 1.0),
            summary={lang: node.child(lang).text("summary") for lang in ("sv", "en")},
            move_on={lang: node.child(lang).text("move_on") for lang in ("sv", "en")},
            next_steps=tuple(steps),
        )
    nollserie = root.child("nollserie")
    goals = root.child("goals")
    goals.text("source")
    return Stages(
        source=root.text("source"),
        assume_maturity=root.choice("assume_maturity", MATURITY_LEVELS),
        mould_change_cost_usd=root.range("mould_change_cost_usd"),
        full_scale_from_default=root.number("full_scale_from_default", 1.0),
        small_series_up_to=root.number("small_series_up_to", 1.0),
        nollserie_share=nollserie.number("share_of_annual"),
        nollserie_min=nollserie.number("min_units", 1.0),
        nollserie_max=nollserie.number("max_units", 1.0),
        maturity_path=maturity_path,
        stages=stages,
        goal_pilot_from=goals.choice("pilot_from", MATURITY_LEVELS),
        reshore_maturity=goals.choice("reshore_maturity", MATURITY_LEVELS),
    )


def _support(data: Any, where: str) -> tuple[SupportActor, ...]:
    rows = _Reader(data, where).get("actors")
    if not isinstance(rows, list) or not rows:
        raise ParameterError(f"{_at(where, 'actors')}: expected a list of actors")
    actors = []
    for i, row in enumerate(rows):
        node = _Reader(row, f"{_at(where, 'actors')}[{i}]")
        paths = node.get("paths")
        if not isinstance(paths, list) or not paths or any(p not in PATHS for p in paths):
            raise ParameterError(f"{_at(node.where, 'paths')}: expected a list from {list(PATHS)}")
        amounts_node = _Reader(node.get("amounts"), _at(node.where, "amounts"))
        amounts = {
            key: amounts_node.range(key) if isinstance(value, list) else amounts_node.number(key)
            for key, value in amounts_node.data.items()
        }
        offer = node.bilingual("offer")
        for lang, text in offer.items():
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            if names - set(amounts):
                raise ParameterError(
                    f"{_at(node.where, 'offer')}.{lang}: no amount for {sorted(names - set(amounts))}"
                )
        url = node.text("url")
        if not url.startswith("https://"):
            raise ParameterError(f"{_at(node.where, 'url')}: expected an https:// link")
        checked = str(node.get("checked"))
        try:
            dt.date.fromisoformat(checked)
        except ValueError as exc:
            raise ParameterError(
                f"{_at(node.where, 'checked')}: expected a date YYYY-MM-DD"
            ) from exc
        actors.append(
            SupportActor(
                id=node.text("id"),
                name=node.bilingual("name")
                if isinstance(node.get("name"), dict)
                else dict.fromkeys(("sv", "en"), node.text("name")),
                paths=tuple(paths),
                regional=bool(node.get("regional")),
                amounts=amounts,
                url=url,
                source=node.text("source"),
                checked=checked,
                offer=offer,
                certification_help=bool(node.opt("certification_help")),
            )
        )
    return tuple(actors)


def load_parameters(data_dir: Path | str | None = None) -> Parameters:
    """Read and check the four parameter files (cached per directory)."""
    if data_dir is None:
        data_dir = os.environ.get("TILLVERKA_STRATEGY_DATA") or DEFAULT_DIR
    return _load(Path(data_dir).resolve())


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> Parameters:
    raw = {name: _read_yaml(data_dir / name) for name in FILES}
    rates = _rates(raw["rates.yml"], str(data_dir / "rates.yml"))
    return Parameters(
        processes=_processes(raw["processes.yml"], str(data_dir / "processes.yml"), rates),
        rates=rates,
        stages=_stages(raw["stages.yml"], str(data_dir / "stages.yml")),
        support=_support(raw["support_actors.yml"], str(data_dir / "support_actors.yml")),
    )
