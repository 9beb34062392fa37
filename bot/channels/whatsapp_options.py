"""A reply's options as WhatsApp shows them: quick-reply buttons or a list, through Twilio's
Content API, within the limits WhatsApp sets; else None, and the numbered text goes instead.

Up to three options become a `twilio/quick-reply` (titles of at most 20 characters), up to
ten a `twilio/list-picker` (items of at most 24, a button of at most 20, each item's
description, which Twilio requires, its number: what typing chooses it); the body, the
reply's numbered text as SMS would show it, at most 1,024 characters. Each content also has
a `twilio/text` type with that same text: what a channel without buttons shows. Each button
or item carries the option's id (bot/replies/option_ids.py): a tap is typing its number.

A content is named by a digest of everything in it (its friendly_name), so the same reply in
the same language is one resource, created once (bot/delivery/contents.py).
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Tuple

from bot.replies.option_ids import option_id

MAX_BODY = 1024
MAX_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_ITEMS, MAX_ITEM_TITLE, MAX_LIST_BUTTON = 10, 24, 20
TWO_LETTER_DEFAULT = "es"  # Twilio's language field takes ISO 639-1; Mexico's Indigenous languages have none
NAME_PREFIX = "orienta-"


@dataclass(frozen=True)
class Menu:
    """The options of one reply, as the outbox keeps them (sealed) until it is sent."""

    language: str
    titles: Tuple[str, ...]
    tag: str  # bot/replies/option_ids.menu_tag of the reply's buttons
    list_button: str  # the list's button text, in the reply's language

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Menu":
        fields = json.loads(text)
        return cls(**{**fields, "titles": tuple(fields["titles"])})


@dataclass(frozen=True)
class Content:
    """A Content API resource to create: the request's fields, and its name."""

    friendly_name: str
    language: str
    types: Dict[str, Any]

    def request(self) -> Dict[str, Any]:
        return {"friendly_name": self.friendly_name, "language": self.language, "variables": {},
                "types": self.types}


def _interactive(body: str, menu: Menu) -> Optional[Dict[str, Any]]:
    ids = [option_id(menu.tag, number) for number in range(1, len(menu.titles) + 1)]
    if len(menu.titles) <= MAX_BUTTONS and all(len(title) <= MAX_BUTTON_TITLE for title in menu.titles):
        return {"twilio/quick-reply": {"body": body, "actions": [
            {"title": title, "id": item} for title, item in zip(menu.titles, ids)]}}
    if (len(menu.titles) <= MAX_ITEMS and all(len(title) <= MAX_ITEM_TITLE for title in menu.titles)
            and 0 < len(menu.list_button) <= MAX_LIST_BUTTON):
        return {"twilio/list-picker": {"body": body, "button": menu.list_button, "items": [
            {"item": title, "id": item, "description": str(number)}
            for number, (title, item) in enumerate(zip(menu.titles, ids), start=1)]}}
    return None


def content_for(body: str, menu: Menu) -> Optional[Content]:
    """The content that shows `body` with `menu`'s options, or None past a limit."""
    if not menu.titles or len(body) > MAX_BODY:
        return None
    interactive = _interactive(body, menu)
    if interactive is None:
        return None
    language = menu.language if len(menu.language) == 2 else TWO_LETTER_DEFAULT
    types = {**interactive, "twilio/text": {"body": body}}
    digest = hashlib.sha256(json.dumps([language, types], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return Content(NAME_PREFIX + digest[:40], language, types)
