"""Translations reviewed in the database: who may publish, what is served (and when no longer),
placeholders kept, every change audited, and the .po catalogues exported and imported."""

import shutil
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po, write_po

from bot.guidance.compose import Composer
from bot.replies import live, reviews
from bot.replies.catalogue import DOMAIN_FILE, LOCALES_DIR, Catalogues
from bot.replies.catalogue_tools import coverage, export, import_catalogue, source_entries, sync
from bot.replies.live import LiveReviews, source_hash
from bot.replies.models import Translation, TranslationChange
from bot.replies.render import render
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.web import accounts
from bot.web.reviewers import variants
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.conftest import fresh_postgresql_database

MENU = "[tzh] Bin ya jk'an? (menú revisado, 0)"  # test text, never in the repository's catalogues
CHANGED_MENU = "¿Qué necesitas?\nResponde con el número (0 para volver aquí):"  # a Spanish change
HOW = "[tzh] Jich ya apas (cómo denunciar, revisado)"


@pytest.fixture()
def db(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, int]]:
    """The seeded database with a Tseltal reviewer, a Tsotsil reviewer and an administrator."""
    monkeypatch.setattr(live, "CHECK_INTERVAL_S", 0)
    engine = engine_for(seeded)
    yield {"tzh": accounts.create(engine, "revisora", PASSWORD, "reviewer", review_language="tzh",
                                  review_variant="tseltal del norte"),
           "tzo": accounts.create(engine, "revisor-tzo", PASSWORD, "reviewer", review_language="tzo",
                                  review_variant=variants()["tzo"][0]["name"]),
           "admin": accounts.create(engine, "jefa", PASSWORD, "admin")}


def _served(url: str, locales: Path = LOCALES_DIR, drafts: bool = False) -> Catalogues:
    return Catalogues.load(locales, drafts=drafts, reviews=LiveReviews(lambda: url))


def test_a_published_text_is_served_at_once_and_a_draft_only_as_a_draft(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    catalogues = _served(seeded)
    assert catalogues.get("utter_main_menu", "tzh").language == "es"
    reviews.save_draft(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    assert catalogues.get("utter_main_menu", "tzh").language == "es"  # a draft is not served
    assert _served(seeded, drafts=True).get("utter_main_menu", "tzh").text == MENU  # ORIENTA_SERVE_DRAFTS
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    message = render("utter_main_menu", "tzh", catalogues, {})  # the same process: no restart
    assert message["language"] == "tzh" and message["text"].startswith(MENU + "\n1. ")
    assert catalogues.has("utter_main_menu", "tzh") and not catalogues.has("utter_main_menu", "tzo")


def test_a_change_that_commits_after_a_later_numbered_one_is_still_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a change's id is taken when it is written, not when it commits: one
    transaction holds id n uncommitted while a later one (n + 1) commits and an engine reads
    it. When the first commits, the engine still serves its text."""
    monkeypatch.setattr(live, "CHECK_INTERVAL_S", 0)
    source = source_entries()
    with fresh_postgresql_database() as url:
        upgrade(url)
        engine = engine_for(url)
        by = accounts.create(engine, "revisora", PASSWORD, "reviewer", review_language="tzh",
                             review_variant="tseltal del norte")
        catalogues = _served(url)
        with session_scope(engine) as late:
            late.add(Translation(language="tzh", key="utter_main_menu", reviewed=MENU, reviewed_by=by,
                                 source_hash=source_hash(source["utter_main_menu"])))
            late.add(TranslationChange(at=sa.func.now(), user_id=by, language="tzh", key="utter_main_menu",
                                       action="publish", text=MENU))
            late.flush()  # its id is taken; it commits at the end of this block
            reviews.publish(engine, "tzh", "item.report.how", HOW, source, by)  # a later id, committed first
            assert catalogues.say("item.report.how", "tzh") == HOW
            assert catalogues.get("utter_main_menu", "tzh").language == "es"
        assert catalogues.say("utter_main_menu", "tzh") == MENU


def test_only_a_reviewer_of_the_language_publishes(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    for by, language in ((db["tzo"], "tzh"), (db["admin"], "tzh"), (db["tzh"], "tzo")):
        with pytest.raises(PermissionError):
            reviews.publish(engine, language, "utter_main_menu", MENU, source, by)
    with pytest.raises(ValueError, match="no existe esa entrada"):
        reviews.publish(engine, "tzh", "utter_invented", MENU, source, db["tzh"])
    with pytest.raises(ValueError, match="no se traduce"):
        reviews.save_draft(engine, "es", "utter_main_menu", MENU, source, db["tzh"])
    assert not _served(seeded).has("utter_main_menu", "tzh")


@pytest.mark.parametrize("text, refusal", [
    ("Ja' {observatory}", "sobran {observatory}"), ("Ja' {", "las llaves"), ("Ja' }", "las llaves"),
    ("   ", "vacío"), ("x" * 1601, "pasa de 1600"), ("Ja' {}", "sobran {}"), ("Ja' {0}", "sobran {0}"),
])
def test_placeholders_stay_as_in_spanish(seeded: str, db: Dict[str, int], text: str, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        reviews.publish(engine_for(seeded), "tzh", "utter_main_menu", text, source_entries(), db["tzh"])


@pytest.mark.parametrize("key, changed, refusal", [
    ("utter_danger", ("911", "119"), r"números .*faltan 911; sobran 119"),
    ("line.women", ("079", "070"), r"números .*faltan 079; sobran 070"),
    ("utter_acknowledge", ("MENÚ", "menú"), r"mayúsculas .*faltan MENÚ"),
    ("utter_acknowledge", ("MENÚ", "MENÚ, 55 1234 5678"), r"números .*sobran 5512345678"),
])
def test_numbers_and_what_people_type_stay_as_in_spanish(seeded: str, db: Dict[str, int], key: str,
                                                         changed: Tuple[str, str], refusal: str) -> None:
    """A number changed or added (a wrong line) or a word people type translated is refused;
    the Spanish's own text, numbers and capitals kept, is not."""
    spanish = source_entries()[key]
    assert changed[0] in spanish
    with pytest.raises(ValueError, match=refusal):
        reviews.publish(engine_for(seeded), "tzh", key, "[tzh] " + spanish.replace(*changed), source_entries(), db["tzh"])
    reviews.publish(engine_for(seeded), "tzh", key, "[tzh] " + spanish, source_entries(), db["tzh"])


def test_a_lost_placeholder_is_refused_and_a_kept_one_is_filled(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    for lost in ("[tzh] 1 - 7", "[tzh] 1 - {highest: }", "[tzh] 1 - {highest:d}", "[tzh] 1 - {highest!r}",
                 "[tzh] 1 - {highest.real}", "[tzh] 1 - {highest[0]}"):  # each would fail when filled, or leak
        with pytest.raises(ValueError, match=r"faltan \{highest\}"):
            reviews.publish(engine, "tzh", "utter_option_out_of_range", lost, source, db["tzh"])
    reviews.publish(engine, "tzh", "utter_option_out_of_range", "[tzh] 1 - {highest}", source, db["tzh"])
    assert render("utter_option_out_of_range", "tzh", _served(seeded), {"highest": 7})["text"] == "[tzh] 1 - 7"


def test_a_guidance_sentence_is_translated_and_its_placeholders_filled(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    spanish = source["item.report.where_unknown"]
    assert "{state}" in spanish
    reviews.publish(engine, "tzh", "item.report.where_unknown", "[tzh] Ministerio Público ta {state}, 911", source,
                    db["tzh"])
    catalogues = _served(seeded)
    answer = Composer("20", say=lambda key: catalogues.say(key, "tzh")).answer("report_crime")
    text = "\n".join(answer.messages)
    assert "[tzh] Ministerio Público ta Oaxaca" in text
    assert source["item.report.how"] in text  # what is not reviewed stays in Spanish
    assert "[tzh]" not in "\n".join(Composer("20").answer("report_crime").messages)
    reviews.publish(engine, "tzh", "value_any_state", "[tzh] a estado", source, db["tzh"])  # a value, too
    national = Composer(None, say=lambda key: catalogues.say(key, "tzh")).answer("report_crime")
    assert "[tzh] a estado" in national.messages[0]


def _changed_spanish(tmp_path: Path, key: str, text: str) -> Path:
    """A copy of the catalogues whose Spanish entry `key` says `text`."""
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    path = locales / "es" / DOMAIN_FILE
    with path.open("rb") as handle:
        spanish = read_po(handle)
    spanish[key].string = text
    with path.open("wb") as handle:
        write_po(handle, spanish, width=0)
    return locales


def test_a_spanish_change_stops_the_translation_until_reviewed_again(seeded: str, db: Dict[str, int],
                                                                    tmp_path: Path) -> None:
    engine = engine_for(seeded)
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source_entries(), db["tzh"])
    changed = _changed_spanish(tmp_path, "utter_main_menu", CHANGED_MENU)
    assert _served(seeded, changed).get("utter_main_menu", "tzh").language == "es"
    with session_scope(engine) as session:
        stale = next(r for r in reviews.rows(session, "tzh", source_entries(changed)) if r.key == "utter_main_menu")
    assert (stale.status, stale.served, stale.draft) == ("stale", "", MENU)
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source_entries(changed), db["tzh"])
    assert _served(seeded, changed).get("utter_main_menu", "tzh").text == MENU


def test_sync_marks_a_translation_whose_spanish_changed_as_a_draft(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    path = locales / "tzh" / DOMAIN_FILE
    with path.open("rb") as handle:
        tseltal = read_po(handle)
    tseltal["utter_main_menu"].string = MENU
    tseltal["utter_not_safe"].string = "[tzh] reviewed, Spanish unchanged"
    with path.open("wb") as handle:
        write_po(handle, tseltal, width=0)
    sync(locales)
    changed = _changed_spanish(tmp_path / "again", "utter_main_menu", CHANGED_MENU)
    shutil.copy(path, changed / "tzh" / DOMAIN_FILE)
    sync(changed)
    with (changed / "tzh" / DOMAIN_FILE).open("rb") as handle:
        synced = read_po(handle)
    assert synced["utter_main_menu"].fuzzy and synced["utter_main_menu"].string == MENU
    assert not synced["utter_not_safe"].fuzzy
    assert synced["utter_main_menu"].auto_comments[0].startswith("es: ¿Qué necesitas?")
    assert synced["item.report.how"] is not None  # the guidance's sentences are entries too


def test_every_change_is_audited(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    reviews.save_draft(engine, "tzh", "utter_main_menu", MENU + " 1", source, db["tzh"])
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    with engine.begin() as connection:
        changes = connection.execute(sa.text(
            "SELECT user_id, action, text, variant FROM translation_changes ORDER BY id")).all()
        audit = connection.execute(sa.text(
            "SELECT user_id, action, detail FROM staff_audit WHERE action LIKE 'translation_%' ORDER BY id")).all()
    assert [tuple(c) for c in changes] == [(db["tzh"], "draft", MENU + " 1", None),
                                           (db["tzh"], "publish", MENU, "tseltal del norte")]
    assert [tuple(a) for a in audit] == [(db["tzh"], "translation_draft", "tzh · utter_main_menu"),
                                         (db["tzh"], "translation_publish", "tzh · utter_main_menu")]


def test_coverage_counts_the_reviews_per_part(seeded: str, db: Dict[str, int]) -> None:
    engine, source = engine_for(seeded), source_entries()
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    reviews.publish(engine, "tzh", "item.report.how", HOW, source, db["tzh"])
    reviews.save_draft(engine, "tzh", "utter_danger", "[tzh] 911 (borrador)", source, db["tzh"])
    found = {(c.language, c.part): c for c in coverage(reviews_of=LiveReviews(lambda: seeded))}
    assert (found["tzh", "all"].translated, found["tzh", "all"].reviewed) == (3, 2)
    assert (found["tzh", "menu"].reviewed, found["tzh", "guidance"].reviewed) == (1, 1)
    assert (found["tzh", "safety"].translated, found["tzh", "safety"].reviewed) == (1, 0)
    assert found["tzh", "all"].total == len(source) and found["tzo", "all"].reviewed == 0
    assert {part for language, part in found if language == "tzh"} >= {
        "safety", "menu", "guidance", "help nearby", "handoff"}


def test_export_then_import_keeps_one_truth(seeded: str, db: Dict[str, int], tmp_path: Path) -> None:
    engine, source = engine_for(seeded), source_entries()
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    reviews.save_draft(engine, "tzh", "item.report.how", HOW, source, db["tzh"])
    export(engine, locales)
    with (locales / "tzh" / DOMAIN_FILE).open("rb") as handle:
        exported = read_po(handle)
    assert exported["utter_main_menu"].string == MENU and not exported["utter_main_menu"].fuzzy
    assert exported["utter_main_menu"].user_comments[0].startswith("Revisó: revisora, tseltal del norte, ")
    assert exported["item.report.how"].string == HOW and exported["item.report.how"].fuzzy
    # The exported file alone serves the same (a deployment without those database rows).
    assert Catalogues.load(locales, drafts=False, reviews=LiveReviews(lambda: "sqlite:///nowhere.db")).get(
        "utter_main_menu", "tzh").text == MENU

    with pytest.raises(PermissionError):
        import_catalogue(engine, locales / "tzh" / DOMAIN_FILE, "tzh", "revisor-tzo", locales)
    with pytest.raises(ValueError, match="el archivo es el catálogo de «tzh», no de «tzo»"):
        import_catalogue(engine, locales / "tzh" / DOMAIN_FILE, "tzo", "revisor-tzo", locales)
    with pytest.raises(ValueError, match="el archivo es el catálogo de «es», no de «tzo»"):  # the source itself
        import_catalogue(engine, locales / "es" / DOMAIN_FILE, "tzo", "revisor-tzo", locales)
    exported.language_team = "tzo"  # the same texts, as a Tsotsil file
    with (tmp_path / "tzo.po").open("wb") as handle:
        write_po(handle, exported)
    assert import_catalogue(engine, tmp_path / "tzo.po", "tzo", None, locales) == {
        "published": 0, "drafts": 2, "refused": 0, "unchanged": 0}
    assert not _served(seeded).has("utter_main_menu", "tzo")  # imported without a reviewer: drafts only
    assert import_catalogue(engine, tmp_path / "tzo.po", "tzo", "revisor-tzo", locales) == {
        "published": 1, "drafts": 1, "refused": 0, "unchanged": 0}
    assert _served(seeded).get("utter_main_menu", "tzo").text == MENU
    # Importing the language's own export again changes nothing: who reviewed each entry stays.
    assert import_catalogue(engine, locales / "tzh" / DOMAIN_FILE, "tzh", "revisora", locales)["unchanged"] == 1
    with session_scope(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(sa.text("translation_changes"))
                              .where(sa.text("action = 'import'"))) == 1  # the Tsotsil one only


def test_a_withdrawn_text_gives_way_to_spanish_until_published_again(seeded: str, db: Dict[str, int],
                                                                     tmp_path: Path) -> None:
    engine, source = engine_for(seeded), source_entries()
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    catalogues = _served(seeded, locales)
    reviews.publish(engine, "tzh", "utter_main_menu", MENU, source, db["tzh"])
    assert catalogues.say("utter_main_menu", "tzh") == MENU
    export(engine, locales)  # the repository's file has it as reviewed, before the withdrawal
    shutil.copy(locales / "tzh" / DOMAIN_FILE, tmp_path / "before.po")
    for refused in (db["tzo"], db["admin"]):
        with pytest.raises(PermissionError):
            reviews.withdraw(engine, "tzh", "utter_main_menu", source, MENU, refused)
    reviews.withdraw(engine, "tzh", "utter_main_menu", source, MENU, db["tzh"])
    assert catalogues.get("utter_main_menu", "tzh").language == "es"  # the next message, no restart
    assert _served(seeded, locales, drafts=True).get("utter_main_menu", "tzh").language == "es"  # not as a draft
    assert import_catalogue(engine, tmp_path / "before.po", "tzh", "revisora", locales)["unchanged"] == 1
    assert catalogues.get("utter_main_menu", "tzh").language == "es"  # the older file does not bring it back
    with session_scope(engine) as session:
        [row] = reviews.rows(session, "tzh", {"utter_main_menu": source["utter_main_menu"]})
    assert (row.status, row.served, row.draft, row.reviewed_by) == ("withdrawn", "", MENU, "")
    export(engine, locales)
    with (locales / "tzh" / DOMAIN_FILE).open("rb") as handle:
        exported = read_po(handle)
    assert exported["utter_main_menu"].string == MENU and exported["utter_main_menu"].fuzzy  # a draft now
    reviews.publish(engine, "tzh", "utter_main_menu", MENU + ".", source, db["tzh"])
    assert catalogues.say("utter_main_menu", "tzh") == MENU + "."
    with engine.begin() as connection:
        assert [a for (a,) in connection.execute(sa.text(
            "SELECT action FROM staff_audit WHERE action LIKE 'translation_%' ORDER BY id"))] == [
            "translation_publish", "translation_withdraw", "translation_publish"]


def test_a_text_reviewed_in_the_repository_is_shown_as_served_and_can_be_withdrawn(
        seeded: str, db: Dict[str, int], tmp_path: Path) -> None:
    engine, source = engine_for(seeded), source_entries()
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    path = locales / "tzh" / DOMAIN_FILE
    with path.open("rb") as handle:
        repository = read_po(handle)
    repository["utter_main_menu"].string, repository["utter_main_menu"].flags = MENU, set()
    with path.open("wb") as handle:
        write_po(handle, repository)
    catalogues = _served(seeded, locales)
    assert catalogues.say("utter_main_menu", "tzh") == MENU
    shown = {"utter_main_menu": source["utter_main_menu"]}
    with session_scope(engine) as session:
        [row] = reviews.rows(session, "tzh", shown, lambda key: catalogues.from_repository(key, "tzh"))
    assert (row.status, row.served) == ("repository", MENU)
    reviews.withdraw(engine, "tzh", "utter_main_menu", source, row.served, db["tzh"])
    assert catalogues.get("utter_main_menu", "tzh").language == "es"  # the repository's text is not served
    with session_scope(engine) as session:
        [row] = reviews.rows(session, "tzh", shown, lambda key: catalogues.from_repository(key, "tzh"))
    assert (row.status, row.served, row.draft) == ("withdrawn", "", MENU)


@pytest.mark.parametrize("where", ["an empty SQLite file", "a server that does not answer", "no file"])
def test_without_the_reviews_table_the_repository_catalogues_are_served(tmp_path: Path, where: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    url = {"an empty SQLite file": f"sqlite:///{tmp_path / 'empty.db'}",
           "a server that does not answer": "postgresql://postgres@127.0.0.1:1/nothing",
           "no file": f"sqlite:///{tmp_path / 'absent.db'}"}[where]
    if where == "an empty SQLite file":
        sa.create_engine(url).connect().close()
    catalogues = _served(url)
    assert catalogues.get("utter_main_menu", "tzh").language == "es"
    assert render("utter_main_menu", "tzh", catalogues, {})["text"].startswith("¿En qué te puedo orientar?")
    assert not (tmp_path / "absent.db").exists()  # looking for reviews creates no database
    assert ("Reviewed translations unavailable" in caplog.text) == (where != "no file")
