"""Answers to numbered options: "2", "la dos", "la segunda", "la de protección", or
"sí"/"no" to a yes/no question.

The chosen option's payload replaces the typed message, exactly as if the button had
been pressed: the message is reverted and the payload's intent is uttered in its place,
so the rules for that intent answer it in this same turn. The words that choose an
option are data (bot/replies/option_words.yml). A message naming no offered option
("la de mi casa") is read for what the classifier made of it instead.

A WhatsApp tap arrives as its option's number, with the tag of the menu it belongs to
(bot/replies/option_ids.py). A tap on an older message whose options are not those of the
last reply is stale: it chooses nothing, since its number may mean something else now; the
person is told so, with the last reply's options again (`utter_option_stale`: the same
options, so the same ids), or, when it had none, pointed to the menu.
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
from bot.replies.option_ids import TAPPED_MENU, menu_tag
from bot.replies.option_words import option_by_label, option_named, option_number
from bot.replies.render import LIST_BUTTON

_PAYLOAD = re.compile(r"^/(?P<intent>[\w-]+)(?P<entities>\{.*\})?$")
YES_NO_CHOICE = {"affirm": 1, "deny": 2}
# What the classifier may have meant instead, when a message names no offered option.
NOT_A_REQUEST = frozenset({"choose_option", "nlu_fallback", "out_of_scope", "affirm", "deny"})
REREAD_CONFIDENCE = 0.45  # the FallbackClassifier's threshold (config.yml)


def last_reply(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The most recent bot message: the only one whose options a number can choose."""
    return next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)


def offered_options(reply: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return ((reply or {}).get("data") or {}).get("buttons") or []


def stale_tap(tracker: Tracker) -> bool:
    """The message is a tap on a button or list item of an older menu than the last reply's."""
    tag = (tracker.latest_message.get("metadata") or {}).get(TAPPED_MENU)
    return bool(tag) and tag != menu_tag(offered_options(last_reply(tracker)))


def answer_stale_tap(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Tells that a tap was on an older menu, and offers the last reply's options again."""
    reply = last_reply(tracker)
    options = offered_options(reply)
    if options:
        choices = [{"title": option.get("title", ""), "payload": option.get("payload", "")} for option in options]
        shared = bool(((reply or {}).get("metadata") or {}).get(LIST_BUTTON))  # its buttons were the same for all
        dispatcher.utter_message(response="utter_option_stale", choices=choices, shared_choices=shared)
    else:
        dispatcher.utter_message(response="utter_option_stale_menu")


def as_message(intent: str, entities: Dict[str, Any], text: str) -> List[EventType]:
    """Events that replace the latest user message by one of `intent` with `entities`."""
    parse_data = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
        "text": text,
    }
    return [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered(text, parse_data=parse_data, timestamp=time.time()),
    ]


def payload_as_message(payload: str) -> List[EventType]:
    """Events that replace the latest user message by `payload` ("/intent{json}")."""
    match = _PAYLOAD.match(payload)
    if not match:
        raise ValueError(f"Not an intent payload: {payload!r}")
    return as_message(match["intent"], json.loads(match["entities"] or "{}"), payload)


def chosen_number(tracker: Tracker, options: List[Dict[str, Any]]) -> Optional[int]:
    """The option a message chooses: by number ("la dos"), or by naming it ("la de protección")."""
    text = str(tracker.latest_message.get("text") or "")
    number = option_number(text)
    if number is not None:
        return number
    named = option_named(text)
    return option_by_label(named, options) if named and options else None


def classifier_meant(tracker: Tracker) -> Optional[str]:
    """The classifier's own reading of the message, when it is a request."""
    for entry in tracker.latest_message.get("intent_ranking") or []:
        name = entry.get("name")
        if name not in NOT_A_REQUEST and (entry.get("confidence") or 0) >= REREAD_CONFIDENCE:
            return name
    return None


class ActionSelectOption(ReplyAction):
    def name(self) -> str:
        return "action_select_option"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if stale_tap(tracker):
            answer_stale_tap(dispatcher, tracker)
            return []
        intent = latest_intent(tracker)
        if intent in YES_NO_CHOICE:
            return self._answer_yes_no(dispatcher, tracker, YES_NO_CHOICE[intent])
        options = offered_options(last_reply(tracker))
        number = chosen_number(tracker, options)
        if number is None:
            meant = classifier_meant(tracker)
            if meant:
                return as_message(meant, {}, str(tracker.latest_message.get("text") or ""))
        if not options:
            dispatcher.utter_message(response="utter_main_menu")
            return []
        return self._choose(dispatcher, options, number)

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
        dispatcher: CollectingDispatcher, options: List[Dict[str, Any]], number: Optional[int]
    ) -> List[EventType]:
        """The option `number` of the list; anything else (none named, "0", "99", "-1") is
        answered with the list's range."""
        if number is None or not 1 <= number <= len(options):
            dispatcher.utter_message(response="utter_option_out_of_range", highest=len(options))
            return []
        return payload_as_message(options[number - 1]["payload"])
