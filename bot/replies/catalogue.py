"""Reply catalogues: one gettext catalogue per language under locales/, read with Babel.

Catalogue entries are keyed by reply name (msgid `utter_welcome`, `option_yes`…); the
Spanish catalogue holds the source text. An entry marked fuzzy is a draft: it is served
only when ORIENTA_SERVE_DRAFTS is set, otherwise the Spanish text is used instead.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from babel.messages.pofile import read_po

from bot.languages import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN_FILE = "LC_MESSAGES/messages.po"


@dataclass(frozen=True)
class Text:
    """A reply text and the language it is actually in."""

    text: str
    language: str


def serve_drafts() -> bool:
    """Whether draft (fuzzy) entries may reach users."""
    return os.environ.get("ORIENTA_SERVE_DRAFTS", "").lower() in ("1", "true", "yes")


class Catalogues:
    """The texts of every language found under a locales directory."""

    def __init__(self, texts: Dict[str, Dict[str, str]]) -> None:
        self._texts = texts

    @classmethod
    def load(cls, locales_dir: Path = LOCALES_DIR, drafts: Optional[bool] = None) -> "Catalogues":
        """Reads every `<language>/LC_MESSAGES/messages.po` below `locales_dir`."""
        include_drafts = serve_drafts() if drafts is None else drafts
        texts: Dict[str, Dict[str, str]] = {}
        for po_file in sorted(locales_dir.glob(f"*/{DOMAIN_FILE}")):
            language = po_file.relative_to(locales_dir).parts[0]
            with po_file.open("rb") as handle:
                catalog = read_po(handle, locale=None)
            texts[language] = {
                message.id: message.string
                for message in catalog
                if message.id and message.string and (include_drafts or not message.fuzzy)
            }
        if DEFAULT_LANGUAGE not in texts:
            raise FileNotFoundError(f"No {DEFAULT_LANGUAGE} catalogue under {locales_dir}")
        return cls(texts)

    def keys(self) -> frozenset:
        """Every reply name the source (Spanish) catalogue defines."""
        return frozenset(self._texts[DEFAULT_LANGUAGE])

    def has(self, key: str, language: str) -> bool:
        """Whether `language` has a servable text for `key`."""
        return key in self._texts.get(language, {})

    def get(self, key: str, language: str) -> Optional[Text]:
        """The text for `key` in `language`, else in Spanish, else None."""
        for candidate in (language, DEFAULT_LANGUAGE):
            text = self._texts.get(candidate, {}).get(key)
            if text:
                return Text(text, candidate)
        logger.error("No catalogue entry %r", key)
        return None
