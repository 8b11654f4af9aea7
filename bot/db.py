"""One SQLAlchemy engine per database URL, shared by the register and the leads table."""

from __future__ import annotations

import threading
from functools import lru_cache

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine

from bot import config

# All of our own tables live on this metadata, so one create_all() sets up a database.
metadata = MetaData()
# url -> names of the tables created there (modules add tables to `metadata` on import)
_created: dict[str, frozenset[str]] = {}
_create_lock = threading.Lock()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        # the action server answers on several threads
        return create_engine(url, future=True, connect_args={"check_same_thread": False})
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
                _created[url] = tables
    return engine
