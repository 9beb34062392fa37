"""When a waiting handoff is due to be escalated, and to what step.

A handoff's time counts only while someone could answer it: while its observatory's staff
are on duty (per its staffed hours; all the time when it lists none). It goes to the
national desk only while the desk answers; also, once it has waited the limit, when its
own observatory is closed and the desk is not, since the desk can answer sooner. Otherwise
the step is the second alert and the lines that answer now.
"""

from datetime import datetime, timedelta
from typing import Optional

from bot.directory.models import Organisation
from bot.handoff.service import answers_now, on_duty_since

TO_DESK, TO_LINES = "desk", "lines"


def next_step(observatory: Organisation, desk: Optional[Organisation], since: datetime, now: datetime,
              after: timedelta) -> Optional[str]:
    """TO_DESK, TO_LINES, or None while it is not due: for a handoff waiting at `observatory`
    since `since`, with `desk` the staffed national desk (if any)."""
    on_duty = on_duty_since(observatory, since, now) >= after
    if desk is not None and desk.id != observatory.id and answers_now(desk, now):
        if on_duty or (now - since >= after and not answers_now(observatory, now)):
            return TO_DESK
    return TO_LINES if on_duty else None
