"""How well the interview understands founders it was never built on: whole held-out founders
(personas) interviewed over Rasa's REST channel, and single answers to one question each.

Run against `make run` (Rasa on 127.0.0.1:5005, its HTTP API behind the JWT secret in
var/secrets/rasa_jwt or RASA_JWT_SECRET):

    .venv/bin/python bench/bench_interview.py --rasa http://127.0.0.1:5005
        [--set heldout|seen|both] [--personas-only | --answers-only] [--json results.json]
        [--limit N]

The set files are described in bench/heldout/SPEC.md: bench/heldout/personas.yml,
answers_sv.yml and answers_en.yml, and the same names under bench/seen/ (cases that led to a
fix; reported separately, skipped when absent).

Personas: each gets a fresh sender id and sends its `opening`. After each reply the tracker
says which slot the interview form asks for (`requested_slot` while a form is active): the
founder sends answers[slot] (the 2nd, 4th, ... time the same slot is asked retry[slot] if
given, else the answer again; every time after the first counts as a repeat), "ja"/"yes" at the
summary (profile_confirmed), the first button's payload when it has no answer, and stops when
it has nothing to send ("no answer"), after MAX_TURNS messages ("turn limit") or when a reply
carries the recommendation (a custom payload with a `path`). The facts in `expected` are then
compared with the tracker's final slots (see compare_fact).

Single answers: each text goes through Rasa's NLU (POST /model/parse) and then, in this
process, through the interview's own extraction (bot.interview.extraction.extract) as the
answer to the question of its `slot`; the slot's update is scored with the same rules.

Prints a markdown report (summaries, per-fact and per-slot tables, then every failure with its
transcript tail) and, with --json, writes everything to a file. Always exits 0: it is a
benchmark, not a test. Copy the summary tables (not the failures: held-out text must never
reach the repository, where it could become training data) into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import statistics
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import QUESTIONS  # noqa: E402
from bot import vocabulary  # noqa: E402
from bot.interview import texts  # noqa: E402
from bot.interview.extraction import Turn, extract  # noqa: E402
from bot.interview.slots import CONFIRM_SLOT, FORM_SLOTS, NUMERIC_SLOTS, Problem  # noqa: E402
from bot.secrets import get_or_create_secret  # noqa: E402
from bot.strategy.format import format_mm  # noqa: E402
from bot.web.rasa_client import RasaClient, RasaUnavailable  # noqa: E402

SET_DIRS = {"heldout": ROOT / "bench" / "heldout", "seen": ROOT / "bench" / "seen"}
LANGUAGES = ("sv", "en")
MAX_TURNS = 40
CONFIRM_WORDS = {"sv": "ja", "en": "yes"}
BENCH_USER = {"username": "bench", "role": "admin"}
PERSONA_CONCURRENCY = 4  # whole conversations at a time (Rasa shares two cores)
ANSWER_CONCURRENCY = 8
SEND_TIMEOUT_S = 120.0  # a recommendation under load takes seconds
READ_TIMEOUT_S = 60.0
TAIL_LINES = 6
TAIL_CHARS = 300
# bot.interview.texts functions (slot, lang) that ask the founder to clarify an answer
CLARIFYING_TEXTS = ("not_understood", "stuck_offer", "clarify_prompt")
PROBLEM_CODES = ("not_positive", "too_small", "too_large", "not_a_number")

# expected value -> the slot it is compared with (the rest: the slot of the same name)
FACT_SLOTS = {"material_family": "material"}
# facts whose `none` means "no preference": the slot stays empty or is skipped
NONE_FACTS = ("process", "timeline_weeks")
NUMBER_TOLERANCE = 0.03  # relative
TIMELINE_TOLERANCE = (1.0, 0.20)  # weeks, relative: whichever is larger


# ---- comparing one fact (pure)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def numbers_match(fact: str, expected: Any, got: Any) -> bool:
    """Numbers within 3 %; timeline_weeks within 1 week or 20 %, whichever is larger."""
    want, have = _float(expected), _float(got)
    if want is None or have is None:
        return False
    if fact == "timeline_weeks":
        weeks, relative = TIMELINE_TOLERANCE
        return abs(have - want) <= max(weeks, relative * abs(want))
    if want == 0:
        return have == 0
    return abs(have - want) <= NUMBER_TOLERANCE * abs(want)


def region_areas() -> dict[str, tuple[str, ...]]:
    """Named areas (landskap, "norra Sverige") -> their counties, once the vocabulary has them."""
    return dict(getattr(vocabulary, "REGION_AREAS", {}) or {})


def region_match(expected: Any, got: Any, areas: Mapping[str, Iterable[str]]) -> bool:
    """A county the founder accepts, or an area sharing a county with the accepted ones."""
    wanted = set(_as_list(expected))
    for value in _as_list(got):
        if value in wanted or wanted & set(areas.get(value, ())):
            return True
    return False


def compare_fact(
    fact: str,
    expected: Any,
    got: Any,
    *,
    skipped: bool = False,
    present: bool = True,
    update: bool = False,
    areas: Mapping[str, Iterable[str]] | None = None,
) -> bool:
    """Whether `got` (the slot's value) is the expected fact.

    `skipped`: the slot is in skipped_slots. `update` scores one message's slot updates rather
    than a conversation's final slots: there "no preference" (process/timeline `none`, region
    `any`) must be said (the slot skipped, or present in the updates with an empty value) and
    certifications `[]` needs an update to []; in the final slots an empty slot is enough.
    `present`: (updates only) the slot is among the updates at all.
    """
    areas = region_areas() if areas is None else areas
    if update:
        settled_empty = skipped or (present and is_empty(got))
    else:
        settled_empty = skipped or is_empty(got)
    if fact in NONE_FACTS and (expected is None or expected == "none"):
        return settled_empty
    if fact == "region":
        if expected is None or expected == "any":
            return settled_empty or got == "any"
        return region_match(expected, got, areas)
    if fact == "certifications":
        wanted = set(_as_list(expected))
        if not wanted:
            if update:
                return present and got == []
            return skipped or is_empty(got)
        return set(_as_list(got)) == wanted
    if fact in NUMERIC_SLOTS:
        return numbers_match(fact, expected, got)
    if fact == "product_description":  # free text: anything the interview kept
        return isinstance(got, str) and bool(got.strip())
    if expected is None:  # founder_goal not said, a fact the founder did not give
        return is_empty(got)
    if isinstance(got, (list, tuple)):  # a slot that may one day hold several values
        return expected in got
    return got == expected


def fact_slot(fact: str) -> str:
    return FACT_SLOTS.get(fact, fact)


def score_facts(
    expected: Mapping[str, Any],
    slots: Mapping[str, Any],
    asked: Iterable[str] = (),
    areas: Mapping[str, Iterable[str]] | None = None,
) -> list[dict]:
    """Each expected fact against a conversation's final slots: fact, right, got, expected, and
    whether the interview ever asked for it."""
    skipped = set(slots.get("skipped_slots") or [])
    asked = set(asked)
    results = []
    for fact, want in expected.items():
        slot = fact_slot(fact)
        got = slots.get(slot)
        right = compare_fact(fact, want, got, skipped=slot in skipped, areas=areas)
        if slot not in asked and got is None and slot not in skipped and fact != "founder_goal":
            # never asked and never volunteered: the founder did not give it, nothing to score
            continue
        results.append(
            {
                "fact": fact,
                "right": right,
                "got": "skipped" if got is None and slot in skipped else got,
                "expected": want,
                "asked": slot in asked,
            }
        )
    return results


def answer_fact(item: Mapping[str, Any]) -> tuple[str, Any]:
    """(fact, expected value) of a single-answer item; a material answer is scored by family."""
    slot, want = item["slot"], item.get("expected")
    if slot == "material":
        if isinstance(want, Mapping):
            want = want.get("material_family", want.get("family"))
        return "material_family", want
    return slot, want


def score_answer(
    item: Mapping[str, Any],
    updates: Mapping[str, Any],
    areas: Mapping[str, Iterable[str]] | None = None,
) -> dict:
    """One answer's slot updates against its expected value: right, got, expected."""
    fact, want = answer_fact(item)
    slot = fact_slot(fact)
    skipped = slot in (updates.get("skipped_slots") or [])
    present = slot in updates
    got = updates.get(slot)
    right = compare_fact(
        fact, want, got, skipped=skipped, present=present, update=True, areas=areas
    )
    shown = "skipped" if skipped and not present else (got if present else "(nothing)")
    return {"fact": fact, "right": right, "got": shown, "expected": want}


# ---- the founder's side of a conversation (pure)


def next_message(
    persona: Mapping[str, Any], requested: str | None, times_asked: int, buttons: list[dict]
) -> tuple[str | None, str | None]:
    """(what the founder sends, None), or (None, why it stops).

    `times_asked`: how often `requested` has been asked, this time included."""
    lang = persona.get("language", "en")
    if requested == CONFIRM_SLOT:
        return CONFIRM_WORDS.get(lang, "yes"), None
    answers = persona.get("answers") or {}
    answer = answers.get(requested) if requested else None
    if not is_empty(answer):
        retry = (persona.get("retry") or {}).get(requested)
        if times_asked >= 2 and times_asked % 2 == 0 and not is_empty(retry):
            return str(retry), None
        return str(answer), None
    payload = next((b.get("payload") for b in buttons if b.get("payload")), None)
    if payload:
        return str(payload), None
    return None, "no answer"


def recommendation_of(messages: Iterable[Mapping]) -> dict | None:
    """The recommendation payload of a reply (a custom payload with a `path`), if any."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, Mapping) and custom.get("path"):
            return dict(custom)
    return None


def requested_of(tracker: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(requested slot, active loop) from Rasa's tracker; no slot is asked without a form."""
    loop = (tracker.get("active_loop") or {}).get("name")
    if not loop:
        return None, None
    return (tracker.get("slots") or {}).get("requested_slot"), loop


def question_slot(text: str) -> str | None:
    """The slot a bot message asks for, by the start of its utter_ask_<slot> text."""
    return QUESTIONS.get((text or "")[:40])


def _said(name: str, *args: Any) -> str | None:
    """What bot.interview.texts.<name>(*args) says; None when the interview has no such text
    (the texts change as the interview does: a missing one is simply not recognised)."""
    function = getattr(texts, name, None)
    try:
        said = function(*args) if callable(function) else None
    except Exception:  # a text we cannot build is one we do not recognise
        return None
    return said.strip() if isinstance(said, str) and said.strip() else None


def _clarification_texts() -> tuple[frozenset[str], tuple[str, ...]]:
    """What the interview says when an answer was not understood, unsure or not usable: exact
    texts and (for a text that starts with the founder's value) endings."""
    exact: set[str | None] = set()
    endings: list[str] = []
    for lang in LANGUAGES:
        exact |= {_said("not_understood", None, lang), _said("stuck_prompt", lang)}
        for slot in FORM_SLOTS:
            exact |= {_said(name, slot, lang) for name in CLARIFYING_TEXTS}
        for slot in NUMERIC_SLOTS:
            for code in PROBLEM_CODES:
                said = _said("problem_text", Problem(slot, code, 1.0), lang)
                shown = format_mm(1.0, lang)
                if said and slot == "tolerance_mm" and said.startswith(shown):
                    endings.append(said[len(shown) :])
                else:
                    exact.add(said)
    return frozenset(t for t in exact if t), tuple(endings)


CLARIFICATIONS = _clarification_texts()


def is_clarification(text: str) -> bool:
    exact, endings = CLARIFICATIONS
    text = (text or "").strip()
    return text in exact or any(text.endswith(end) for end in endings)


def count_reasks(bot_texts: Iterable[str], asked_before: set[str]) -> int:
    """Bot messages that ask a question already asked in this conversation, or ask the founder
    to clarify; `asked_before` (the questions asked so far) is updated."""
    count = 0
    for text in bot_texts:
        slot = question_slot(text)
        if slot is not None:
            count += slot in asked_before
            asked_before.add(slot)
        elif is_clarification(text):
            count += 1
    return count


def is_failure(result: Mapping[str, Any]) -> bool:
    return (
        not result.get("reached")
        or not result.get("right_path")
        or any(not f["right"] for f in result.get("facts") or [])
    )


# ---- aggregation and report (pure)


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.0f}% ({right}/{total})" if total else "-"


def _groups(results: Iterable[Mapping]) -> list[tuple[str, str]]:
    keys = {(r["set"], r["language"]) for r in results}
    order = {name: i for i, name in enumerate(SET_DIRS)}
    langs = {lang: i for i, lang in enumerate(LANGUAGES)}
    return sorted(keys, key=lambda k: (order.get(k[0], 99), langs.get(k[1], 99), k))


def persona_summary(results: list[Mapping]) -> list[dict]:
    """One row per (set, language): reached, right path and facts right (counts), personas with
    a slot asked again / with a slot repeated more than once, mean turns and re-asks."""
    rows = []
    for set_name, lang in _groups(results):
        group = [r for r in results if r["set"] == set_name and r["language"] == lang]
        facts = [f for r in group for f in r.get("facts") or []]
        repeats = [max((r.get("repeats") or {}).values(), default=0) for r in group]
        rows.append(
            {
                "set": set_name,
                "language": lang,
                "personas": len(group),
                "reached": sum(bool(r.get("reached")) for r in group),
                "right_path": sum(bool(r.get("right_path")) for r in group),
                "facts": len(facts),
                "facts_right": sum(bool(f["right"]) for f in facts),
                "any_repeat": sum(n >= 1 for n in repeats),
                "repeated_more_than_once": sum(n > 1 for n in repeats),
                "mean_turns": round(statistics.mean(r.get("turns", 0) for r in group), 1),
                "mean_reasks": round(statistics.mean(r.get("reasks", 0) for r in group), 1),
            }
        )
    return rows


def fact_table(results: list[Mapping]) -> dict[str, dict[tuple[str, str], list[int]]]:
    """fact -> (set, language) -> [right, total]."""
    table: dict[str, dict[tuple[str, str], list[int]]] = {}
    for r in results:
        for f in r.get("facts") or []:
            cell = table.setdefault(f["fact"], {}).setdefault((r["set"], r["language"]), [0, 0])
            cell[0] += bool(f["right"])
            cell[1] += 1
    return table


def answer_table(results: list[Mapping]) -> dict[str, dict[tuple[str, str], list[int]]]:
    """slot -> (set, language) -> [right, total], with "all" for every slot together."""
    table: dict[str, dict[tuple[str, str], list[int]]] = {}
    for r in results:
        for slot in (r["slot"], "all"):
            cell = table.setdefault(slot, {}).setdefault((r["set"], r["language"]), [0, 0])
            cell[0] += bool(r["right"])
            cell[1] += 1
    return table


def _slot_order(names: Iterable[str]) -> list[str]:
    order = [*FORM_SLOTS, "founder_goal", "material_family", "all"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order) - 1, n))


def _table(table: dict, groups: list[tuple[str, str]], first: str) -> list[str]:
    lines = [
        f"| {first} | " + " | ".join(f"{s} {lang}" for s, lang in groups) + " |",
        "|---|" + "---:|" * len(groups),
    ]
    for name in _slot_order(table):
        cells = [_pct(*table[name].get(g, [0, 0])) for g in groups]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= TAIL_CHARS else text[: TAIL_CHARS - 1] + "…"


def persona_problems(result: Mapping[str, Any]) -> list[str]:
    """What went wrong in one persona's conversation, in words."""
    problems = []
    if not result.get("reached"):
        problems.append(f"no recommendation ({result.get('reason')})")
    if not result.get("right_path"):
        problems.append(f"path {result.get('path')}, expected {result.get('expected_path')}")
    for f in result.get("facts") or []:
        if not f["right"]:
            never = "" if f.get("asked") else ", never asked"
            problems.append(
                f"{f['fact']}: got {_short(f['got'])}, expected {_short(f['expected'])}{never}"
            )
    repeated = {slot: n for slot, n in (result.get("repeats") or {}).items() if n}
    if repeated:
        problems.append(
            "asked again: " + ", ".join(f"{slot} ×{n}" for slot, n in sorted(repeated.items()))
        )
    return problems


def markdown_report(
    personas: list[Mapping], answers: list[Mapping], *, rasa: str = "", when: str = ""
) -> str:
    lines = ["# Interview benchmark", ""]
    if rasa or when:
        lines += [f"Rasa at {rasa}, {when}".strip(", "), ""]
    if personas:
        lines += [
            "## Personas",
            "",
            "| set | language | personas | reached | right path | facts right "
            "| a slot asked again | a slot repeated >1× | mean turns | re-asks/clarifications |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in persona_summary(personas):
            n = row["personas"]
            lines.append(
                f"| {row['set']} | {row['language']} | {n} | {_pct(row['reached'], n)} "
                f"| {_pct(row['right_path'], n)} | {_pct(row['facts_right'], row['facts'])} "
                f"| {row['any_repeat']} | {row['repeated_more_than_once']} "
                f"| {row['mean_turns']} | {row['mean_reasks']} |"
            )
        lines += ["", "### Facts right, per fact", ""]
        lines += _table(fact_table(personas), _groups(personas), "fact")
        lines.append("")
    if answers:
        lines += ["## Single answers", ""]
        lines += _table(answer_table(answers), _groups(answers), "slot")
        lines.append("")
    failed = [r for r in personas if is_failure(r)]
    wrong = [r for r in answers if not r["right"]]
    if failed or wrong:
        lines += ["## Failures", ""]
    if failed:
        lines += [f"### Personas ({len(failed)})", ""]
        for r in failed:
            lines.append(
                f"- **{r['id']}** ({r['set']}, {r['language']}): " + "; ".join(persona_problems(r))
            )
            tail = (r.get("transcript") or [])[-TAIL_LINES:]
            if tail:
                lines += ["", "  ```"] + [f"  {_short(line)}" for line in tail] + ["  ```"]
        lines.append("")
    if wrong:
        lines += [f"### Single answers ({len(wrong)})", ""]
        for r in wrong:
            extra = f" [{r['error']}]" if r.get("error") else f" (intent {r.get('intent')})"
            lines.append(
                f"- {r['set']} {r['language']} {r['slot']}: {_short(r['text'])!r} → got "
                f"{_short(r['got'])}, expected {_short(r['expected'])}{extra}"
            )
        lines.append("")
    if not personas and not answers:
        lines += ["Nothing to run: no persona or answer files were found.", ""]
    return "\n".join(lines)


# ---- talking to Rasa


class BenchClient(RasaClient):
    """The web app's Rasa client (REST channel, tracker, JWT), as the `bench` admin user."""

    def __init__(self, base_url: str, jwt_secret: str) -> None:
        super().__init__(
            base_url, jwt_secret, send_timeout=SEND_TIMEOUT_S, read_timeout=READ_TIMEOUT_S
        )
        self._bench_token = jwt.encode({"user": BENCH_USER}, jwt_secret, algorithm="HS256")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._bench_token}"}

    async def state(self, conversation_id: str) -> dict:
        """The tracker without its events: slots, active loop, latest message."""
        tracker = await self._json(
            "GET",
            f"/conversations/{quote(conversation_id, safe='')}/tracker",
            self._read_timeout,
            params={"include_events": "NONE"},
        )
        if not isinstance(tracker, dict):
            raise RasaUnavailable("the tracker is not a JSON object")
        return tracker

    async def parse(self, text: str) -> dict:
        parsed = await self._json("POST", "/model/parse", self._read_timeout, json={"text": text})
        if not isinstance(parsed, dict):
            raise RasaUnavailable("/model/parse did not answer a JSON object")
        return parsed


def _bot_lines(messages: list[dict]) -> list[str]:
    lines = []
    for m in messages:
        line = "bot: " + " / ".join(part for part in str(m.get("text") or "").split("\n") if part)
        titles = [b["title"] for b in m.get("buttons") or []]
        if titles:
            line += " [buttons: " + " | ".join(titles) + "]"
        if isinstance(m.get("custom"), Mapping):
            line += f" [payload: {m['custom'].get('type', 'custom')}]"
        lines.append(line)
    return lines


async def run_persona(client: BenchClient, persona: Mapping[str, Any], set_name: str) -> dict:
    lang = persona.get("language", "en")
    sender = f"bench-{persona.get('id', 'persona')}-{uuid.uuid4().hex[:12]}"
    transcript: list[str] = []
    asked: Counter = Counter()
    repeats: Counter = Counter()
    questions: set[str] = set()
    reasks = turns = 0
    reached, path, reason, loop = False, None, None, None
    slots: dict = {}
    text: str | None = str(persona.get("opening") or "")
    while True:
        if turns >= MAX_TURNS:
            reason = "turn limit"
            break
        turns += 1
        transcript.append(f"founder: {text}")
        try:
            messages = await client.send(sender, text)
            transcript += _bot_lines(messages)
            noisy = count_reasks((m.get("text") or "" for m in messages), questions)
            reasks += noisy
            recommendation = recommendation_of(messages)
            tracker = await client.state(sender)
        except RasaUnavailable as exc:
            reason = f"error: {exc}"
            break
        slots = tracker.get("slots") or {}
        if recommendation:
            reached, path = True, recommendation.get("path")
            break
        requested, loop = requested_of(tracker)
        if requested:
            asked[requested] += 1
            if asked[requested] > 1:
                repeats[requested] += 1
                # asked again in words we do not recognise (a clarifying question) counts too
                reasks += int(noisy == 0)
        buttons = [b for m in messages for b in m.get("buttons") or []]
        text, reason = next_message(persona, requested, asked[requested], buttons)
        if text is None:
            break
    expected = persona.get("expected") or {}
    result = {
        "id": persona.get("id"),
        "set": set_name,
        "language": lang,
        "reached": reached,
        "reason": reason,
        "path": path,
        "expected_path": persona.get("expected_path"),
        "right_path": path is not None and path == persona.get("expected_path"),
        "facts": score_facts(expected, slots, asked),
        "turns": turns,
        "repeats": dict(repeats),
        "reasks": reasks,
        "active_loop": loop,
        "transcript": transcript,
    }
    if not is_failure(result):
        del result["transcript"]
    return result


async def run_answer(
    client: BenchClient, item: Mapping[str, Any], lang: str, set_name: str, gate: asyncio.Semaphore
) -> dict:
    text, slot = str(item.get("text") or ""), item["slot"]
    fact, want = answer_fact(item)
    base = {"set": set_name, "language": lang, "slot": slot, "text": text}
    async with gate:
        try:
            parsed = await client.parse(text)
        except RasaUnavailable as exc:
            return {**base, "fact": fact, "right": False, "got": None, "expected": want,
                    "error": str(exc)}  # fmt: skip
    intent = (parsed.get("intent") or {}).get("name")
    entities = parsed.get("entities") or []
    turn = Turn(
        text=text,
        intent=intent,
        entities=entities,
        requested_slot=slot,
        slots={"language": lang, "welcomed": True, "product_description": "a product"},
    )
    updates = extract(turn).updates
    return {**base, **score_answer(item, updates), "intent": intent, "updates": updates}


# ---- the sets


def load_set(folder: Path, stem: str, only: Iterable[str] = ()) -> list[dict]:
    """A set's cases: `stem`.yml and the replacement rounds written later (`stem`_r2.yml, ...);
    with `only` (file-name patterns, "*_r5_*"), just the files that match one of them."""
    files = [folder / f"{stem}.yml", *sorted(folder.glob(f"{stem}_r*.yml"))]
    if only:
        files = [f for f in files if any(fnmatch.fnmatch(f.name, pattern) for pattern in only)]
    return [case for path in files for case in load_cases(path)]


def load_cases(path: Path) -> list[dict]:
    """The cases of one set file; none when it does not exist (yet) or does not parse."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        print(f"skipping {path}: {exc}", file=sys.stderr)
        return []
    return [case for case in data or [] if isinstance(case, dict)]


def chosen_sets(which: str) -> list[str]:
    return list(SET_DIRS) if which == "both" else [which]


async def run(args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    client = BenchClient(args.rasa, get_or_create_secret("rasa_jwt", "RASA_JWT_SECRET"))
    try:
        try:
            await client.state(f"bench-probe-{uuid.uuid4().hex}")
        except RasaUnavailable as exc:
            print(
                f"Rasa's HTTP API at {args.rasa} did not answer ({exc}); is `make run` running, "
                "with the same JWT secret (var/secrets/rasa_jwt or RASA_JWT_SECRET)?",
                file=sys.stderr,
            )
            return [], []
        personas: list[dict] = []
        answers: list[dict] = []
        conversations = asyncio.Semaphore(args.concurrency)
        parses = asyncio.Semaphore(ANSWER_CONCURRENCY)

        async def one(case: dict, set_name: str) -> dict:
            async with conversations:
                return await run_persona(client, case, set_name)

        for set_name in chosen_sets(args.set):
            folder = SET_DIRS[set_name]
            if not args.answers_only:
                cases = load_set(folder, "personas", args.files)[: args.limit]
                personas += await asyncio.gather(*(one(case, set_name) for case in cases))
            if not args.personas_only:
                for lang in LANGUAGES:
                    items = load_set(folder, f"answers_{lang}", args.files)[: args.limit]
                    answers += await asyncio.gather(
                        *(
                            run_answer(client, item, item.get("language", lang), set_name, parses)
                            for item in items
                            if item.get("slot")
                        )
                    )
        return personas, answers
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa", default="http://127.0.0.1:5005", help="Rasa's base URL")
    parser.add_argument("--set", choices=("heldout", "seen", "both"), default="both")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--personas-only", action="store_true")
    only.add_argument("--answers-only", action="store_true")
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--limit", type=int, help="only the first N cases of each file")
    parser.add_argument(
        "--files", action="append", default=[],
        help="only set files whose name matches this pattern (repeatable): one round alone",
    )  # fmt: skip
    parser.add_argument(
        "--concurrency", type=int, default=PERSONA_CONCURRENCY, help="personas at a time"
    )
    args = parser.parse_args()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        personas, answers = asyncio.run(run(args))
    except Exception as exc:  # a benchmark reports, it does not fail the caller
        print(f"the benchmark stopped: {exc!r}", file=sys.stderr)
        personas, answers = [], []
    print(markdown_report(personas, answers, rasa=args.rasa, when=started))
    if args.json:
        summary = {
            "personas": persona_summary(personas),
            "facts": {
                fact: {f"{s} {lang}": cell for (s, lang), cell in cells.items()}
                for fact, cells in fact_table(personas).items()
            },
            "answers": {
                slot: {f"{s} {lang}": cell for (s, lang), cell in cells.items()}
                for slot, cells in answer_table(answers).items()
            },
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {"rasa": args.rasa, "started": started, "summary": summary,
                 "personas": personas, "answers": answers},
                out, ensure_ascii=False, indent=2, default=str,
            )  # fmt: skip
    sys.exit(0)


if __name__ == "__main__":
    main()
