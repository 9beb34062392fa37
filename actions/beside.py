"""The request a message makes beside the intent that answers it first (danger, a request
for audio): "no sé leer, me robaron" asks for audio and about a robbery; both are answered."""

from typing import Any, Dict, List, Optional

from rasa_sdk.events import EventType, SlotSet

from actions.conversation import PENDING_GUIDANCE
from actions.guidance import PROTECTION, PROTECTION_FIRST, REPORT, named
from bot.guidance.compose import what_happened

# The person's own request, and the action that answers it.
REQUEST_ACTIONS = {"report_crime": "action_report_crime", "protection": "action_protection",
                   "find_help": "action_find_help", "human_handoff": "action_human_handoff"}
# How sure the classifier must be of that request (its share in the intent ranking); for
# danger that may not be happening now ("hace un año", "ya estoy a salvo") it may be less sure.
REQUEST_FLOOR, REQUEST_FLOOR_IN_DOUBT = 0.3, 0.05


def ranked_request(message: Dict[str, Any], floor: float = REQUEST_FLOOR) -> Optional[str]:
    """The request the classifier ranks at `floor` or more, if any."""
    return next((entry["name"] for entry in message.get("intent_ranking") or []
                 if entry.get("name") in REQUEST_ACTIONS and (entry.get("confidence") or 0) >= floor), None)


def fitting_request(ranked: Optional[str], told: Optional[str]) -> Optional[str]:
    """The ranked request, else the answer that fits what the message tells (violence at
    home: protection; any other crime: reporting), else None."""
    if ranked or told is None:
        return ranked
    return PROTECTION if told in PROTECTION_FIRST else REPORT


def request_beside(message: Dict[str, Any]) -> Optional[str]:
    """The request a message makes besides asking for something else, if any."""
    return fitting_request(ranked_request(message), what_happened(named(message)))


def crime_told(request: Optional[str], message: Dict[str, Any]) -> List[EventType]:
    """The event that keeps what happened for the guidance answer to `request`."""
    return [SlotSet("crime", what_happened(named(message)))] if request in PENDING_GUIDANCE else []
