"""Pipeline component: a message the language identifier finds written in one of the seven
Indigenous languages offered becomes the intent `other_language`, with the language as an
entity, whatever the Spanish classifier guessed (it only knows Spanish): the assistant then
offers that language, for the person to confirm. A message surely written in Spanish gets
the entity `written_in: es` (the language need not be asked). The keyword rules after this
component (danger first) still overrule it. See bot/language_id.py.

The identifier's Spanish-or-not model is trained by `rasa train` and kept in the Rasa model,
so that each dialogue engine loads it instead of training it when it starts."""

import hashlib
import inspect
from importlib import metadata
from typing import Any, Dict, List, Optional

import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.pipeline import Pipeline

from bot import language_id, text
from bot.language_id import written_in_each
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.ranking import put_first

OTHER_LANGUAGE = "other_language"
STORED = "spanish_or_not.skops"
# What the stored model is made from besides the Rasa training data: a change retrains it.
MADE_FROM = (language_id, text)
MADE_WITH = ("elotl", "scikit-learn", "skops")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LanguageGuess(GraphComponent):
    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 spanish_or_not: Optional[Pipeline] = None) -> None:
        self._model_storage, self._resource = model_storage, resource
        self.spanish_or_not = spanish_or_not

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageGuess":
        return cls(model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        made_from = [inspect.getsource(module) for module in MADE_FROM]
        versions = [metadata.version(package) for package in MADE_WITH]
        return hashlib.sha256("\n".join(made_from + versions).encode()).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Trains the identifier's model on its own corpora (not on `training_data`) and keeps it."""
        self.spanish_or_not = language_id.trained()
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.spanish_or_not, directory / STORED)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LanguageGuess":
        with model_storage.read_from(resource) as directory:
            path = directory / STORED
            spanish_or_not = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        return cls(model_storage, resource, spanish_or_not)

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [message.get(TEXT) or "" for message in messages]
        for message, language in zip(messages, written_in_each(texts, spanish_or_not=self.spanish_or_not)):
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
