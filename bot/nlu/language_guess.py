"""Pipeline component: a message the language identifier finds written in one of the seven
Indigenous languages offered becomes the intent `other_language`, with the language as an
entity, whatever the Spanish classifier guessed (it only knows Spanish): the assistant then
offers that language, for the person to confirm. A message surely written in Spanish gets
the entity `written_in: es` (the language need not be asked). The keyword rules after this
component (danger first) still overrule it. See bot/language_id.py."""

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language_id import model, surely_written_in
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.ranking import put_first

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
            language = surely_written_in(message.get(TEXT) or "")
            if language is None:
                continue
            if language == DEFAULT_LANGUAGE:  # Spanish
                self._add_entity(message, "written_in", language)
                continue
            put_first(message, OTHER_LANGUAGE, 1.0)
            self._add_entity(message, "language", language)
        return messages

    def _add_entity(self, message: Message, name: str, value: str) -> None:
        entity = {"entity": name, "value": value, "start": 0, "end": len(message.get(TEXT)),
                  "extractor": self.__class__.__name__}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
