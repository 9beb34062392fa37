"""A directory entry's contact and hours as catalogue parts of a reply."""

from typing import Any, Dict, List, Sequence

from bot.directory.nearest import Entry
from bot.directory.validation import display_phone


def contact_parts(entry: Entry) -> Sequence[Dict[str, Any]]:
    """Contact, address and hours, each an inline part; an honest note when no way to call or
    write is known (an address alone still needs the trip)."""
    details = [
        {"key": f"help_{name}", "values": {name: value}, "inline": True}
        for name, value in (("phone", display_phone(entry.phone)), ("whatsapp", display_phone(entry.whatsapp)),
                            ("website", entry.website), ("address", entry.address), ("hours", entry.opening_hours))
        if value
    ]
    if entry.onc_network == "unconfirmed":
        details.append({"key": "help_unconfirmed", "inline": True})
    if not any(d["key"] in ("help_phone", "help_whatsapp", "help_website") for d in details):
        details.append({"key": "help_no_contact", "inline": True})
    return details


def lines_parts(lines: Sequence[Entry], named: Sequence[str] = ()) -> List[Dict[str, Any]]:
    """The heading of the lines that answer across the country, then the lines `named` as
    guidance/lines.yml says them (number included), then each directory line and its contact."""
    if not lines and not named:
        return []
    parts: List[Dict[str, Any]] = [{"key": "help_lines_heading"}]
    parts += [{"key": "help_line", "values": {"name": name}} for name in named]
    for line in lines:
        parts += [{"key": "help_line", "values": {"name": line.name}}, *contact_parts(line)]
    return parts
