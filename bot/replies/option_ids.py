"""The id a WhatsApp button or list item carries: which menu it belongs to, and which option.

A tap comes back as that id (Twilio's ButtonPayload or ListId) and is read as typing the
option's number. The menu's tag is a digest of its options (titles and payloads, in order),
so a tap on an older message with the very same options means what it meant; a tap on any
other older menu is told apart as stale (actions/options.py) instead of choosing whatever
that number is now.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

TAG_CHARS = 10
TAPPED_MENU = "tapped_menu"  # the dialogue input's metadata: the tag of the menu a tap came from
_ID = re.compile(rf"opt-(?P<tag>[0-9a-f]{{{TAG_CHARS}}})-(?P<number>[1-9][0-9]?)")


@dataclass(frozen=True)
class Tap:
    tag: str
    number: int


def menu_tag(options: Sequence[Dict[str, Any]]) -> str:
    """The tag of a reply's options (its buttons: title and payload each)."""
    listed = [[str(option.get("title", "")), str(option.get("payload", ""))] for option in options]
    return hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode()).hexdigest()[:TAG_CHARS]


def option_id(tag: str, number: int) -> str:
    return f"opt-{tag}-{number}"


def tapped(value: str) -> Optional[Tap]:
    """The tap an id names; None for anything else (text, another business's payload)."""
    found = _ID.fullmatch(value or "")
    return Tap(found["tag"], int(found["number"])) if found else None
