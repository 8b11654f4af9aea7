"""Swedish and English number formatting for founder-facing texts.

Swedish: space as thousands separator, decimal comma, "12 500 kr", "±0,05 mm", "500 st".
English: comma as thousands separator, decimal point, "SEK 12,500", "±0.05 mm", "500 units".
A plain space (not a no-break space) separates thousands so that texts compare and search simply.
Any language other than "sv" is formatted as English, like bot.i18n.pick.
"""

from __future__ import annotations

import math

DASH = "–"  # en dash between the ends of a range


def round_sig(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` significant figures: estimates should not look precise."""
    if value == 0 or not math.isfinite(value):
        return value
    magnitude = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - magnitude)


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's thousands separator and decimal mark."""
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", " ").replace(".", ",")
    return text


def _decimals_for(value: float, most: int = 2) -> int:
    """As few decimals as the value needs (at most `most`), so 2.5 is not shown as 2.50."""
    for decimals in range(most + 1):
        if abs(round(value, decimals) - value) < 1e-9 * max(1.0, abs(value)):
            return decimals
    return most


def format_plain(value: float, lang: str, most_decimals: int = 2) -> str:
    """A bare number with as few decimals as it needs: sv "2,5", en "2.5", "3 600"."""
    return format_number(value, lang, _decimals_for(value, most_decimals))


def _money_amount(value: float, lang: str) -> str:
    # Whole kronor from 100 up; below that öre matter (a 9.50 kr part), shown with two decimals.
    if abs(value) >= 100 or float(value).is_integer():
        return format_number(round(value), lang)
    return format_number(value, lang, 2)


def format_sek(value: float, lang: str) -> str:
    """Money in kronor: sv "12 500 kr", en "SEK 12,500"."""
    amount = _money_amount(value, lang)
    return f"{amount} kr" if lang == "sv" else f"SEK {amount}"


def format_usd(value: float, lang: str) -> str:
    """Money in US dollars, as the sources quote it: sv "5 000 USD", en "USD 5,000"."""
    amount = _money_amount(value, lang)
    return f"{amount} USD" if lang == "sv" else f"USD {amount}"


def _plain_mm(value: float, lang: str) -> str:
    return format_number(value, lang, _decimals_for(value, 3))


def format_mm(value: float, lang: str) -> str:
    """A ± tolerance in millimetres: sv "±0,05 mm", en "±0.05 mm"."""
    return f"±{_plain_mm(value, lang)} mm"


def format_units(value: float, lang: str) -> str:
    """A number of parts: sv "10 000 st", en "10,000 units" ("1 unit")."""
    amount = format_number(round(value), lang)
    if lang == "sv":
        return f"{amount} st"
    return f"{amount} unit" if round(value) == 1 else f"{amount} units"


def _weeks_are_days(hi: float) -> bool:
    return hi <= 1


def _days(weeks: float) -> int:
    return max(1, round(weeks * 7))


def format_weeks(value: float, lang: str) -> str:
    """A lead time: whole days below a week ("5 dagar", "5 days"), else weeks ("3 veckor")."""
    if _weeks_are_days(value):
        days = _days(value)
        if lang == "sv":
            return f"{days} dag" if days == 1 else f"{days} dagar"
        return f"{days} day" if days == 1 else f"{days} days"
    amount = format_number(value, lang, _decimals_for(value, 1))
    if lang == "sv":
        return f"{amount} vecka" if value == 1 else f"{amount} veckor"
    return f"{amount} week" if value == 1 else f"{amount} weeks"


def format_percent(value: float, lang: str) -> str:
    """A share (0.25) as a percentage: sv "25 %", en "25%"."""
    amount = format_number(value * 100, lang, _decimals_for(value * 100, 0))
    return f"{amount} %" if lang == "sv" else f"{amount}%"


def format_range(lo: float, hi: float, lang: str, unit: str | None = None) -> str:
    """Two ends with one unit: "12 000–15 000 kr", "SEK 12,000–15,000", "2–4 weeks".

    unit: "sek", "usd", "mm", "units", "weeks", "percent" or None (a bare number). Ends are
    swapped if given in the wrong order; equal ends give a single value.
    """
    lo, hi = min(lo, hi), max(lo, hi)
    single = {
        "sek": format_sek,
        "usd": format_usd,
        "mm": format_mm,
        "units": format_units,
        "weeks": format_weeks,
        "percent": format_percent,
    }
    if unit is not None and unit not in single:
        raise ValueError(f"unknown unit {unit!r}; use one of {sorted(single)} or None")
    if unit is None:
        ends = [format_number(v, lang, _decimals_for(v, 2)) for v in (lo, hi)]
        return ends[0] if ends[0] == ends[1] else f"{ends[0]}{DASH}{ends[1]}"
    if single[unit](lo, lang) == single[unit](hi, lang):
        return single[unit](lo, lang)
    if unit in ("sek", "usd"):
        amounts = f"{_money_amount(lo, lang)}{DASH}{_money_amount(hi, lang)}"
        code = "kr" if unit == "sek" else "USD"
        if lang == "sv":
            return f"{amounts} {code}"
        return f"{'SEK' if unit == 'sek' else 'USD'} {amounts}"
    if unit == "mm":
        return f"±{_plain_mm(lo, lang)}{DASH}{_plain_mm(hi, lang)} mm"
    if unit == "units":
        amounts = f"{format_number(round(lo), lang)}{DASH}{format_number(round(hi), lang)}"
        return f"{amounts} st" if lang == "sv" else f"{amounts} units"
    if unit == "weeks":
        if _weeks_are_days(hi):
            amounts = f"{_days(lo)}{DASH}{_days(hi)}"
            return f"{amounts} dagar" if lang == "sv" else f"{amounts} days"
        lo_text = format_number(lo, lang, _decimals_for(lo, 1))
        hi_text = format_number(hi, lang, _decimals_for(hi, 1))
        return f"{lo_text}{DASH}{hi_text} {'veckor' if lang == 'sv' else 'weeks'}"
    # percent
    lo_text = format_number(lo * 100, lang, _decimals_for(lo * 100, 0))
    hi_text = format_number(hi * 100, lang, _decimals_for(hi * 100, 0))
    return f"{lo_text}{DASH}{hi_text} %" if lang == "sv" else f"{lo_text}{DASH}{hi_text}%"
