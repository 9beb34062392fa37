"""Where a person is, for routing their handoff: the latest place the conversation knows,
the WhatsApp pin included whenever it came after the place named (not only in the turn
it was shared), or the place named after it is the one the pin is in."""

from typing import Optional, Tuple

from rasa_sdk import Tracker

from actions.help_nearby import ActionHelpNearMe
from actions.places import PLACE_KEY_SLOT, new_place
from bot.handoff.routing import Point, municipality_of_point, state_of_point

PIN_SLOTS = ("latitude", "longitude")


def _pin_is_in(place_key: str, pin: Point) -> bool:
    """Whether a place named (a municipality's key, or a state's) is where the pin is."""
    if len(place_key) == 2:
        return state_of_point(pin) == place_key
    return municipality_of_point(pin) == place_key


def pin_is_latest(tracker: Tracker, pin: Point) -> bool:
    """Whether the pin tells where the person is: it came after every place they named, or
    the place named after it (this message's included) is the one it is in — the pin is
    more precise. A place named after it that is another place wins."""
    named = new_place(tracker)
    if named:
        return _pin_is_in(named, pin)
    for event in reversed(tracker.events):
        if event.get("event") != "slot" or event.get("value") is None:
            continue
        if event.get("name") == PLACE_KEY_SLOT:
            return _pin_is_in(str(event["value"]), pin)
        if event.get("name") in PIN_SLOTS:
            return True
    return False


def where(tracker: Tracker) -> Tuple[Optional[Point], Optional[str]]:
    """The point to measure from and its state (both None when nothing is known)."""
    latitude, longitude = (tracker.get_slot(name) for name in PIN_SLOTS)
    if latitude is not None and longitude is not None:
        pin = (float(latitude), float(longitude))
        if pin_is_latest(tracker, pin):
            return pin, state_of_point(pin)
    origin, _, state_key = ActionHelpNearMe.origin(tracker)
    if origin is not None and state_key is None:  # the pin of this very turn
        return origin, state_of_point(origin)
    return origin, state_key
