"""One SQLAlchemy engine per database URL, shared by the register and the leads table."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine

from bot import config

# All of our own tables live on this metadata, so one create_all() sets up a database.
metadata = MetaData()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        # the action server answers on several threads
        return create_engine(url, future=True, connect_args={"check_same_thread": False})
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    engine = engine_for(url or config.database_url())
    metadata.create_all(engine)
    return engine
