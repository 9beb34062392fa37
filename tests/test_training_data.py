"""Training data: Rasa's own validation, and a held-out set that stays held out."""

import subprocess
import sys
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from tests.conftest import ROOT
from tests.near_duplicates import leaks
from tests.test_nlu_evaluation import HELDOUT

# Decided only by keywords (bot/nlu/keywords.yml: the classifier may never
# choose them), so any held-out example would be a training word with punctuation added:
# tests/test_keyword_intents.py and tests/test_voice_recordings.py check these words instead.
KEYWORD_ONLY_INTENTS = {"quick_exit", "audio_on", "audio_off"}


def labelled(path: Path) -> list:
    return [(example.get("intent"), example.get("text")) for example in load_data(str(path)).intent_examples]


def test_rasa_data_validate_fails_on_no_warning() -> None:
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [rasa, "data", "validate", "--fail-on-warnings"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_no_heldout_example_is_a_near_duplicate_of_a_training_example() -> None:
    """Equal once normalised, ≥ 90 % similar, or one word apart (tests/near_duplicates.py)."""
    found = leaks(labelled(HELDOUT), labelled(ROOT / "data" / "nlu"))
    assert not found, "\n".join(str(leak) for leak in found)


def test_every_intent_is_evaluated() -> None:
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"]) - KEYWORD_ONLY_INTENTS
    assert intents == {example.get("intent") for example in load_data(str(HELDOUT)).intent_examples}
