"""Orienta's own tables (beside Rasa's `events`), in the same database."""

import secrets
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that always reads back as an aware UTC datetime (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return value.astimezone(timezone.utc) if value is not None and value.tzinfo else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


@contextmanager
def _maintenance(url: sa.engine.URL) -> Iterator[sa.engine.Connection]:
    """A connection to the server's `postgres` database, outside any transaction."""
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with server.connect() as connection:
            yield connection
    finally:
        server.dispose()


def ensure_database(url: str) -> None:
    """Creates a PostgreSQL database that does not exist yet (SQLite creates its own file)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    with _maintenance(parsed) as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": parsed.database}).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))


def drop_database(url: str) -> None:
    """Drops a PostgreSQL database and closes this process's connections to it."""
    engine_for(url).dispose()
    parsed = sa.engine.make_url(url)
    with _maintenance(parsed) as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, uniquely named database on a PostgreSQL server, dropped afterwards (tests, benchmarks)."""
    url = f"{server_url}/{prefix}_{secrets.token_hex(4)}"
    ensure_database(url)
    try:
        yield url
    finally:
        drop_database(url)


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL and process."""
    return sa.create_engine(url, future=True, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    session = Session(bind=engine, future=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
