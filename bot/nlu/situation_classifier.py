"""Pipeline component: what a message is about — a crime or a situation with an answer of its
own (guidance/national.yml), or thoughts of self-harm — as the entity `situation`.

The words of the guidance content come first ("me hackearon", "cobro de piso"); a logistic
regression on the featurizers' sentence features adds what it reads, when sure enough ("somos
de Nicaragua, nos asaltaron": the robbery in words, the migrants learned). It learns from
training examples labelled with `metadata: {situation: …}` (data/nlu/situations.yml); every
other example is labelled by those same words, else as other danger or none.
A message the classifier reads as thoughts of self-harm becomes the intent `danger`
(bot/nlu/keyword_intents.py does the same for the fixed words), so that it gets 911 and the
crisis line even when said in words no list holds.
"""

import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, METADATA, METADATA_EXAMPLE, \
    METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression

from bot.guidance.compose import SITUATION_ENTITY as ENTITY, named_in_words

logger = logging.getLogger(__name__)
NONE = "none"
SELF_HARM, DANGER = "self_harm", "danger"
# Danger examples that name no situation: learned apart, so that self-harm is told from other danger.
OTHER_DANGER = "other_danger"
NOT_SITUATIONS = frozenset({NONE, OTHER_DANGER})
LEXICON, LEARNED = "words", "classifier"  # the entity's `extractor`: which part decided


def example_label(message: Message) -> str:
    """A training example's situation: its metadata's, else the one its words name, else none."""
    metadata = message.get(METADATA) or {}
    for part in (METADATA_EXAMPLE, METADATA_INTENT):
        label = (metadata.get(part) or {}).get(ENTITY)
        if label:
            return str(label)
    named = named_in_words(message.get(TEXT) or "")
    return named or (OTHER_DANGER if message.get(INTENT) == DANGER else NONE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SituationClassifier(GraphComponent):
    """Adds the entity `situation` (words first, then the classifier above `threshold`)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.7, "self_harm_threshold": 0.7, "max_iter": 500}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 clf: Optional[LogisticRegression] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.clf = clf
        self._model_storage, self._resource = model_storage, resource

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SituationClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: List[Message]) -> csr_matrix:
        rows = []
        for message in messages:
            sentence = message.get_sparse_features(attribute=TEXT)[1]
            rows.append(csr_matrix(sentence.features) if sentence else csr_matrix((1, 0)))
        return vstack(rows)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        labels = [example_label(example) for example in examples]
        if len(set(labels)) < 2:
            logger.debug("No situation examples: the situation classifier is not trained.")
            return self._resource
        self.clf = LogisticRegression(max_iter=self.config["max_iter"], class_weight="balanced", random_state=42)
        self.clf.fit(self._features(examples), labels)
        self._persist()
        return self._resource

    def _persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.clf, directory / "situations.skops")

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SituationClassifier":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "situations.skops"
                clf = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:  # never trained (no situation examples)
            clf = None
        return cls(config, model_storage, resource, clf)

    def learned(self, messages: List[Message]) -> List[Tuple[str, float]]:
        """The classifier's situation and confidence for each message (none when untrained)."""
        if self.clf is None or not messages:
            return [(NONE, 0.0)] * len(messages)
        probabilities = self.clf.predict_proba(self._features(messages))
        return [(str(self.clf.classes_[row.argmax()]), float(row.max())) for row in probabilities]

    def process(self, messages: List[Message]) -> List[Message]:
        for message, (label, confidence) in zip(messages, self.learned(messages)):
            named = named_in_words(message.get(TEXT) or "")
            if named:
                self._add(message, named, 1.0, LEXICON)
            if label == SELF_HARM and confidence >= self.config["self_harm_threshold"]:
                self._add(message, label, confidence, LEARNED)
                chosen = {"name": DANGER, "confidence": confidence}
                ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry["name"] != DANGER]
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
            elif label not in NOT_SITUATIONS | {named} and confidence >= self.config["threshold"]:
                self._add(message, label, confidence, LEARNED)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    @staticmethod
    def _add(message: Message, label: str, confidence: float, extractor: str) -> None:
        entity = {"entity": ENTITY, "value": label, "start": 0, "end": len(message.get(TEXT) or ""),
                  "confidence_entity": round(confidence, 3), "extractor": extractor}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
