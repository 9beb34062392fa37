"""Reply catalogues: complete, compilable, served honestly, and fit for a phone."""

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import actions
from actions.conversation import ReplyAction
from bot.guidance.compose import Composer
from actions.fallback import ESCALATION
from bot.languages import OFFERED_LANGUAGES
from bot.replies.catalogue import LOCALES_DIR, Catalogues
from bot.replies.catalogue_tools import source_entries
from bot.replies.menus import MENUS
from bot.replies.render import render
from bot.replies.reviews import check_published

ROOT = Path(__file__).resolve().parents[1]
WHATSAPP_MAX_CHARS = 1600
# Words that must not show in a phone's notification preview (a reply's first two lines:
# iOS and expanded Android notifications show more than one).
SENSITIVE = ("denunci", "violencia", "victima", "víctima", "peligro", "911", "delito", "golpe",
             "trata", "abuso", "fiscal", "ministerio", "protección", "proteccion")
SAMPLE_VALUES = {"highest": 4, "language_name": "Náhuatl", "where": "León, Guanajuato",
                 "observatory": "Observatorio Ciudadano de León A.C.", "body": "Te explico los pasos en Oaxaca:"}


def reply_actions() -> set:
    """Every ReplyAction the action server registers (it imports each module too)."""
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found, pending = set(), [ReplyAction]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return found


@pytest.fixture(scope="module")
def catalogues() -> Catalogues:
    return Catalogues.load()


def reply_names_in_code() -> set:
    """Every catalogue key the actions and menus can ask for."""
    names = set(ESCALATION)
    for action in reply_actions():
        names |= set(action.replies)
    for source in (ROOT / "actions").glob("*.py"):
        names |= set(re.findall(r'response="(\w+)"', source.read_text()))
    for key, options in MENUS.items():
        names.add(key)
        names |= {option.label for option in options}
    return names


def test_every_reply_the_code_uses_exists_in_spanish(catalogues: Catalogues) -> None:
    missing = reply_names_in_code() - catalogues.keys()
    assert not missing


def test_every_offered_language_has_a_name(catalogues: Catalogues) -> None:
    assert all(catalogues.has(f"language_name_{code}", "es") for code in OFFERED_LANGUAGES)


@pytest.mark.parametrize("po_file", sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")), ids=str)
def test_catalogues_compile(po_file: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "compile", "--statistics",
         "-i", po_file, "-o", tmp_path / "messages.mo", "-l", po_file.parts[-3]],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "messages.mo").stat().st_size > 0


@pytest.mark.parametrize("po_file", sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")), ids=str)
def test_a_translation_in_the_repository_keeps_the_spanish_numbers_and_capitals(po_file: Path) -> None:
    """What the repository's catalogues would serve as reviewed passes the check a reviewer's
    publication passes (bot/replies/reviews.py)."""
    spanish = source_entries()
    with po_file.open("rb") as handle:
        translated = [m for m in read_po(handle) if m.id in spanish and m.string and not m.fuzzy]
    for message in translated if po_file.parts[-3] != "es" else []:
        check_published(message.string, spanish[message.id])


def preview(text: str) -> str:
    """What a lock screen shows of a message: its first two lines."""
    return "\n".join(text.splitlines()[:2]).casefold()


def test_every_reply_fits_one_whatsapp_message_and_starts_neutrally(catalogues: Catalogues) -> None:
    for key in sorted(catalogues.keys()):
        message = render(key, "es", catalogues, SAMPLE_VALUES)
        assert len(message["text"]) <= WHATSAPP_MAX_CHARS, key
        # A reply's first two lines; a part (help_…, handoff_…) may be a reply's second line: its first.
        if key.startswith(("option_", "language_name_", "value_")):
            continue  # a numbered option comes after a reply's own lines; a value goes inside a sentence
        shown = preview(message["text"]) if key.startswith("utter_") else preview(message["text"]).split("\n")[0]
        assert not any(word in shown for word in SENSITIVE), (key, shown)


def test_the_welcome_tells_how_to_hide_previews_and_the_exit_how_to_clear_the_chat(catalogues: Catalogues) -> None:
    welcome = render("utter_welcome", "es", catalogues, {})["text"].splitlines()
    assert any("vista previa" in line and "WhatsApp" in line for line in welcome[:4])
    assert "borro lo que guardé" in "\n".join(welcome)
    exit_lines = render("utter_quick_exit", "es", catalogues, {})["text"].splitlines()
    assert len(exit_lines) == 2 and "elimina el chat" in exit_lines[1] and "borra la conversación" in exit_lines[1]


def test_legal_answers_end_with_their_sources_and_check_date(catalogues: Catalogues) -> None:
    answer = Composer("20").answer("protection")
    parts = [{"key": "guidance_sources", "values": {"sources": answer.source_names, "checked": answer.checked}}]
    text = render("utter_guidance", "es", catalogues, {"body": answer.messages[-1]}, parts=parts)["text"]
    assert re.search(r"\nFuentes: .+\. Revisado: \d{2}-\d{2}-\d{4}\. Escribe FUENTE", text)


def test_options_are_numbered_and_carry_their_payloads(catalogues: Catalogues) -> None:
    message = render("utter_main_menu", "es", catalogues, {})
    lines = message["text"].splitlines()
    assert lines[2:] == [f"{n}. {b['title']}" for n, b in enumerate(message["buttons"], start=1)]
    assert [b["payload"] for b in message["buttons"]] == [o.payload for o in MENUS["utter_main_menu"]]


def test_placeholders_are_filled(catalogues: Catalogues) -> None:
    text = render("utter_option_out_of_range", "es", catalogues, {"highest": 7})["text"]
    assert "7" in text and "{" not in text


def write_po(path: Path, entries: str) -> None:
    path.mkdir(parents=True)
    (path / "messages.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n' + entries)


@pytest.fixture()
def locales(tmp_path: Path) -> Path:
    write_po(tmp_path / "es" / "LC_MESSAGES", 'msgid "utter_hi"\nmsgstr "Hola"\n\nmsgid "utter_bye"\nmsgstr "Adiós"\n')
    write_po(
        tmp_path / "nah" / "LC_MESSAGES",
        '#, fuzzy\nmsgid "utter_hi"\nmsgstr "Niltze"\n\nmsgid "utter_bye"\nmsgstr ""\n',
    )
    return tmp_path


def test_drafts_are_not_served_by_default(locales: Path) -> None:
    entry = Catalogues.load(locales, drafts=False).get("utter_hi", "nah")
    assert (entry.text, entry.language) == ("Hola", "es")


def test_drafts_are_served_when_allowed(locales: Path) -> None:
    entry = Catalogues.load(locales, drafts=True).get("utter_hi", "nah")
    assert (entry.text, entry.language) == ("Niltze", "nah")


def test_untranslated_and_unknown_languages_fall_back_to_spanish(locales: Path) -> None:
    catalogues = Catalogues.load(locales)
    assert catalogues.get("utter_bye", "nah").language == "es"
    assert catalogues.get("utter_bye", "xx").text == "Adiós"
    assert catalogues.get("utter_nothing", "es") is None
