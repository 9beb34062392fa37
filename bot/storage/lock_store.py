"""One lock per conversation, so its messages are taken one at a time: in this process, or
through Redis for every process of a production deployment (ORIENTA_REDIS_URL).

Rasa's RedisLockStore reads a lock, changes it and writes it back in separate calls: two
processes issuing tickets for one conversation at the same moment can both be served, and
a lock deleted after its last ticket can take a newly issued ticket with it. Here every
change of a lock is one atomic step (a Redis transaction that is retried if the lock
changed meanwhile).
"""

import json
import os
from typing import Any, AsyncContextManager, Callable, Dict, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockStore

KEY_PREFIX = "orienta:lock:"
WAIT_S = 0.05  # between two looks at a busy lock (Rasa's default, 1 s, adds up to a second per message)
Result = TypeVar("Result")
# A change of a lock: the lock as stored (None if there is none) → the lock to store
# (None to delete it) and what the caller gets back.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class ConversationLockStore(LockStore):
    """Ticket locks whose every change is atomic; shared through Redis when configured."""

    def __init__(self, endpoint_config: Any = None, redis_url: Optional[str] = None) -> None:
        url = redis_url or os.environ.get("ORIENTA_REDIS_URL")
        self.red = redis.Redis.from_url(url) if url else None
        self._local: Dict[Text, str] = {}

    def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
             wait_time_in_seconds: float = WAIT_S) -> AsyncContextManager[TicketLock]:
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    def _key(self, conversation_id: Text) -> str:
        return KEY_PREFIX + conversation_id

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        stored = self.red.get(self._key(conversation_id)) if self.red else self._local.get(conversation_id)
        return TicketLock.from_dict(json.loads(stored)) if stored else None

    def delete_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: (None, None))

    def save_lock(self, lock: TicketLock) -> None:
        self._change(lock.conversation_id, lambda _: (lock, None))

    def _change(self, conversation_id: Text, change: "Change[Result]") -> Result:
        """Applies `change` to the stored lock atomically."""
        if self.red is None:  # one process, one event loop: nothing runs in between
            lock, result = change(self.get_lock(conversation_id))
            self._store_locally(conversation_id, lock)
            return result
        key = self._key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def _store_locally(self, conversation_id: Text, lock: Optional[TicketLock]) -> None:
        if lock is None:
            self._local.pop(conversation_id, None)
        else:
            self._local[conversation_id] = lock.dumps()

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, issue)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the lock with it when no one else waits."""
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)
