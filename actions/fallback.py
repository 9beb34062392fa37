"""Messages the assistant did not understand: rephrase, then menu, then a person.

A message that only names a place shows the menu (the place is remembered; right after an
answer for a place, ReplyAction answers it again for the new place instead). A message the
classifier could not place that names a crime or a situation (bot/nlu/situation_classifier.py:
"me hackearon y me piden dinero") gets its answer, after the welcome on a first message."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME

from actions.conversation import PENDING_SLOT, ReplyAction
from actions.guidance import CRIME_SLOT, REPORT, answer_after_place, answer_topic, named
from actions.help_nearby import PLACE_FOR_SLOT
from actions.places import new_place
from bot.guidance.compose import what_happened

ESCALATION = ("utter_rephrase", "utter_main_menu", "utter_offer_person")


def misunderstandings_in_a_row(tracker: Tracker, action_name: str) -> int:
    """How many times `action_name` answered the messages just before this one."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "action" or event.get("name") == ACTION_LISTEN_NAME:
            continue
        if event.get("name") != action_name:
            break
        count += 1
    return count


class ActionMisunderstood(ReplyAction):
    """Also the dialogue's core fallback: run after one of the assistant's own actions (no rule
    says what follows it), it ends the turn in silence, since the person's message was answered."""

    def name(self) -> str:
        return "action_misunderstood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if tracker.latest_action_name not in (None, ACTION_LISTEN_NAME):
            return [FollowupAction(ACTION_LISTEN_NAME)]
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def situation(tracker: Tracker) -> Optional[str]:
        return what_happened(named(tracker.latest_message))

    def remember(self, tracker: Tracker) -> List[EventType]:
        situation = self.situation(tracker)
        return [SlotSet(CRIME_SLOT, situation), SlotSet(PENDING_SLOT, REPORT)] if situation else []

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        situation = self.situation(tracker)
        if situation:
            return answer_topic(dispatcher, tracker, REPORT, situation)
        if new_place(tracker):  # only a place: remembered (ReplyAction); what the state adds to the
            if tracker.get_slot(PLACE_FOR_SLOT) == "guidance":  # answer its question was for, else the menu
                return answer_after_place(dispatcher, tracker)
            dispatcher.utter_message(response="utter_main_menu")
            return []
        step = min(misunderstandings_in_a_row(tracker, self.name()), len(ESCALATION) - 1)
        dispatcher.utter_message(response=ESCALATION[step])
        return []
