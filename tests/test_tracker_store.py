"""The tracker store erases a conversation completely, on SQLite and on PostgreSQL."""

import asyncio
import atexit
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.storage import processed_messages
from bot.storage.contacts import remember
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import drop_database, engine_for, ensure_database, session_scope
from bot.storage.migrate import upgrade
from bot.storage.erasure import ERASURE_SLOT
from bot.storage.tracker_store import ErasableSQLTrackerStore
from tests.conftest import POSTGRESQL_SERVER, ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
SECRET = f"Me llamo Ana y vivo en la calle Sauce {uuid.uuid4().hex}"


# One database of this run's own (another run on the machine may hold other migrations), dropped at exit.
POSTGRES_DB = f"orienta_test_{uuid.uuid4().hex[:8]}"
POSTGRES_URL = f"{POSTGRESQL_SERVER}/{POSTGRES_DB}"
KEYS = [new_key()]


@lru_cache(maxsize=None)
def _postgresql_database() -> str:
    ensure_database(POSTGRES_URL)
    atexit.register(drop_database, POSTGRES_URL)
    return POSTGRES_DB


def store_for(backend: str, tmp_path: Path) -> ErasableSQLTrackerStore:
    """A store on a migrated database: Rasa's events table and Orienta's own tables."""
    if backend == "sqlite":
        store = ErasableSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"), data_keys=KEYS)
        upgrade(f"sqlite:///{tmp_path / 't.db'}")
    else:
        store = ErasableSQLTrackerStore(
            domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432,
            username="postgres", db=_postgresql_database(), login_db="postgres", data_keys=KEYS,
        )
        upgrade(POSTGRES_URL)
    return store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ErasableSQLTrackerStore]:
    yield store_for(request.param, tmp_path)


def count(store: ErasableSQLTrackerStore, table: str, where: str, value: str) -> int:
    with store.engine.connect() as connection:
        query = sa.text(f"SELECT count(*) FROM {table} WHERE {where}")
        return connection.execute(query, {"value": value}).scalar()


def rows_of(store: ErasableSQLTrackerStore, sender: str, table: str = "events") -> int:
    return count(store, table, "sender_id = :value", sender)


def rows_containing(store: ErasableSQLTrackerStore, text: str, sender: str = "%") -> int:
    with store.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE data LIKE :text AND sender_id LIKE :sender")
        return connection.execute(query, {"text": f"%{text}%", "sender": sender}).scalar()


def test_a_conversation_is_stored_then_erased_entirely(store: ErasableSQLTrackerStore) -> None:
    sender = f"erase-{uuid.uuid4().hex}"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    for event in (UserUttered(SECRET, {"name": "greet"}), ActionExecuted("action_main_menu"), BotUttered("menu")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert rows_of(store, sender) > 0
    assert rows_containing(store, SECRET) == 0  # sealed at rest
    assert rows_containing(store, "greet", sender) == 0  # intents too
    assert count(store, "events", "sender_id = :value AND intent_name IS NOT NULL", sender) == 0
    stored = asyncio.run(store.retrieve(sender))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [SECRET]

    engine = engine_for(str(store.engine.url))
    with session_scope(engine) as session:
        remember(session, Sealer([new_key()]), sender, "whatsapp:+5215512345678", "whatsapp:+14155238886",
                 "whatsapp", datetime.now(timezone.utc))
        earlier = f"SM{uuid.uuid4().hex}"
        claim, _ = processed_messages.claim(session, earlier, sender, "sealed copy",
                                         datetime.now(timezone.utc), timedelta(seconds=60), b"key")
        processed_messages.answered(session, earlier, datetime.now(timezone.utc))  # an earlier, answered message
    assert claim is processed_messages.Claim.NEW
    assert rows_of(store, sender, "contacts") == 1

    tracker.update(UserUttered("salir", {"name": "quick_exit"}))
    tracker.update(SlotSet(ERASURE_SLOT, True))
    asyncio.run(store.save(tracker))

    assert rows_of(store, sender) == 0
    assert rows_containing(store, SECRET) == 0
    for table in ("contacts", "processed_messages", "received_media"):
        assert rows_of(store, sender, table) == 0
    fresh = asyncio.run(store.get_or_create_tracker(sender))
    assert fresh.get_slot(ERASURE_SLOT) is False
    assert not [e for e in fresh.events if isinstance(e, UserUttered)]


def test_a_message_that_arrived_during_the_exit_keeps_what_its_reply_needs(store: ErasableSQLTrackerStore) -> None:
    sender, newer = f"exit-{uuid.uuid4().hex}", f"SM{uuid.uuid4().hex}"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(SECRET, {"name": "greet"}))
    asyncio.run(store.save(tracker))
    engine = engine_for(str(store.engine.url))
    with session_scope(engine) as session:  # "me va a matar" arrives while "salir" is being answered
        remember(session, Sealer([new_key()]), sender, "+525512345678", "+15005550006", "sms",
                 datetime.now(timezone.utc))
        processed_messages.claim(session, newer, sender, "sealed copy", datetime.now(timezone.utc),
                                 timedelta(seconds=60), b"key")
    tracker.update(UserUttered("salir", {"name": "quick_exit"}))
    tracker.update(SlotSet(ERASURE_SLOT, True))
    asyncio.run(store.save(tracker))
    assert rows_of(store, sender) == 0  # the conversation is gone
    assert rows_of(store, sender, "contacts") == 1 and rows_of(store, sender, "processed_messages") == 1


def test_erasing_one_conversation_keeps_the_others(store: ErasableSQLTrackerStore) -> None:
    kept, erased = f"keep-{uuid.uuid4().hex}", f"erase-{uuid.uuid4().hex}"
    for sender in (kept, erased):
        tracker = asyncio.run(store.get_or_create_tracker(sender))
        tracker.update(UserUttered("hola", {"name": "greet"}))
        asyncio.run(store.save(tracker))
    asyncio.run(store.erase(erased))
    assert rows_of(store, kept) > 0
    assert rows_of(store, erased) == 0


def test_each_turn_stores_exactly_its_new_events(store: ErasableSQLTrackerStore) -> None:
    sender = f"turns-{uuid.uuid4().hex}"
    texts = []
    for turn in range(3):  # each turn retrieves the conversation, adds to it and saves it
        tracker = asyncio.run(store.get_or_create_tracker(sender))
        texts.append(f"mensaje {turn}")
        for event in (UserUttered(texts[-1], {"name": "greet"}), ActionExecuted("action_main_menu")):
            tracker.update(event)
        asyncio.run(store.save(tracker))
    # A tracker read otherwise (all sessions) and saved: the store counts what it holds.
    elsewhere = asyncio.run(store.retrieve_full_tracker(sender))
    elsewhere.update(UserUttered("otro", {"name": "greet"}))
    asyncio.run(store.save(elsewhere))
    stored = asyncio.run(store.retrieve(sender))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [*texts, "otro"]
    assert rows_of(store, sender) == len(stored.events)


def test_sessions_are_read_and_counted_as_rasa_reads_them(store: ErasableSQLTrackerStore) -> None:
    """The store's own event statements give what Rasa's `_event_query` gives: the latest
    session's events (all of them when none started), or every session's."""
    sender = f"sessions-{uuid.uuid4().hex}"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered("antes de toda sesión", {"name": "greet"}))
    asyncio.run(store.save(tracker))
    for session_number in range(2):  # each turn retrieves the conversation's current session
        tracker, started = asyncio.run(store.retrieve(sender)), time.time() + 10 * (session_number + 1)
        tracker.update(SessionStarted(timestamp=started))
        tracker.update(UserUttered(f"sesión {session_number}", {"name": "greet"}, timestamp=started + 1))
        asyncio.run(store.save(tracker))
    with store.session_scope() as session:
        for all_sessions in (False, True):
            rasa_reads = [json.loads(store.sealer.open(row.data))
                          for row in store._event_query(session, sender, all_sessions)]
            assert store._stored_events(sender, all_sessions) == rasa_reads
        rasa_new = SQLTrackerStore._additional_events(store, session, tracker)
        assert list(store._additional_events(session, tracker)) == list(rasa_new)
    current = asyncio.run(store.retrieve(sender))
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["sesión 1"]
    full = asyncio.run(store.retrieve_full_tracker(sender))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["antes de toda sesión", "sesión 0",
                                                                          "sesión 1"]
