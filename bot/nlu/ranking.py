"""Overruling the classifier: an intent put first in a message's ranking, the classifier's
other guesses kept behind it (they show what the model read, for the evaluation and staff)."""

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def put_first(message: Message, intent: str, confidence: float) -> None:
    """The message's intent becomes `intent`, first in its ranking, at this confidence."""
    chosen = {"name": intent, "confidence": confidence}
    ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry["name"] != intent]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
