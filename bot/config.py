"""Settings read from the environment, with the embedded defaults `make run` uses."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TILLVERKA_VAR_DIR", ROOT / "var"))
DATA_DIR = ROOT / "data"


def database_url() -> str:
    """DATABASE_URL, or a SQLite file under var/ for a single machine."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'tillverka.db'}"


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return float(raw)


def sek_per_eur() -> float:
    return _float_env("TILLVERKA_SEK_PER_EUR", 11.5)


def sek_per_usd() -> float:
    return _float_env("TILLVERKA_SEK_PER_USD", 10.5)
