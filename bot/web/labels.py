"""Spanish names for the codes the staff pages show (bot/web/labels.yml), and for the
languages a handoff may need an interpreter for (the reply catalogue's names)."""

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from bot.replies.catalogue import Catalogues
from bot.replies.render import render

CATALOGUES = Catalogues.load()  # read once per process, as the turns do

LABELS_FILE = Path(__file__).with_name("labels.yml")


@lru_cache(maxsize=1)
def _labels() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


def label(code: str, group: str) -> str:
    """The Spanish name of `code` in `group` (a template filter: `{{ handoff.status|label("status") }}`)."""
    return _labels()[group].get(code, code)


def language(code: str) -> str:
    """A language's name in Spanish, as the assistant names it."""
    return render(f"language_name_{code}", "es", CATALOGUES, {})["text"]
