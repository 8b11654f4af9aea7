"""The transparent strategy engine: path, process options, costs, next steps and support.

Import from here: `from bot.strategy import Profile, recommend`.
"""

from bot.strategy.engine import (
    Strategy,
    explain_field,
    explain_not_path,
    nollserie_explainer,
    recommend,
    stage_overview,
    support_overview,
    tooling_overview,
    with_volume,
)
from bot.strategy.format import format_mm, format_range, format_sek, format_units
from bot.strategy.options import ProcessOption
from bot.strategy.profile import Profile

__all__ = [
    "ProcessOption",
    "Profile",
    "Strategy",
    "explain_field",
    "explain_not_path",
    "format_mm",
    "format_range",
    "format_sek",
    "format_units",
    "nollserie_explainer",
    "recommend",
    "stage_overview",
    "support_overview",
    "tooling_overview",
    "with_volume",
]
