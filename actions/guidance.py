"""The four services of the main menu."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import PENDING_REPLIES, TOPIC_SLOT, ReplyAction


class ActionReportCrime(ReplyAction):
    replies = PENDING_REPLIES["report_crime"]

    def name(self) -> str:
        return "action_report_crime"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return [SlotSet(TOPIC_SLOT, "report_crime")]


class ActionProtection(ReplyAction):
    replies = PENDING_REPLIES["protection"]

    def name(self) -> str:
        return "action_protection"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return [SlotSet(TOPIC_SLOT, "protection")]


class ActionMediaReceived(ReplyAction):
    """A voice note or photo: the assistant cannot take it in, a person can."""

    replies = ("utter_media_received",)

    def name(self) -> str:
        return "action_media_received"
