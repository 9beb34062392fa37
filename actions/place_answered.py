"""What follows once the place is known: guidance for that state, or help near it.

Also the correction of a place: a message naming another place ("no, estoy en Puebla")
right after an answer for a place gets that answer again, for the new place.
"""

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import TOPIC_SLOT, ReplyAction
from actions.guidance import CRIME_SLOT, PROTECTION, REPORT, answer_after_place, answer_topic
from actions.help_nearby import PLACE_FOR_SLOT, ActionHelpNearMe
from actions.places import new_place

# Replies that answer for a place, and so are answered again when the place is corrected.
HELP_NEARBY, GUIDANCE = "utter_help_near_me", "utter_guidance"


class ActionPlaceAnswered(ReplyAction):
    def name(self) -> str:
        return "action_place_answered"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if tracker.get_slot(PLACE_FOR_SLOT) == "guidance":
            return answer_after_place(dispatcher, tracker)
        return ActionHelpNearMe().respond(dispatcher, tracker)


def _last_answer(tracker: Tracker) -> Optional[str]:
    reply = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    return ((reply or {}).get("metadata") or {}).get("utter_action")


def answer_for_new_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """The last answer again for the place this message names instead, if it names a new
    one right after an answer for a place; None otherwise."""
    if new_place(tracker) is None:
        return None
    last = _last_answer(tracker)
    if last == HELP_NEARBY:
        return ActionHelpNearMe().respond(dispatcher, tracker)
    if last == GUIDANCE:
        topic = PROTECTION if tracker.get_slot(TOPIC_SLOT) == PROTECTION else REPORT
        return answer_topic(dispatcher, tracker, topic, tracker.get_slot(CRIME_SLOT))
    return None
