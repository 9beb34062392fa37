"""Pipeline component: a message the intent classifier finds at least `floor` likely to be
danger is answered as danger, even when another intent ranks first.

Missing danger costs far more than a 911 line too many (the reply then answers the person's
request all the same, actions/safety.py), so the learned part decides danger on a lower bar
than the other intents. Runs after the FallbackClassifier: "not understood" must not hide it.
"""

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ranking import put_first

DANGER = "danger"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerFloor(GraphComponent):
    """Sets the intent to danger when its confidence in the ranking reaches `floor`."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"floor": 0.4}

    def __init__(self, floor: float) -> None:
        self.floor = floor

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DangerFloor":
        return cls(float({**cls.get_default_config(), **config}["floor"]))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            danger = next((entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry["name"] == DANGER), None)
            if danger and danger["confidence"] >= self.floor and (message.get(INTENT) or {}).get("name") != DANGER:
                put_first(message, DANGER, danger["confidence"])
        return messages
