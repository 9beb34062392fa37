"""What every reply action shares: catalogue replies and the first-contact greeting."""

from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

WELCOMED_SLOT = "welcomed"
PENDING_SLOT = "pending_intent"
TOPIC_SLOT = "topic"  # the last service the person asked about: what help near them to list

# Requests worth answering right after the first-contact questions: by replies, or by
# starting the question that the request needs (where are you?).
PENDING_REPLIES: Dict[str, Sequence[str]] = {
    "report_crime": ("utter_report_crime",),
    "protection": ("utter_protection",),
}
PENDING_QUESTIONS: Dict[str, str] = {"find_help": "place_form"}
PENDING_INTENTS = frozenset({*PENDING_REPLIES, *PENDING_QUESTIONS, "human_handoff"})


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the message being answered."""
    return (tracker.latest_message.get("intent") or {}).get("name")


class ReplyAction(Action, metaclass=ABCMeta):
    """Sends catalogue replies; a conversation's first message gets the welcome instead.

    The welcome (a neutral line and "is it safe to talk now?") comes before anything
    else, and the request it interrupted is remembered and answered once the
    language is chosen. Actions that must answer even a first message (danger, quick
    exit) set `greets_first = False`.
    """

    replies: Sequence[str] = ()
    greets_first: bool = True

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        if self.greets_first and not tracker.get_slot(WELCOMED_SLOT):
            dispatcher.utter_message(response="utter_welcome")
            pending = latest_intent(tracker)
            return [
                SlotSet(WELCOMED_SLOT, True),
                SlotSet(PENDING_SLOT, pending if pending in PENDING_INTENTS else None),
            ]
        return self.respond(dispatcher, tracker)

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Sends this action's replies; override for anything more."""
        for reply in self.replies:
            dispatcher.utter_message(response=reply)
        return []
