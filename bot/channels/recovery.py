"""The recovery sweep: a Twilio message whose turn was cut off (its process died) or
failed (an action server or a database away) is run again from its stored copy.

Its turn never saved anything (a turn's save and its answered mark are one transaction),
so it runs from the conversation as it was before it. Every dialogue engine sweeps every
SWEEP_S; taking a message over is one conditional update, so one engine runs it. After
MAX_ATTEMPTS the message is given up: marked answered, and the person is told to write
again (a danger message already had its 911 reply, bot/channels/turns.py). So is, after as
many attempts, a stored copy this process cannot read (a key not yet configured here
during a rotation, a retired key, damage): it is not run, and is tried again like a turn
that failed.
"""

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from cryptography.fernet import InvalidToken
from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine

from bot.channels.turns import RETRY_BACKOFF_S, Turns
from bot.channels.twilio_request import IncomingMessage
from bot.languages import DEFAULT_LANGUAGE
from bot.storage import processed_messages
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
SWEEP_S = 2.0
MAX_ATTEMPTS = 20  # about 17 minutes of retries (bot/channels/turns.py RETRY_BACKOFF_S)


class Recovery:
    """Runs again the turns that no process finished."""

    def __init__(self, engine: Engine, sealer: Sealer, turns: Turns, turn_timeout: timedelta) -> None:
        self.engine, self.sealer, self.turns, self.turn_timeout = engine, sealer, turns, turn_timeout
        self._running: Dict[str, "asyncio.Task[bool]"] = {}  # per person, the turn being run again

    async def run(self, agent: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Sweeps until cancelled."""
        while True:
            try:
                await self.sweep(agent, on_new_message)
            except Exception:  # the database is away: sweep again later
                logger.exception("The recovery sweep could not read the stored messages.")
            await asyncio.sleep(SWEEP_S)

    async def sweep(self, agent: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> int:
        """Runs every abandoned turn due now; returns how many were taken over."""
        taken = 0
        for message_sid, sender_id in await asyncio.to_thread(self._abandoned):
            if sender_id in self._running:  # one at a time per person, in order
                continue
            try:
                claimed = await asyncio.to_thread(self._take_over, message_sid)
            except Exception:  # the database is away for this one: the next sweep tries again
                logger.exception("A stored message could not be taken over.")
                continue
            if claimed is None:
                continue
            message, attempts = claimed
            taken += 1
            if attempts > MAX_ATTEMPTS:
                logger.error("A message's turn %s %d times; the person is asked to write again.",
                             "could not be read" if message is None else "failed", attempts)
                await asyncio.to_thread(self._give_up, message_sid, sender_id)
                continue
            if message is None:  # another process may hold the key this one lacks: later
                logger.warning("A stored message could not be read (attempt %d); tried again later.", attempts)
                await asyncio.to_thread(self._later, message_sid, attempts)
                continue
            logger.warning("Running again a turn that was not finished (attempt %d).", attempts + 1)
            task = asyncio.ensure_future(self.turns.run(message, sender_id, attempts, agent, on_new_message))
            self._running[sender_id] = task
            task.add_done_callback(lambda _, sender=sender_id: self._running.pop(sender, None))
        return taken

    def _abandoned(self) -> List[Tuple[str, str]]:
        with session_scope(self.engine) as session:
            return processed_messages.abandoned(session, datetime.now(timezone.utc), self.turn_timeout)

    def _take_over(self, message_sid: str) -> Optional[Tuple[Optional[IncomingMessage], int]]:
        """The message taken over and its attempts (the message None when its copy cannot
        be read); None if another process took it or there is nothing to run again."""
        with session_scope(self.engine) as session:
            if not processed_messages.take_over(session, message_sid, datetime.now(timezone.utc), self.turn_timeout):
                return None
            sealed, attempts = processed_messages.stored_message(session, message_sid)
            if sealed is None:  # accepted before messages were kept: nothing to run again
                processed_messages.answered(session, message_sid, datetime.now(timezone.utc))
                return None
        try:
            return IncomingMessage.from_json(self.sealer.open(sealed)), attempts
        except (InvalidToken, ValueError, TypeError, KeyError):
            return None, attempts

    def _later(self, message_sid: str, attempts: int) -> None:
        delay = timedelta(seconds=RETRY_BACKOFF_S[min(attempts, len(RETRY_BACKOFF_S) - 1)])
        with session_scope(self.engine) as session:
            processed_messages.retry_after(session, message_sid, datetime.now(timezone.utc), self.turn_timeout, delay)

    def _give_up(self, message_sid: str, sender_id: str) -> None:
        with session_scope(self.engine) as session:
            processed_messages.answered(session, message_sid, datetime.now(timezone.utc))
        self.turns.tell(sender_id, "utter_turn_failed", DEFAULT_LANGUAGE)
