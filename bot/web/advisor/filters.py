"""The lead list's query string read into a LeadFilter, a sort and a page.

An advisor types these values (or edits the URL), so a bad one never fails the page: it is
left out of the filter and reported politely, and the other filters still apply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.leads import SORTS, STATUSES, LeadFilter
from bot.register.validation import normalise_county, parse_number
from bot.vocabulary import COUNTIES, MATERIALS, PATHS, PROCESSES
from bot.web.advisor.texts import LANGS, text

DEFAULT_SORT = "-last_message_at"
PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_Q_CHARS = 200
MAX_TEXT_CHARS = 100
CHANNELS = ("web", "slack")
YES_NO = {"yes": True, "no": False}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Bad(ValueError):
    """A value that can't be used: the problem's text key and params."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def read(raw: str) -> str:
        value = raw.strip()
        if value not in options:
            raise _Bad("p_unknown_value", value=raw)
        return value

    return read


def _region(raw: str) -> str:
    county = normalise_county(raw)
    if county is None:
        raise _Bad("p_unknown_value", value=raw)
    return county


def _yes_no(raw: str) -> bool:
    if raw.strip() not in YES_NO:
        raise _Bad("p_unknown_value", value=raw)
    return YES_NO[raw.strip()]


def _number(*, positive: bool) -> Callable[[str], float]:
    def read(raw: str) -> float:
        value = parse_number(raw.strip())  # "10 000" and "0,05" as Swedes write them
        if value is None or not math.isfinite(value):
            raise _Bad("p_not_a_number", value=raw)
        if positive and value <= 0:
            raise _Bad("p_not_positive", value=raw)
        if value < 0:
            raise _Bad("p_negative", value=raw)
        return value

    return read


def _date(raw: str) -> date:
    try:
        if not _DATE.match(raw.strip()):
            raise ValueError(raw)
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _Bad("p_not_a_date", value=raw) from None


def _text(limit: int) -> Callable[[str], str]:
    def read(raw: str) -> str:
        value = " ".join(raw.split())
        if len(value) > limit:
            raise _Bad("p_too_long", max=limit)
        return value

    return read


# query parameter -> (how to read it, the label's text key); the parameter is the LeadFilter
# field of the same name, except `assigned` (a user id, or "none" for unassigned)
FIELDS: dict[str, tuple[Callable[[str], object], str]] = {
    "q": (_text(MAX_Q_CHARS), "f_q"),
    "status": (_choice(STATUSES), "f_status"),
    "path": (_choice(PATHS), "f_path"),
    "assigned": (lambda raw: raw, "f_assigned"),  # checked in parse_leads_query
    "handoff": (_yes_no, "f_handoff"),
    "taken_over": (_yes_no, "f_taken_over"),
    "language": (_choice(LANGS), "f_language"),
    "channel": (_choice(CHANNELS), "f_channel"),
    "created_from": (_date, "f_created_from"),
    "created_to": (_date, "f_created_to"),
    "volume_min": (_number(positive=False), "f_volume_min"),
    "volume_max": (_number(positive=False), "f_volume_max"),
    "tolerance_max": (_number(positive=True), "f_tolerance_max"),
    "cost_max": (_number(positive=False), "f_cost_max"),
    "process": (_choice(PROCESSES), "f_process"),
    "material": (_text(MAX_TEXT_CHARS), "f_material"),
    "region": (_region, "f_region"),
}
# shown in the form's first row; the rest behind "more filters"
MAIN_FIELDS = ("q", "status", "path", "assigned", "handoff", "taken_over")
CHOICES = {
    "status": STATUSES,
    "path": PATHS,
    "language": LANGS,
    "channel": CHANNELS,
    "process": PROCESSES,
    "region": COUNTIES,
}
MATERIAL_SUGGESTIONS = MATERIALS


@dataclass
class LeadQuery:
    filters: LeadFilter
    sort: str = DEFAULT_SORT
    page: int = 1
    values: dict[str, str] = field(default_factory=dict)  # as typed, to fill the form again
    clean: dict[str, str] = field(default_factory=dict)  # the accepted ones, for links
    errors: list[str] = field(default_factory=list)  # in the advisor's language

    @property
    def advanced_open(self) -> bool:
        """Whether "more filters" starts open: one of them is set."""
        return any(name not in MAIN_FIELDS and self.values.get(name) for name in FIELDS)


def parse_leads_query(query: Mapping[str, str], lang: str) -> LeadQuery:
    """Read the list's query string; every bad value is reported and left out."""
    result = LeadQuery(filters=LeadFilter())
    chosen: dict[str, object] = {}

    def refuse(name: str, bad: _Bad) -> None:
        problem = text(bad.key, lang, **bad.params)
        field_label = text(FIELDS[name][1] if name in FIELDS else f"f_{name}", lang)
        result.errors.append(text("filter_ignored", lang, field=field_label, problem=problem))

    for name, (read, _label) in FIELDS.items():
        raw = query.get(name, "")
        if not isinstance(raw, str) or not raw.strip():
            continue
        result.values[name] = raw
        try:
            value = read(raw)
            if name == "assigned":
                value = _assigned(raw)
        except _Bad as bad:
            refuse(name, bad)
            continue
        if value in ("", None):
            continue
        chosen[name] = value
        result.clean[name] = raw.strip()

    start, end = chosen.get("created_from"), chosen.get("created_to")
    if start and end and end < start:
        refuse("created_to", _Bad("p_dates_reversed"))
        del chosen["created_to"], result.clean["created_to"]

    assigned = chosen.pop("assigned", None)
    if assigned == "none":
        chosen["unassigned"] = True
    elif assigned is not None:
        chosen["assigned_to"] = assigned
    result.filters = LeadFilter(**chosen)

    sort = query.get("sort", "")
    if sort:
        if sort.removeprefix("-") in SORTS:
            result.sort = sort
        else:
            refuse("sort", _Bad("p_unknown_value", value=sort))
    page = query.get("page", "")
    if page:
        if page.strip().isdigit() and 1 <= int(page) <= MAX_PAGE:
            result.page = int(page)
        else:
            refuse("page", _Bad("p_not_a_page", value=page))
    return result


def _assigned(raw: str) -> int | str:
    value = raw.strip()
    if value == "none":
        return value
    if value.isdigit() and len(value) <= 9:
        return int(value)
    raise _Bad("p_unknown_value", value=raw)


def sort_link(current: str, column: str) -> str:
    """The sort a column header links to: the other direction if it is the current sort;
    dates and numbers start with the largest, texts with A."""
    if current == column:
        return f"-{column}"
    if current == f"-{column}":
        return column
    return column if column in ("status", "path", "product") else f"-{column}"
