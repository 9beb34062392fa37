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
