"""The purger: deletes from Twilio what the deletion queue holds (bot/delivery/purge.py).

Every dialogue engine runs one, beside its courier. Every POLL_S it copies the received
files still to be kept for staff (bot/delivery/media_copy.py), queues what Orienta is done
with, then deletes the due Twilio messages, a few at a time, each within DELETE_TIMEOUT_S.
A failure (Twilio refusing a message it is still delivering, answering 5xx, hanging or
away) leaves the row for a later pass after its backoff; the queue lives in the database,
so restarts lose nothing. It runs apart from the turns and the courier: Twilio being slow
or away delays only deletions.
"""

import asyncio
import logging
from datetime import datetime, timezone
from typing import List, Tuple

from sqlalchemy.engine import Engine

from bot.channels.twilio_sender import TwilioSender
from bot.delivery import purge
from bot.delivery.courier import SEND_ERRORS, error_kind
from bot.delivery.media_copy import MediaCopier
from bot.delivery.repeat import forever
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
POLL_S = 2.0
DELETE_TIMEOUT_S = 15.0  # a message with its media: a few requests to Twilio (the client sets no timeout of its own)
PARALLEL = 4


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Purger:
    """Deletes the Twilio messages of one database through one Twilio client."""

    def __init__(self, engine: Engine, sealer: Sealer, sender: TwilioSender, copier: MediaCopier) -> None:
        self.engine, self.sealer, self.sender, self.copier = engine, sealer, sender, copier
        self._slots = asyncio.Semaphore(PARALLEL)

    async def run(self) -> None:
        """Deletes until cancelled."""
        await forever(self.sweep, POLL_S, "The Twilio deletion queue")

    async def sweep(self) -> int:
        """One pass; returns how many Twilio messages were deleted."""
        await asyncio.to_thread(self.copier.copy_due)
        await asyncio.to_thread(self._collect)
        jobs = await asyncio.to_thread(self._lease)
        return sum(await asyncio.gather(*(self._delete(job) for job in jobs)))

    def _collect(self) -> int:
        with session_scope(self.engine) as session:
            return purge.collect(session, self.sealer, _now())

    def _lease(self) -> List[Tuple[int, str, int]]:
        with session_scope(self.engine) as session:
            return purge.lease(session, self.sealer, _now())

    async def _delete(self, job: Tuple[int, str, int]) -> bool:
        row_id, message_sid, attempts = job
        async with self._slots:
            try:
                await asyncio.wait_for(self.sender.delete(message_sid), timeout=DELETE_TIMEOUT_S)
            except SEND_ERRORS as error:
                await asyncio.to_thread(self._failed, row_id, attempts, error_kind(error))
                logger.info("A Twilio message was not deleted yet (%s); will retry.", error_kind(error))
                return False
        await asyncio.to_thread(self._deleted, row_id)
        return True

    def _failed(self, row_id: int, attempts: int, error: str) -> None:
        with session_scope(self.engine) as session:
            purge.failed(session, row_id, attempts, error, _now())

    def _deleted(self, row_id: int) -> None:
        with session_scope(self.engine) as session:
            purge.deleted(session, row_id)
