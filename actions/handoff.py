"""Handing the conversation to a person: offer (with consent), start, or decline.

Who takes it: the route of bot/handoff/routing.py — the staffed observatory of the
person's state nearest to them (their place or WhatsApp pin, whichever came last), else
the national desk, else nobody, said honestly. What happens next is said honestly: which observatory, where it is, whether the ONC network
confirms it as a member, and when its staff answer. While the
handoff is open, the Twilio channel keeps the person's messages for staff and the
assistant stays silent (except for danger and the quick exit).
"""

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction
from actions.location import where
from actions.options import last_reply
from bot.directory.models import Organisation
from bot.handoff import routing, service
from bot.handoff.hours import spoken
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

OBSERVATORY_SLOT, REASON_SLOT, INTERPRETER_SLOT = "handoff_observatory", "handoff_reason", "interpreter_language"
REASON_BY_LAST_REPLY = {"utter_media_received": "media", "utter_offer_person": "misunderstood", "utter_danger": "danger",
                        "utter_danger_self_harm": "danger", "utter_danger_trafficking": "danger"}


def in_handoff(sender_id: str) -> bool:
    """Whether staff have this conversation (a handoff in progress): the assistant then only
    answers danger, and answers nothing on top of its 911 reply."""
    with session_scope(engine_for(database_url())) as session:
        return service.open_for(session, sender_id) is not None


def when_parts(observatory: Organisation, now: datetime) -> List[Dict[str, Any]]:
    """What the offer says about when someone answers."""
    available = service.availability(observatory, now)
    if available.state == "open":
        return [{"key": "handoff_when_open"}]
    if available.state == "closed" and available.next_opening:
        return [{"key": "handoff_when_closed",
                 "values": {"hours": available.hours_text, "next": spoken(available.next_opening)}}]
    return [{"key": "handoff_when_unknown"}]


def offer(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, quietly: bool = False,
          interpreter: Optional[str] = None) -> List[EventType]:
    """Asks for consent to hand over, naming the observatory; or says honestly there is
    none (unless `quietly`: after the danger message, saying nothing more is better).
    For an `interpreter`, an observatory that lists that language is preferred."""
    origin, state_key = where(tracker)
    with session_scope(engine_for(database_url())) as session:
        if service.open_for(session, tracker.sender_id):
            return []  # a person already has the conversation
        observatory = routing.route(session, origin, state_key, interpreter)
        if observatory is None:
            if not quietly:
                dispatcher.utter_message(response="utter_human_handoff")
            return []
        parts = [*service.about(observatory), *when_parts(observatory, datetime.now(timezone.utc)),
                 {"key": "handoff_consent"}]
        dispatcher.utter_message(response="utter_handoff_offer", observatory=observatory.name, parts=parts)
        return [SlotSet(OBSERVATORY_SLOT, str(observatory.id)), SlotSet(REASON_SLOT, reason),
                SlotSet(INTERPRETER_SLOT, interpreter)]


class ActionHumanHandoff(ReplyAction):
    def name(self) -> str:
        return "action_human_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        asked_after = ((last_reply(tracker) or {}).get("metadata") or {}).get("utter_action")
        return offer(dispatcher, tracker, REASON_BY_LAST_REPLY.get(asked_after, "asked"))


class ActionStartHandoff(ReplyAction):
    """The person agreed: the conversation goes to the observatory's queue."""

    def name(self) -> str:
        return "action_start_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        observatory_id = tracker.get_slot(OBSERVATORY_SLOT)
        if not observatory_id:
            return offer(dispatcher, tracker, "asked")
        with session_scope(engine_for(database_url())) as session:
            observatory = session.get(Organisation, int(observatory_id))
            handoff, new = service.start(session, tracker.sender_id, observatory.id,
                                         tracker.get_slot(REASON_SLOT) or "asked", tracker.get_slot("language") or "es",
                                         tracker.get_slot(INTERPRETER_SLOT))
            dispatcher.utter_message(response="utter_handoff_started", observatory=observatory.name)
            if new:
                service.notify_new_handoff(handoff, observatory)
        return [SlotSet(OBSERVATORY_SLOT, None), SlotSet(REASON_SLOT, None), SlotSet(INTERPRETER_SLOT, None)]


class ActionDeclineHandoff(ReplyAction):
    replies = ("utter_handoff_declined",)

    def name(self) -> str:
        return "action_decline_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        super().respond(dispatcher, tracker)
        return [SlotSet(OBSERVATORY_SLOT, None), SlotSet(REASON_SLOT, None), SlotSet(INTERPRETER_SLOT, None)]
