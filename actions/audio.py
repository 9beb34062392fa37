"""Recorded audio after the replies, for people who do not read ("audio", "no sé leer"):
on or off at the person's word, kept across sessions (actions/session.py carries the slot)."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction, latest_intent
from bot.recordings.choice import AUDIO_ON, AUDIO_OVERRIDE, AUDIO_SLOT


def _wanted(tracker: Tracker) -> bool:
    return latest_intent(tracker) == AUDIO_ON


class ActionAudio(ReplyAction):
    """Turns the audio on or off and says so; the confirmation already follows the new
    choice (it comes with its own recording once audio is on)."""

    def name(self) -> str:
        return "action_audio"

    def remember(self, tracker: Tracker) -> List[EventType]:
        """A first message that asks for audio sets it, after the welcome."""
        return [SlotSet(AUDIO_SLOT, _wanted(tracker))]

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        wanted = _wanted(tracker)
        dispatcher.utter_message(response="utter_audio_on" if wanted else "utter_audio_off", **{AUDIO_OVERRIDE: wanted})
        return [SlotSet(AUDIO_SLOT, wanted)]
