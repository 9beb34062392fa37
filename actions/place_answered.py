"""What follows once the place question is answered: guidance for that state, or help near it."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction
from actions.guidance import answer_after_place
from actions.help_nearby import PLACE_FOR_SLOT, ActionHelpNearMe


class ActionPlaceAnswered(ReplyAction):
    def name(self) -> str:
        return "action_place_answered"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if tracker.get_slot(PLACE_FOR_SLOT) == "guidance":
            return answer_after_place(dispatcher, tracker)
        return ActionHelpNearMe().respond(dispatcher, tracker)
