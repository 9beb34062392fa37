"""The recovery sweep on a real database: a stored copy that cannot be read is tried again
later like a failed turn (another process may hold its key), then given up once (answered,
the person asked to write again), never retried forever."""

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Tuple

import sqlalchemy as sa

from bot.channels.recovery import MAX_ATTEMPTS, Recovery
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


def test_an_unreadable_stored_message_is_tried_later_then_given_up_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'recovery.db'}"
    upgrade(url)
    engine = engine_for(url)
    retired, current = Sealer([new_key()]), Sealer([new_key()])
    old = datetime.now(timezone.utc) - 2 * TIMEOUT
    with session_scope(engine) as session:
        session.add_all([
            ProcessedMessage(message_sid="SM-retired", sender_id="p1", received_at=old,
                             sealed_message=retired.seal('{"text": "hola"}'), attempts=0),
            ProcessedMessage(message_sid="SM-damaged", sender_id="p2", received_at=old,
                             sealed_message=current.seal("not json"), attempts=MAX_ATTEMPTS),
        ])
    turns = Told()
    recovery = Recovery(engine, current, turns, TIMEOUT)  # type: ignore[arg-type]
    assert asyncio.run(recovery.sweep(None, None)) == 2  # type: ignore[arg-type]
    assert turns.told == [("p2", "utter_turn_failed")]  # out of attempts: given up
    with session_scope(engine) as session:
        rows = dict(session.execute(sa.select(ProcessedMessage.message_sid, ProcessedMessage.answered_at)).all())
    assert rows["SM-damaged"] is not None and rows["SM-retired"] is None  # the other waits its retry
    assert asyncio.run(recovery.sweep(None, None)) == 0  # not before its backoff
    assert len(turns.told) == 1
