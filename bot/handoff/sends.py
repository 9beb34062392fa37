"""The alerts of one sweep, each sent in a thread of its own: a send is waited for at most
SEND_S, the whole round at most ROUND_S, and one that fails or hangs does not stop the
others. A send given up on may still go later (a thread cannot be stopped); it is logged,
as is a failure, by its kind alone — never an address, a number or anything of the person."""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, List, Tuple

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """How long one send, and one round of sends, may take (seconds)."""

    send_s: float = 15.0
    round_s: float = 30.0


@dataclass
class Round:
    """The sends started during one sweep; `finish` waits for them within the limits."""

    limits: Limits
    started: float = field(default_factory=time.monotonic)
    threads: List[Tuple[threading.Thread, float]] = field(default_factory=list)

    def send(self, kind: str, action: Callable[[], object]) -> None:
        """Starts one send (`kind` names it in the log: "e-mail", "SMS")."""
        thread = threading.Thread(target=_guarded, args=(kind, action), daemon=True)
        thread.start()
        self.threads.append((thread, time.monotonic()))

    def finish(self) -> int:
        """Waits for the round's sends, each within its time and all within the round's; how many were given up."""
        end = self.started + self.limits.round_s
        for thread, began in self.threads:
            thread.join(max(0.0, min(began + self.limits.send_s, end) - time.monotonic()))
        late = sum(thread.is_alive() for thread, _ in self.threads)
        if late:
            logger.warning("%d staff alert send(s) given up: the server did not answer in time.", late)
        return late


def _guarded(kind: str, action: Callable[[], object]) -> None:
    try:
        action()
    except Exception as error:  # whatever it is, the other sends go on
        logger.warning("A staff %s alert could not be sent: %s", kind, type(error).__name__)
