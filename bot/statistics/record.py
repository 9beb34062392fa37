"""Recording the statistics as things happen: one more person on a day's count of a kind
and value (bot/statistics/models.py), pending until the fold (bot/statistics/fold.py).
Recording never stands in the way of what it counts: a database error is logged by its
kind alone, and what the caller did is kept."""

import logging
import secrets
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.directory.models import Organisation
from bot.statistics import marks
from bot.statistics.models import PendingCount

logger = logging.getLogger(__name__)
# The kinds counted: the handoff's steps (handoff, claim_time) once per event, the others once
# per person and day (bot/statistics/marks.py; README, "Statistics").
KINDS = ("topic", "crime", "danger", "help", "channel", "language", "handoff", "claim_time", "exit")
# Kinds counted of the same people: each person counted once a day is counted in both, in one
# place (actions/counted.py), so a place's week has the same total in each (bot/statistics/tables.py).
SAME_PEOPLE = (("channel", "language"),)
TOPICS = ("report_crime", "protection", "find_help")  # actions/guidance.py, actions/help_nearby.py
HANDOFF_STEPS = ("requested", "to_desk", "escalated")  # bot/handoff/service.py, bot/handoff/escalation.py
# How long a handoff waited to be claimed, in buckets: (up to, code).
CLAIM_BUCKETS: Sequence[Tuple[timedelta, str]] = (
    (timedelta(minutes=15), "under_15m"), (timedelta(hours=1), "under_1h"), (timedelta(hours=4), "under_4h"))
CLAIMED_LATER = "over_4h"
ERASING_ACTIONS = {"action_quick_exit": "quick_exit", "action_delete_my_data": "delete_data"}


def today() -> date:
    return datetime.now(timezone.utc).date()


def add(session: Session, kind: str, value: str, state: Optional[str], day: Optional[date] = None) -> bool:
    """One more person on (day, state, kind, value), pending until the fold
    (bot/statistics/fold.py), in the caller's transaction but inside a savepoint: a failure
    undoes the count alone, is logged without anything of the person and returns False."""
    return _counted(session, kind, lambda: _pending(session, kind, value, state, day or today()))


def once(session: Session, key: bytes, of: str, kind: str, value: str, state: Optional[str], day: date) -> bool:
    """As add, unless `of` (bot/statistics/marks.py) was counted for `kind` on `day` already,
    in this conversation or any erased one; False only on a failure."""
    return _counted(session, kind,
                    lambda: marks.first(session, day, key, kind, of) and _pending(session, kind, value, state, day))


def _counted(session: Session, kind: str, count: Callable[[], Any]) -> bool:
    try:
        with session.begin_nested():
            count()
        return True
    except SQLAlchemyError as error:
        logger.warning("Statistics not recorded (%s): %s", kind, type(error).__name__)
        return False


def _pending(session: Session, kind: str, value: str, state: Optional[str], day: date) -> bool:
    session.execute(sa.insert(PendingCount).values(id=secrets.token_hex(16), day=day, state=(state or "")[:2],
                                                   kind=kind, value=value[:64]))
    return True


def day_key(engine: Engine, day: date) -> Optional[bytes]:
    """The day's key of the marks (bot/statistics/marks.py); None, logged, on a failure."""
    try:
        return marks.day_key(engine, day)
    except SQLAlchemyError as error:
        logger.warning("Statistics not recorded: %s", type(error).__name__)
        return None


def exit_kind(events: Iterable[Any]) -> str:
    """quick_exit for `salir`, delete_data for "borrar mis datos": the erasing action last run."""
    ran = [event.action_name for event in events if getattr(event, "action_name", None) in ERASING_ACTIONS]
    return ERASING_ACTIONS[ran[-1]] if ran else "delete_data"


def claim_bucket(waited: timedelta) -> str:
    """The bucket of a wait before a claim."""
    return next((code for limit, code in CLAIM_BUCKETS if waited < limit), CLAIMED_LATER)


def handoff_step(session: Session, step: str, observatory_id: int) -> None:
    """A handoff requested, moved to the national desk or escalated, counted in the state of
    the observatory that has it."""
    add(session, "handoff", step, _state_of(session, observatory_id))


def handoff_claimed(session: Session, observatory_id: int, waiting_since: Optional[datetime]) -> None:
    """A handoff claimed, counted only by how long it waited (`claim_time`, whose total is the
    claims): a count of claims beside the handoff's other steps would tell its suppressed ones.
    A handoff taken again with no wait on record (handed back by a role change) is not counted."""
    if waiting_since is not None:
        add(session, "claim_time", claim_bucket(datetime.now(timezone.utc) - waiting_since),
            _state_of(session, observatory_id))


def _state_of(session: Session, observatory_id: int) -> Optional[str]:
    return session.scalar(sa.select(Organisation.state_key).where(Organisation.id == observatory_id))
