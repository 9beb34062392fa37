"""A background pass run forever, each pass after the last, surviving its failures."""

import asyncio
import logging
from typing import Any, Awaitable, Callable

logger = logging.getLogger(__name__)


async def forever(one_pass: Callable[[], Awaitable[Any]], pause_s: float, what: str) -> None:
    """Runs `one_pass` every `pause_s` until cancelled; a failed pass (the database away)
    is logged, naming `what` it reads, and the next one tries again."""
    while True:
        try:
            await one_pass()
        except Exception:
            logger.exception("%s could not be read; trying again.", what)
        await asyncio.sleep(pause_s)
