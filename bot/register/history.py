"""Who imported which register file when, and whether it went in: the admins' import history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, insert, select

from bot.db import get_engine, metadata, utc

MAX_FILENAME_CHARS = 255
MAX_USER_NAME_CHARS = 200
MAX_LIMIT = 1000

register_imports = Table(
    "register_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user_id", Integer),
    Column("user_name", String(MAX_USER_NAME_CHARS), nullable=False),
    Column("filename", String(MAX_FILENAME_CHARS), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("errors", Integer, nullable=False),
)


@dataclass(frozen=True)
class ImportRecord:
    id: int
    at: datetime  # aware, UTC
    user_id: int | None
    user_name: str
    filename: str
    rows: int  # manufacturers imported (0 when the file was refused)
    ok: bool
    errors: int  # rows with errors (0 when it went in)


def _filename(name: str | None) -> str:
    """The file's own name: browsers may send a path ('C:\\Users\\..\\firms.csv'), and a name
    longer than the column is cut, not refused, since the import already happened."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(base.split())[:MAX_FILENAME_CHARS]


class ImportHistory:
    """The import history in the shared database (DATABASE_URL unless a url is given)."""

    def __init__(self, url: str | None = None):
        self.engine = get_engine(url)

    def record(
        self,
        user_id: int | None,
        user_name: str,
        filename: str | None,
        rows: int,
        ok: bool,
        errors: int,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(register_imports).values(
                    at=datetime.now(timezone.utc),
                    user_id=user_id,
                    user_name=(user_name or "")[:MAX_USER_NAME_CHARS],
                    filename=_filename(filename),
                    rows=rows,
                    ok=bool(ok),
                    errors=errors,
                )
            )

    def list(self, limit: int = 50) -> list[ImportRecord]:
        """The latest imports, newest first."""
        c = register_imports.c
        query = (
            select(register_imports)
            .order_by(c.at.desc(), c.id.desc())
            .limit(max(1, min(limit, MAX_LIMIT)))
        )
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]


def _record(row) -> ImportRecord:
    m = row._mapping
    return ImportRecord(
        id=m["id"],
        at=utc(m["at"]),
        user_id=m["user_id"],
        user_name=m["user_name"],
        filename=m["filename"],
        rows=m["rows"],
        ok=bool(m["ok"]),
        errors=m["errors"],
    )
