"""Training data: Rasa's own validation, and a held-out set that stays held out."""

import subprocess
import sys
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.text import fold
from tests.conftest import ROOT
from tests.test_nlu_evaluation import HELDOUT


def test_rasa_data_validate_fails_on_no_warning() -> None:
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [rasa, "data", "validate", "--fail-on-warnings"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_heldout_examples_are_not_in_training() -> None:
    training = {fold(example.get("text")) for example in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    leaked = [example.get("text") for example in load_data(str(HELDOUT)).intent_examples
              if fold(example.get("text")) in training]
    assert not leaked


def test_every_intent_is_evaluated() -> None:
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    assert intents == {example.get("intent") for example in load_data(str(HELDOUT)).intent_examples}
