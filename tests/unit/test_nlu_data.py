"""The NLU training data under data/nlu, read with Rasa's own loader.

Checks what training and `rasa data validate` would trip over (missing intents, an example
under two intents, entity markup the spaCy extractor should own) and that each intent has
enough examples in both Swedish and English for one bilingual model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"

# Other parts (domain, stories, actions) rely on these exact names.
INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "request_advice",
    "inform",
    "ask_why",
    "ask_path_difference",
    "ask_nollserie",
    "ask_tooling_cost",
    "ask_support",
    "ask_privacy",
    "delete_data",
    "talk_to_human",
    "switch_language",
    "skip_question",
    "why_not_path",
    "show_more_manufacturers",
    "what_if_volume",
    "start_over",
    "out_of_scope",
)
MIN_EXAMPLES = 60
MIN_INFORM_EXAMPLES = 160
MIN_PER_LANGUAGE = 25

# Crude language guess, good enough to catch an intent written in one language only.
# Swedish wins on å/ä/ö or a typical Swedish word (founders often drop the dots);
# otherwise English needs a typical English word. Bare values ("500", "cnc") count as neither.
SWEDISH_WORDS = set(
    """jag vi du ni mig min mina oss det den är ar och inte har en ett till med på pa om
    kan ska vill vad hur varför varfor vem finns behöver behover blir gör som eller bara
    helst fler visa tack hej hejsan hejhej tjena tjenare tja tjabba halla halloj mors
    morsning god godmorgon morgon morron morrn goddag godnatt natt helg ses hörs da nu
    sen ja jo japp jepp jajamen javisst okej absolut precis exakt korrekt stämmer stammer
    nej nix icke nja njae aldrig fel ingen inga vet ej skippa oklart prata svenska engelska
    språk börja borja starta ny annan omstart radera ta bort glom mig sudda allt att ur
    tillverkare foretag alternativ andra spela roll nagot sparas var lagras vann matchen
    kostar verktyg verktygen st styck rostfritt plast troligen inom veckor tusen tolerans
    fem hundradelar""".split()
)
ENGLISH_WORDS = set(
    """i we you it me my our the a an to of for in at with and or if so is are do does
    what what's why how who can would should need want please just about any more other
    per each this that that's it's we're we've i'm i'd i'll let's don't doesn't there
    hi hello hey heya hiya howdy yo hiii helo greetings good morning afternoon evening
    night day bye goodbye cya ttyl farewell see later take care off thanks thank thx tnx
    ty cheers much many appreciate great awesome perfect yes yep yeah yup yea sure okay
    alright correct right true absolutely definitely exactly indeed affirmative spot no
    nope nah not wrong incorrect negative never skip pass next idk dunno whatever move
    decided english swedish speak switch change language human person advisor agent
    operator delete remove forget erase wipe data start over restart reset new again
    another show anyone else suppliers manufacturers companies explain versus series
    zero tooling costs price rough mould tell write order book play sing help get go
    year month week units pcs annually steel machining molding moulding printing
    casting assembly required area near county within weeks christmas asap sealed
    housing""".split()
)


def guess_language(text: str) -> str | None:
    lowered = text.lower()
    words = set(re.findall(r"[a-zåäöéü']+", lowered))
    if re.search("[åäö]", lowered) or words & SWEDISH_WORDS:
        return "sv"
    if words & ENGLISH_WORDS:
        return "en"
    return None


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def examples_by_intent() -> dict[str, list]:
    training_data = load_data(str(NLU_DIR))
    grouped: dict[str, list] = defaultdict(list)
    for message in training_data.intent_examples:
        grouped[message.get("intent")].append(message)
    return dict(grouped)


def test_every_file_is_rasa_3_yaml_with_nlu_only():
    files = sorted(NLU_DIR.glob("*.yml"))
    assert files, "no NLU files found"
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert 'version: "3.1"' in text, path.name
        # Domain, stories and rules live elsewhere; mixing them in here breaks ownership.
        for key in ("stories:", "rules:", "responses:", "slots:"):
            assert f"\n{key}" not in text, f"{path.name} contains {key}"


def test_exactly_the_agreed_intents_are_present(examples_by_intent):
    assert set(examples_by_intent) == set(INTENTS)


@pytest.mark.parametrize("intent", INTENTS)
def test_intent_has_enough_examples(examples_by_intent, intent):
    minimum = MIN_INFORM_EXAMPLES if intent == "inform" else MIN_EXAMPLES
    assert len(examples_by_intent.get(intent, [])) >= minimum


def test_no_example_is_labelled_with_two_intents(examples_by_intent):
    seen: dict[str, str] = {}
    clashes = []
    for intent, messages in examples_by_intent.items():
        for message in messages:
            key = normalise(message.get("text"))
            other = seen.setdefault(key, intent)
            if other != intent:
                clashes.append((key, other, intent))
    assert clashes == []


def test_no_example_is_repeated_within_a_file():
    # Rasa's loader silently drops repeats, so look at the raw lines.
    for path in sorted(NLU_DIR.glob("*.yml")):
        lines = [
            normalise(line.strip()[2:])
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("    - ")
        ]
        repeats = sorted({line for line in lines if lines.count(line) > 1})
        assert repeats == [], f"{path.name}: {repeats}"


def test_no_entity_annotations(examples_by_intent):
    # The spaCy extractor owns every entity and DIET runs with entity_recognition off.
    annotated = [
        message.get("text")
        for messages in examples_by_intent.values()
        for message in messages
        if message.get("entities")
    ]
    assert annotated == []
    for path in NLU_DIR.glob("*.yml"):
        assert not re.search(r"\]\(|\]\{", path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize("intent", INTENTS)
def test_intent_is_trained_in_both_languages(examples_by_intent, intent):
    counts = {"sv": 0, "en": 0, None: 0}
    for message in examples_by_intent.get(intent, []):
        counts[guess_language(message.get("text"))] += 1
    assert counts["sv"] >= MIN_PER_LANGUAGE, counts
    assert counts["en"] >= MIN_PER_LANGUAGE, counts


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ja vi har en prototyp", "sv"),
        ("helst i Småland", "sv"),
        ("vi need 500 pcs", "sv"),
        ("just an idea so far", "en"),
        ("why does that matter?", "en"),
        ("500", None),
        ("CNC", None),
    ],
)
def test_language_guess_heuristic(text, language):
    assert guess_language(text) == language
