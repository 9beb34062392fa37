"""Danger and the quick exit: answered in any state, before anything else."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.beside import (REQUEST_ACTIONS, REQUEST_FLOOR, REQUEST_FLOOR_IN_DOUBT, crime_told, fitting_request,
                            ranked_request)
from actions.counted import counted
from actions.conversation import TOPIC_SLOT, WELCOMED_SLOT, ReplyAction, language_known, welcome
from actions.guidance import PROTECTION, PROTECTION_FIRST, named
from actions.handoff import in_handoff, offer
from bot.guidance.compose import what_happened
from bot.nlu.danger_cues import OTHER_DANGER, SELF_HARM, DangerLexicon
from bot.storage.erasure import ERASURE_SLOT

LEXICON = DangerLexicon()
# The 911 reply waits this long at most for the database to say whether staff have the
# conversation; a database down or hanging gets the 911 reply alone.
HANDOFF_LOOKUP_S = 1.5
LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="danger-handoff-lookup")


def handed_off(sender_id: str) -> bool:
    """Whether staff have the conversation; True when the database cannot say in time."""
    lookup = LOOKUPS.submit(in_handoff, sender_id)
    try:
        return lookup.result(timeout=HANDOFF_LOOKUP_S)
    except Exception:  # the database down, hanging or failing in any way: the 911 reply alone
        lookup.cancel()  # (still queued behind hanging lookups: never run)
        return True


def request_beside_danger(message: Dict[str, Any]) -> Optional[str]:
    """What to answer after the danger reply: the request (reporting, protection, help nearby,
    a person) the message also makes, as the classifier ranks it; else what fits what it tells
    (a disappearance: reporting; violence at home: protection); else, for danger now that
    someone causes, or a threat someone made even if it may not be now, protection without a
    complaint; None otherwise (after the crisis line, other danger that may not be now, or
    danger read in no one's doing)."""
    text, read = message.get("text") or "", named(message)
    doubt = LEXICON.in_doubt(text, read)
    floor = REQUEST_FLOOR_IN_DOUBT if doubt else REQUEST_FLOOR
    ranked, told = ranked_request(message, floor), what_happened(read)
    if LEXICON.kind(text, read) == SELF_HARM:  # the crisis line; protection too if violence at home is told
        return ranked or (PROTECTION if told in PROTECTION_FIRST else None)
    if ranked or told:
        return fitting_request(ranked, told)
    caused_by_someone = OTHER_DANGER in read or LEXICON.is_danger(text)
    return PROTECTION if caused_by_someone and (not doubt or LEXICON.threatened(text)) else None


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
        counted(tracker, ("danger", LEXICON.kind(text, read) or "danger"))  # beside the reply, never before it
        return self.answer(dispatcher, tracker)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        text, read = tracker.latest_message.get("text") or "", named(tracker.latest_message)
        dispatcher.utter_message(response=LEXICON.reply(text, read))
        if handed_off(tracker.sender_id):  # a person has the conversation: 911, and they answer the rest
            return []
        request, doubt = request_beside_danger(tracker.latest_message), LEXICON.in_doubt(text, read)
        if request == tracker.get_slot(TOPIC_SLOT) or (tracker.active_loop or {}).get("name"):
            request = None  # already answered, or a question is open: 911 alone, not the same text again
        welcomed = tracker.get_slot(WELCOMED_SLOT)
        if request is None and (welcomed or not doubt):  # the welcome waits for the next message
            return [*language_known(tracker), *offer(dispatcher, tracker, "danger", quietly=not doubt)]
        crime = crime_told(request, tracker.latest_message)
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
