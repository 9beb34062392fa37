"""Brings the database up to date: `python -m bot.storage.migrate`."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.settings import ROOT, database_url


def upgrade(url: str, revision: str = "head") -> None:
    """Applies the pending migrations to the database at `url`, up to `revision`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(Path(ROOT, "bot", "storage", "migrations")))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, revision)


if __name__ == "__main__":
    upgrade(database_url())
