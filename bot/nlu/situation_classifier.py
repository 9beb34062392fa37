"""Pipeline component: what a message is about — a crime or a situation with an answer of its
own (guidance/national.yml), or thoughts of self-harm — as the entity `situation`.

The words of the guidance content decide first ("me hackearon", "cobro de piso"); where none
is used, a logistic regression on the featurizers' sentence features decides, when sure
enough (`threshold`; its precision is lower than the words'). It learns from
training examples labelled with `metadata: {situation: …}` (data/nlu/situations.yml); every
other example is labelled by those same words, else as other danger or none.
A message the classifier finds sure (`self_harm_threshold`) to be thoughts of self-harm becomes
the intent `danger` (bot/nlu/keyword_intents.py does the same for the fixed words); one where
self-harm is at least `self_harm_line` likely carries `self_harm`, so that danger found by any
part gets the crisis line. Danger the classifier reads as caused by
someone else carries `other_danger` (actions/safety.py then offers protection after 911).
"""

import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression

from bot.guidance.compose import SITUATION_ENTITY as ENTITY, all_named_in_words, named_in_words
from bot.nlu.danger_cues import OTHER_DANGER, SELF_HARM, DangerLexicon
from bot.nlu.danger_floor import DANGER
from bot.nlu.ranking import put_first

logger = logging.getLogger(__name__)
DANGER_WORDS = DangerLexicon()
NONE = "none"
# Danger examples that name no situation are learned as OTHER_DANGER, so that self-harm is told from other danger.
NOT_SITUATIONS = frozenset({NONE, OTHER_DANGER})
LEXICON, LEARNED = "words", "classifier"  # the entity's `extractor`: which part decided


def example_label(message: Message) -> str:
    """A training example's situation: its metadata's, else the one its words name (for danger,
    the lexicon's kind first: self-harm, trafficking), else other danger or none."""
    metadata = message.get(METADATA) or {}
    for part in (METADATA_EXAMPLE, METADATA_INTENT):
        label = (metadata.get(part) or {}).get(ENTITY)
        if label:
            return str(label)
    text = message.get(TEXT) or ""
    if message.get(INTENT) == DANGER:  # the lexicon's kind first: its self-harm words are self-harm
        return DANGER_WORDS.kind(text) or named_in_words(text) or OTHER_DANGER
    return named_in_words(text) or NONE


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SituationClassifier(GraphComponent):
    """Adds the entity `situation` (words first, then the classifier above `threshold`)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.7, "self_harm_threshold": 0.9, "self_harm_line": 0.35,
                "other_danger_threshold": 0.8, "max_iter": 500}

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

    def learned(self, messages: List[Message]) -> List[Tuple[str, float, float]]:
        """The classifier's situation, its confidence and the probability of self-harm, for each
        message (none when untrained)."""
        if self.clf is None or not messages:
            return [(NONE, 0.0, 0.0)] * len(messages)
        probabilities = self.clf.predict_proba(self._features(messages))
        classes = [str(label) for label in self.clf.classes_]
        self_harm = classes.index(SELF_HARM) if SELF_HARM in classes else None
        return [(classes[row.argmax()], float(row.max()), float(row[self_harm]) if self_harm is not None else 0.0)
                for row in probabilities]

    def process(self, messages: List[Message]) -> List[Message]:
        for message, (label, confidence, self_harm) in zip(messages, self.learned(messages)):
            named = all_named_in_words(message.get(TEXT) or "")
            for key in named:  # every one: what happened, and who is affected (a migrant)
                self._add(message, key, 1.0, LEXICON)
            if self_harm >= self.config["self_harm_line"]:
                self._add(message, SELF_HARM, self_harm, LEARNED)  # danger from it gets the crisis line
                if self_harm >= self.config["self_harm_threshold"]:
                    put_first(message, DANGER, self_harm)
            elif label == OTHER_DANGER and confidence >= self.config["other_danger_threshold"]:
                self._add(message, OTHER_DANGER, confidence, LEARNED)  # someone else causes the danger
            elif not named and label not in NOT_SITUATIONS and confidence >= self.config["threshold"]:
                self._add(message, label, confidence, LEARNED)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    @staticmethod
    def _add(message: Message, label: str, confidence: float, extractor: str) -> None:
        entity = {"entity": ENTITY, "value": label, "start": 0, "end": len(message.get(TEXT) or ""),
                  "confidence_entity": round(confidence, 3), "extractor": extractor}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
