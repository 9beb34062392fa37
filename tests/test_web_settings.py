"""Staff-page settings and imports that need no running server."""

from bot.directory import csv_io, repository
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
    header = ",".join(csv_io.COLUMNS)
    row = f',other,"{name}",09,,,,,,,,,,,,"\' OR \'1\'=\'1",2026-11-01,sí'
    with session_scope(engine_for(seeded)) as session:
        report = csv_io.import_csv(session, "test", f"{header}\n{row}\n".encode())
    assert report.applied and report.created == 1
    with session_scope(engine_for(seeded)) as session:
        names = [o.name for o in repository.all_organisations(session)]
    assert name in names and len(names) > 1
