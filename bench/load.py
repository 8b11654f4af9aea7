"""Per-message latency and throughput with concurrent founders replaying whole interviews.

Each virtual founder starts a fresh conversation, sends an opening message with the product's
facts, then answers every question by clicking a neutral button (no requirements, anywhere,
no rush, yes) until the recommendation arrives, as a founder clicking through would. Latency is
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
from dataclasses import dataclass, field

import aiohttp

OPENINGS = [
    "vi har en testad prototyp av ett fäste i aluminium, 500 st per år, ±0,05 mm, 300 kr/st",
    "we have a validated prototype of an aluminium bracket, 500 a year, +/- 0.05 mm, 300 SEK each",
    "an idea for a bike lamp housing in plastic, maybe 2000 a year, +/- 0.1 mm, 80 SEK each",
    "en frusen design av ett pumphjul i rostfritt stål, 20 000 om året, ±0,02 mm, 150 kr/st",
]
NEUTRAL = {
    "Inga krav", "No requirements", "Var som helst i Sverige", "Anywhere in Sweden",
    "Ingen brådska", "No rush", "Ja, det stämmer", "Yes, that's right", "Inte än", "Not yet",
}  # fmt: skip
MAX_TURNS = 12
MOODBOT = ["hello", "I am sad", "yes", "great", "bye"]
TIMEOUT = aiohttp.ClientTimeout(total=120)


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    conversations: int = 0
    recommendations: int = 0


def _pick(buttons: list[dict]) -> dict | None:
    return next((b for b in buttons if b.get("title") in NEUTRAL), None)


def _timed(result: Result, started: float) -> None:
    result.latencies_ms.append((time.perf_counter() - started) * 1000)


async def rest_founder(http: aiohttp.ClientSession, url: str, result: Result, bare: bool) -> None:
    sender = "bench-" + uuid.uuid4().hex
    texts = list(MOODBOT) if bare else [random.choice(OPENINGS)]
    turns = 0
    while texts and turns < MAX_TURNS:
        turns += 1
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
            return
        button = _pick([b for i in items for b in i.get("buttons") or []])
        if button:
            texts.append(button["payload"])
    result.conversations += 1


async def web_founder(base: str, result: Result) -> None:
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
                text, display = random.choice(OPENINGS), None
                for _ in range(MAX_TURNS):
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
                        return
                    _timed(result, started)
                    messages = frame.get("messages") or []
                    if any(isinstance(m.get("custom"), dict) for m in messages):
                        result.recommendations += 1
                        break
                    button = _pick([b for m in messages for b in m.get("buttons") or []])
                    if button is None:
                        break
                    text, display = button["payload"], button["title"]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError):
            result.errors += 1
            return
    result.conversations += 1


async def run_level(target: str, base: str, concurrency: int, conversations: int) -> dict:
    """`conversations` interviews, `concurrency` at a time."""
    result = Result()
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as http:
        rest_url = base.rstrip("/") + "/webhooks/rest/webhook"

        async def one() -> None:
            async with gate:
                if target == "web":
                    await web_founder(base.rstrip("/"), result)
                else:
                    await rest_founder(http, rest_url, result, bare=target == "bare")

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(conversations)))
        elapsed = time.perf_counter() - started
    latencies = sorted(result.latencies_ms)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "target": target,
        "concurrency": concurrency,
        "conversations": result.conversations,
        "recommendations": result.recommendations,
        "messages": len(latencies),
        "errors": result.errors,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "throughput_msg_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "seconds": round(elapsed, 1),
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| target | concurrent | messages | errors | p50 ms | p95 ms | p99 ms | msg/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {r['concurrency']} | {r['messages']} | {r['errors']} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['throughput_msg_s']} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[dict]:
    rows = []
    for level in (int(c) for c in args.concurrency.split(",")):
        conversations = max(level * args.rounds, args.min_conversations)
        rows.append(await run_level(args.target, args.url, level, conversations))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=("web", "rest", "bare"))
    parser.add_argument("url", help="the web app's or Rasa's base URL")
    parser.add_argument("--concurrency", default="1,10,50,200")
    parser.add_argument("--rounds", type=int, default=2, help="interviews per founder slot")
    parser.add_argument("--min-conversations", type=int, default=10)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=2)


if __name__ == "__main__":
    main()
