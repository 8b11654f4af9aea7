"""Tiny helper for texts that exist in Swedish and English."""

from __future__ import annotations


def pick(lang: str | None, sv: str, en: str) -> str:
    """The Swedish or English text; English unless the founder speaks Swedish."""
    return sv if lang == "sv" else en
