"""The recovery sweep on a real database: a stored copy that can no longer be read is
given up once (answered, the person asked to write again), not retried forever."""

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Tuple

import sqlalchemy as sa

from bot.channels.recovery import Recovery
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import ProcessedMessage

TIMEOUT = timedelta(seconds=60)


class Told:
    """Stands in for Turns: records what the person is told; runs no turn."""

    def __init__(self) -> None:
        self.told: List[Tuple[str, str]] = []

    def tell(self, sender_id: str, reply: str, language: str) -> None:
        self.told.append((sender_id, reply))

    async def run(self, *args: object) -> bool:
        raise AssertionError("an unreadable message has no turn to run")


def test_an_unreadable_stored_message_is_given_up_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'recovery.db'}"
    upgrade(url)
    engine = engine_for(url)
    retired, current = Sealer([new_key()]), Sealer([new_key()])
    old = datetime.now(timezone.utc) - 2 * TIMEOUT
    with session_scope(engine) as session:
        session.add_all([
            ProcessedMessage(message_sid="SM-retired", sender_id="p1", received_at=old,
                             sealed_message=retired.seal('{"text": "hola"}')),
            ProcessedMessage(message_sid="SM-damaged", sender_id="p2", received_at=old,
                             sealed_message=current.seal("not json")),
        ])
    turns = Told()
    recovery = Recovery(engine, current, turns, TIMEOUT)  # type: ignore[arg-type]
    assert asyncio.run(recovery.sweep(None, None)) == 2  # type: ignore[arg-type]
    assert sorted(turns.told) == [("p1", "utter_turn_failed"), ("p2", "utter_turn_failed")]
    with session_scope(engine) as session:
        rows = session.execute(sa.select(ProcessedMessage.answered_at, ProcessedMessage.sealed_message)).all()
    assert all(answered is not None and sealed is None for answered, sealed in rows)
    assert asyncio.run(recovery.sweep(None, None)) == 0  # nothing left to retry
    assert len(turns.told) == 2
