"""At most one answered turn per Twilio message id, across processes (a unique key does
the work), and no message lost to a fault during its turn.

A message is claimed, and kept sealed, in the transaction that accepts it (before Twilio
gets its 200); it is marked answered in the transaction that saves its turn
(bot/delivery/turn_replies.py). A claim left unanswered — its process died, or its turn
failed — is taken over: by a retry of the same request, or by the recovery sweep
(bot/channels/recovery.py). An erased conversation leaves only keyed digests of its
message ids (tombstones), so a replayed request cannot bring it back.
"""

import enum
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Collection, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.storage.database import UTCDateTime
from bot.storage.models import MessageTombstone, ProcessedMessage

# The same statement for PostgreSQL and SQLite; written once, compiled once.
_CLAIM = sa.text(
    "INSERT INTO processed_messages (message_sid, sender_id, received_at, sealed_message, attempts)"
    " VALUES (:message_sid, :sender_id, :received_at, :sealed_message, 0) ON CONFLICT (message_sid) DO NOTHING"
).bindparams(sa.bindparam("received_at", type_=UTCDateTime()))
_TOMBSTONE = MessageTombstone.__table__.c
_BURIED = sa.select(_TOMBSTONE.digest).where(_TOMBSTONE.digest == sa.bindparam("digest"))


class Claim(enum.Enum):
    NEW = "new"  # this request runs the turn
    ANSWERED = "answered"  # a repeat of a message already answered: acknowledge, drop
    IN_PROGRESS = "in progress"  # another request runs it now: ask the sender to retry later


def tombstone_digest(message_sid: str, key: bytes) -> str:
    return hmac.new(key, message_sid.encode(), hashlib.sha256).hexdigest()


def claim(session: Session, message_sid: str, sender_id: str, sealed_message: str, when: datetime,
          turn_timeout: timedelta, key: bytes) -> Tuple[Claim, int]:
    """Claims the turn of a message, in the caller's transaction; with the claim, how many
    attempts at its turn came before. A claim left unanswered for longer than
    `turn_timeout` was abandoned (its process stopped mid-turn): the retry takes it over.
    A message of an erased conversation counts as answered."""
    if session.execute(_BURIED, {"digest": tombstone_digest(message_sid, key)}).first() is not None:
        return Claim.ANSWERED, 0
    inserted = session.execute(_CLAIM, {"message_sid": message_sid, "sender_id": sender_id, "received_at": when,
                                        "sealed_message": sealed_message}).rowcount
    if inserted:
        return Claim.NEW, 0
    if take_over(session, message_sid, when, turn_timeout):
        return Claim.NEW, stored_message(session, message_sid)[1]
    answered_at = session.execute(
        sa.select(ProcessedMessage.answered_at).where(ProcessedMessage.message_sid == message_sid)
    ).scalar_one_or_none()
    return (Claim.ANSWERED if answered_at is not None else Claim.IN_PROGRESS), 0


def take_over(session: Session, message_sid: str, when: datetime, turn_timeout: timedelta) -> bool:
    """Takes an unanswered claim older than `turn_timeout` for this process; counts the attempt."""
    return bool(session.execute(
        sa.update(ProcessedMessage)
        .where(ProcessedMessage.message_sid == message_sid, ProcessedMessage.answered_at.is_(None),
               ProcessedMessage.received_at < when - turn_timeout)
        .values(received_at=when, attempts=ProcessedMessage.attempts + 1)
    ).rowcount)


def abandoned(session: Session, when: datetime, turn_timeout: timedelta, limit: int = 50) -> List[Tuple[str, str]]:
    """Unanswered claims older than `turn_timeout`, oldest first: (message id, person)."""
    return [tuple(row) for row in session.execute(
        sa.select(ProcessedMessage.message_sid, ProcessedMessage.sender_id)
        .where(ProcessedMessage.answered_at.is_(None), ProcessedMessage.received_at < when - turn_timeout)
        .order_by(ProcessedMessage.received_at).limit(limit))]


def stored_message(session: Session, message_sid: str) -> Tuple[Optional[str], int]:
    """A claimed message's sealed copy and how many times its turn was taken over."""
    row = session.get(ProcessedMessage, message_sid)
    return (row.sealed_message, row.attempts) if row is not None else (None, 0)


def answered(session: Session, message_sid: str, when: datetime) -> None:
    """Marks a message's turn as done, in the caller's transaction: later repeats are
    acknowledged and dropped, and the message's copy is no longer needed."""
    session.execute(sa.update(ProcessedMessage).where(ProcessedMessage.message_sid == message_sid)
                    .values(answered_at=when, sealed_message=None))


class AlreadyAnswered(RuntimeError):
    """A turn of a message that another turn already answered: it must not be saved."""


_MESSAGE = ProcessedMessage.__table__.c
_FINISH = (sa.update(ProcessedMessage.__table__)
           .where(_MESSAGE.message_sid == sa.bindparam("sid"), _MESSAGE.answered_at.is_(None))
           .values(answered_at=sa.bindparam("when", type_=_MESSAGE.answered_at.type), sealed_message=None))


def finish(session: Session, message_sid: str, when: datetime) -> None:
    """Marks a message answered by the turn being saved, in the save's transaction; raises
    AlreadyAnswered (rolling the save back) if another turn of it was saved first."""
    marked = session.execute(_FINISH, {"sid": message_sid, "when": when}).rowcount
    if not marked and session.get(ProcessedMessage, message_sid) is not None:
        raise AlreadyAnswered("this message's turn was already saved")


def retry_after(session: Session, message_sid: str, when: datetime, turn_timeout: timedelta, delay: timedelta) -> None:
    """A turn that failed: due for the recovery sweep after `delay`, not after a whole timeout."""
    session.execute(sa.update(ProcessedMessage)
                    .where(ProcessedMessage.message_sid == message_sid, ProcessedMessage.answered_at.is_(None))
                    .values(received_at=when - turn_timeout + delay))


def unanswered(session: Session, sender_id: str) -> List[str]:
    """The ids of a person's messages whose turn is not saved yet."""
    return list(session.scalars(sa.select(ProcessedMessage.message_sid).where(
        ProcessedMessage.sender_id == sender_id, ProcessedMessage.answered_at.is_(None))))


def bury(session: Session, sender_id: str, key: bytes, when: datetime, keep: Collection[str] = ()) -> None:
    """Leaves a tombstone for each message id of a conversation being erased (but `keep`)."""
    sids = session.scalars(sa.select(ProcessedMessage.message_sid).where(ProcessedMessage.sender_id == sender_id))
    digests = {tombstone_digest(sid, key) for sid in sids if sid not in keep}
    existing = set(session.scalars(sa.select(MessageTombstone.digest).where(MessageTombstone.digest.in_(digests))))
    rows = [{"digest": digest, "erased_at": when} for digest in digests - existing]
    if rows:
        session.execute(sa.insert(MessageTombstone), rows)
