"""Reply catalogues: one gettext catalogue per language under locales/, read with Babel,
and the translations reviewed in the staff pages (bot/replies/live.py), which take precedence.

Catalogue entries are keyed by reply name (msgid `utter_welcome`, `option_yes`…) or, for
the guidance content, by item (`item.report.where`, bot/guidance/texts.py); the Spanish
catalogue and the guidance YAML hold the source text. An entry marked fuzzy is a draft: it
is served only when ORIENTA_SERVE_DRAFTS is set, otherwise the Spanish text is used instead.
A text reviewed in the staff pages is served while the Spanish it was reviewed against is
unchanged; a draft made there, only when ORIENTA_SERVE_DRAFTS is set. An entry withdrawn there
is served in Spanish, whatever the repository's catalogue says.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from babel.messages.pofile import read_po

from bot.guidance.texts import source_texts
from bot.languages import DEFAULT_LANGUAGE
from bot.replies.live import LiveReviews

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

    def __init__(self, texts: Dict[str, Dict[str, str]], reviews: Optional[LiveReviews] = None,
                 drafts: bool = False) -> None:
        self._texts = texts
        self._reviews = reviews
        self._drafts = drafts

    @classmethod
    def load(cls, locales_dir: Path = LOCALES_DIR, drafts: Optional[bool] = None,
             reviews: Optional[LiveReviews] = None) -> "Catalogues":
        """Reads every `<language>/LC_MESSAGES/messages.po` below `locales_dir`, and the guidance
        content's Spanish; `reviews`: the staff pages' translations (default: the deployment's
        database, bot/settings.py)."""
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
        texts[DEFAULT_LANGUAGE] = {**source_texts(), **texts[DEFAULT_LANGUAGE]}
        return cls(texts, reviews or LiveReviews(), include_drafts)

    def keys(self) -> frozenset:
        """Every reply name the source (Spanish) catalogue defines (the guidance's sentences aside)."""
        return frozenset(self._texts[DEFAULT_LANGUAGE]) - frozenset(source_texts())

    def spanish(self, key: str) -> Optional[str]:
        """The source text of `key`."""
        return self._texts[DEFAULT_LANGUAGE].get(key)

    def _text(self, key: str, language: str) -> Optional[str]:
        """What `language` serves for `key`: the staff pages' reviewed text, else the repository's."""
        if language != DEFAULT_LANGUAGE and self._reviews is not None:
            reviewed = self._reviews.text(language, key, self.spanish(key), self._drafts)
            if reviewed is not None:
                return reviewed or None  # "": withdrawn
        return self.from_repository(key, language)

    def from_repository(self, key: str, language: str) -> Optional[str]:
        """The repository's catalogue text for `key` in `language` (drafts only when served)."""
        return self._texts.get(language, {}).get(key)

    def has(self, key: str, language: str) -> bool:
        """Whether `language` has a servable text for `key`."""
        return bool(self._text(key, language))

    def get(self, key: str, language: str) -> Optional[Text]:
        """The text for `key` in `language`, else in Spanish, else None."""
        for candidate in (language, DEFAULT_LANGUAGE):
            text = self._text(key, candidate)
            if text:
                return Text(text, candidate)
        logger.error("No catalogue entry %r", key)
        return None

    def say(self, key: str, language: str) -> str:
        """The text for `key` in `language`, else in Spanish (a key the source has)."""
        found = self.get(key, language)
        if found is None:
            raise KeyError(key)
        return found.text
