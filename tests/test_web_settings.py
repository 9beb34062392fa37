"""Staff-page settings and imports that need no running server."""

import csv
import io

from bot.directory import csv_io, repository
from bot.directory.models import Organisation
from bot.directory.validation import FIELDS, validate
from bot.settings import Settings
from bot.storage.crypto import new_key
from bot.storage.database import engine_for, session_scope
from bot.web.app import create_app


def settings() -> Settings:
    return Settings("sqlite://", (new_key(),), b"k", "AC", "token", None, None, None)


def test_cookies_are_secure_behind_https() -> None:
    app = create_app(settings(), secret_key="s", secure_cookies=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sql_in_a_csv_file_is_data(seeded: str) -> None:
    name = "x'); DROP TABLE organisations; --"
    cells = {column: "" for column in csv_io.COLUMNS} | {
        "kind": "other", "name": name, "state_key": "09", "source": "' OR '1'='1", "verified_on": "2026-11-01",
        "active": "sí"}
    data = io.StringIO()
    csv.writer(data, lineterminator="\n").writerows([csv_io.COLUMNS, [cells[column] for column in csv_io.COLUMNS]])
    with session_scope(engine_for(seeded)) as session:
        report = csv_io.import_csv(session, "test", data.getvalue().encode())
    assert report.applied and report.created == 1
    with session_scope(engine_for(seeded)) as session:
        names = [o.name for o in repository.all_organisations(session)]
    assert name in names and len(names) > 1


FORMULAS = {"name": '=HYPERLINK("https://example.com/robo","Ver expediente")', "opening_hours": "@SUM(1+1)",
            "address": "=1+1 calle Reforma",
            "services": "-2+3 asesoría", "source": "+cmd|' /C calc'!A0 (prueba)"}


def test_a_directory_export_neutralises_formulas_and_reimports_as_is(seeded: str) -> None:
    record = {name: "" for name in FIELDS} | FORMULAS | {
        "kind": "other", "state_key": "09", "latitude": "19.43", "longitude": "-99.13", "phone": "55 5533 5533",
        "verified_on": "2026-11-01", "active": "sí"}
    checked = validate(record)
    assert not checked.errors
    with session_scope(engine_for(seeded)) as session:
        organisation_id = repository.save(session, "test", checked.values).id
    with session_scope(engine_for(seeded)) as session:
        exported = csv_io.export(session)
    row = next(row for row in csv.DictReader(io.StringIO(exported)) if row["id"] == str(organisation_id))
    assert {name: row[name] for name in FORMULAS} == {name: "'" + value for name, value in FORMULAS.items()}
    assert row["phone"] == "'+525555335533" and row["longitude"] == "-99.13"  # a number is no formula

    with session_scope(engine_for(seeded)) as session:
        report = csv_io.import_csv(session, "test", exported.encode())
        assert report.applied and (report.created, report.updated) == (0, 0)
        assert repository.as_record(session.get(Organisation, organisation_id)) == checked.values


def test_every_cell_a_spreadsheet_would_run_is_neutralised_and_restored() -> None:
    for value in ("=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "'=1", "''@x"):
        assert csv_io.neutralised(value) == "'" + value and csv_io.restored(csv_io.neutralised(value)) == value
    for value in ("", "Fiscalía", "-99.13", "12", "' OR '1'='1", "a=b"):
        assert csv_io.neutralised(value) == value == csv_io.restored(value)
