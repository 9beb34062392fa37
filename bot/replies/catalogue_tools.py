"""Keeps the language catalogues in step with the Spanish source, and reports coverage.

`python -m bot.replies.catalogue_tools sync` gives every offered language a catalogue
(`locales/<code>/LC_MESSAGES/messages.po`) with every reply of the Spanish catalogue: new
replies arrive untranslated, removed ones go, and each entry shows the Spanish text as a
comment for translators. Translations and their review marks are kept.

`python -m bot.replies.catalogue_tools coverage` prints, per language, the share of replies
translated and the share reviewed (translated and not marked fuzzy, i.e. not a draft).

Babel's own `pybabel init` needs a CLDR locale, which none of Mexico's Indigenous
languages has; these commands use Babel's catalogue API instead.
"""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.languages import DEFAULT_LANGUAGE, OFFERED_LANGUAGES
from bot.replies.catalogue import DOMAIN_FILE, LOCALES_DIR

HEADER = (
    "# Orienta reply catalogue, language «{language}».\n"
    "# Each entry shows the Spanish text (es:). Write the translation in msgstr and keep the\n"
    "# entry marked fuzzy (a draft) until a qualified speaker has reviewed it: drafts are not\n"
    "# shown to people. See docs/translating.md.\n"
)


@dataclass(frozen=True)
class Coverage:
    language: str
    total: int
    translated: int
    reviewed: int

    def line(self) -> str:
        share = lambda n: f"{n / self.total:.0%}" if self.total else "—"  # noqa: E731
        return (f"{self.language:8} {self.translated:3}/{self.total} translated ({share(self.translated)}), "
                f"{self.reviewed:3} reviewed ({share(self.reviewed)})")


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=None)


def source(locales: Path = LOCALES_DIR) -> Catalog:
    return _read(locales / DEFAULT_LANGUAGE / DOMAIN_FILE)


def sync(locales: Path = LOCALES_DIR) -> List[str]:
    """Brings every language's catalogue in step with the Spanish one; returns the languages written."""
    spanish = source(locales)
    written = []
    for language in OFFERED_LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        path = locales / language / DOMAIN_FILE
        existing: Dict[str, object] = {}
        if path.exists():
            existing = {message.id: message for message in _read(path) if message.id}
        catalog = Catalog(locale=None, project="Orienta", version="1", charset="utf-8", fuzzy=False,
                          creation_date=spanish.creation_date, revision_date=spanish.revision_date,
                          header_comment=HEADER.format(language=language))
        catalog.language_team = language
        for message in spanish:
            if not message.id:
                continue
            old = existing.get(message.id)
            catalog.add(message.id, old.string if old else "", auto_comments=[f"es: {message.string}"],
                        flags=old.flags if old else ())
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False)
        written.append(language)
    return written


def coverage(locales: Path = LOCALES_DIR) -> List[Coverage]:
    total = len([m for m in source(locales) if m.id])
    results = []
    for language in OFFERED_LANGUAGES:
        path = locales / language / DOMAIN_FILE
        messages = [m for m in _read(path) if m.id] if path.exists() else []
        translated = [m for m in messages if m.string]
        results.append(Coverage(language, total, len(translated), len([m for m in translated if not m.fuzzy])))
    return results


def main(argv: List[str]) -> int:
    command = argv[0] if argv else "coverage"
    if command == "sync":
        print("Catalogues written:", ", ".join(sync()))
    elif command == "coverage":
        for result in coverage():
            print(result.line())
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
