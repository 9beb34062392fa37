"""The observatories' statistics: counts of what happened, by day, state, kind and value.
No pseudonym, no text, no time finer than the day: nothing in them leads to a person, so
they are kept apart from conversations and outlive their erasure (docs/security.md)."""

import sqlalchemy as sa

from bot.storage.database import Base


class DailyCount(Base):
    """How many people, on one day in one state ('' when not told), a kind of thing happened
    to with one value (the topic asked, the help found, the channel…)."""

    __tablename__ = "stat_counts"
    __table_args__ = (sa.UniqueConstraint("day", "state", "kind", "value", name="uq_stat_counts_cell"),)

    id = sa.Column(sa.Integer, primary_key=True)
    day = sa.Column(sa.Date, nullable=False)
    state = sa.Column(sa.String(2), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    value = sa.Column(sa.String(64), nullable=False)
    people = sa.Column(sa.Integer, nullable=False)


class PendingCount(Base):
    """One more person on a cell, not yet folded into DailyCount (bot/statistics/fold.py):
    a random id, and on SQLite no row id, so that no order of insertion is kept."""

    __tablename__ = "stat_pending"
    __table_args__ = {"sqlite_with_rowid": False}

    id = sa.Column(sa.String(32), primary_key=True)
    day = sa.Column(sa.Date, nullable=False)
    state = sa.Column(sa.String(2), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    value = sa.Column(sa.String(64), nullable=False)


class Published(Base):
    """One row: the Monday of the first week not yet published (every earlier one is, and
    no count for it is taken any more)."""

    __tablename__ = "stat_published"

    id = sa.Column(sa.Integer, primary_key=True)
    until = sa.Column(sa.Date, nullable=False)


class DayKey(Base):
    """The day's random key of the marks (bot/statistics/marks.py), deleted with them when the
    day is over."""

    __tablename__ = "stat_day_keys"

    day = sa.Column(sa.Date, primary_key=True)
    key = sa.Column(sa.LargeBinary(32), nullable=False)


class Mark(Base):
    """That someone was counted for a kind today: a keyed hash of the kind and the person's
    subject under the day's key, nothing else."""

    __tablename__ = "stat_marks"
    __table_args__ = {"sqlite_with_rowid": False}

    day = sa.Column(sa.Date, primary_key=True)
    mark = sa.Column(sa.String(64), primary_key=True)
