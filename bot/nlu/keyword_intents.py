"""Pipeline component: intents decided by fixed words, never by the classifier alone.

Danger phrases, the quick-exit words, the menu word, asking for recorded audio or to stop it,
options chosen by number or in words
(bot/replies/option_words.yml) and empty messages are too important (or too simple) to
leave to a statistical model; a request to report in a message that declines to report
("no quiero denunciarlo") is one for protection without a complaint. This component runs last in the pipeline and overrides the classifier when a keyword rule applies. It also keeps the
classifier from deciding some intents without the words they need: never a quick exit
("quiero salir de mi casa" must not wipe a conversation), and the menu only for a message
about menus or options (a state's name must not end the question of where one is).
"""

import re
from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Optional

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.danger_cues import DangerLexicon
from bot.recordings.choice import AUDIO_OFF, AUDIO_ON
from bot.replies.option_words import is_option_reference
from bot.text import bare_words, fold

KEYWORDS_FILE = Path(__file__).with_name("keywords.yml")
DANGER, QUICK_EXIT, MENU, CHOOSE_OPTION = "danger", "quick_exit", "menu", "choose_option"
REPORT, PROTECTION = "report_crime", "protection"
# Intents of whole messages, in the order they are tried.
WHOLE_MESSAGE_INTENTS = (QUICK_EXIT, MENU, "more", "ask_source")
NOT_UNDERSTOOD = "nlu_fallback"  # an empty message: nothing to classify


class KeywordRules:
    """The keyword lists of keywords.yml, compiled."""

    def __init__(self, path: Path = KEYWORDS_FILE) -> None:
        lists = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.danger = DangerLexicon(path)  # fixed words and cue patterns, kinds included
        self.erase_requests = [re.compile(pattern) for pattern in lists["erase_request"]]
        self.reporting_declined = [re.compile(pattern) for pattern in lists["reporting_declined"]]
        self.audio = {intent: [re.compile(pattern) for pattern in lists[intent]] for intent in (AUDIO_OFF, AUDIO_ON)}
        self.whole_messages = {intent: frozenset(str(words) for words in lists[intent])
                               for intent in WHOLE_MESSAGE_INTENTS}
        self.needed_words = {intent: frozenset(words)
                             for intent, words in lists["classifier_needs_words"].items()}

    def classifier_may_decide(self, intent: str, words: AbstractSet[str]) -> bool:
        """Whether the classifier's `intent` can stand, without a keyword rule, for a message
        of these bare words."""
        needed = self.needed_words.get(intent)
        return needed is None or not needed.isdisjoint(words)

    def declines_reporting(self, text: str) -> bool:
        """Whether the message says the person does not want to report ("no quiero denunciar")."""
        return any(pattern.search(fold(text)) for pattern in self.reporting_declined)

    def is_urgent(self, text: str) -> bool:
        """Danger, the quick exit or a request to delete one's data: answered over any
        rate limit, during a handoff, in any state."""
        return self.intent_for(text) in (DANGER, QUICK_EXIT) or any(
            pattern.search(fold(text)) for pattern in self.erase_requests)

    def intent_for(self, text: str) -> Optional[str]:
        """The intent that keywords impose on this text, if any."""
        folded, words = fold(text), bare_words(text)
        if not folded:
            return NOT_UNDERSTOOD
        if self.danger.is_danger(text):
            return DANGER
        for intent, messages in self.whole_messages.items():
            if words in messages:
                return intent
        for intent, patterns in self.audio.items():  # stopping the audio first: "no quiero audios"
            if any(pattern.search(words) for pattern in patterns):
                return intent
        if is_option_reference(text):  # "2", "la dos", "la segunda", "la de protección"
            return CHOOSE_OPTION
        return None


def as_protection(ranking: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The ranking with reporting read as protection (the message declines to report): one
    protection entry, as sure as the surer of the two, where the first of them stood."""
    merged = [entry for entry in ranking if entry["name"] in (REPORT, PROTECTION)]
    if not merged:
        return ranking
    protection = {"name": PROTECTION, "confidence": max(entry["confidence"] for entry in merged)}
    first = ranking.index(merged[0])
    rest = [entry for entry in ranking if entry not in merged]
    return [*rest[:first], protection, *rest[first:]]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class KeywordIntents(GraphComponent):
    """Overrides the predicted intent where a keyword rule applies."""

    def __init__(self, rules: KeywordRules) -> None:
        self.rules = rules

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KeywordIntents":
        return cls(KeywordRules())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._apply(message)
        return messages

    def _apply(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        imposed, words = self.rules.intent_for(text), frozenset(bare_words(text).split())
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry["name"] != imposed and self.rules.classifier_may_decide(entry["name"], words)
        ]
        declined = self.rules.declines_reporting(text)
        if declined:
            ranking = as_protection(ranking)
        if imposed:
            chosen = {"name": imposed, "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        elif not self.rules.classifier_may_decide((message.get(INTENT) or {}).get("name", ""), words):
            fallback = ranking[0] if ranking else {"name": NOT_UNDERSTOOD, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        elif declined:
            if (message.get(INTENT) or {}).get("name") == REPORT:
                message.set(INTENT, next(e for e in ranking if e["name"] == PROTECTION), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
