"""Choosing the conversation's language."""

import json
from pathlib import Path
from typing import List, Optional

import yaml

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (LANGUAGE_KNOWN_SLOT, PENDING_GUIDANCE, PENDING_QUESTIONS, PENDING_SLOT,
                                  WELCOMED_SLOT, ReplyAction)
from actions.guidance import CRIME_SLOT, answer_topic, tell_interpreter_right
from actions.handoff import offer
from actions.help_nearby import ActionFindHelp
from actions.places import current_place_key
from bot.languages import DEFAULT_LANGUAGE, OFFERED_LANGUAGES
from bot.replies.catalogue import Catalogues
from bot.replies.menus import MENUS
from bot.text import bare_words

LANGUAGE_SLOT = "language"
CATALOGUES = Catalogues.load()
LANGUAGE_NAMES = yaml.safe_load((Path(__file__).resolve().parents[1] / "bot" / "language_names.yml").read_text(encoding="utf-8"))
# A language counts as served once its main menu has reviewed text.
SERVED_WHEN_TRANSLATED = "utter_main_menu"
HINT = "utter_language_hint"  # "escribe IDIOMA": a reply of its own or another's footer


def language_name(code: str) -> str:
    """The language's name in Spanish, as the catalogue gives it."""
    name = CATALOGUES.get(f"language_name_{code}", DEFAULT_LANGUAGE)
    return name.text if name else code


def go_on(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> List[EventType]:
    """Once first contact is over: the request the person made before the welcome, if any,
    else the menu."""
    pending = tracker.get_slot(PENDING_SLOT)
    events: List[EventType] = [SlotSet(PENDING_SLOT, None)]
    if pending == "find_help" and current_place_key(tracker):  # the first message said where
        return [*events, *ActionFindHelp().respond(dispatcher, tracker)]
    if pending in PENDING_QUESTIONS:
        return [*events, FollowupAction(PENDING_QUESTIONS[pending])]
    if pending == "human_handoff":
        return [*events, *offer(dispatcher, tracker, "asked")]
    if pending in PENDING_GUIDANCE:
        return [*events, *answer_topic(dispatcher, tracker, pending, tracker.get_slot(CRIME_SLOT))]
    dispatcher.utter_message(response="utter_main_menu", in_language=language)
    return events


def with_language_hint(dispatcher: CollectingDispatcher, sent_before: int) -> None:
    """How to change the language: the footer of the last reply sent in this turn when it
    offers no options, else a line of its own at the turn's start (before a list of options,
    or a question another action asks next)."""
    sent = dispatcher.messages[sent_before:]
    if sent and not (MENUS.get(sent[-1].get("response") or "") or sent[-1].get("choices")):
        sent[-1].setdefault("parts", []).append({"key": HINT})
        return
    dispatcher.utter_message(response=HINT)
    dispatcher.messages.insert(sent_before, dispatcher.messages.pop())


class ActionOfferLanguage(ReplyAction):
    replies = ("utter_ask_language",)

    def name(self) -> str:
        return "action_offer_language"


class ActionSafeToTalk(ReplyAction):
    """Safe to write now. When the first message was surely Spanish, straight on to its
    request (or the menu), with how to change the language; otherwise the language first."""

    def name(self) -> str:
        return "action_safe_to_talk"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if not tracker.get_slot(LANGUAGE_KNOWN_SLOT):
            dispatcher.utter_message(response="utter_ask_language")
            return []
        sent_before = len(dispatcher.messages)
        events = go_on(dispatcher, tracker, tracker.get_slot(LANGUAGE_SLOT) or DEFAULT_LANGUAGE)
        with_language_hint(dispatcher, sent_before)
        return events


class ActionSetLanguage(ReplyAction):
    """Sets the language, says honestly when its texts are not ready, then goes on.

    A language with no reviewed texts gets, in Spanish, how to ask for an interpreter (and
    who speaks it in the person's state), then the offer of a person with an interpreter
    (where an observatory takes handoffs); otherwise, or when no observatory does, the
    assistant goes on with the request the person made before the welcome, if any, else
    the menu.
    """

    def name(self) -> str:
        return "action_set_language"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = self.requested_language(tracker)
        if language is None:
            dispatcher.utter_message(response="utter_ask_language")
            return []
        events: List[EventType] = [SlotSet(LANGUAGE_SLOT, language), SlotSet(LANGUAGE_KNOWN_SLOT, True)]
        if not CATALOGUES.has(SERVED_WHEN_TRANSLATED, language):
            dispatcher.utter_message(response="utter_language_fallback", language_name=language_name(language))
            events += tell_interpreter_right(dispatcher, tracker, language)
            interpreter = offer(dispatcher, tracker, "interpreter", quietly=True, interpreter=language)
            if interpreter:
                return [*events, SlotSet(PENDING_SLOT, None), *interpreter]
        return [*events, *go_on(dispatcher, tracker, language)]

    def requested_language(self, tracker: Tracker) -> Optional[str]:
        """The language code from the option chosen, or from a language named in the text."""
        code = next(tracker.get_latest_entity_values("language"), None)
        if code in OFFERED_LANGUAGES:
            return code
        text = f" {bare_words((tracker.latest_message.get('text') or '').replace(chr(39), ' '))} "
        for candidate in OFFERED_LANGUAGES:
            spellings = [language_name(candidate), *LANGUAGE_NAMES.get(candidate, [])]
            if any(f" {bare_words(spelling)} " in text for spelling in spellings):
                return candidate
        return None


class ActionLanguageDetected(ReplyAction):
    """The person writes in a language the assistant recognises: offer to switch to it
    (choosing it leads to the interpreter offer while it has no reviewed texts)."""

    greets_first = False

    def name(self) -> str:
        return "action_language_detected"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = next(tracker.get_latest_entity_values("language"), None)
        if language not in OFFERED_LANGUAGES or language == tracker.get_slot(LANGUAGE_SLOT):
            dispatcher.utter_message(response="utter_ask_language")
            return [SlotSet(WELCOMED_SLOT, True)]
        label = language_name(language)
        switch = CATALOGUES.get("option_switch_language", DEFAULT_LANGUAGE)
        stay = CATALOGUES.get("option_stay_in_spanish", DEFAULT_LANGUAGE)
        choices = [
            {"title": switch.text.format(language_name=label), "payload": "/choose_language" + json.dumps({"language": language})},
            {"title": stay.text, "payload": "/menu"},
        ]
        dispatcher.utter_message(response="utter_language_detected", language_name=label, choices=choices)
        return [SlotSet(WELCOMED_SLOT, True)]
