"""Numbered options that go with some replies.

Each option pairs a catalogue key (its label) with the payload that choosing it sends to
the dialogue engine. The renderer lists them as "1. …" lines (what SMS and WhatsApp
show) and as buttons; the action `action_select_option` maps a typed number (or a plain
"sí"/"no" to a yes/no question) back to the payload by reading the last reply.
"""

import json
from dataclasses import dataclass
from typing import Dict, FrozenSet, Tuple

from bot.languages import OFFERED_LANGUAGES


@dataclass(frozen=True)
class Option:
    label: str
    payload: str


def _language_option(code: str) -> Option:
    return Option(f"language_name_{code}", "/choose_language" + json.dumps({"language": code}))


HANDOFF_PAYLOAD = "/human_handoff"
MAIN_MENU = (
    Option("option_report_crime", "/report_crime"),
    Option("option_protection", "/protection"),
    Option("option_find_help", "/find_help"),
    Option("option_human", HANDOFF_PAYLOAD),
)

PERSON_OR_MENU = (
    Option("option_talk_to_person", HANDOFF_PAYLOAD),
    Option("option_see_menu", "/menu"),
)

MENUS: Dict[str, Tuple[Option, ...]] = {
    "utter_welcome": (
        Option("option_yes", "/safe_to_talk"),
        Option("option_no", "/not_safe_now"),
    ),
    "utter_ask_language": tuple(_language_option(code) for code in OFFERED_LANGUAGES),
    "utter_main_menu": MAIN_MENU,
    "utter_offer_person": PERSON_OR_MENU,
    "utter_media_received": PERSON_OR_MENU,
    "utter_handoff_offer": (
        Option("option_handoff_yes", "/confirm_handoff"),
        Option("option_handoff_no", "/decline_handoff"),
    ),
}

# Replies that ask a yes/no question: option 1 answers "yes", option 2 answers "no".
YES_NO_QUESTIONS: FrozenSet[str] = frozenset(
    {"utter_welcome", "utter_offer_person", "utter_handoff_offer", "utter_language_detected"}
)

# Replies that offer a person: their option names who can answer (actions/person_option.py).
PERSON_MENUS: FrozenSet[str] = frozenset(
    key for key, options in MENUS.items() if any(option.payload == HANDOFF_PAYLOAD for option in options))
