"""A new session (after an hour of silence, domain.yml `session_config`): what the person told
about themselves stays (language, place, who is affected, the welcome given); what belonged to
the last request (its crime, topic, pending question, place question, consent) goes, so an
hour later nothing is answered for, or filtered by, an old request."""

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME

from actions.conversation import PENDING_SLOT, SOURCES_SLOT, TOPIC_SLOT
from actions.guidance import CRIME_SLOT, MORE_SLOT
from actions.handoff import OBSERVATORY_SLOT, REASON_SLOT
from actions.help_nearby import PLACE_FOR_SLOT

# The slots of one request: not carried into a new session.
ONE_REQUEST_SLOTS = frozenset({PENDING_SLOT, TOPIC_SLOT, CRIME_SLOT, SOURCES_SLOT, MORE_SLOT, PLACE_FOR_SLOT,
                               "place_options", OBSERVATORY_SLOT, REASON_SLOT})


class ActionSessionStart(Action):
    """Rasa's session start with the person's own slots carried over, not the last request's."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
                   if name not in ONE_REQUEST_SLOTS and value is not None]
        return [SessionStarted(), *carried, ActionExecuted(ACTION_LISTEN_NAME)]
