"""The tracker store erases a conversation completely, on SQLite and on PostgreSQL."""

import asyncio
import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.storage.tracker_store import ERASURE_SLOT, ErasableSQLTrackerStore
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
SECRET = f"Me llamo Ana y vivo en la calle Sauce {uuid.uuid4().hex}"


def store_for(backend: str, tmp_path) -> ErasableSQLTrackerStore:
    if backend == "sqlite":
        return ErasableSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    return ErasableSQLTrackerStore(
        domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432,
        username="postgres", db="orienta_test", login_db="postgres",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[ErasableSQLTrackerStore]:
    yield store_for(request.param, tmp_path)


def count_rows(store: ErasableSQLTrackerStore, where: str, value: str) -> int:
    with store.engine.connect() as connection:
        query = sa.text(f"SELECT count(*) FROM events WHERE {where}")
        return connection.execute(query, {"value": value}).scalar()


def rows_of(store: ErasableSQLTrackerStore, sender: str) -> int:
    return count_rows(store, "sender_id = :value", sender)


def rows_containing(store: ErasableSQLTrackerStore, text: str) -> int:
    return count_rows(store, "data LIKE :value", f"%{text}%")


def test_a_conversation_is_stored_then_erased_entirely(store: ErasableSQLTrackerStore) -> None:
    sender = f"erase-{uuid.uuid4().hex}"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    for event in (UserUttered(SECRET, {"name": "greet"}), ActionExecuted("action_main_menu"), BotUttered("menu")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert rows_of(store, sender) > 0
    assert rows_containing(store, SECRET) > 0

    tracker.update(UserUttered("salir", {"name": "quick_exit"}))
    tracker.update(SlotSet(ERASURE_SLOT, True))
    asyncio.run(store.save(tracker))

    assert rows_of(store, sender) == 0
    assert rows_containing(store, SECRET) == 0
    fresh = asyncio.run(store.get_or_create_tracker(sender))
    assert fresh.get_slot(ERASURE_SLOT) is False
    assert not [e for e in fresh.events if isinstance(e, UserUttered)]


def test_erasing_one_conversation_keeps_the_others(store: ErasableSQLTrackerStore) -> None:
    kept, erased = f"keep-{uuid.uuid4().hex}", f"erase-{uuid.uuid4().hex}"
    for sender in (kept, erased):
        tracker = asyncio.run(store.get_or_create_tracker(sender))
        tracker.update(UserUttered("hola", {"name": "greet"}))
        asyncio.run(store.save(tracker))
    asyncio.run(store.erase(erased))
    assert rows_of(store, kept) > 0
    assert rows_of(store, erased) == 0
