"""One manufacturer in the capacity register, and how its values read in Swedish and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The five län whose official name takes no genitive s ("Skåne län", not "Skånes län").
_COUNTIES_WITHOUT_S = frozenset({"Uppsala", "Kalmar", "Blekinge", "Skåne", "Örebro"})


@dataclass(frozen=True)
class Manufacturer:
    """A register entry; lists are tuples so that a record can't change after validation."""

    id: str
    name: str
    county: str
    municipality: str
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    # best ± tolerance in mm for every process in `processes`; a dict can't be hashed
    tolerances: dict[str, float] = field(hash=False)
    batch_min: int
    batch_max: int
    annual_capacity: int
    free_capacity_share: float
    free_capacity_date: date
    lead_time_weeks: float
    certifications: tuple[str, ...]
    contact: str
    sample_data: bool

    def to_payload(self) -> dict:
        """A JSON-able dict with every field (the date as ISO text)."""
        return {
            "id": self.id,
            "name": self.name,
            "county": self.county,
            "municipality": self.municipality,
            "processes": list(self.processes),
            "materials": list(self.materials),
            "tolerances": dict(self.tolerances),
            "batch_min": self.batch_min,
            "batch_max": self.batch_max,
            "annual_capacity": self.annual_capacity,
            "free_capacity_share": self.free_capacity_share,
            "free_capacity_date": self.free_capacity_date.isoformat(),
            "lead_time_weeks": self.lead_time_weeks,
            "certifications": list(self.certifications),
            "contact": self.contact,
            "sample_data": self.sample_data,
        }


def format_number(value: float, lang: str) -> str:
    """0.05 -> "0,05" in Swedish, "0.05" in English; 12000 -> "12 000" / "12,000".

    Up to six decimals, trailing zeros dropped: tolerances and shares read as people write them.
    """
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    if lang == "sv":
        # Swedish: space between thousands (non-breaking, so "12 000" never wraps), decimal comma
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def county_long_name(county: str, lang: str) -> str:
    """ "Jönköpings län" / "Jönköping County", as founders read a county named on its own."""
    if lang == "sv":
        return f"{county} län" if county in _COUNTIES_WITHOUT_S else f"{county}s län"
    return f"{county} County"
