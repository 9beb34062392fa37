"""Typed answers to numbered options: "2", or "sí"/"no" to a yes/no question.

The chosen option's payload replaces the typed message, exactly as if the button had
been pressed: the number is reverted and the payload's intent is uttered in its place,
so the rules for that intent answer it in this same turn.
"""

import json
import re
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUttered, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ReplyAction, latest_intent
from bot.replies.menus import YES_NO_QUESTIONS

_PAYLOAD = re.compile(r"^/(?P<intent>[\w-]+)(?P<entities>\{.*\})?$")
_NUMBER = re.compile(r"\d+")
YES_NO_CHOICE = {"affirm": 1, "deny": 2}


def last_reply(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The most recent bot message: the only one whose options a number can choose."""
    return next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)


def offered_options(reply: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return ((reply or {}).get("data") or {}).get("buttons") or []


def payload_as_message(payload: str) -> List[EventType]:
    """Events that replace the latest user message by `payload` ("/intent{json}")."""
    match = _PAYLOAD.match(payload)
    if not match:
        raise ValueError(f"Not an intent payload: {payload!r}")
    values = json.loads(match["entities"] or "{}")
    entities = [{"entity": name, "value": value} for name, value in values.items()]
    parse_data = {
        "intent": {"name": match["intent"], "confidence": 1.0},
        "entities": entities,
        "text": payload,
    }
    return [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered(payload, parse_data=parse_data, timestamp=time.time()),
    ]


class ActionSelectOption(ReplyAction):
    def name(self) -> str:
        return "action_select_option"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        intent = latest_intent(tracker)
        if intent in YES_NO_CHOICE:
            return self._answer_yes_no(dispatcher, tracker, YES_NO_CHOICE[intent])
        options = offered_options(last_reply(tracker))
        number = _NUMBER.search(tracker.latest_message.get("text") or "")
        if not options or number is None:
            dispatcher.utter_message(response="utter_main_menu")
            return []
        return self._choose(dispatcher, options, int(number.group()))

    def _answer_yes_no(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, choice: int
    ) -> List[EventType]:
        question = last_reply(tracker)
        asked = ((question or {}).get("metadata") or {}).get("utter_action")
        if asked in YES_NO_QUESTIONS:
            return self._choose(dispatcher, offered_options(question), choice)
        dispatcher.utter_message(response="utter_main_menu" if choice == 1 else "utter_acknowledge")
        return []

    @staticmethod
    def _choose(
        dispatcher: CollectingDispatcher, options: List[Dict[str, Any]], number: int
    ) -> List[EventType]:
        if not 1 <= number <= len(options):
            dispatcher.utter_message(response="utter_option_out_of_range", highest=len(options))
            return []
        return payload_as_message(options[number - 1]["payload"])
