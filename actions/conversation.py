"""What every reply action shares: catalogue replies and the first-contact greeting."""

from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.affected import remember_affected
from actions.places import remember_place

WELCOMED_SLOT = "welcomed"
PENDING_SLOT = "pending_intent"
# Whether the conversation's language is settled: chosen, or the first message was surely
# Spanish (the NLU's language identifier marks it with the entity `written_in`).
LANGUAGE_KNOWN_SLOT = "language_known"
TOPIC_SLOT = "topic"  # the last service the person asked about: what help near them to list
# What the last answer rests on, for "¿De dónde sale esto?" (see actions/sources.py).
SOURCES_SLOT = "answer_sources"

# Requests worth answering right after the first-contact questions.
PENDING_QUESTIONS: Dict[str, str] = {"find_help": "place_form"}
PENDING_GUIDANCE = frozenset({"report_crime", "protection"})
PENDING_INTENTS = frozenset({*PENDING_GUIDANCE, *PENDING_QUESTIONS, "human_handoff"})
# Messages that, naming another place right after an answer for a place, correct that place
# ("no, estoy en Puebla" reads as a "no"): the answer is given again for the new place.
CORRECTING_INTENTS = frozenset({"deny", "affirm", "nlu_fallback", "out_of_scope", "not_safe_now",
                                "safe_to_talk", "choose_option", "greet", "thanks", "bot_challenge"})


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the message being answered."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def language_known(tracker: Tracker) -> List[EventType]:
    """Marks the language as settled when this message is surely Spanish (or it already was)."""
    spanish = next(tracker.get_latest_entity_values("written_in"), None) == "es"
    return [SlotSet(LANGUAGE_KNOWN_SLOT, True)] if spanish and not tracker.get_slot(LANGUAGE_KNOWN_SLOT) else []


def welcome(dispatcher: CollectingDispatcher, tracker: Tracker, pending: Optional[str]) -> List[EventType]:
    """The welcome ("is it safe to write now?"); the request to answer after it, if any, and
    whether the message already tells the language."""
    dispatcher.utter_message(response="utter_welcome")
    return [SlotSet(WELCOMED_SLOT, True), SlotSet(PENDING_SLOT, pending if pending in PENDING_INTENTS else None),
            *language_known(tracker)]


class ReplyAction(Action, metaclass=ABCMeta):
    """Sends catalogue replies; a conversation's first message gets the welcome instead.

    The welcome (a neutral line and "is it safe to talk now?") comes before anything
    else, and the request it interrupted is remembered and answered right after the
    answer to it (actions/language.py). Actions that must answer even a first message
    (danger, quick exit) set `greets_first = False`.

    Every message is read for a place (actions/places.py), remembered for later answers.

    An answer that rests on sources sets SOURCES_SLOT; any other reply clears it, so
    that "¿De dónde sale esto?" always asks about the message just read. Actions that
    talk about the last answer (its sources, its continuation) set `keeps_sources`.
    """

    replies: Sequence[str] = ()
    greets_first: bool = True
    keeps_sources: bool = False

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        events = self._run(dispatcher, tracker)
        from actions.person_option import name_the_person_option  # it reads places, which build on this module

        name_the_person_option(dispatcher, tracker)
        return events

    def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if self.greets_first and not tracker.get_slot(WELCOMED_SLOT):
            return [*welcome(dispatcher, tracker, latest_intent(tracker)), *self.remember(tracker),
                    *remember_place(tracker), *remember_affected(tracker)]
        # A place, and who is affected, are remembered whatever the reply (respond's own slots win).
        events = [*remember_place(tracker), *remember_affected(tracker), *self._correction_or_respond(dispatcher, tracker)]
        sets_sources = any(e.get("event") == "slot" and e.get("name") == SOURCES_SLOT for e in events)
        if self.keeps_sources or sets_sources or not dispatcher.messages or not tracker.get_slot(SOURCES_SLOT):
            return events
        return [*events, SlotSet(SOURCES_SLOT, None)]

    def _correction_or_respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if latest_intent(tracker) in CORRECTING_INTENTS:
            from actions.place_answered import answer_for_new_place  # it builds on this module

            corrected = answer_for_new_place(dispatcher, tracker)
            if corrected is not None:
                return corrected
        return self.respond(dispatcher, tracker)

    def remember(self, tracker: Tracker) -> List[EventType]:
        """What to keep of a first message until its request is answered after the welcome."""
        return []

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Sends this action's replies; override for anything more."""
        for reply in self.replies:
            dispatcher.utter_message(response=reply)
        return []
