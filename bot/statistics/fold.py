"""The fold: pending counts (one row per person counted) become the daily counts, and whole
weeks are published.

Each fold adds every pending count to its cell in one transaction, the cells in a random
order, and deletes them: afterwards every cell a fold touched carries that transaction, and
no row order, id or transaction of the database tells which cells one person's turn
counted (docs/security.md says what is left before the fold).

A week is published once its Monday is GRACE behind, by the first fold after that, in the
same transaction that folds its counts: a week's figures never change once shown, and a
count of a published week that comes later (a turn that straddled midnight on Sunday) is
dropped, never added to a week already read. The fold runs with the hourly retention job;
it also deletes the statistics' marks and keys of the days before today."""

import logging
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.statistics import marks
from bot.statistics.models import DailyCount, PendingCount, Published
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
GRACE = timedelta(minutes=15)  # far longer than a turn may take (its action servers give up at 8 s)
Cell = Tuple[date, str, str, str]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def published_until(session: Session) -> Optional[date]:
    """The Monday of the first week not published; None before the first fold."""
    return session.scalar(sa.select(Published.until).where(Published.id == 1))


def fold(engine: Engine, now: Optional[datetime] = None) -> int:
    """Folds the pending counts and publishes the weeks over; returns how many were dropped
    as late."""
    now = now or datetime.now(timezone.utc)
    open_week = monday((now - GRACE).date())  # the first week not to publish yet
    with session_scope(engine) as session:
        marks.insert_if_absent(session, Published.__table__, {"id": 1, "until": open_week})
        # Taken first, so that folds run one at a time (a row lock; SQLite's write lock).
        session.execute(sa.update(Published).where(Published.id == 1).values(until=Published.until))
        until = published_until(session)
        pending = session.execute(sa.select(PendingCount.id, PendingCount.day, PendingCount.state,
                                            PendingCount.kind, PendingCount.value)).all()
        cells = Counter((row.day, row.state, row.kind, row.value) for row in pending if row.day >= until)
        increments = list(cells.items())
        random.SystemRandom().shuffle(increments)
        for cell, people in increments:
            _add(session, cell, people)
        if until < open_week:
            session.execute(sa.update(Published).where(Published.id == 1).values(until=open_week))
        ids = [row.id for row in pending]
        for start in range(0, len(ids), 500):
            session.execute(sa.delete(PendingCount).where(PendingCount.id.in_(ids[start:start + 500])))
        marks.forget_before(session, now.date())
    late = len(pending) - sum(cells.values())
    if late:
        logger.info("Statistics: %d counts of weeks already published dropped.", late)
    return late


def _add(session: Session, cell: Cell, people: int) -> None:
    day, state, kind, value = cell
    where = (DailyCount.day == day, DailyCount.state == state, DailyCount.kind == kind, DailyCount.value == value)
    if not session.execute(sa.update(DailyCount).where(*where).values(people=DailyCount.people + people)).rowcount:
        session.add(DailyCount(day=day, state=state, kind=kind, value=value, people=people))
        session.flush()
