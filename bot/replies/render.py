"""Turns a reply name, a language and values into the message the channel sends."""

import logging
from typing import Any, Dict, Optional

from bot.replies.catalogue import Catalogues
from bot.replies.menus import MENUS

logger = logging.getLogger(__name__)


def render(
    key: str, language: str, catalogues: Catalogues, values: Dict[str, Any]
) -> Optional[Dict[str, Any]]:
    """The message for reply `key`: text with its numbered options, and buttons.

    The language actually served is kept in the message (it ends up in the bot
    event's metadata), so a fallback to Spanish is visible in the tracker.

    `values` fill the `{placeholders}` of the text; values that are None are ignored.
    Returns None when the catalogue has no such reply.
    """
    entry = catalogues.get(key, language)
    if entry is None:
        return None
    fillers = {name: value for name, value in values.items() if value is not None}
    text = entry.text.format_map(fillers) if fillers else entry.text
    buttons = []
    for number, option in enumerate(MENUS.get(key, ()), start=1):
        label = catalogues.get(option.label, language)
        title = label.text if label else option.label
        text += f"\n{number}. {title}"
        buttons.append({"title": title, "payload": option.payload})
    return {"text": text, "buttons": buttons, "language": entry.language}
