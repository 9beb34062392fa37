"""Alembic environment: migrates the database named by the Orienta settings."""

from alembic import context

import bot.directory.models  # noqa: F401  (each import registers its tables on Base.metadata)
import bot.handoff.models  # noqa: F401
import bot.recordings.models  # noqa: F401
import bot.statistics.models  # noqa: F401
import bot.replies.models  # noqa: F401
import bot.storage.models  # noqa: F401
import bot.web.models  # noqa: F401
from bot.settings import database_url
from bot.storage.database import Base, engine_for

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()

with engine_for(url).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=config.get_main_option("version_table"),
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
