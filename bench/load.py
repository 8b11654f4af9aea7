"""Per-message latency and throughput with concurrent founders replaying whole interviews.

Each virtual founder starts a fresh conversation as one of four scripted founders (FOUNDERS):
two answer question by question, two put most facts in their first message. Each answers the
questions it has an answer for in free text (the question is recognised by the domain's
`utter_ask_<slot>` texts) and clicks a neutral button otherwise (no requirements, anywhere, no
rush, yes), until the recommendation arrives. Latency is
from sending a message until its reply has arrived; throughput is answered messages per second
over the whole run at that concurrency.

Targets:
  web   the web app's websocket (GET / for the cookie, then /ws), as the founders' browsers use it
  rest  Rasa's REST channel directly (random sender ids)
  bare  Rasa's REST channel with the `rasa init` moodbot script (the baseline)

Run:  .venv/bin/python bench/load.py web http://127.0.0.1:8000 --concurrency 1,10,50
      .venv/bin/python bench/load.py rest http://127.0.0.1:5005 --concurrency 1,10,50
Prints one markdown row per concurrency (and --json FILE writes the raw numbers).
The web app's per-IP chat limit must be lifted for a load test from one address
(TILLVERKA_CHAT_RATE_PER_IP_MINUTE=1000000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml


@dataclass(frozen=True)
class Founder:
    """A scripted founder: an opening, then a free-text answer for each question it may get."""

    opening: str
    answers: dict[str, str]


# Two founders answer question by question, two put most facts in the first message; all four
# write free text where a founder would, and click a button only where one fits (no rush,
# anywhere, no certification, "yes, that's right").
FOUNDERS = [
    Founder("Hej!", {
        "product_description": "Ett fäste i aluminium till elcyklar, ungefär stort som en handflata",
        "design_maturity": "vi har en prototyp som vi testat",
        "annual_volume": "ungefär 500 st per år",
        "tolerance_mm": "±0,05 mm",
        "target_unit_cost_sek": "högst 300 kr/st",
        "material": "aluminium",
        "process": "CNC-fräsning tror vi",
        "region": "gärna i Jönköpings län",
    }),
    Founder("Hi, I need help choosing how to manufacture our product", {
        "product_description": "A plastic housing for an indoor air-quality sensor, palm-sized",
        "design_maturity": "the design is frozen",
        "annual_volume": "about 5000 a year",
        "tolerance_mm": "+/- 0.1 mm",
        "target_unit_cost_sek": "at most 60 SEK each",
        "material": "ABS",
        "process": "injection moulding",
        "timeline_weeks": "within 12 weeks",
    }),
    Founder(
        "vi har en testad prototyp av ett fäste i aluminium, 500 st per år, ±0,05 mm, 300 kr/st",
        {"process": "vet inte", "region": "Västra Götaland"},
    ),
    Founder(
        "an idea for a bike lamp housing in plastic, maybe 2000 a year, +/- 0.1 mm, 80 SEK each",
        {"material": "polycarbonate", "timeline_weeks": "in 3 months"},
    ),
]  # fmt: skip
NEUTRAL = {
    "Inga krav", "No requirements", "Var som helst i Sverige", "Anywhere in Sweden",
    "Ingen brådska", "No rush", "Ja, det stämmer", "Yes, that's right", "Vet inte än", "Not yet",
    "Hoppa över", "Skip it",
}  # fmt: skip
MAX_TURNS = 16
MOODBOT = ["hello", "I am sad", "yes", "great", "bye"]
TIMEOUT = aiohttp.ClientTimeout(total=120)
RESPONSES = Path(__file__).resolve().parent.parent / "domain" / "responses_interview.yml"


def _questions() -> dict[str, str]:
    """The start of each way the interview asks a question (both languages) -> its slot."""
    responses = yaml.safe_load(RESPONSES.read_text(encoding="utf-8"))["responses"]
    return {
        variant["text"][:40]: name.removeprefix("utter_ask_")
        for name, variants in responses.items()
        if name.startswith("utter_ask_")
        for variant in variants
    }


QUESTIONS = _questions()


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter = field(default_factory=Counter)
    conversations: int = 0
    recommendations: int = 0


class Script:
    """What one founder sends next, from the bot's last messages."""

    def __init__(self, founder: Founder) -> None:
        self.founder, self.answered = founder, set()

    def next(self, messages: list[dict]) -> tuple[str, str | None] | None:
        """(text, shown title for a button) or None when the founder has nothing to say."""
        for message in reversed(messages):
            slot = QUESTIONS.get((message.get("text") or "")[:40])
            if slot in self.founder.answers and slot not in self.answered:
                self.answered.add(slot)  # asked again: the founder clicks instead
                return self.founder.answers[slot], None
        buttons = [b for m in messages for b in m.get("buttons") or []]
        button = next((b for b in buttons if b.get("title") in NEUTRAL), None)
        return (button["payload"], button["title"]) if button else None


def _timed(result: Result, started: float) -> None:
    result.latencies_ms.append((time.perf_counter() - started) * 1000)


async def _think(think: tuple[float, float] | None) -> None:
    """A founder reads the reply and types or clicks before the next message (not timed); the
    pause before the opening spreads the founders' arrivals instead of all coming at once."""
    if think:
        await asyncio.sleep(random.uniform(*think))


async def rest_founder(
    http: aiohttp.ClientSession, url: str, result: Result, bare: bool, think=None
) -> None:
    sender = "bench-" + uuid.uuid4().hex
    founder = random.choice(FOUNDERS)
    script = Script(founder)
    texts = list(MOODBOT) if bare else [founder.opening]
    turns = 0
    while texts and turns < MAX_TURNS:
        turns += 1
        await _think(think)
        started = time.perf_counter()
        try:
            async with http.post(url, json={"sender": sender, "message": texts.pop(0)}) as r:
                items = await r.json(content_type=None) if r.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError):
            items = None
        if not isinstance(items, list):
            result.errors += 1
            return
        _timed(result, started)
        if bare:
            continue
        if any(isinstance(i.get("custom"), dict) for i in items):
            result.recommendations += 1
            break
        reply = script.next(items)
        if reply:
            texts.append(reply[0])
    result.conversations += 1


async def web_founder(base: str, result: Result, think=None) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=TIMEOUT) as http:
        try:
            async with http.get(base + "/") as page:
                await page.read()
            ws_url = base.replace("http", "ws", 1) + "/ws"
            async with http.ws_connect(ws_url, origin=base, heartbeat=None) as ws:
                await ws.send_json({"type": "hello", "lang": "sv"})
                while (await ws.receive_json()).get("type") != "history":
                    pass
                founder = random.choice(FOUNDERS)
                script = Script(founder)
                text, display = founder.opening, None
                for _ in range(MAX_TURNS):
                    await _think(think)
                    message_id = uuid.uuid4().hex
                    started = time.perf_counter()
                    await ws.send_json(
                        {"type": "message", "id": message_id, "text": text, "display": display}
                    )
                    while True:
                        frame = await ws.receive_json()
                        if frame.get("reply_to") == message_id and frame["type"] in (
                            "bot",
                            "error",
                        ):
                            break
                    if frame["type"] == "error":
                        result.errors += 1
                        result.error_kinds[str(frame.get("code"))] += 1
                        return
                    _timed(result, started)
                    messages = frame.get("messages") or []
                    if any(isinstance(m.get("custom"), dict) for m in messages):
                        result.recommendations += 1
                        break
                    reply = script.next(messages)
                    if reply is None:
                        break
                    text, display = reply
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as exc:
            result.errors += 1
            result.error_kinds[type(exc).__name__] += 1
            return
    result.conversations += 1


async def run_level(
    target: str, base: str, concurrency: int, conversations: int, think=None
) -> dict:
    """`conversations` interviews, `concurrency` at a time; `think` (min, max seconds) is the
    founder's pause before each message after the first, None for none (saturation)."""
    result = Result()
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as http:
        rest_url = base.rstrip("/") + "/webhooks/rest/webhook"

        async def one() -> None:
            async with gate:
                if target == "web":
                    await web_founder(base.rstrip("/"), result, think)
                else:
                    await rest_founder(http, rest_url, result, target == "bare", think)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(conversations)))
        elapsed = time.perf_counter() - started
    latencies = sorted(result.latencies_ms)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "target": target,
        "concurrency": concurrency,
        "think": f"{think[0]:g}-{think[1]:g}" if think else "0",
        "conversations": result.conversations,
        "recommendations": result.recommendations,
        "messages": len(latencies),
        "errors": result.errors,
        "error_kinds": dict(result.error_kinds),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "throughput_msg_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "seconds": round(elapsed, 1),
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| target | concurrent | think s | interviews (recommended) | messages | errors "
        "| p50 ms | p95 ms | p99 ms | msg/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {r['concurrency']} | {r['think']} | "
            f"{r['conversations']} ({r['recommendations']}) | {r['messages']} | {r['errors']} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['throughput_msg_s']} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[dict]:
    rows = []
    for level in (int(c) for c in args.concurrency.split(",")):
        conversations = max(level * args.rounds, args.min_conversations)
        rows.append(await run_level(args.target, args.url, level, conversations, args.think))
    return rows


def seconds_range(text: str) -> tuple[float, float]:
    low, high = (float(part) for part in text.split(","))
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=("web", "rest", "bare"))
    parser.add_argument("url", help="the web app's or Rasa's base URL")
    parser.add_argument("--concurrency", default="1,10,50,200")
    parser.add_argument("--rounds", type=int, default=2, help="interviews per founder slot")
    parser.add_argument("--min-conversations", type=int, default=10)
    parser.add_argument(
        "--think", type=seconds_range, help="MIN,MAX seconds a founder pauses before each message"
    )
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=2)


if __name__ == "__main__":
    main()
