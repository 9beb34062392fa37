"""One lock per conversation, so its messages are taken one at a time and in order: in this
process, or through Redis for every process of a production deployment (ORIENTA_REDIS_URL).

A lock is Rasa's ticket lock: each message takes the next ticket number and waits until
its number is the lowest one left; a ticket expires after the lock lifetime (its process
died). Through Redis, the tickets of a conversation are a hash (ticket number → expiry,
plus the next number) and each step — take a ticket, look at the first, give a ticket
back — is one Lua script: atomic, timed by the server's clock, one round trip, awaited
without blocking the engine. Rasa's own RedisLockStore reads a lock, changes it and writes
it back in separate blocking calls: two processes issuing tickets for one conversation at
the same moment can both be served.
"""

import asyncio
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from bot.settings import redis_client

KEY_PREFIX = "orienta:lock:"
WAIT_S = 0.05  # between two looks at a busy lock (Rasa's default, 1 s, adds up to a second per message)

# Drops the expired tickets of a conversation; returns its lowest ticket left (false if none).
_FIRST_TICKET = """
local function first_ticket(key)
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local first = false
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    if fields[i] ~= 'next' then
      local ticket = tonumber(fields[i])
      if tonumber(fields[i + 1]) <= now then
        redis.call('HDEL', key, fields[i])
      elseif not first or ticket < first then
        first = ticket
      end
    end
  end
  return first, now
end
"""
# ARGV[1]: lifetime in ms → {the new ticket, the first ticket}.
_TAKE = _FIRST_TICKET + """
local first, now = first_ticket(KEYS[1])
local ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('HSET', KEYS[1], ticket, now + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {ticket, first or ticket}
"""
_FIRST = _FIRST_TICKET + """
return first_ticket(KEYS[1])
"""
# ARGV[1]: the ticket given back; the lock goes when no ticket is left.
_GIVE_BACK = _FIRST_TICKET + """
redis.call('HDEL', KEYS[1], ARGV[1])
if not first_ticket(KEYS[1]) then redis.call('DEL', KEYS[1]) end
return 1
"""


class ConversationLockStore(LockStore):
    """Ticket locks per conversation: through Redis when configured, else in the process."""

    def __init__(self, endpoint_config: Any = None, redis_url: Optional[str] = None) -> None:
        url = redis_url or os.environ.get("ORIENTA_REDIS_URL")
        self.red = redis_client(url) if url else None
        self._in_process = InMemoryLockStore()
        if self.red is not None:
            self._take, self._first, self._give_back = (
                self.red.register_script(script) for script in (_TAKE, _FIRST, _GIVE_BACK))

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_S) -> AsyncIterator[TicketLock]:
        if self.red is None:
            async with self._in_process.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
                yield lock
            return
        key = KEY_PREFIX + conversation_id
        ticket, first = await self._take(keys=[key], args=[int(lock_lifetime * 1000)])
        try:
            while first != ticket:
                if first is None or first > ticket:  # this ticket expired while it waited
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(wait_time_in_seconds)
                first = await self._first(keys=[key])
            yield TicketLock(conversation_id)  # callers wait for the lock; they do not read it
        finally:
            await self._give_back(keys=[key], args=[ticket])
