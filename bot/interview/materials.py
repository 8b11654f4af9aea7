"""Which material a message gives the product, when it names one or several.

A description names parts ("motor + styrbox i plasthölje och ett stålfäste", "pcb + battery
inside"); only the answer to the material question, or a single specific material said in
passing, is the product's material:
- a fibre next to a polymer is a filled grade of that polymer ("glass filled nylon, PA66");
- answering the material question (or correcting the summary), the first material named is
  the answer ("porslin, som vanliga koppar");
- said while answering something else, a material never replaces one already given, a generic
  word ("plast", "metal") fills nothing, and several different materials leave the question
  open so the founder is asked which one the part is made of.
"""

from __future__ import annotations

from bot import vocabulary
from bot.interview.slots import CONFIRM_SLOT


def chosen_material(entities: list[dict], asked: str | None, known: str | None) -> str | None:
    named = list(dict.fromkeys(e["value"] for e in entities if e.get("entity") == "material"))
    if any(m in vocabulary.FILLED_POLYMERS for m in named):
        named = [m for m in named if m not in vocabulary.FIBRES]
    if not named:
        return None
    if asked in ("material", CONFIRM_SLOT):
        return named[0]
    if known:
        return None
    specific = [m for m in named if m not in vocabulary.MATERIAL_FAMILIES]
    return specific[0] if len(specific) == 1 else None
