"""The values each kind of count is published with: a fixed list taken from the product
(its topics, the guidance's crimes and situations, the danger lexicon's kinds, the
directory's kinds of help, the offered languages, the channels, the handoff's steps, the
claim buckets, the exits), so that a place's table has the same columns whatever other
places counted — a column of its own would tell a state's staff that a rare value (a
language, trafficking) was counted elsewhere. A value outside the list (one the product
no longer has) is published as OTHER, so that the totals stay whole."""

from functools import lru_cache
from typing import Dict, Tuple

from bot.directory.models import KINDS as HELP_KINDS
from bot.guidance.content import guidance
from bot.languages import OFFERED_LANGUAGES
from bot.nlu.danger_cues import DangerLexicon
from bot.statistics.record import CLAIM_BUCKETS, CLAIMED_LATER, ERASING_ACTIONS, HANDOFF_STEPS, TOPICS

OTHER = "other"
NOT_FOUND = "not_found"  # help: none was found near the person (actions/help_nearby.py)
DANGER = "danger"  # danger shown of no kind with lines of its own (actions/safety.py)
CHANNELS = ("whatsapp", "sms", "web")  # the contact's channel (bot/channels/twilio_request.py), the web chat


@lru_cache(maxsize=1)
def _columns() -> Dict[str, Tuple[str, ...]]:
    known = {
        "topic": TOPICS,
        "crime": (*guidance().crimes, *guidance().situations),
        "danger": (DANGER, *DangerLexicon().kinds),
        "help": (*HELP_KINDS, NOT_FOUND),
        "channel": CHANNELS,
        "language": OFFERED_LANGUAGES,
        "handoff": HANDOFF_STEPS,
        "claim_time": (*(code for _, code in CLAIM_BUCKETS), CLAIMED_LATER),
        "exit": tuple(ERASING_ACTIONS.values()),
    }
    return {kind: tuple(dict.fromkeys((*values, OTHER))) for kind, values in known.items()}


def columns(kind: str) -> Tuple[str, ...]:
    """The values a kind's tables show, in order, OTHER last."""
    return _columns()[kind]


def column(kind: str, value: str) -> str:
    """The column a recorded value is published in."""
    return value if value in _columns()[kind] else OTHER
