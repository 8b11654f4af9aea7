"""The advisors' channel notices as Slack Block Kit: pure functions, no I/O.

Advisors read both languages, so the frame is English and the founder's values stay as given
(their words, product description, manufacturers' reasons in the lead's language).
"""

from __future__ import annotations

from urllib.parse import quote

from bot import vocabulary
from bot.slack.blocks import escape, header, section
from bot.strategy.format import format_mm, format_sek, format_units

DEFAULT_PUBLIC_URL = "http://localhost:8000"
TOP_MATCHES = 3
LANGUAGES = {"sv": "Swedish (sv)", "en": "English (en)"}
NOT_GIVEN = "_not given_"
FIELD_MAX = 2000  # Block Kit limit; headers and sections are cut by bot.slack.blocks


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lead_link(conversation_id: str, public_url: str | None = None) -> str:
    """The advisor app's page for this lead (the link format is a contract)."""
    base = (public_url or DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{base}/advisor/leads/{quote(conversation_id, safe='')}"


def _language(lang: str | None) -> str:
    return LANGUAGES.get(lang or "", escape(lang or "unknown"))


def _amount(value: object, fmt, suffix: str = "") -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return fmt(float(value), "en") + suffix


def _label(table: dict, value: object) -> str | None:
    if value in (None, "", []):
        return None
    return escape(vocabulary.label(table, value, "en")) if isinstance(value, str) else escape(value)


def profile_summary(profile: dict | None) -> list[tuple[str, str | None]]:
    """(label, value or None) for what advisors triage by, in interview order."""
    p = profile or {}
    product = p.get("product_description")
    region = p.get("region")
    return [
        ("Product", escape(product) if product else None),
        ("Maturity", _label(vocabulary.MATURITY_LABELS, p.get("design_maturity"))),
        ("Volume", _amount(p.get("annual_volume"), format_units, " a year")),
        ("Tolerance", _amount(p.get("tolerance_mm"), format_mm)),
        ("Target cost", _amount(p.get("target_unit_cost_sek"), format_sek, " per unit")),
        ("Material", _label(vocabulary.MATERIAL_LABELS, p.get("material"))),
        ("Region", escape(region) if region else None),
    ]


def _fields(pairs: list[tuple[str, str | None]]) -> list[dict]:
    return [
        {"type": "mrkdwn", "text": _cut(f"*{name}*\n{value or NOT_GIVEN}", FIELD_MAX)}
        for name, value in pairs
    ][:10]  # Slack allows at most 10 fields per section


def _open_lead(link: str) -> dict:
    # A link button without "value": Slack still posts the click to the webhook, and Rasa's
    # Slack channel ignores valueless button clicks, so the bot never answers advisors here.
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open lead"},
                "url": link,
                "action_id": "open_lead",
            }
        ],
    }


def _conversation_fields(conversation_id: str, lang: str | None) -> list[tuple[str, str]]:
    return [("Conversation", f"`{escape(conversation_id)}`"), ("Language", _language(lang))]


def _profile_section(profile: dict | None) -> dict:
    return {"type": "section", "fields": _fields(profile_summary(profile))}


def handoff_notice(
    conversation_id: str,
    language: str | None,
    text: str,
    profile: dict | None,
    public_url: str | None = None,
) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for "a founder asked for a human"."""
    link = lead_link(conversation_id, public_url)
    words = escape(text.strip()) if text and text.strip() else "_(no message)_"
    quoted = "\n".join(f">{line}" for line in words.splitlines())
    blocks = [
        header("A founder asked for a human"),
        {"type": "section", "fields": _fields(_conversation_fields(conversation_id, language))},
        section(f"*Their words*\n{quoted}"),
        section("*Lead so far*"),
        _profile_section(profile),
        _open_lead(link),
    ]
    fallback = f"A founder asked for a human (conversation {conversation_id}): {link}"
    return fallback, blocks


def _match_line(number: int, item: dict) -> str:
    name, county = escape(item.get("name", "?")), escape(item.get("county") or "?")
    line = f"{number}. *{name}* ({county})"
    if isinstance(item.get("score"), int | float):
        line += f", score {item['score']:.2f}"
    reasons = "; ".join(escape(r) for r in item.get("reasons") or [])
    if reasons:
        line += f"\n      {reasons}"
    if item.get("contact"):
        line += f"\n      Contact: {escape(item['contact'])}"
    return line


def matches_text(manufacturers: list[dict] | None, total: int | None = None) -> str:
    top = (manufacturers or [])[:TOP_MATCHES]
    if not top:
        return "*Top matches*\nNo manufacturer in the register meets every requirement."
    heading = "*Top matches*" + (
        f" (of {total})" if isinstance(total, int) and total > len(top) else ""
    )
    return "\n".join([heading, *(_match_line(n, m) for n, m in enumerate(top, start=1))])


def recommendation_notice(
    conversation_id: str, language: str | None, payload: dict, public_url: str | None = None
) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for "a founder finished an interview"."""
    link = lead_link(conversation_id, public_url)
    path_id = payload.get("path") or "unknown"
    path = vocabulary.label(vocabulary.PATH_LABELS, path_id, "en")
    blocks = [
        header(f"Interview finished: {path}"),
        {
            "type": "section",
            "fields": _fields(
                [*_conversation_fields(conversation_id, language), ("Path", escape(path))]
            ),
        },
        section("*Profile*"),
        _profile_section(payload.get("profile")),
        section(matches_text(payload.get("manufacturers"), payload.get("manufacturers_total"))),
        _open_lead(link),
    ]
    fallback = f"A founder finished an interview: {path} (conversation {conversation_id}): {link}"
    return fallback, blocks
