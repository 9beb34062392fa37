"""Danger and the quick exit: answered in any state, before anything else."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction
from actions.handoff import offer
from bot.storage.tracker_store import ERASURE_SLOT


class ActionDanger(ReplyAction):
    """911 and what to tell the operator, even as the very first reply; then the offer of
    a person, where an observatory takes handoffs."""

    replies = ("utter_danger",)
    greets_first = False

    def name(self) -> str:
        return "action_danger"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return offer(dispatcher, tracker, "danger", quietly=True)


class ErasingAction(ReplyAction):
    """Sends its reply; the tracker store then erases the whole conversation."""

    greets_first = False

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return [SlotSet(ERASURE_SLOT, True)]


class ActionQuickExit(ErasingAction):
    """One neutral line, harmless if someone else reads the phone."""

    replies = ("utter_quick_exit",)

    def name(self) -> str:
        return "action_quick_exit"


class ActionDeleteMyData(ErasingAction):
    """The person asked to delete their data: everything goes now, and the reply says so."""

    replies = ("utter_data_deleted",)

    def name(self) -> str:
        return "action_delete_my_data"
