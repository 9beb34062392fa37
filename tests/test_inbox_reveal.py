"""A reveal holds for one handoff in one custody span: staff A revealed the person's data,
transferred the conversation to B, B sent it back; A reads it hidden again until A reveals
anew (over HTTP, on the staff pages and a real SQLite database)."""

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.directory import seed
from bot.handoff import service
from bot.handoff.models import StaffAudit
from bot.storage.contacts import remember
from bot.storage.crypto import Sealer
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.tracker_store import ErasableSQLTrackerStore
from tests.test_inbox_isolation import Staff
from tests.test_staff_lifecycle import DATA_KEY, DURANGO, LEON, StaffPages
from tests.test_tracker_store import DOMAIN
from tests.test_staff_lifecycle import pages  # noqa: F401 (the fixture, on this module's database)

NUMBER = "5512345678"


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[str]:
    """SQLite only: what is revealed lives in the staff member's session, not in a table."""
    url = f"sqlite:///{tmp_path / 'reveal.db'}"
    ErasableSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "reveal.db"), data_keys=[DATA_KEY])
    upgrade(url)
    seed.load(engine_for(url))
    yield url


def waiting_at(pages: StaffPages, observatory: str) -> int:
    sealer = Sealer([DATA_KEY])
    with session_scope(pages.engine) as session:
        remember(session, sealer, "person-1", "+521" + NUMBER, "+15005550006", "sms", datetime.now(timezone.utc))
        handoff, _ = service.start(session, "person-1", pages.observatory_id(observatory), "asked", "es")
        service.record(session, sealer, handoff, "person", f"mi número es {NUMBER}")
        return handoff.id


def test_a_reveal_does_not_survive_a_transfer_and_back(pages: StaffPages) -> None:  # noqa: F811 (the fixture)
    a, b = Staff(pages, pages.account("staff", LEON)[0]), Staff(pages, pages.account("staff", DURANGO)[0])
    handoff = waiting_at(pages, LEON)
    path = f"/inbox/{handoff}"

    assert a.post(f"{path}/claim") == 302 and a.post(f"{path}/reveal") == 302
    assert NUMBER in a.page(path)
    assert a.post(f"{path}/transfer", observatory_id=pages.observatory_id(DURANGO)) == 302
    assert b.post(f"{path}/claim") == 302
    assert NUMBER not in b.page(path)  # B revealed nothing
    assert b.post(f"{path}/transfer", observatory_id=pages.observatory_id(LEON)) == 302
    assert a.post(f"{path}/claim") == 302

    shown = a.page(path)
    assert NUMBER not in shown and "[teléfono]" in shown  # back with A, but in another custody span
    assert NUMBER not in a.http.get(f"{a.base}{path}/lines").text
    assert a.post(f"{path}/reveal") == 302 and NUMBER in a.page(path)
    with session_scope(pages.engine) as session:
        reveals = session.scalars(sa.select(StaffAudit.user_id).where(StaffAudit.action == "reveal")).all()
    assert len(reveals) == 2  # each reveal is audited
