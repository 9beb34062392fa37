"""Menu and small talk."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import PENDING_SLOT, WELCOMED_SLOT, ReplyAction


class ActionMainMenu(ReplyAction):
    replies = ("utter_main_menu",)

    def name(self) -> str:
        return "action_main_menu"


class ActionAcknowledge(ReplyAction):
    replies = ("utter_acknowledge",)

    def name(self) -> str:
        return "action_acknowledge"


class ActionBotChallenge(ReplyAction):
    replies = ("utter_bot_challenge",)

    def name(self) -> str:
        return "action_bot_challenge"


class ActionNotSafe(ReplyAction):
    """The person cannot talk now: say how to come back, and greet again next time."""

    replies = ("utter_not_safe",)

    def name(self) -> str:
        return "action_not_safe"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return [SlotSet(WELCOMED_SLOT, False), SlotSet(PENDING_SLOT, None)]
