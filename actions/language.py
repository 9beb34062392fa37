"""Choosing the conversation's language."""

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import PENDING_QUESTIONS, PENDING_REPLIES, PENDING_SLOT, ReplyAction
from actions.handoff import offer
from bot.languages import DEFAULT_LANGUAGE, OFFERED_LANGUAGES
from bot.replies.catalogue import Catalogues
from bot.text import bare_words

LANGUAGE_SLOT = "language"
# A language counts as served once its main menu has reviewed text.
SERVED_WHEN_TRANSLATED = "utter_main_menu"


class ActionOfferLanguage(ReplyAction):
    replies = ("utter_ask_language",)

    def name(self) -> str:
        return "action_offer_language"


class ActionSetLanguage(ReplyAction):
    """Sets the language, says honestly when its texts are not ready, then goes on.

    A language with no reviewed texts gets the offer of a person with an interpreter
    (where an observatory takes handoffs); otherwise the assistant goes on with the
    request the person made before the welcome, if any, else the menu.
    """

    def __init__(self) -> None:
        self.catalogues = Catalogues.load()

    def name(self) -> str:
        return "action_set_language"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = self.requested_language(tracker)
        if language is None:
            dispatcher.utter_message(response="utter_ask_language")
            return []
        pending = tracker.get_slot(PENDING_SLOT)
        events: List[EventType] = [SlotSet(LANGUAGE_SLOT, language), SlotSet(PENDING_SLOT, None)]
        if not self.catalogues.has(SERVED_WHEN_TRANSLATED, language):
            name = self.catalogues.get(f"language_name_{language}", DEFAULT_LANGUAGE)
            dispatcher.utter_message(
                response="utter_language_fallback", language_name=name.text if name else language
            )
            interpreter = offer(dispatcher, tracker, "interpreter", quietly=True, interpreter=language)
            if interpreter:
                return [*events, *interpreter]
        if pending in PENDING_QUESTIONS:
            return [*events, FollowupAction(PENDING_QUESTIONS[pending])]
        if pending == "human_handoff":
            return [*events, *offer(dispatcher, tracker, "asked")]
        for reply in PENDING_REPLIES.get(pending, ("utter_main_menu",)):
            dispatcher.utter_message(response=reply, in_language=language)
        return events

    def requested_language(self, tracker: Tracker) -> Optional[str]:
        """The language code from the option chosen, or from a language named in the text."""
        code = next(tracker.get_latest_entity_values("language"), None)
        if code in OFFERED_LANGUAGES:
            return code
        words = set(bare_words(tracker.latest_message.get("text") or "").split())
        for candidate in OFFERED_LANGUAGES:
            name = self.catalogues.get(f"language_name_{candidate}", DEFAULT_LANGUAGE)
            if name and set(bare_words(name.text).split()) & words:
                return candidate
        return None
