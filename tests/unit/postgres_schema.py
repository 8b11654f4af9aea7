"""A PostgreSQL URL whose tables live in a fresh schema of their own (TEST_POSTGRES_URL), for
tests that run on SQLite and PostgreSQL; skips the test when no server answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.db import engine_for

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_schema_url(prefix: str) -> Iterator[str]:
    base = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    admin = create_engine(base, future=True)
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at TEST_POSTGRES_URL={base}: {exc.orig}")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    # search_path puts every unqualified table (ours and Rasa's) in the schema
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def database_url(backend: str, tmp_path) -> Iterator[str]:
    """For a fixture parametrised with BACKENDS: a SQLite file or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'tillverka.db'}"
        yield url
        engine_for(url).dispose()
    else:
        with postgres_schema_url("test_advisor") as url:
            yield url


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
