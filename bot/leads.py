"""Leads: one row per conversation, for advisors to find, sort and follow up.

The row is created on a conversation's first event (the event broker, bot.transcript_index),
and filled in by the actions: the recommendation (profile, path, matches, plus copies of the
profile's numbers for filtering and sorting) and a founder's request for a human. Advisors set
its status, assignee and takeover. Listing and searching use this table and the transcript
index only, never Rasa's `events` table (DESIGN section 2).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.db import get_engine, metadata, utc
from bot.transcript_index import transcript_messages
from bot.vocabulary import LANGUAGES

STATUSES: tuple[str, ...] = ("new", "contacted", "handed_over", "closed")
SORTS: tuple[str, ...] = (
    "last_message_at",
    "created_at",
    "annual_volume",
    "tolerance_mm",
    "target_unit_cost_sek",
    "status",
    "path",
    "product",
)
MAX_PER_PAGE = 500
MAX_QUERY_WORDS = 10  # words of a search beyond these are ignored
SHORT_TEXT = 255  # material, process and region are free text when the founder typed them
MAX_CHANNEL_CHARS = 20

leads_table = Table(
    "leads",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("channel", String(MAX_CHANNEL_CHARS)),
    Column("language", String(2)),
    Column("product", Text),
    Column("profile", Text, nullable=False, default="{}"),
    Column("path", String(20), index=True),
    Column("matches", Text, nullable=False, default="[]"),
    Column("match_count", Integer, nullable=False, default=0),
    Column("annual_volume", Float),
    Column("tolerance_mm", Float),
    Column("target_unit_cost_sek", Float),
    Column("material", String(SHORT_TEXT)),
    Column("process", String(SHORT_TEXT)),
    Column("region", String(SHORT_TEXT)),
    Column("handoff_requested", Boolean, nullable=False, default=False),
    Column("handoff_reason", Text),
    Column("handoff_requested_at", DateTime(timezone=True)),
    Column("taken_over_by", Integer),
    Column("status", String(20), nullable=False, default="new", index=True),
    Column("assigned_to", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_message_at", DateTime(timezone=True), index=True),
)


@dataclass
class Lead:
    conversation_id: str
    channel: str | None
    language: str | None
    product: str | None
    profile: dict
    path: str | None
    matches: list
    match_count: int
    annual_volume: float | None
    tolerance_mm: float | None
    target_unit_cost_sek: float | None
    material: str | None
    process: str | None
    region: str | None
    handoff_requested: bool
    handoff_reason: str | None
    taken_over_by: int | None
    status: str
    assigned_to: int | None
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    handoff_requested_at: datetime | None = None


@dataclass
class LeadFilter:
    """What the lead list shows; None means "any". Text filters ignore case; `q` matches
    leads whose product or transcript contains every one of its words."""

    q: str | None = None
    path: str | None = None
    status: str | None = None
    language: str | None = None
    channel: str | None = None
    handoff: bool | None = None
    taken_over: bool | None = None
    assigned_to: int | None = None
    unassigned: bool = False
    created_from: date | None = None  # days in Swedish time, both inclusive
    created_to: date | None = None
    volume_min: float | None = None
    volume_max: float | None = None
    tolerance_max: float | None = None  # leads needing at most this ± in mm
    cost_max: float | None = None
    process: str | None = None
    material: str | None = None  # substring
    region: str | None = None


@dataclass
class LeadPage:
    items: list[Lead]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _local_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Stockholm")  # the advisors' calendar days
    except Exception:  # no time zone data on this machine
        return timezone.utc


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), _local_zone()).astimezone(timezone.utc)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _short_text(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:SHORT_TEXT]


def _insert(conn: Connection):
    """INSERT ... ON CONFLICT DO NOTHING, so two writers creating one lead cannot collide."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(leads_table)


def _upsert(conn: Connection, conversation_id: str, values: dict, created_at: datetime) -> None:
    now = _now()
    conn.execute(
        _insert(conn)
        .values(
            conversation_id=conversation_id,
            profile="{}",
            matches="[]",
            match_count=0,
            handoff_requested=False,
            status="new",
            created_at=utc(created_at),
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["conversation_id"])
    )
    conn.execute(
        update(leads_table)
        .where(leads_table.c.conversation_id == conversation_id)
        .values(updated_at=now, **values)
    )


def touch_lead(
    conn: Connection,
    conversation_id: str,
    *,
    at: datetime,
    channel: str | None = None,
    language: str | None = None,
    product: str | None = None,
) -> None:
    """LeadStore.record_activity inside the caller's transaction (the event broker's)."""
    at = utc(at)
    if language not in LANGUAGES:
        language = None
    latest = leads_table.c.last_message_at
    values = {
        # events of one message may arrive out of order; the latest wins
        "last_message_at": case((or_(latest.is_(None), latest < at), at), else_=latest),
    }
    known = {
        "channel": channel and channel[:MAX_CHANNEL_CHARS],
        "language": language,
        "product": product,
    }
    values.update({key: value for key, value in known.items() if value is not None})
    _upsert(conn, conversation_id, values, created_at=at)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row_to_lead(row) -> Lead:
    values = {f.name: getattr(row, f.name) for f in fields(Lead)}
    values.update(
        profile=json.loads(row.profile),
        matches=json.loads(row.matches),
        handoff_requested=bool(row.handoff_requested),
        # rows from before the advisor workspace said "open"
        status=row.status if row.status in STATUSES else "new",
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        last_message_at=row.last_message_at and utc(row.last_message_at),
        handoff_requested_at=row.handoff_requested_at and utc(row.handoff_requested_at),
    )
    return Lead(**values)


class LeadStore:
    def __init__(self, url: str | None = None):
        self.engine = get_engine(url)

    # --- written by the bot -------------------------------------------------------------

    def save_recommendation(
        self, conversation_id: str, language: str | None, profile: dict, path: str, matches: list
    ) -> None:
        values = {
            "profile": json.dumps(profile, ensure_ascii=False),
            "path": path,
            "matches": json.dumps(matches, ensure_ascii=False),
            "match_count": len(matches),
            "annual_volume": _number(profile.get("annual_volume")),
            "tolerance_mm": _number(profile.get("tolerance_mm")),
            "target_unit_cost_sek": _number(profile.get("target_unit_cost_sek")),
            "material": _short_text(profile.get("material")),
            "process": _short_text(profile.get("process")),
            "region": _short_text(profile.get("region")),
        }
        product = profile.get("product_description")
        if isinstance(product, str) and product.strip():
            values["product"] = product.strip()
        if language:
            values["language"] = language
        with self.engine.begin() as conn:
            _upsert(conn, conversation_id, values, created_at=_now())

    def request_handoff(self, conversation_id: str, language: str | None, reason: str) -> None:
        values = {
            "handoff_requested": True,
            "handoff_reason": reason,
            "handoff_requested_at": _now(),
        }
        if language:
            values["language"] = language
        with self.engine.begin() as conn:
            _upsert(conn, conversation_id, values, created_at=_now())

    def record_activity(
        self,
        conversation_id: str,
        *,
        at: datetime,
        channel: str | None = None,
        language: str | None = None,
        product: str | None = None,
    ) -> None:
        """A conversation had an event at `at`: create its lead on the first one, and keep the
        latest activity, and the channel, language and product when known."""
        with self.engine.begin() as conn:
            touch_lead(
                conn, conversation_id, at=at, channel=channel, language=language, product=product
            )

    # --- read and changed by advisors ---------------------------------------------------

    def get(self, conversation_id: str) -> Lead | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(leads_table).where(leads_table.c.conversation_id == conversation_id)
            ).first()
        return None if row is None else _row_to_lead(row)

    def list(
        self, filters: LeadFilter, sort: str = "-last_message_at", page: int = 1, per_page: int = 50
    ) -> LeadPage:
        """One page of the leads matching `filters`, sorted by `sort` ("x" ascending, "-x"
        descending, x in SORTS; empty values last, ties by conversation id)."""
        order = self._order_by(sort)
        page = max(1, page)
        per_page = min(max(1, per_page), MAX_PER_PAGE)
        conditions = self._conditions(filters)
        # One pass finds, counts and sorts the keys (a search reads every message once); the
        # page's rows, with their JSON, are fetched by key afterwards.
        keys = (
            select(leads_table.c.conversation_id, func.count().over().label("total"))
            .where(*conditions)
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        with self._reading() as conn:
            rows = conn.execute(keys).all()
            if rows:
                total = rows[0].total
            else:  # past the last page, or nothing matches
                count = select(func.count()).select_from(leads_table).where(*conditions)
                total = conn.execute(count).scalar_one() if page > 1 else 0
            items = self._fetch(conn, [row.conversation_id for row in rows])
        return LeadPage(items=items, total=total, page=page, per_page=per_page)

    def iter_leads(
        self, filters: LeadFilter, sort: str = "-last_message_at", batch: int = 500
    ) -> Iterator[Lead]:
        """Every matching lead in order, `batch` rows in memory at a time (CSV export). The
        order is fixed when iteration starts; leads deleted meanwhile are left out."""
        query = (
            select(leads_table.c.conversation_id)
            .where(*self._conditions(filters))
            .order_by(*self._order_by(sort))
        )
        with self._reading() as conn:
            ids = list(conn.execute(query).scalars())
        for start in range(0, len(ids), max(1, batch)):
            with self.engine.connect() as conn:
                yield from self._fetch(conn, ids[start : start + max(1, batch)])

    def set_status(self, conversation_id: str, status: str) -> bool:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        return self._set(conversation_id, status=status)

    def assign(self, conversation_id: str, user_id: int | None) -> bool:
        return self._set(conversation_id, assigned_to=user_id)

    def set_taken_over(self, conversation_id: str, user_id: int | None) -> bool:
        return self._set(conversation_id, taken_over_by=user_id)

    def delete(self, conversation_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(leads_table).where(leads_table.c.conversation_id == conversation_id)
            )
        return result.rowcount > 0

    # --- helpers ------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # A search's cost estimate crosses PostgreSQL's JIT threshold, and compiling
                # the query then takes longer than running it (0.5 s of 0.8 s at 10,000 leads)
                conn.exec_driver_sql("SET LOCAL jit = off")
            yield conn

    def _set(self, conversation_id: str, **values) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(leads_table)
                .where(leads_table.c.conversation_id == conversation_id)
                .values(updated_at=_now(), **values)
            )
        return result.rowcount > 0

    @staticmethod
    def _fetch(conn: Connection, ids: list[str]) -> list[Lead]:
        if not ids:
            return []
        rows = conn.execute(select(leads_table).where(leads_table.c.conversation_id.in_(ids)))
        by_id = {row.conversation_id: _row_to_lead(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    @staticmethod
    def _order_by(sort: str) -> list:
        name = sort[1:] if sort.startswith("-") else sort
        if name not in SORTS:
            raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTS)}")
        column = leads_table.c[name]
        ordered = column.desc() if sort.startswith("-") else column.asc()
        return [ordered.nulls_last(), leads_table.c.conversation_id.asc()]

    def _matches(self, column, value: str, *, substring: bool = True, folded: bool = False):
        """`column` contains (or equals) `value`, ignoring case, as a literal text: LIKE's
        wildcards in `value` are escaped and it travels as a bound parameter. `folded`: the
        column is lower-cased already."""
        value = value.lower()
        pattern = f"%{_escape_like(value)}%" if substring else _escape_like(value)
        if self.engine.dialect.name != "sqlite":
            return (column if folded else func.lower(column)).like(pattern, escape="\\")
        if value.isascii():
            return column.like(pattern, escape="\\")  # SQLite's LIKE ignores ASCII case
        # unicode_lower (bot.db) calls Python for every row; a LIKE with "_" for each non-ASCII
        # letter first narrows the rows down at SQLite's own speed
        rough = "".join(ch if ch.isascii() else "_" for ch in pattern)
        return and_(
            column.like(rough, escape="\\"),
            func.unicode_lower(column).like(pattern, escape="\\"),
        )

    def _search(self, q: str) -> list:
        """Leads whose product or messages contain every word of `q`. The query shape differs
        per database for speed (bench/advisor_leads.py): both read each message once."""
        words = list(dict.fromkeys(q.split()))[:MAX_QUERY_WORDS]
        leads, messages = leads_table.c, transcript_messages.c
        if self.engine.dialect.name == "sqlite":
            # SQLite runs an uncorrelated IN subquery once into a temporary index
            return [
                or_(
                    self._matches(leads.product, word),
                    leads.conversation_id.in_(
                        select(messages.conversation_id).where(self._matches(messages.text, word))
                    ),
                )
                for word in words
            ]
        # PostgreSQL may run an IN subquery under OR once per lead (minutes at 10,000 leads)
        # when it expects a large result, so: one pass over product and messages, lower-cased
        # once per row, grouped by conversation, joined to the leads.
        texts = union_all(
            select(leads.conversation_id, func.lower(leads.product).label("text")),
            select(messages.conversation_id, func.lower(messages.text).label("text")),
        ).subquery()
        every_word = [
            func.max(case((self._matches(texts.c.text, word, folded=True), 1), else_=0)) == 1
            for word in words
        ]
        hits = select(texts.c.conversation_id).group_by(texts.c.conversation_id)
        return [leads.conversation_id.in_(hits.having(and_(*every_word)))]

    def _conditions(self, f: LeadFilter) -> list:
        c = leads_table.c
        conditions = []
        for column, value in (
            (c.path, f.path),
            (c.status, f.status),
            (c.language, f.language),
            (c.channel, f.channel),
            (c.process, f.process),
        ):
            if value is not None:
                conditions.append(column == value)
        if f.q and f.q.strip():
            conditions += self._search(f.q)
        if f.material:
            conditions.append(self._matches(c.material, f.material))
        if f.region:
            conditions.append(self._matches(c.region, f.region, substring=False))
        if f.handoff is not None:
            conditions.append(c.handoff_requested == bool(f.handoff))
        if f.taken_over is not None:
            taken = c.taken_over_by.isnot(None)
            conditions.append(taken if f.taken_over else c.taken_over_by.is_(None))
        if f.unassigned:
            conditions.append(c.assigned_to.is_(None))
        elif f.assigned_to is not None:
            conditions.append(c.assigned_to == f.assigned_to)
        if f.created_from is not None:
            conditions.append(c.created_at >= _day_start(f.created_from))
        if f.created_to is not None:
            conditions.append(c.created_at < _day_start(f.created_to + timedelta(days=1)))
        for column, low, high in (
            (c.annual_volume, f.volume_min, f.volume_max),
            (c.tolerance_mm, None, f.tolerance_max),
            (c.target_unit_cost_sek, None, f.cost_max),
        ):
            if low is not None:
                conditions.append(column >= low)
            if high is not None:
                conditions.append(column <= high)
        return [and_(*conditions)] if conditions else []
