"""Pipeline component: a message surely written in Náhuatl, Otomí or Mixteco becomes the
intent `other_language`, with the language as an entity, whatever the Spanish classifier
guessed (it only knows Spanish). See bot/language_id.py."""

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language_id import model, other_than_spanish

OTHER_LANGUAGE = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageGuess(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageGuess":
        model()  # train the identifier when the engine loads, not on a person's first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            language = other_than_spanish(message.get(TEXT) or "")
            if language:
                chosen = {"name": OTHER_LANGUAGE, "confidence": 1.0}
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen], add_to_output=True)
                entity = {"entity": "language", "value": language, "start": 0,
                          "end": len(message.get(TEXT)), "extractor": self.__class__.__name__}
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
