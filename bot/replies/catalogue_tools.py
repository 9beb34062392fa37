"""Keeps the language catalogues in step with the Spanish source, reports coverage, and moves
translations between the repository's catalogues and the staff pages' reviews.

`python -m bot.replies.catalogue_tools sync` gives every offered language a catalogue
(`locales/<code>/LC_MESSAGES/messages.po`) with every entry of the source: the replies of the
Spanish catalogue and the guidance content's sentences (from guidance/*.yml,
bot/guidance/texts.py). New entries arrive untranslated, removed ones go, and each entry
shows the Spanish text as a comment for translators. Translations and their review marks are
kept, except that a translation whose Spanish changed becomes a draft (fuzzy) again.

`python -m bot.replies.catalogue_tools coverage` prints, per language and per part (safety,
menu, guidance, help nearby, handoff: locales/parts.yml), the share of entries translated
and the share reviewed (servable now: reviewed in the repository or in the staff pages).

`python -m bot.replies.catalogue_tools export` writes the staff pages' translations into the
repository's catalogues (a reviewer downloads their language's from the review page): published texts as reviewed (with who reviewed them, the variant and
when), drafts as fuzzy. `import FILE LANGUAGE [--reviewer NAME]` loads a catalogue into the
staff pages: its entries as drafts, or, with the user name of a reviewer of that language,
its reviewed entries as published by them (a file written for another language is refused;
an entry already published with the same text keeps who reviewed it). `withdraw LANGUAGE KEY`
serves Spanish for an entry in place of its published text, until one is published again.
See docs/translating.md.

Babel's own `pybabel init` needs a CLDR locale, which none of Mexico's Indigenous
languages has; these commands use Babel's catalogue API instead.
"""

import argparse
import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional

import sqlalchemy as sa
import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.guidance.texts import source_texts
from bot.languages import DEFAULT_LANGUAGE, OFFERED_LANGUAGES
from bot.replies import reviews
from bot.replies.catalogue import DOMAIN_FILE, LOCALES_DIR, Catalogues
from bot.replies.live import LiveReviews, source_hash
from bot.replies.models import Translation
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope
from bot.web.models import User
from bot.web.reviewers import REVIEWABLE, can_review

HEADER = (
    "# Orienta reply catalogue, language «{language}».\n"
    "# Each entry shows the Spanish text (es:). Write the translation in msgstr and keep the\n"
    "# entry marked fuzzy (a draft) until a qualified speaker has reviewed it: drafts are not\n"
    "# shown to people. See docs/translating.md.\n"
)
PARTS_FILE = LOCALES_DIR / "parts.yml"
SPANISH_NOTE = "es: "


@dataclass(frozen=True)
class Coverage:
    language: str
    total: int
    translated: int
    reviewed: int
    part: str = "all"

    def line(self) -> str:
        share = lambda n: f"{n / self.total:.0%}" if self.total else "—"  # noqa: E731
        return (f"{self.language:8} {self.part:12} {self.translated:3}/{self.total} translated "
                f"({share(self.translated)}), {self.reviewed:3} reviewed ({share(self.reviewed)})")


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=None)


def source(locales: Path = LOCALES_DIR) -> Catalog:
    return _read(locales / DEFAULT_LANGUAGE / DOMAIN_FILE)


def source_entries(locales: Path = LOCALES_DIR) -> Dict[str, str]:
    """Every translatable entry and its Spanish text: the replies, then the guidance's sentences."""
    return {**{m.id: m.string for m in source(locales) if m.id}, **source_texts()}


def _written_against(message: Message) -> str:
    """The Spanish text an entry's translation was made for, as its `es:` comment says it."""
    return " ".join(" ".join(message.auto_comments).removeprefix(SPANISH_NOTE).split())


def write(handle: BinaryIO, catalog: Catalog) -> None:
    write_po(handle, catalog, width=0, omit_header=False)


def catalogue_of(language: str, locales: Path = LOCALES_DIR, changes: Optional[Dict[str, Message]] = None) -> Catalog:
    """A language's catalogue as sync writes it: its file's entries, or `changes` instead, in step
    with the source."""
    spanish_catalogue, entries = source(locales), source_entries(locales)
    path = locales / language / DOMAIN_FILE
    existing: Dict[str, Message] = {m.id: m for m in _read(path) if m.id} if path.exists() else {}
    existing.update(changes or {})
    catalog = Catalog(locale=None, project="Orienta", version="1", charset="utf-8", fuzzy=False,
                      creation_date=spanish_catalogue.creation_date, revision_date=spanish_catalogue.revision_date,
                      header_comment=HEADER.format(language=language))
    catalog.language_team = language
    for key, spanish in entries.items():
        old = existing.get(key)
        flags = set(old.flags) if old else set()
        if old and old.string and old.auto_comments and _written_against(old) != " ".join(spanish.split()):
            flags.add("fuzzy")  # the Spanish changed: to be reviewed again
        catalog.add(key, old.string if old else "", auto_comments=[SPANISH_NOTE + spanish], flags=flags,
                    user_comments=old.user_comments if old else ())
    return catalog


def sync(locales: Path = LOCALES_DIR, changes: Optional[Dict[str, Dict[str, Message]]] = None) -> List[str]:
    """Brings every language's catalogue in step with the source; returns the languages written.
    `changes`: per language, entries to write instead of what the file has (see `export`)."""
    written = []
    for language in OFFERED_LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        path = locales / language / DOMAIN_FILE
        catalog = catalogue_of(language, locales, (changes or {}).get(language))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write(handle, catalog)
        written.append(language)
    return written


def _parts(keys: List[str]) -> Dict[str, List[str]]:
    """The entries of each part, in locales/parts.yml's order; the first pattern that fits wins."""
    patterns: Dict[str, List[str]] = yaml.safe_load(PARTS_FILE.read_text(encoding="utf-8"))
    parts: Dict[str, List[str]] = {part: [] for part in patterns}
    for key in keys:
        part = next((part for part, globs in patterns.items() if any(fnmatch.fnmatchcase(key, g) for g in globs)),
                    "other")
        parts.setdefault(part, []).append(key)
    return parts


def coverage(locales: Path = LOCALES_DIR, reviews_of: Optional[LiveReviews] = None) -> List[Coverage]:
    """Per language, all entries then each part: how many are translated (drafts too) and reviewed."""
    live = reviews_of or LiveReviews()
    translated_catalogues = Catalogues.load(locales, drafts=True, reviews=live)
    reviewed_catalogues = Catalogues.load(locales, drafts=False, reviews=live)
    keys = list(source_entries(locales))
    groups = {"all": keys, **_parts(keys)}
    results = []
    for language in OFFERED_LANGUAGES:
        for part, members in groups.items():
            translated = [k for k in members if translated_catalogues.has(k, language)]
            reviewed = [k for k in members if reviewed_catalogues.has(k, language)]
            results.append(Coverage(language, len(members), len(translated), len(reviewed), part))
    return results


def database_entries(db: Session, entries: Dict[str, str]) -> Dict[str, Dict[str, Message]]:
    """The staff pages' translations as catalogue entries, per language: a text published for the
    Spanish as it is now as reviewed (with who reviewed it, the variant and when), else the draft
    as fuzzy."""
    changes: Dict[str, Dict[str, Message]] = {}
    reviewer = sa.orm.aliased(User)
    for row, name in db.execute(sa.select(Translation, reviewer.username)
                                .outerjoin(reviewer, reviewer.id == Translation.reviewed_by)):
        spanish = entries.get(row.key)
        if spanish is None or row.language not in OFFERED_LANGUAGES:
            continue
        current = row.reviewed and row.source_hash == source_hash(spanish)
        text = row.reviewed if current else row.draft
        if not text:
            continue
        note = [f"Revisó: {name}, {row.variant}, {row.reviewed_at:%Y-%m-%d}"] if current else []
        changes.setdefault(row.language, {})[row.key] = Message(
            row.key, text, auto_comments=[SPANISH_NOTE + spanish], user_comments=note,
            flags=() if current else ("fuzzy",))
    return changes


def export(engine: Engine, locales: Path = LOCALES_DIR) -> List[str]:
    """The staff pages' translations into the repository's catalogues (see the module's docstring)."""
    with session_scope(engine) as db:
        changes = database_entries(db, source_entries(locales))
    return sync(locales, changes)


def import_catalogue(engine: Engine, path: Path, language: str, reviewer: Optional[str] = None,
                     locales: Path = LOCALES_DIR) -> Dict[str, int]:
    """A catalogue's translations into the staff pages: how many were published and drafted.
    Only an entry reviewed (not fuzzy) for the Spanish as it is now is published, and only
    with a reviewer of the language; every other translated entry becomes a draft. ValueError
    if the file says it is another language's catalogue."""
    entries, catalog = source_entries(locales), _read(path)
    written_for = (catalog.language_team or "").split()[:1]
    if catalog.locale is not None and catalog.locale.language == DEFAULT_LANGUAGE:
        written_for = [DEFAULT_LANGUAGE]  # the Spanish source itself (its header names its locale)
    if written_for and written_for[0] in OFFERED_LANGUAGES and written_for[0] != language:
        raise ValueError(f"el archivo es el catálogo de «{written_for[0]}», no de «{language}»")
    by = None
    if reviewer:
        with session_scope(engine) as db:
            account = db.scalar(sa.select(User).where(User.username == reviewer.strip()))
            if account is None or not can_review(account, language):
                raise PermissionError(f"«{reviewer.strip()}» no es una cuenta que revise {language}")
            by = account.id
    with session_scope(engine) as db:
        rows = db.execute(sa.select(Translation.key, Translation.reviewed, Translation.source_hash,
                                    Translation.draft, Translation.withdrawn_at)
                          .where(Translation.language == language)).all()
    # Unchanged: published with the same text, or withdrawn with it (a file exported before the
    # withdrawal does not bring a text found wrong back).
    published = {key: text for key, text, hashed, _, _ in rows if text and hashed == source_hash(entries.get(key, ""))}
    published.update((key, draft) for key, _, _, draft, withdrawn in rows if withdrawn and draft)
    counts = {"published": 0, "drafts": 0, "refused": 0, "unchanged": 0}
    for message in catalog:
        spanish = entries.get(message.id) if message.id else None
        if spanish is None or not message.string:
            continue
        current = not message.fuzzy and (not message.auto_comments
                                         or _written_against(message) == " ".join(spanish.split()))
        try:
            if current and published.get(message.id) == message.string.replace("\r\n", "\n").strip():
                counts["unchanged"] += 1
            elif by is not None and current:
                reviews.publish(engine, language, message.id, message.string, entries, by, action="import")
                counts["published"] += 1
            else:
                reviews.save_draft(engine, language, message.id, message.string, entries, by)
                counts["drafts"] += 1
        except ValueError as error:  # e.g. a placeholder lost: the entry stays as it was
            print(f"{message.id}: {error}", file=sys.stderr)
            counts["refused"] += 1
    return counts


def _commands() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Reply catalogues: sync, coverage, export and import.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("sync", help="every language's catalogue in step with the Spanish source")
    commands.add_parser("coverage", help="translated and reviewed, per language and part")
    commands.add_parser("export", help="the staff pages' translations into locales/")
    load = commands.add_parser("import", help="a .po file's translations into the staff pages")
    load.add_argument("file", type=Path)
    load.add_argument("language", choices=REVIEWABLE)
    load.add_argument("--reviewer", help="user name of a reviewer of the language: its reviewed entries are published")
    pull = commands.add_parser("withdraw", help="Spanish served for an entry in place of its published text")
    pull.add_argument("language", choices=REVIEWABLE)
    pull.add_argument("key")
    return parser


def main(argv: List[str]) -> int:
    arguments = _commands().parse_args(argv or ["coverage"])
    if arguments.command == "sync":
        print("Catalogues written:", ", ".join(sync()))
    elif arguments.command == "coverage":
        for result in coverage():
            print(result.line())
    elif arguments.command == "export":
        print("Catalogues written:", ", ".join(export(engine_for(database_url()))))
    elif arguments.command == "withdraw":
        try:
            reviews.withdraw(engine_for(database_url()), arguments.language, arguments.key, source_entries(),
                             Catalogues.load().from_repository(arguments.key, arguments.language))
        except ValueError as error:
            print(f"Nothing withdrawn: {error}.", file=sys.stderr)
            return 1
        print(f"{arguments.language} · {arguments.key}: Spanish is served from the next message on.")
    else:
        try:
            counts = import_catalogue(engine_for(database_url()), arguments.file, arguments.language,
                                      arguments.reviewer)
        except (PermissionError, ValueError) as error:
            print(f"Nothing imported: {error}.", file=sys.stderr)
            return 1
        print(f"{counts['published']} published, {counts['drafts']} drafts, {counts['refused']} refused, "
              f"{counts['unchanged']} unchanged.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
