"""At most one answered turn per Twilio message id, across processes (a unique key does
the work), and no message lost to a process that died during its turn."""

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage.database import UTCDateTime, session_scope
from bot.storage.models import ProcessedMessage

# The same statement for PostgreSQL and SQLite; written once, compiled once.
_CLAIM = sa.text(
    "INSERT INTO processed_messages (message_sid, sender_id, received_at)"
    " VALUES (:message_sid, :sender_id, :received_at) ON CONFLICT (message_sid) DO NOTHING"
).bindparams(sa.bindparam("received_at", type_=UTCDateTime()))


class Claim(enum.Enum):
    NEW = "new"  # this request runs the turn
    ANSWERED = "answered"  # a repeat of a message already answered: acknowledge, drop
    IN_PROGRESS = "in progress"  # another request runs it now: ask the sender to retry later


def claim(session: Session, message_sid: str, sender_id: str, when: datetime, turn_timeout: timedelta) -> Claim:
    """Claims the turn of a message, in the caller's transaction. A claim left unanswered
    for longer than `turn_timeout` was abandoned (its process stopped mid-turn): the retry
    takes it over."""
    inserted = session.execute(
        _CLAIM, {"message_sid": message_sid, "sender_id": sender_id, "received_at": when}).rowcount
    if inserted:
        return Claim.NEW
    taken_over = session.execute(
        sa.update(ProcessedMessage)
        .where(ProcessedMessage.message_sid == message_sid, ProcessedMessage.answered_at.is_(None),
               ProcessedMessage.received_at < when - turn_timeout)
        .values(received_at=when)
    ).rowcount
    if taken_over:
        return Claim.NEW
    answered_at = session.execute(
        sa.select(ProcessedMessage.answered_at).where(ProcessedMessage.message_sid == message_sid)
    ).scalar_one_or_none()
    return Claim.ANSWERED if answered_at is not None else Claim.IN_PROGRESS


def answered(engine: Engine, message_sid: str, when: datetime) -> None:
    """Marks a message's turn as done: later repeats are acknowledged and dropped."""
    with session_scope(engine) as session:
        session.execute(sa.update(ProcessedMessage).where(ProcessedMessage.message_sid == message_sid)
                        .values(answered_at=when))


def release(engine: Engine, message_sid: str) -> None:
    """Forgets a message whose turn failed, so Twilio's retry is processed."""
    with session_scope(engine) as session:
        session.query(ProcessedMessage).filter_by(message_sid=message_sid).delete()
