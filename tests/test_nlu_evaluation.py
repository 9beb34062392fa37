"""NLU evaluation on held-out examples, with the trained model and the full pipeline.

The floor is stated in the README; the per-intent table is printed on every run.
"""

import asyncio
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import classification_report, f1_score

from tests.conftest import MODEL

HELDOUT = Path(__file__).with_name("nlu") / "heldout.yml"
MACRO_F1_FLOOR = 0.90
# Off-topic messages end in the misunderstanding path either way.
SAME_OUTCOME = {"nlu_fallback": "out_of_scope"}


@pytest.fixture(scope="module")
def heldout() -> Tuple[List[str], List[str]]:
    """Expected and predicted intents of every held-out example."""
    agent = Agent.load(str(MODEL))
    examples = load_data(str(HELDOUT)).intent_examples
    expected = [example.get("intent") for example in examples]
    loop = asyncio.new_event_loop()
    try:
        predicted = [
            loop.run_until_complete(agent.parse_message(example.get("text")))["intent"]["name"]
            for example in examples
        ]
        predicted = [SAME_OUTCOME.get(name, name) for name in predicted]
    finally:
        loop.close()
    return expected, predicted


def test_heldout_macro_f1_is_above_the_floor(
    heldout: Tuple[List[str], List[str]], figures: List[str]
) -> None:
    expected, predicted = heldout
    labels = sorted(set(expected))
    misses = sum(e != p for e, p in zip(expected, predicted))
    macro = f1_score(expected, predicted, average="macro", labels=labels, zero_division=0)
    figures.append(f"NLU on {len(expected)} held-out examples ({misses} misclassified):")
    figures.extend(classification_report(expected, predicted, labels=labels, zero_division=0).splitlines())
    figures.append(f"NLU macro F1 {macro:.3f} (floor {MACRO_F1_FLOOR})")
    assert macro >= MACRO_F1_FLOOR


def test_every_danger_example_is_recognised(heldout: Tuple[List[str], List[str]]) -> None:
    expected, predicted = heldout
    missed = [p for e, p in zip(expected, predicted) if e == "danger" and p != "danger"]
    assert not missed
