"""The language catalogues follow the Spanish source; coverage counts only reviewed texts."""

import shutil
from pathlib import Path
from typing import List

from babel.messages.pofile import read_po

from bot.languages import OFFERED_LANGUAGES
from bot.replies.catalogue import LOCALES_DIR, Catalogues
from bot.replies.catalogue_tools import coverage, source_entries, sync
from tests.conftest import nahuatl_catalogue


def test_every_language_has_every_entry_of_the_source_as_it_is_now(figures: List[str], tmp_path: Path) -> None:
    """Every reply and guidance sentence, with the Spanish it shows and its review mark as
    sync leaves them (a translation whose Spanish changed is a draft again)."""
    for language in OFFERED_LANGUAGES[1:]:
        with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            assert [m.id for m in read_po(handle) if m.id] == list(source_entries()), language
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    sync(locales)
    for language in OFFERED_LANGUAGES:
        path = Path(language, "LC_MESSAGES", "messages.po")
        assert (locales / path).read_bytes() == (LOCALES_DIR / path).read_bytes(), \
            f"run: python -m bot.replies.catalogue_tools sync ({language})"
    figures.append("Catalogue coverage (translated, reviewed):")
    figures.extend(result.line() for result in coverage() if result.part == "all")


def test_sync_keeps_translations_and_review_marks(tmp_path: Path) -> None:
    with nahuatl_catalogue(tmp_path) as catalog:
        catalog["utter_welcome"].string = "Niltze (borrador)"
        catalog["utter_welcome"].flags.add("fuzzy")
        catalog["utter_main_menu"].string = "Tlen nimitzpaleuis? (revisado)"
        catalog.add("utter_gone", "ya no existe")
    locales = tmp_path / "locales"
    path = locales / "nah" / "LC_MESSAGES" / "messages.po"

    sync(locales)

    with path.open("rb") as handle:
        synced = read_po(handle)
    assert synced["utter_welcome"].string == "Niltze (borrador)" and synced["utter_welcome"].fuzzy
    assert synced["utter_main_menu"].string == "Tlen nimitzpaleuis? (revisado)" and not synced["utter_main_menu"].fuzzy
    assert synced.get("utter_gone") is None
    nah = next(result for result in coverage(locales) if result.language == "nah" and result.part == "all")
    assert (nah.translated, nah.reviewed) == (2, 1)
    served = Catalogues.load(locales, drafts=False)
    assert served.get("utter_welcome", "nah").language == "es"  # the draft is not shown
    assert served.get("utter_main_menu", "nah").text == "Tlen nimitzpaleuis? (revisado)"
