"""Messages the assistant did not understand: rephrase, then menu, then a person.

A message that only names a place shows the menu (the place is remembered; right after an
answer for a place, ReplyAction answers it again for the new place instead)."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction
from actions.places import new_place

ESCALATION = ("utter_rephrase", "utter_main_menu", "utter_offer_person")


def misunderstandings_in_a_row(tracker: Tracker, action_name: str) -> int:
    """How many times `action_name` answered the messages just before this one."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "action" or event.get("name") == "action_listen":
            continue
        if event.get("name") != action_name:
            break
        count += 1
    return count


class ActionMisunderstood(ReplyAction):
    def name(self) -> str:
        return "action_misunderstood"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if new_place(tracker):  # only a place: remembered (ReplyAction), and what can be done there
            dispatcher.utter_message(response="utter_main_menu")
            return []
        step = min(misunderstandings_in_a_row(tracker, self.name()), len(ESCALATION) - 1)
        dispatcher.utter_message(response=ESCALATION[step])
        return []
