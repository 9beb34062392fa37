"""Turns a reply name, a language and values into the message the channel sends."""

import logging
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.guidance.texts import line_texts
from bot.replies.catalogue import Catalogues
from bot.replies.menus import MENUS, Option

logger = logging.getLogger(__name__)
LIST_BUTTON, LIST_BUTTON_KEY = "list_button", "option_list_button"


class _Fillers(dict):
    """Values for a text's placeholders; one without a value stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")  # "de León A.C.." once a name ending in "." is filled in


def _fill(text: str, values: Dict[str, Any], language: str, catalogues: Catalogues) -> str:
    """The text with its placeholders filled: the national lines' ({line_crisis}…, in `language`)
    and `values`."""
    fillers = _Fillers(line_texts(lambda key: catalogues.say(key, language)))
    fillers.update((name, value) for name, value in values.items() if value is not None)
    return _DOUBLE_PERIOD.sub(".", text.format_map(fillers))


def _parts(parts: List[Dict[str, Any]], language: str, catalogues: Catalogues) -> str:
    """Catalogue entries filled with data, one per line; an `inline` part joins the line before."""
    lines: List[str] = []
    for part in parts:
        entry = catalogues.get(part["key"], language)
        if entry is None:
            continue
        text = _fill(entry.text, part.get("values") or {}, entry.language, catalogues)
        if part.get("inline") and lines:
            lines[-1] = f"{lines[-1]} · {text}"
        else:
            lines.append(text)
    return "\n".join(lines)


def _option(option: Option, language: str, catalogues: Catalogues,
            relabel: Mapping[str, Dict[str, Any]]) -> Dict[str, str]:
    part = relabel.get(option.payload) or {"key": option.label}
    label = catalogues.get(part["key"], language)
    return {"title": _fill(label.text, part.get("values") or {}, label.language, catalogues) if label else option.label,
            "payload": option.payload}


def render(
    key: str, language: str, catalogues: Catalogues, values: Dict[str, Any],
    parts: Sequence[Dict[str, Any]] = (), choices: Sequence[Dict[str, str]] = (),
    relabel: Optional[Mapping[str, Dict[str, Any]]] = None, shared_choices: bool = False,
) -> Optional[Dict[str, Any]]:
    """The message for reply `key`: text with its numbered options, and buttons (with the
    text of the button that opens them as a list on WhatsApp).

    The language actually served is kept in the message (it ends up in the bot
    event's metadata), so a fallback to Spanish is visible in the tracker.

    `values` fill the `{placeholders}` of the text; values that are None are ignored; a
    national line's placeholder ({line_trafficking}) says what guidance/lines.yml says.
    `parts` add lines made of other catalogue entries and data (see `_parts`);
    `choices` are options known only at run time (title and payload each), numbered
    like a menu's; `relabel` names a menu option by another label (payload → a part:
    key and values), e.g. option 4 when nobody can answer now. Returns None when the
    catalogue has no such reply.

    Only a reply the same for everyone who gets it — no value filled in its text, no parts,
    no run-time choices unless `shared_choices` (a catalogue menu shown again) — gets the
    list button, i.e. may be shown as WhatsApp buttons: Twilio keeps those contents, and they
    must hold nothing of a person (their place, their observatory, the places they named).
    """
    entry = catalogues.get(key, language)
    if entry is None:
        return None
    text = _fill(entry.text, values, entry.language, catalogues)
    shared = text == entry.text and not parts and (shared_choices or not choices)
    if parts:
        text += "\n" + _parts(list(parts), language, catalogues)
    options = [_option(option, language, catalogues, relabel or {}) for option in MENUS.get(key, ())] + list(choices)
    buttons = []
    for number, option in enumerate(options, start=1):
        text += f"\n{number}. {option['title']}"
        buttons.append(option)
    message = {"text": text, "buttons": buttons, "language": entry.language}
    if buttons and shared:  # WhatsApp shows more than three options as a list behind this button
        message[LIST_BUTTON] = catalogues.say(LIST_BUTTON_KEY, entry.language)
    return message
