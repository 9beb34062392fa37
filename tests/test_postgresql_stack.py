"""The whole assistant on the machine's PostgreSQL: conversations sealed at rest, erasable."""

import secrets
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.channels.outgoing_text import to_gsm7
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests.conftest import RunningAssistant, running_assistant

SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    name = f"orienta_stack_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield f"{SERVER}/{name}"
    sa.create_engine(f"{SERVER}/{name}").dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def on_postgresql(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningAssistant]:
    with running_assistant(tmp_path_factory.mktemp("postgresql"), {"ORIENTA_DATABASE_URL": database}) as running:
        yield running


def everything_in(database: str) -> str:
    """Every text column of every table, as one string: what a stolen dump would show."""
    engine = sa.create_engine(database)
    inspector = sa.inspect(engine)
    parts = []
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table) if isinstance(c["type"], (sa.String, sa.Text))]
            for column in columns:
                parts += [str(v) for (v,) in connection.execute(sa.text(f'SELECT "{column}" FROM "{table}"'))]
    return "\n".join(parts)


def test_nothing_readable_at_rest_and_quick_exit_erases(on_postgresql: RunningAssistant, database: str) -> None:
    catalogues = Catalogues.load()
    phone = on_postgresql.phone("sms")
    secret = f"Me llamo Lucía Torres, vivo en la calle Roble {secrets.token_hex(4)}"
    assert phone.say("hola") == [to_gsm7(render("utter_welcome", "es", catalogues, {})["text"])]
    phone.say("1")
    phone.say("1")
    phone.say(secret)
    assert phone.say("me está siguiendo")[0] == to_gsm7(render("utter_danger", "es", catalogues, {})["text"])
    dump = everything_in(database)
    assert phone.sender_id in dump  # the conversation is there…
    for clear in (secret, "Lucía", "Roble", phone.number[-10:], "me está siguiendo", "¿En qué te puedo orientar?"):
        assert clear not in dump  # …but nothing of it can be read
    assert phone.say("salir") == [to_gsm7(render("utter_quick_exit", "es", catalogues, {})["text"])]
    assert phone.sender_id not in everything_in(database)
