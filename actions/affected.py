"""Who the person said is affected (a migrant): kept for every later answer, which adds what
applies to them (guidance/national.yml, `affected`)."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.guidance.compose import SITUATION_ENTITY
from bot.guidance.content import guidance

AFFECTED_SLOT = "affected"


def affected(tracker: Tracker) -> List[str]:
    """Those remembered, and those the latest message names."""
    remembered = list(tracker.get_slot(AFFECTED_SLOT) or [])
    named = [entity.get("value") for entity in tracker.latest_message.get("entities") or []
             if entity.get("entity") == SITUATION_ENTITY and entity.get("value") in guidance().affected]
    return remembered + [key for key in dict.fromkeys(named) if key not in remembered]


def remember_affected(tracker: Tracker) -> List[EventType]:
    """The event that remembers whom the latest message newly names, if any."""
    now = affected(tracker)
    return [SlotSet(AFFECTED_SLOT, now)] if now != list(tracker.get_slot(AFFECTED_SLOT) or []) else []
