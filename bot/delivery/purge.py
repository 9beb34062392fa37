"""The deletion queue: Twilio's records of the messages of a conversation (numbers, texts,
media), deleted from Twilio's API once Orienta is done with them.

A Twilio message joins the queue, its id sealed, when
- a reply, or an SMS alert to staff (its outbox row, bot/delivery/statuses.py): Twilio
  reported a final status (delivered, read, undelivered, failed), or a day (statuses.HOLD)
  after it was sent without one;
- a person's message: its turn is answered, every reply to it is as above (or given up),
  and its media were copied, sealed, for staff (bot/delivery/media_copy.py);
- the quick exit, "borrar mis datos" or retention erases its conversation: every message of
  it at once (`enqueue_conversation`), whatever its state.
Twilio refuses to delete a message it has not finished with (its error 20009): like any
failure, the row is tried again after BACKOFF_S, then hourly, until Twilio deletes it
(or says it has no such message); then the row goes. The purger (bot/delivery/purger.py)
takes the due rows. The rows a message was queued from are marked (`purge_queued_at`):
an outbox row keeps its Twilio id for the status callbacks still to come and the report.
Administrators see the queue in counts (`backlog`, the delivery page).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, List, Optional, Tuple

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from sqlalchemy.orm import Session

from bot.delivery.statuses import FINAL, HOLD
from bot.storage.crypto import Sealer
from bot.storage.models import OutgoingMessage, ProcessedMessage, ReceivedMedia, TwilioDeletion

logger = logging.getLogger(__name__)
# Seconds to wait after each failed attempt; the last is repeated until Twilio deletes it.
BACKOFF_S = (5, 15, 60, 300, 900, 3600)
LEASE_S = 120  # a row being deleted is another process's until then
BATCH = 20  # rows one pass takes

_OUT = OutgoingMessage.__table__.c
_IN = ProcessedMessage.__table__.c
_MEDIA = ReceivedMedia.__table__.c
_ROWS = TwilioDeletion.__table__.c
_UNQUEUED_REPLY = sa.and_(_OUT.twilio_sid.is_not(None), _OUT.purge_queued_at.is_(None))


def enqueue(session: Session, sealer: Sealer, sids: Iterable[str], now: datetime) -> int:
    """Queues Twilio message ids for deletion, due now, in the caller's transaction."""
    rows = [{"sealed_sid": sealer.seal(sid), "created_at": now, "attempts": 0, "next_attempt_at": now}
            for sid in dict.fromkeys(sids) if sid]
    if rows:
        session.execute(sa.insert(TwilioDeletion), rows)
    return len(rows)


def _reply_done(now: datetime) -> sa.sql.ColumnElement:
    return sa.or_(_OUT.delivery_status.in_(FINAL), _OUT.sent_at < now - HOLD)


def collect(session: Session, sealer: Sealer, now: datetime) -> int:
    """Queues what Orienta is done with (see above); returns how many. Each source row is
    claimed by an UPDATE that still finds it unqueued, so two processes never queue it both."""
    sids: List[str] = []
    replies = session.execute(sa.select(_OUT.id, _OUT.twilio_sid)
                              .where(_UNQUEUED_REPLY, _reply_done(now)).limit(500)).all()
    for row_id, sid in replies:
        if session.execute(sa.update(OutgoingMessage.__table__).where(_OUT.id == row_id, _UNQUEUED_REPLY)
                           .values(purge_queued_at=now)).rowcount:
            sids.append(sid)
    replying = sa.select(_OUT.id).where(_OUT.reply_to == _IN.message_sid, _OUT.failed_at.is_(None),
                                        sa.or_(_OUT.sent_at.is_(None), _UNQUEUED_REPLY))
    uncopied = sa.select(_MEDIA.id).where(_MEDIA.message_sid == _IN.message_sid, _MEDIA.copied_at.is_(None))
    answered = session.scalars(sa.select(_IN.message_sid).where(
        _IN.answered_at.is_not(None), _IN.purge_queued_at.is_(None), ~replying.exists(), ~uncopied.exists())
        .limit(500)).all()
    for sid in answered:
        if _mark_queued(session, [sid], now):
            sids.append(sid)
    return enqueue(session, sealer, sids, now)


def _mark_queued(session: Session, message_sids: List[str], now: datetime) -> int:
    return session.execute(sa.update(ProcessedMessage.__table__)
                           .where(_IN.message_sid.in_(message_sids), _IN.purge_queued_at.is_(None))
                           .values(purge_queued_at=now)).rowcount


def enqueue_conversation(session: Session, sealer: Sealer, sender_id: str, now: datetime,
                         keep: Iterable[str] = ()) -> int:
    """Queues every Twilio message of a conversation being erased (but the person's
    messages in `keep`, still to be answered), in the erasure's transaction."""
    kept = set(keep)
    received = [sid for sid in session.scalars(sa.select(_IN.message_sid).where(
        _IN.sender_id == sender_id, _IN.purge_queued_at.is_(None))) if sid not in kept]
    sent = _queue_replies(session, _OUT.sender_id == sender_id, now)
    if received:
        _mark_queued(session, received, now)
    return enqueue(session, sealer, [*received, *sent], now)


def _queue_replies(session: Session, which: sa.sql.ColumnElement, now: datetime) -> List[str]:
    """Marks the replies `which` (not queued yet) queued; their Twilio ids."""
    sids = session.scalars(sa.select(_OUT.twilio_sid).where(which, _UNQUEUED_REPLY)).all()
    session.execute(sa.update(OutgoingMessage.__table__).where(which, _UNQUEUED_REPLY).values(purge_queued_at=now))
    return list(sids)


def enqueue_old_replies(session: Session, sealer: Sealer, before: datetime, now: datetime) -> int:
    """Queues the Twilio messages of outbox rows about to leave the outbox (done before `before`)."""
    done_before = sa.or_(_OUT.sent_at < before, _OUT.failed_at < before)
    return enqueue(session, sealer, _queue_replies(session, done_before, now), now)


def lease(session: Session, sealer: Sealer, now: datetime) -> List[Tuple[int, str, int]]:
    """Takes up to BATCH due rows for this process: (row, Twilio id, attempts so far). A row
    sealed under a key no longer configured is dropped (its id cannot be read)."""
    free = sa.or_(_ROWS.leased_until.is_(None), _ROWS.leased_until < now)
    due = session.execute(sa.select(_ROWS.id, _ROWS.sealed_sid, _ROWS.attempts)
                          .where(_ROWS.next_attempt_at <= now, free).order_by(_ROWS.next_attempt_at)
                          .limit(BATCH)).all()
    taken = []
    for row_id, sealed_sid, attempts in due:
        if not session.execute(sa.update(TwilioDeletion.__table__).where(_ROWS.id == row_id, free)
                               .values(leased_until=now + timedelta(seconds=LEASE_S))).rowcount:
            continue
        try:
            taken.append((row_id, sealer.open(sealed_sid), attempts))
        except InvalidToken:
            logger.error("A Twilio deletion sealed under a retired key is dropped (run bot.storage.reseal first).")
            deleted(session, row_id)
    return taken


def deleted(session: Session, row_id: int) -> None:
    """Twilio has deleted the message: nothing of it stays here."""
    session.execute(sa.delete(TwilioDeletion.__table__).where(_ROWS.id == row_id))


def failed(session: Session, row_id: int, attempts: int, error: str, now: datetime) -> None:
    """A failed attempt: tried again after its backoff."""
    wait = BACKOFF_S[min(attempts, len(BACKOFF_S) - 1)]
    session.execute(sa.update(TwilioDeletion.__table__).where(_ROWS.id == row_id).values(
        attempts=attempts + 1, last_error=error[:64], leased_until=None,
        next_attempt_at=now + timedelta(seconds=wait)))


def waiting(session: Session) -> int:
    """How many Twilio messages wait to be deleted."""
    return session.scalar(sa.select(sa.func.count(_ROWS.id))) or 0


@dataclass(frozen=True)
class Backlog:
    """The queue, in counts, for administrators: how many wait, since when the oldest,
    how many of them Twilio refused or did not answer at least once, the failed attempts,
    and each last error's kind (Twilio's status and code, never an id) with its count."""

    waiting: int
    oldest: Optional[datetime]
    failing: int
    failed_attempts: int
    errors: List[Tuple[str, int]]


def backlog(session: Session) -> Backlog:
    """What the deletion queue holds now, in counts."""
    count = sa.func.count(_ROWS.id)
    waiting_rows, oldest, failing, attempts = session.execute(sa.select(
        count, sa.func.min(_ROWS.created_at), sa.func.count(_ROWS.last_error),
        sa.func.coalesce(sa.func.sum(_ROWS.attempts), 0))).one()
    errors = session.execute(sa.select(_ROWS.last_error, count).where(_ROWS.last_error.is_not(None))
                             .group_by(_ROWS.last_error).order_by(count.desc(), _ROWS.last_error)).all()
    return Backlog(waiting_rows, oldest, failing, attempts, [(error, number) for error, number in errors])
