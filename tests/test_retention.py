"""Idle conversations are deleted after the retention period; held ones are kept."""

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.directory import seed
from bot.handoff import service
from bot.storage.contacts import Address, ContactBook, remember
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import OutgoingMessage
from bot.storage.retention import purge
from bot.storage.tracker_store import ErasableSQLTrackerStore
from tests.conftest import ROOT

NOW = datetime.now(timezone.utc)


def test_idle_conversations_go_and_the_rest_stay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    keys = [new_key()]
    store = ErasableSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite",
                                    db=str(tmp_path / "r.db"), data_keys=keys)
    upgrade(url)
    engine = engine_for(url)
    seed.load(engine)
    contacts, sealer = ContactBook(engine, Sealer(keys)), Sealer(keys)
    ages = {"idle": 100, "recent": 10, "held": 100}
    for sender, days in ages.items():
        tracker = asyncio.run(store.get_or_create_tracker(sender))
        tracker.update(UserUttered("hola", {"name": "greet"}, timestamp=(NOW - timedelta(days=days)).timestamp()))
        asyncio.run(store.save(tracker))
        with session_scope(engine) as session:
            remember(session, sealer, sender, f"+5255000000{days:02d}", "+15005550006", "sms",
                     NOW - timedelta(days=days))
    with session_scope(engine) as session:
        service.start(session, "held", 1, "asked", "es")

    assert purge(engine, sealer, 90, NOW) == 1

    remaining = {s for s in ages if asyncio.run(store.retrieve(s))}
    assert remaining == {"recent", "held"}
    assert contacts.find("idle") is None and contacts.find("recent") is not None
    assert contacts.find("recent").last_message_at.tzinfo is not None  # UTC even on SQLite


def test_a_database_without_conversations_yet(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    assert purge(engine_for(url), Sealer([new_key()]), 90, NOW) == 0


def test_delivered_replies_leave_the_outbox_after_a_month(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    upgrade(url)
    engine, sealer = engine_for(url), Sealer([new_key()])
    contact = Address("+525500000001", "+15005550006", "sms", False, NOW)
    with session_scope(engine) as session:
        outbox.enqueue(session, sealer, "p", contact, [Reply("a"), Reply("b"), Reply("c")], outbox.ASSISTANT, NOW)
        first, second, _ = session.scalars(sa.select(OutgoingMessage.id).order_by(OutgoingMessage.id)).all()
        outbox.sent(session, first, NOW - timedelta(days=31))
        outbox.sent(session, second, NOW - timedelta(days=29))
    purge(engine, sealer, 90, NOW)
    with session_scope(engine) as session:
        assert session.scalars(sa.select(OutgoingMessage.id).order_by(OutgoingMessage.id)).all()[0] == second
        assert session.scalar(sa.select(sa.func.count(OutgoingMessage.id))) == 2  # the unsent one waits
