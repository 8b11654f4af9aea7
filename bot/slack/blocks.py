"""Slack Block Kit messages from the bot's replies: quick replies as buttons, the recommendation
payload (DESIGN section 4) as sections. Pure: dicts in, dicts out.

Slack rejects a whole message that breaks a Block Kit limit, so every text is cut to fit and the
block list is capped; the plain-text fallback (`text`) always carries the full answer.
"""

from __future__ import annotations

from bot import recommendation, vocabulary
from bot.i18n import pick

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_BUTTON_TEXT_CHARS = 75
MAX_BUTTON_VALUE_CHARS = 2000
MAX_BUTTONS = 25  # per actions block
MAX_HEADER_CHARS = 150


def escape(text: str) -> str:
    """Text as Slack mrkdwn shows it literally (`<`, `>` and `&` are control characters)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str, *, markdown: bool = True) -> dict:
    kind = "mrkdwn" if markdown else "plain_text"
    return {"type": "section", "text": {"type": kind, "text": _cut(text, MAX_SECTION_CHARS)}}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, MAX_HEADER_CHARS)}}


def _capped(blocks: list[dict]) -> list[dict]:
    return blocks if len(blocks) <= MAX_BLOCKS else blocks[: MAX_BLOCKS - 1] + [section("…")]


def button_blocks(text: str, buttons: list[dict]) -> list[dict]:
    """A section with `text` and an actions block with one button per quick reply; clicking one
    sends its `payload` (the button's `value`) back to the bot."""
    elements = []
    for number, button in enumerate(buttons):
        value = str(button.get("payload") or "")
        if not value or len(value) > MAX_BUTTON_VALUE_CHARS:
            continue  # a cut payload would send the bot something else than the button says
        title = str(button.get("title") or value)
        elements.append(
            {
                "type": "button",
                "action_id": f"quick_reply_{number}",
                "text": {"type": "plain_text", "text": _cut(title, MAX_BUTTON_TEXT_CHARS)},
                "value": value,
            }
        )
    blocks = [section(text, markdown=False)] if text else []
    if elements:
        blocks.append({"type": "actions", "elements": elements[:MAX_BUTTONS]})
    return blocks


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {escape(item)}" for item in items)


def _titled(title: str, body: str) -> dict:
    return section(f"*{escape(title)}*\n{body}")


def _link(url: str | None, text: str) -> str:
    return f"<{url}|{escape(text)}>" if url else escape(text)


def _contact(contact: str) -> str:
    contact = str(contact).strip()
    if "@" in contact and " " not in contact:
        return f"<mailto:{contact}|{escape(contact)}>"
    if contact.startswith(("http://", "https://")):
        return f"<{contact}|{escape(contact)}>"
    return escape(contact)


def manufacturer_block(firm: dict, number: int, lang: str) -> dict:
    where = ", ".join(
        escape(part) for part in (firm.get("municipality"), firm.get("county")) if part
    )
    processes = ", ".join(
        escape(vocabulary.label(vocabulary.PROCESS_LABELS, p, lang))
        for p in firm.get("processes") or []
    )
    lines = [f"*{number}. {escape(firm['name'])}*" + (f" ({where})" if where else "")]
    if processes:
        lines.append(processes)
    if firm.get("reasons"):
        lines.append(_bullets(firm["reasons"]))
    if firm.get("contact"):
        lines.append(pick(lang, "Kontakt: ", "Contact: ") + _contact(firm["contact"]))
    return section("\n".join(lines))


def _sample_note(lang: str) -> dict:
    return {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": pick(
                    lang,
                    "Tillverkarna är fiktiva exempeldata.",
                    "The manufacturers are fictional sample data.",
                ),
            }
        ],
    }


def recommendation_blocks(payload: dict) -> list[dict]:
    """The recommendation as Block Kit: path and reasons, process options with rough costs,
    manufacturers with reasons and contact, next steps, support actors."""
    lang = payload.get("language") or "en"
    path = vocabulary.label(vocabulary.PATH_LABELS, payload["path"], lang)
    blocks = [header(pick(lang, f"Rekommendation: {path}", f"Recommendation: {path}"))]
    why = list(payload.get("reasons") or []) + list(payload.get("assumptions") or [])
    if why:
        blocks.append(section(_bullets(why)))
    if payload.get("processes"):
        lines = [
            f"{n}. {escape(recommendation.process_line(option, lang))}"
            for n, option in enumerate(payload["processes"], start=1)
        ]
        blocks += [
            {"type": "divider"},
            _titled(
                pick(
                    lang, "Tillverkningsmetoder (ungefärliga kostnader)", "Processes (rough costs)"
                ),
                "\n".join(lines),
            ),
        ]
    firms = payload.get("manufacturers") or []
    if firms:
        blocks += [
            {"type": "divider"},
            section(
                f"*{escape(pick(lang, 'Tillverkare med kapacitet', 'Manufacturers with capacity'))}*"
            ),
        ]
        blocks += [manufacturer_block(firm, n, lang) for n, firm in enumerate(firms, start=1)]
        if any(firm.get("sample_data") for firm in firms):
            blocks.append(_sample_note(lang))
    elif "no_match" in payload:
        blocks.append(
            section(escape("\n".join(recommendation.no_match_lines(payload["no_match"], lang))))
        )
    if payload.get("next_steps"):
        blocks += [
            {"type": "divider"},
            _titled(pick(lang, "Nästa steg", "Next steps"), _bullets(payload["next_steps"])),
        ]
    if payload.get("support"):
        lines = [
            f"• *{_link(s.get('url'), s['name'])}*: {escape(s.get('offer', ''))}"
            for s in payload["support"]
        ]
        blocks.append(
            _titled(pick(lang, "Stöd att söka", "Support you can ask for"), "\n".join(lines))
        )
    return _capped(blocks)


def manufacturers_blocks(payload: dict, text: str) -> list[dict]:
    """A further page of manufacturers; `text` (its plain version) starts with the heading."""
    lang = payload.get("language") or "en"
    firms = payload.get("manufacturers") or []
    heading = text.split("\n", 1)[0]
    blocks = [section(f"*{escape(heading)}*")] if heading else []
    start = int(payload.get("offset") or 0) + 1
    blocks += [manufacturer_block(firm, n, lang) for n, firm in enumerate(firms, start=start)]
    if any(firm.get("sample_data") for firm in firms):
        blocks.append(_sample_note(lang))
    return _capped(blocks)


def payload_blocks(payload: dict, text: str = "") -> list[dict] | None:
    """Blocks for one of our custom payloads, None for a payload Slack should not see."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    if kind == "recommendation":
        return recommendation_blocks(payload)
    if kind == "manufacturers":
        return manufacturers_blocks(payload, text)
    return None
