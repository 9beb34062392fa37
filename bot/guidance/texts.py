"""The sentences of the guidance content a person reads, as reply-catalogue entries.

Each has a stable catalogue key: `item.<name>` (an item of national.yml), `case.<key>` (the
label of a crime or situation, an option of "¿Qué pasó?"), `line.<key>` (what
a national line's placeholder says, lines.yml), `state.<code>.online_<field>` (a state's
online reporting: where, label, notes; states.yml). The Spanish source is the YAML itself:
the catalogue tools read it from there (bot/replies/catalogue_tools.py), nobody copies it.
"""

from functools import lru_cache
from typing import Callable, Dict

from bot.guidance.content import guidance

ONLINE_FIELDS = ("where", "label", "notes")
Say = Callable[[str], str]  # a guidance text by catalogue key, in the reader's language


def item_key(name: str) -> str:
    return f"item.{name}"


def case_key(key: str) -> str:
    return f"case.{key}"


def line_key(key: str) -> str:
    return f"line.{key}"


def online_key(state: str, field: str) -> str:
    return f"state.{state}.online_{field}"


@lru_cache(maxsize=1)
def source_texts() -> Dict[str, str]:
    """Every guidance sentence by catalogue key, in Spanish."""
    content = guidance()
    texts = {item_key(name): item["text"] for name, item in content.items.items()}
    texts.update({case_key(key): case["label"] for key, case in {**content.crimes, **content.situations}.items()})
    texts.update({line_key(key): line["says"] for key, line in content.lines.items()})
    for state, facts in sorted(content.states.items()):
        online = facts.get("online_reporting") or {}
        texts.update({online_key(state, field): online[field] for field in ONLINE_FIELDS if online.get(field)})
    return texts


def line_texts(say: Say) -> Dict[str, str]:
    """What each national line's placeholder says: {"line_women": "Línea de las Mujeres: 079…"}."""
    return {f"line_{key}": say(line_key(key)) for key in guidance().lines}
