"""The place a conversation already knows: from the place question, or from any message.

Every free-text message is read for a place (bot/directory/mentions.py); a place found is
remembered in `place_key` and used by every later answer, and a later mention replaces it
("no, estoy en Puebla"). The answer to the place question itself is read by the form
(actions/help_nearby.py), not here.
"""

from functools import lru_cache
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.directory.mentions import mentioned_place

PLACE_KEY_SLOT = "place_key"
# Messages never read for a place: the conversation is being erased.
NOT_READ = frozenset({"quick_exit", "delete_my_data"})


@lru_cache(maxsize=256)
def _mentioned(text: str) -> Optional[str]:
    return mentioned_place(text)


def _latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def set_since_the_message(tracker: Tracker) -> bool:
    """Whether the place question settled the place after the message being answered."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == PLACE_KEY_SLOT:
            return True
    return False


def place_in_message(tracker: Tracker) -> Optional[str]:
    """The place the message being answered names, outside the place question."""
    if (tracker.active_loop or {}).get("name") == "place_form" or _latest_intent(tracker) in NOT_READ:
        return None
    if set_since_the_message(tracker):
        return None
    return _mentioned(str(tracker.latest_message.get("text") or "")[:500])


def new_place(tracker: Tracker) -> Optional[str]:
    """A place the message names that differs from what is known (a state already known
    through one of its municipalities is not new)."""
    known = tracker.get_slot(PLACE_KEY_SLOT) or ""
    mentioned = place_in_message(tracker)
    if not mentioned or mentioned == known or (len(mentioned) == 2 and known[:2] == mentioned):
        return None
    return mentioned


def current_place_key(tracker: Tracker) -> Optional[str]:
    """The place every answer uses: the one just named, else the one remembered."""
    return new_place(tracker) or tracker.get_slot(PLACE_KEY_SLOT)


def remember_place(tracker: Tracker) -> List[EventType]:
    """Events that remember a place the message names."""
    key = new_place(tracker)
    if key is None:
        return []
    return [SlotSet(PLACE_KEY_SLOT, key), SlotSet("place_options", None)]
