"""Fills an empty register with the fictional sample manufacturers, so `make run` has data."""

from __future__ import annotations

from pathlib import Path

from bot.config import DATA_DIR
from bot.register.store import RegisterStore

SAMPLE_CSV = DATA_DIR / "register" / "manufacturers_sample.csv"


class SampleDataError(RuntimeError):
    """The shipped sample file does not pass validation (a bug in the repository, not in use)."""


def ensure_seeded(store: RegisterStore, path: Path = SAMPLE_CSV) -> int:
    """Import the sample file if the register is empty; the number of rows imported (0 if it
    already had manufacturers). A real register is never touched."""
    if store.count() > 0:
        return 0
    report = store.import_csv(path.read_bytes())
    if not report.ok:
        raise SampleDataError(report.summary("en"))
    return report.imported
