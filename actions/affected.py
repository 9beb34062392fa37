"""Who the person said is affected, in their own words ("soy de Honduras"): kept for every
later answer, which adds what applies to them (guidance/national.yml, `affected`), until
they say otherwise ("no soy migrante")."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.guidance.compose import who_is_affected

AFFECTED_SLOT = "affected"


def affected(tracker: Tracker) -> List[str]:
    """Those remembered and those the latest message adds, less those it takes back."""
    said, denied = who_is_affected(tracker.latest_message.get("text") or "")
    remembered = [group for group in tracker.get_slot(AFFECTED_SLOT) or [] if group not in denied]
    return remembered + [group for group in said if group not in remembered]


def remember_affected(tracker: Tracker) -> List[EventType]:
    """The event that remembers the change the latest message makes, if any."""
    now = affected(tracker)
    return [SlotSet(AFFECTED_SLOT, now or None)] if now != list(tracker.get_slot(AFFECTED_SLOT) or []) else []
