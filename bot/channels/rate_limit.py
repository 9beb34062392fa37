"""Sliding-window request limits, per key, inside one process."""

import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict


class SlidingWindow:
    """Allows at most `limit` events per `seconds` for each key."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._events: Dict[str, Deque[float]] = defaultdict(deque)

    @classmethod
    def parse(cls, text: str) -> "SlidingWindow":
        """'20/60' → 20 events per 60 seconds."""
        limit, seconds = text.split("/")
        return cls(int(limit), float(seconds))

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events[key]
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True
