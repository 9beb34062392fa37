"""NLU evaluation on held-out examples, with the trained model and the full pipeline.

The floor is stated in the README; the per-intent table is printed on every run. Danger
recall is also printed for the learned part alone: the intent the pipeline holds just
before the keyword rules (bot.nlu.keyword_intents) overrule it, read from the same trained
model. That figure is reported, not enforced.
"""

import asyncio
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from sklearn.metrics import classification_report, f1_score

from tests.conftest import MODEL

HELDOUT = Path(__file__).with_name("nlu") / "heldout.yml"
# Set from the first measure on a set with no near-copies of training data (0.847,
# 2026-12-01; README, "Quality floor").
MACRO_F1_FLOOR = 0.82
# Off-topic messages end in the misunderstanding path either way.
SAME_OUTCOME = {"nlu_fallback": "out_of_scope"}


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(MODEL))


@pytest.fixture(scope="module")
def examples() -> List[Message]:
    return list(load_data(str(HELDOUT)).intent_examples)


@pytest.fixture(scope="module")
def heldout(agent: Agent, examples: List[Message]) -> Tuple[List[str], List[str]]:
    """Expected and predicted intents of every held-out example."""
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


def before_keyword_rules(agent: Agent, text: str) -> str:
    """The intent of `text` from the pipeline without its keyword rules: the output of the
    node the KeywordIntents component reads (the classifier, its fallback threshold and the
    language guess)."""
    nodes = agent.processor.model_metadata.predict_schema.nodes
    rules = next(name for name, node in nodes.items() if node.uses.__name__ == "KeywordIntents")
    learned = nodes[rules].needs["messages"]
    output = agent.processor.graph_runner.run(inputs={"__message__": [UserMessage(text)]}, targets=[learned])
    return (output[learned][0].get("intent") or {}).get("name", "")


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


def test_danger_recall_of_the_learned_part_alone_is_reported(
    agent: Agent, examples: List[Message], heldout: Tuple[List[str], List[str]], figures: List[str]
) -> None:
    expected, predicted = heldout
    danger = [example.get("text") for example in examples if example.get("intent") == "danger"]
    learned_hits = [text for text in danger if before_keyword_rules(agent, text) == "danger"]
    whole_hits = sum(e == p == "danger" for e, p in zip(expected, predicted))
    figures.append(
        f"NLU danger recall on {len(danger)} held-out examples: whole pipeline "
        f"{whole_hits}/{len(danger)}, learned part alone (no keyword rules) {len(learned_hits)}/{len(danger)}"
    )
    missed = sorted(set(danger) - set(learned_hits))
    if missed:
        figures.append("  missed by the learned part alone: " + "; ".join(missed))
