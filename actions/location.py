"""Where a person is, for routing their handoff: the latest place the conversation knows,
the WhatsApp pin included whenever it came after the place named (not only in the turn
it was shared)."""

from typing import Optional, Tuple

from rasa_sdk import Tracker

from actions.help_nearby import ActionHelpNearMe
from actions.places import PLACE_KEY_SLOT, new_place
from bot.handoff.routing import Point, state_of_point

PIN_SLOTS = ("latitude", "longitude")


def pin_is_latest(tracker: Tracker) -> bool:
    """Whether the pin came after every place the person named (this message names none)."""
    if new_place(tracker):
        return False
    for event in reversed(tracker.events):
        if event.get("event") != "slot" or event.get("value") is None:
            continue
        if event.get("name") == PLACE_KEY_SLOT:
            return False
        if event.get("name") in PIN_SLOTS:
            return True
    return False


def where(tracker: Tracker) -> Tuple[Optional[Point], Optional[str]]:
    """The point to measure from and its state (both None when nothing is known)."""
    latitude, longitude = (tracker.get_slot(name) for name in PIN_SLOTS)
    if latitude is not None and longitude is not None and pin_is_latest(tracker):
        pin = (float(latitude), float(longitude))
        return pin, state_of_point(pin)
    origin, _, state_key = ActionHelpNearMe.origin(tracker)
    if origin is not None and state_key is None:  # the pin of this very turn
        return origin, state_of_point(origin)
    return origin, state_key
