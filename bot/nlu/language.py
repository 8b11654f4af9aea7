"""Is a message Swedish or English? Counting frequent function words, nothing heavier.

No spaCy here, so any part of Tillverka can import it. The answer is None unless the evidence
is clear: at least two hits and at least twice as many as the other language. One-word
answers ("500", "CNC", "ok", "aluminium") say nothing about the language, except greetings and
yes/no/thanks, which are unambiguous enough on their own.
"""

from __future__ import annotations

import re

SWEDISH_WORDS = frozenset(
    """och att det som är jag vi har inte på med för till av den de om kan vill ska skulle
    behöver behöva vad hur varför när var tack hej hejsan ja nej men eller så bara också mycket
    där här finns inga ingen någon några vår vårt våra mitt mina vara blir blev nu sen sedan
    göra gör gjort vet tror tycker hade skulle kanske ungefär cirka eftersom efter innan
    mellan utan genom alla allt andra annat något dem oss dig han hon detta denna dessa
    vilken vilket vilka hos från ni ert också redan fortfarande helst gärna inom
    stycken styck kronor veckor månader året tillverka tillverkning produkt produkten riktigt
    väldigt säker fick gå bra jobbar hjälp""".split()
)
ENGLISH_WORDS = frozenset(
    """the and to of a an is are we you it in for with have has need needs want would could can
    our my this that what how why when where please thanks thank yes no hi hello hey not do does
    be will about from on at just some also there which if so but or they them their its was
    were been being than then only like make made any should might must maybe around between
    without through all other another something these those your yours us me he she who whom
    already still rather currently within per year month week pieces units parts each
    manufacture manufacturing product products looking don know really think very sure get got
    going well here help working""".split()
)
# Both languages write these: they prove nothing ("per", "i", "in" as Swedish "in-").
SHARED = frozenset({"per", "i", "ok", "okej", "okay", "cnc", "pcb"})
# A one-word message in these lists is enough to tell
SWEDISH_SINGLE = frozenset(
    {"ja", "nej", "tack", "hej", "hejsan", "japp", "nä", "nää", "jo", "tjena", "tja"}
)
ENGLISH_SINGLE = frozenset(
    {"yes", "no", "thanks", "hi", "hello", "hey", "yeah", "nope", "yep", "thx"}
)

_WORD_RE = re.compile(r"[^\W\d_]+")
_SWEDISH_LETTERS = re.compile(r"[åäö]")


def language_scores(text: str) -> tuple[int, int]:
    """(Swedish hits, English hits): function words, plus any word spelt with å/ä/ö."""
    swedish = english = 0
    for word in _WORD_RE.findall(text.lower()):
        if word in SHARED:
            continue
        if word in SWEDISH_WORDS or _SWEDISH_LETTERS.search(word):
            swedish += 1
        elif word in ENGLISH_WORDS:
            english += 1
    return swedish, english


def detect_language(text: str) -> str | None:
    """ "sv", "en", or None when the message does not say clearly."""
    if not isinstance(text, str):
        return None
    words = _WORD_RE.findall(text.lower())
    if len(words) == 1:
        if words[0] in SWEDISH_SINGLE:
            return "sv"
        if words[0] in ENGLISH_SINGLE:
            return "en"
    swedish, english = language_scores(text)
    if swedish >= 2 and swedish >= 2 * english:
        return "sv"
    if english >= 2 and english >= 2 * swedish:
        return "en"
    return None
