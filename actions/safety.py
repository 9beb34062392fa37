"""Danger and the quick exit: answered in any state, before anything else."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import PENDING_GUIDANCE, WELCOMED_SLOT, ReplyAction, language_known, welcome
from actions.guidance import PROTECTION, PROTECTION_FIRST, REPORT, named
from actions.handoff import in_handoff, offer
from bot.guidance.compose import what_happened
from bot.nlu.danger_cues import SELF_HARM, DangerLexicon
from bot.storage.tracker_store import ERASURE_SLOT

LEXICON = DangerLexicon()
# The person's own request beside the danger, and the action that answers it.
REQUEST_ACTIONS = {"report_crime": "action_report_crime", "protection": "action_protection",
                   "find_help": "action_find_help", "human_handoff": "action_human_handoff"}
# How sure the classifier must be of that request (its share in the intent ranking); for
# danger that may not be happening now ("hace un año", "ya estoy a salvo") it may be less sure.
REQUEST_FLOOR, REQUEST_FLOOR_IN_DOUBT = 0.3, 0.05


def request_beside_danger(message: Dict[str, Any]) -> Optional[str]:
    """The request (reporting, protection, help nearby, a person) a danger message also
    makes, as the classifier ranks it; else, unless it is self-harm, the answer that fits what
    the message tells (a disappearance: reporting), or, for danger now, protection without a
    complaint."""
    text, read = message.get("text") or "", named(message)
    doubt = LEXICON.in_doubt(text, read)
    floor = REQUEST_FLOOR_IN_DOUBT if doubt else REQUEST_FLOOR
    for entry in message.get("intent_ranking") or []:
        if entry.get("name") in REQUEST_ACTIONS and (entry.get("confidence") or 0) >= floor:
            return entry["name"]
    if LEXICON.kind(text, read) == SELF_HARM:
        return None  # the crisis line is the answer; a person may follow it
    told = what_happened(read, report=True)
    if told is None:  # danger now: what protects from whoever causes it; else nothing asked
        return None if doubt else PROTECTION
    return PROTECTION if told in PROTECTION_FIRST else REPORT


class ActionDanger(ReplyAction):
    """911 and what to tell the operator, even as the very first reply — with the crisis line
    for thoughts of self-harm, the trafficking line for trafficking; only the 911 reminder
    when the danger may not be happening now (bot/nlu/danger_cues.py). Then the person's own
    request, else the answer that fits what they told, else protection without a complaint
    (now, or after the welcome on a first message); after the crisis line, the offer of a
    person, where an observatory takes handoffs. During a handoff, only the danger reply."""

    greets_first = False

    def name(self) -> str:
        return "action_danger"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        text, read = tracker.latest_message.get("text") or "", named(tracker.latest_message)
        dispatcher.utter_message(response=LEXICON.reply(text, read))
        if in_handoff(tracker.sender_id):  # a person has the conversation: 911, and they answer the rest
            return []
        request, doubt = request_beside_danger(tracker.latest_message), LEXICON.in_doubt(text, read)
        welcomed = tracker.get_slot(WELCOMED_SLOT)
        if request is None and (welcomed or not doubt):  # the welcome waits for the next message
            return [*language_known(tracker), *offer(dispatcher, tracker, "danger", quietly=not doubt)]
        crime = [SlotSet("crime", what_happened(read, request == REPORT))] if request in PENDING_GUIDANCE else []
        if welcomed:
            return [*crime, FollowupAction(REQUEST_ACTIONS[request])]
        # A first message: the welcome now, the request right after its answer.
        return [*welcome(dispatcher, tracker, request), *crime]


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
