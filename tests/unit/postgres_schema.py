"""A PostgreSQL URL whose tables live in a fresh schema of their own (TEST_POSTGRES_URL), for
tests that run on SQLite and PostgreSQL; skips the test when no server answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from bot.db import engine_for, private_schema

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_schema_url(prefix: str) -> Iterator[str]:
    base = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    with ExitStack() as stack:
        try:
            url = stack.enter_context(private_schema(base, prefix))
        except OperationalError as exc:
            pytest.skip(f"PostgreSQL is not reachable at TEST_POSTGRES_URL={base}: {exc.orig}")
        yield url


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
