"""Loads bot/directory/seed.yml into an empty directory: `python -m bot.directory.seed`."""

from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.directory import repository
from bot.directory.models import Organisation
from bot.directory.validation import validate
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

SEED = Path(__file__).with_name("seed.yml")
ACTOR = "seed"


def load(engine: Engine) -> int:
    """Adds the seed organisations if the directory is empty; returns how many were added."""
    records = yaml.safe_load(SEED.read_text(encoding="utf-8"))["organisations"]
    with session_scope(engine) as session:
        if session.scalar(sa.select(sa.func.count(Organisation.id))):
            return 0
        for record in records:
            checked = validate(record)
            if checked.errors:
                raise ValueError(f"Seed entry {record.get('name')!r}: {checked.errors}")
            repository.save(session, ACTOR, checked.values)
    return len(records)


if __name__ == "__main__":
    print(f"{load(engine_for(database_url()))} organisations added to the directory.")
