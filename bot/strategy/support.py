"""Support actors for a path, from data/strategy/support_actors.yml.

Which actors fit which path is data (`paths`), as are the amounts, links and the date they
were checked; this module only fills the amounts into the offer text in the founder's
language and, for actors with regional offices, points at the founder's region.
"""

from __future__ import annotations

from bot.i18n import pick
from bot.strategy.format import format_range, format_sek
from bot.strategy.parameters import Parameters, SupportActor


def offer_text(actor: SupportActor, lang: str) -> str:
    """The offer with its amounts formatted ("up to SEK 250,000", "50 000–500 000 kr")."""
    values = {
        key: format_range(*value, lang, "sek")
        if isinstance(value, tuple)
        else format_sek(value, lang)
        for key, value in actor.amounts.items()
    }
    return actor.offer[lang].format(**values)


def support_entry(actor: SupportActor, lang: str, region: str | None = None) -> dict:
    offer = offer_text(actor, lang)
    if region and actor.regional:
        offer += " " + pick(
            lang,
            f"Fråga efter kontoret som täcker {region}.",
            f"Ask for the office covering {region}.",
        )
    return {"name": actor.name[lang], "offer": offer, "url": actor.url, "checked": actor.checked}


def support_for(
    params: Parameters,
    path: str,
    lang: str,
    region: str | None = None,
    certifications: list[str] | None = None,
) -> list[dict]:
    """The actors suggested for a path, in the order of the data file.

    Actors that help with testing and certification join on every path when the founder
    needs certifications.
    """
    for_path = [a for a in params.support if path in a.paths]
    helpers = [
        a for a in params.support if certifications and a.certification_help and a not in for_path
    ]
    return [support_entry(a, lang, region) for a in for_path + helpers]
