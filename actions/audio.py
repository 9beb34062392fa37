"""Recorded audio after the replies, for people who do not read ("audio", "no sé leer"):
on or off at the person's word, kept across sessions (actions/session.py carries the slot).
A request made in the same message ("no sé leer, me robaron") is answered right after."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.beside import REQUEST_ACTIONS, crime_told, request_beside
from actions.conversation import PENDING_INTENTS, PENDING_SLOT, ReplyAction, latest_intent
from bot.recordings.choice import AUDIO_ON, AUDIO_OVERRIDE, AUDIO_SLOT


def _wanted(tracker: Tracker) -> bool:
    return latest_intent(tracker) == AUDIO_ON


class ActionAudio(ReplyAction):
    """Turns the audio on or off and says so; the confirmation already follows the new
    choice (it comes with its own recording once audio is on). Then the request beside it."""

    def name(self) -> str:
        return "action_audio"

    def remember(self, tracker: Tracker) -> List[EventType]:
        """A first message that asks for audio sets it, after the welcome; its request waits
        for the welcome's answer like any other."""
        request = request_beside(tracker.latest_message)
        pending = [SlotSet(PENDING_SLOT, request), *crime_told(request, tracker.latest_message)]
        return [SlotSet(AUDIO_SLOT, _wanted(tracker)), *(pending if request in PENDING_INTENTS else [])]

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        wanted = _wanted(tracker)
        dispatcher.utter_message(response="utter_audio_on" if wanted else "utter_audio_off", **{AUDIO_OVERRIDE: wanted})
        events: List[EventType] = [SlotSet(AUDIO_SLOT, wanted)]
        request = request_beside(tracker.latest_message)
        if request is None or (tracker.active_loop or {}).get("name"):  # a question is open: it is asked again
            return events
        return [*events, *crime_told(request, tracker.latest_message), FollowupAction(REQUEST_ACTIONS[request])]
