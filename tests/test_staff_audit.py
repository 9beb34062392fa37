"""The staff audit across the migration that makes it outlive erasure, on SQLite and
PostgreSQL: rows from before keep their author and action and get a case reference;
handoff ids are never given again after an erasure."""

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.directory.models import Organisation
from bot.handoff import service
from bot.handoff.models import Handoff, StaffAudit
from bot.storage.database import engine_for, session_scope
from bot.storage.erasure import erase_sender
from bot.storage.migrate import upgrade
from tests.conftest import fresh_postgresql_database

NOW = datetime.now(timezone.utc)
# The two tables as revision 0006 has them.
HANDOFFS_0006 = sa.table("handoffs", *(sa.column(name) for name in (
    "id", "sender_id", "observatory_id", "status", "reason", "language", "created_at")))
AUDIT_0006 = sa.table("staff_audit", *(sa.column(name) for name in (
    "at", "user_id", "action", "handoff_id", "sender_id")))
USERS_0006 = sa.table("users", *(sa.column(name) for name in (
    "id", "username", "password_hash", "role", "observatory_id", "active", "failed_logins")))


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.db'}"
        upgrade(url, "0006")
        yield url
        return
    with fresh_postgresql_database() as url:
        upgrade(url, "0006")
        yield url


def test_the_audit_outlives_erasure_and_handoff_ids_are_never_reused(before_0007: str) -> None:
    engine = engine_for(before_0007)
    with engine.begin() as connection:
        organisation = connection.execute(sa.insert(Organisation.__table__).values(
            name="Observatorio de prueba", kind="observatory", state_key="11", onc_network="", source="prueba",
            verified_on=NOW.date(), active=True, updated_at=NOW)).inserted_primary_key[0]
    with engine.begin() as connection:
        connection.execute(sa.insert(USERS_0006).values(
            username="staff", password_hash="-", role="staff", observatory_id=organisation, active=True,
            failed_logins=0))
        user = connection.execute(sa.select(USERS_0006.c.id)).scalar_one()
        connection.execute(sa.insert(HANDOFFS_0006).values(
            sender_id="before", observatory_id=organisation, status="active", reason="asked", language="es",
            created_at=NOW))
        old = connection.execute(sa.select(HANDOFFS_0006.c.id)).scalar_one()
        connection.execute(sa.insert(AUDIT_0006).values(
            at=NOW, user_id=user, action="reveal", handoff_id=old, sender_id="before"))
    upgrade(before_0007)
    with session_scope(engine) as session:
        migrated = session.scalars(sa.select(StaffAudit)).one()
        assert migrated.case_ref and migrated.case_ref == session.get(Handoff, old).case_ref
        newer, _ = service.start(session, "after", organisation, "asked", "es")
        newest_id = newer.id
    with session_scope(engine) as session:
        erase_sender(session, "after")
        erase_sender(session, "before")
    with session_scope(engine) as session:
        kept = session.execute(sa.select(StaffAudit.action, StaffAudit.user_id, StaffAudit.handoff_id,
                                         StaffAudit.sender_id)).all()
        assert kept == [("reveal", user, None, None)]
        again, _ = service.start(session, "someone else", organisation, "asked", "es")
        assert again.id > newest_id  # never the id of an erased handoff
