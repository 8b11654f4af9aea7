"""One SQLAlchemy engine per database URL, shared by the register and the leads table."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote

from sqlalchemy import Column, MetaData, Table, create_engine, event, inspect, literal, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import config

log = logging.getLogger(__name__)

# All of our own tables live on this metadata, so one create_all() sets up a database.
metadata = MetaData()
# url -> names of the tables created there (modules add tables to `metadata` on import)
_created: dict[str, frozenset[str]] = {}
_create_lock = threading.Lock()


def _sqlite_functions(dbapi_connection, _record) -> None:
    # SQLite's lower() and LIKE fold ASCII only; searches must find "Örebro" from "örebro"
    dbapi_connection.create_function(
        "unicode_lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True
    )


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        # the action server answers on several threads
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_functions)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default DATABASE_URL), with our tables created once."""
    url = url or config.database_url()
    engine = engine_for(url)
    tables = frozenset(metadata.tables)
    if _created.get(url) != tables:
        # two threads creating the same tables at once fail with "already exists"
        with _create_lock:
            if _created.get(url) != tables:
                metadata.create_all(engine)
                add_missing_columns(engine)
                _created[url] = tables
    return engine


@contextmanager
def private_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A URL on the PostgreSQL server of `base_url` whose unqualified tables, ours and Rasa's,
    live in a fresh schema of their own, dropped with them on exit: for tests and benchmarks
    sharing one server. Raises OperationalError before yielding when no server answers."""
    admin = create_engine(base_url, future=True)
    try:
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        url = f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
        try:
            yield url
        finally:
            engine_for(url).dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def add_missing_columns(engine: Engine) -> None:
    """Bring tables made by an older version up to date: create_all() makes missing tables but
    never changes existing ones, so a developer's old database would fail on new columns.

    Adds every missing column that is nullable or has a default, creates missing indexes, and
    lets NOT NULL columns our code no longer writes take NULL, or inserts would fail on them.
    Anything else (a new NOT NULL column without a default, a changed type) needs a migration."""
    with engine.begin() as conn:
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"]: column for column in inspector.get_columns(table.name)}
            usable = set(present)
            usable.update(
                column.name
                for column in table.columns
                if column.name not in present and _add_column(conn, table, column)
            )
            indexed = {index["name"] for index in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexed and {c.name for c in index.columns} <= usable:
                    index.create(conn)
            for name, column in present.items():
                obsolete = name not in table.columns
                if obsolete and not column["nullable"] and column["default"] is None:
                    _relax_obsolete_column(conn, table, name)


def _add_column(conn: Connection, table: Table, column: Column) -> bool:
    dialect = conn.dialect
    default = column.default.arg if column.default is not None else None
    if column.primary_key or callable(default) or (default is None and not column.nullable):
        log.warning("cannot add column %s.%s to the existing table", table.name, column.name)
        return False
    ddl = (
        f"ALTER TABLE {dialect.identifier_preparer.format_table(table)} ADD COLUMN "
        f"{dialect.identifier_preparer.format_column(column)} {column.type.compile(dialect)}"
    )
    if default is not None:
        value = literal(default, column.type).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
        ddl += f" DEFAULT {value}"
    if not column.nullable:
        ddl += " NOT NULL"
    conn.exec_driver_sql(ddl)
    log.warning("added column %s.%s to the existing table", table.name, column.name)
    return True


def _relax_obsolete_column(conn: Connection, table: Table, name: str) -> None:
    dialect = conn.dialect
    quoted_table = dialect.identifier_preparer.format_table(table)
    quoted = dialect.identifier_preparer.quote(name)
    # SQLite cannot drop NOT NULL, only the column (3.35+); PostgreSQL keeps the old values
    if dialect.name == "sqlite":
        ddl = f"ALTER TABLE {quoted_table} DROP COLUMN {quoted}"
    else:
        ddl = f"ALTER TABLE {quoted_table} ALTER COLUMN {quoted} DROP NOT NULL"
    try:
        if dialect.name == "sqlite":
            conn.exec_driver_sql(ddl)  # a failed statement leaves SQLite's transaction usable
        else:
            with conn.begin_nested():
                conn.exec_driver_sql(ddl)
    except SQLAlchemyError as exc:
        log.warning("obsolete column %s.%s is NOT NULL and stays so: %s", table.name, name, exc)
        return
    log.warning("obsolete column %s.%s: %s", table.name, name, ddl)


def utc(value: datetime) -> datetime:
    """`value` in UTC. SQLite stores and returns datetimes without their zone; everything we
    write is UTC, so a naive value read back is UTC, and values bound in queries must be too."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
