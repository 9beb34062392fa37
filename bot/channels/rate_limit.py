"""Sliding-window request limits, per key: inside one process, or shared through Redis by
every process of a production deployment (ORIENTA_REDIS_URL)."""

import logging
import time
import uuid
from collections import defaultdict, deque
from typing import Callable, Deque, Dict, Optional, Tuple, Union

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.settings import redis_client

logger = logging.getLogger(__name__)
KEY_PREFIX = "orienta:rate"


def parse_rate(text: str) -> Tuple[int, float]:
    """'20/60' → 20 events per 60 seconds."""
    limit, seconds = text.split("/")
    return int(limit), float(seconds)


class SlidingWindow:
    """Allows at most `limit` events per `seconds` for each key, in this process."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._events: Dict[str, Deque[float]] = defaultdict(deque)
        self._noticed: Dict[str, float] = {}

    async def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events[key]
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    async def first_notice(self, key: str) -> bool:
        """True once per window for a key: when a refused person should be told."""
        now = self.clock()
        if now - self._noticed.get(key, float("-inf")) < self.seconds:
            return False
        self._noticed[key] = now
        return True


# Atomic on the server, timed by the server's clock (processes may run on several machines).
_ALLOW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window_ms = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now_ms, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window_ms)
return 1
"""


class RedisSlidingWindow:
    """The same limits, shared by every process that uses one Redis database."""

    def __init__(self, redis: Redis, name: str, limit: int, seconds: float) -> None:
        self.redis, self.name, self.limit, self.seconds = redis, name, limit, seconds
        self._allow = redis.register_script(_ALLOW)

    def _key(self, kind: str, key: str) -> str:
        return f"{KEY_PREFIX}:{self.name}:{kind}:{key}"

    async def allow(self, key: str) -> bool:
        """As SlidingWindow.allow; with Redis away, allowed (a limit never loses a message)."""
        window_ms = int(self.seconds * 1000)
        try:
            allowed = await self._allow(keys=[self._key("events", key)],
                                        args=[window_ms, self.limit, uuid.uuid4().hex])
        except RedisError as error:
            logger.warning("Rate limit not checked, Redis is away (%s).", type(error).__name__)
            return True
        return bool(allowed)

    async def first_notice(self, key: str) -> bool:
        try:
            return bool(await self.redis.set(self._key("noticed", key), 1, nx=True, px=int(self.seconds * 1000)))
        except RedisError:
            return False


def window(name: str, rate: str, redis_url: Optional[str]) -> Union[SlidingWindow, RedisSlidingWindow]:
    """The window for a rate like '20/60': shared through Redis when a URL is given."""
    limit, seconds = parse_rate(rate)
    if redis_url:
        return RedisSlidingWindow(redis_client(redis_url), name, limit, seconds)
    return SlidingWindow(limit, seconds)
