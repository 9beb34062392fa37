"""What Twilio reports of the messages it was given (its status callbacks), recorded
against their outbox rows, with nothing of their content.

A message goes queued → sending → sent → delivered → read (WhatsApp), or ends failed (never
sent) or undelivered (sent, not delivered), with Twilio's error code. Callbacks may arrive
out of order and more than once: a row only moves forward. A danger reply Twilio reports
failed or undelivered on WhatsApp is stored once more in the outbox, as an SMS to the same
number from ORIENTA_SMS_FROM (else the WhatsApp number without its prefix); its held address and content go once its status is final,
or after HOLD without one (the hourly retention job).

Twilio can call back before its answer to the send has been stored (a WhatsApp message it
fails at once): a report for an id no row has is kept in early_statuses and applied by the
courier's next look once the row has the id (`matched`, `apply_kept`), so a danger
reply failed that fast still goes by SMS. One that no row ever claims (a reply of a
conversation erased meanwhile, a send whose answer was lost) is forgotten after EARLY_KEEP.
A held danger reply whose report is late (a callback that never reaches Orienta: an engine
away, a firewall, a wrong PUBLIC_URL), or whose report stops at sent (a phone with no data),
is asked of Twilio's API by the courier, ASK_AFTER after it was sent, and its answer
recorded as a callback's (`to_ask`, `asked`); one still not delivered SMS_AFTER after it was
sent goes by SMS too.

An SMS alert to staff (bot/handoff/staff_texts.py) is sent apart from the outbox, but
once Twilio has taken it, it gets an outbox row of its own (`alert_sent`): origin
STAFF_ALERT, already sent, under no person's id, with no address and no content: its
Twilio id, for its callbacks, the report (a kind of its own) and its deletion from Twilio.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.outbox import NOT_DELIVERED, Reply
from bot.identity import bare_number
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.models import EarlyStatus, OutgoingMessage

logger = logging.getLogger(__name__)
# How far each status is; a callback for a status not further than the row's is ignored.
PROGRESS = {"queued": 0, "sending": 1, "sent": 2, "failed": 3, "undelivered": 3, "delivered": 4, "read": 5}
FINAL = NOT_DELIVERED + ("delivered", "read")
HOLD = timedelta(days=1)  # a held danger reply Twilio has not reported on keeps nothing after this
EARLY_KEEP = timedelta(minutes=10)  # a report for an id no row has is kept this long for its row
SMS_AFTER = timedelta(minutes=2)  # a danger reply WhatsApp has not delivered by then goes by SMS too
# When Twilio is asked how a held danger reply fared, if no report has come (after it was
# sent), then every hour after the last until HOLD.
ASK_AFTER = (timedelta(seconds=30), SMS_AFTER, timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
RESENT = "sent"  # what became of a danger reply WhatsApp did not deliver
LATE = "late"  # … of one WhatsApp had not delivered SMS_AFTER after it was sent
ALERTS_QUEUE = "staff-alerts"  # the rows of staff alerts: no person's (a pseudonym is hexadecimal)
_ROWS = OutgoingMessage.__table__.c
_EARLY = EarlyStatus.__table__


@dataclass(frozen=True)
class StatusReport:
    """One status callback: which message, how far it got, and Twilio's error code."""

    message_sid: str
    status: str
    error_code: Optional[int] = None


def record(session: Session, sealer: Sealer, report: StatusReport, sms_from: Optional[str],
           now: datetime) -> List[str]:
    """Records the status on the message's rows, in the caller's transaction (for an id no
    row has yet: kept for `apply_kept`, once, however often Twilio repeats it); returns the
    people whose danger reply now waits in the outbox as an SMS."""
    if session.execute(sa.select(_ROWS.id).where(_ROWS.twilio_sid == report.message_sid).limit(1)).first() is None:
        kept = session.execute(sa.select(_EARLY.c.id).where(_EARLY.c.twilio_sid == report.message_sid,
                                                            _EARLY.c.delivery_status == report.status)).first()
        if kept is None:
            session.execute(sa.insert(_EARLY).values(twilio_sid=report.message_sid, delivery_status=report.status,
                                                     error_code=report.error_code, received_at=now))
        return []
    return _apply(session, sealer, report, sms_from, now)


def matched(session: Session) -> List[int]:
    """The kept reports whose message a row has now, in the order they came."""
    claimed = sa.exists().where(_ROWS.twilio_sid == _EARLY.c.twilio_sid)  # probes the index per kept report
    return list(session.scalars(sa.select(_EARLY.c.id).where(claimed).order_by(_EARLY.c.id)))


def apply_kept(session: Session, sealer: Sealer, kept_id: int, sms_from: Optional[str], now: datetime) -> List[str]:
    """Applies one kept report to its message's rows and forgets it (nothing if another
    engine did); returns the people whose danger reply now waits in the outbox as an SMS."""
    kept = session.execute(sa.select(_EARLY.c.twilio_sid, _EARLY.c.delivery_status, _EARLY.c.error_code)
                           .where(_EARLY.c.id == kept_id)).first()
    if kept is None or not forget_kept(session, kept_id):
        return []
    return _apply(session, sealer, StatusReport(*kept), sms_from, now)


def forget_kept(session: Session, kept_id: int) -> bool:
    """Forgets one kept report; False if it was gone already."""
    return bool(session.execute(sa.delete(_EARLY).where(_EARLY.c.id == kept_id)).rowcount)


def to_ask(session: Session, now: datetime) -> List[str]:
    """The Twilio ids of held danger replies whose report is late, each claimed for asking
    Twilio once per step (ASK_AFTER, then hourly until HOLD: an answer that failed is asked
    again at the next), so another engine does not ask it too."""
    held = session.execute(sa.select(_ROWS.id, _ROWS.twilio_sid, _ROWS.sent_at, _ROWS.status_asked_at)
                           .where(_ROWS.urgent.is_(True), _ROWS.twilio_sid.is_not(None),
                                  _ROWS.sealed_body.is_not(None), _ROWS.sent_at <= now - ASK_AFTER[0])
                           .order_by(_ROWS.id)).all()
    claimed = []
    for row_id, sid, sent_at, asked_at in held:
        if asked_at is not None and asked_at >= _step(sent_at, now):
            continue
        unchanged = _ROWS.status_asked_at.is_(None) if asked_at is None else _ROWS.status_asked_at == asked_at
        if session.execute(sa.update(OutgoingMessage.__table__).where(_ROWS.id == row_id, unchanged)
                           .values(status_asked_at=now)).rowcount:
            claimed.append(sid)
    return claimed


def _step(sent_at: datetime, now: datetime) -> datetime:
    """When the last step of asking Twilio due by `now` began."""
    last = ASK_AFTER[-1]
    if now - sent_at < last:
        return max(sent_at + after for after in ASK_AFTER if sent_at + after <= now)
    return sent_at + last * ((now - sent_at) // last)


def asked(session: Session, sealer: Sealer, report: StatusReport, sms_from: Optional[str],
          now: datetime) -> List[str]:
    """Records what Twilio's API says of a held danger reply whose report was late, as a
    callback's; one WhatsApp has still not delivered SMS_AFTER after it was sent (any status
    but delivered, read, failed or undelivered) goes by SMS too (a phone with signal and no
    data gets it). Returns the people whose SMS waits."""
    resent = record(session, sealer, report, sms_from, now) if report.status in PROGRESS else []
    if report.status in FINAL:
        return resent
    return _settle(session, sealer, report.message_sid, LATE, sms_from, now, sent_before=now - SMS_AFTER)


def forget_unclaimed(session: Session, now: datetime) -> int:
    """Forgets the reports no row claimed within EARLY_KEEP; returns how many."""
    return session.execute(sa.delete(_EARLY).where(_EARLY.c.received_at < now - EARLY_KEEP)).rowcount


def _apply(session: Session, sealer: Sealer, report: StatusReport, sms_from: Optional[str],
           now: datetime) -> List[str]:
    """Moves the message's rows forward; a held danger reply it says WhatsApp did not
    deliver goes into the outbox as an SMS."""
    behind = [status for status, step in PROGRESS.items() if step < PROGRESS[report.status]]
    session.execute(sa.update(OutgoingMessage.__table__)
                    .where(_ROWS.twilio_sid == report.message_sid,
                           sa.or_(_ROWS.delivery_status.is_(None), _ROWS.delivery_status.in_(behind)))
                    .values(delivery_status=report.status, error_code=report.error_code))
    if report.status not in FINAL:
        return []
    return _settle(session, sealer, report.message_sid, RESENT if report.status in NOT_DELIVERED else None, sms_from,
                   now)


def _settle(session: Session, sealer: Sealer, sid: str, fallback: Optional[str], sms_from: Optional[str],
            now: datetime, sent_before: Optional[datetime] = None) -> List[str]:
    """Releases the message's held danger replies (those sent before `sent_before`, if
    given), recording `fallback`; with one, each goes into the outbox as an SMS, after the
    same person's held replies written before it (in their order: the 911 line first,
    whichever report came first). Returns the people whose SMS waits."""
    held = (_ROWS.urgent.is_(True), _ROWS.sealed_body.is_not(None), _ROWS.twilio_sid.is_not(None))
    query = sa.select(_ROWS.id, _ROWS.sender_id).where(_ROWS.twilio_sid == sid, *held)
    if sent_before is not None:
        query = query.where(_ROWS.sent_at <= sent_before)
    resent = []
    for last_id, sender_id in session.execute(query).all():
        settled = _ROWS.id == last_id if fallback is None else sa.and_(_ROWS.sender_id == sender_id,
                                                                      _ROWS.id <= last_id, *held)
        for row_id, origin, sealed_to, our_address, sealed_body in session.execute(
                sa.select(_ROWS.id, _ROWS.origin, _ROWS.sealed_to, _ROWS.our_address, _ROWS.sealed_body)
                .where(settled).order_by(_ROWS.id)).all():
            if not _release(session, row_id, fallback):
                continue  # another report released it first
            if fallback is not None:
                sms = Address(bare_number(sealer.open(sealed_to)), outbox.sms_sender(sms_from, our_address), "sms",
                              False, now)
                outbox.enqueue(session, sealer, sender_id, sms, [Reply(sealer.open(sealed_body))], origin, now,
                               urgent=True)
                resent.append(sender_id)
    return list(dict.fromkeys(resent))


def _release(session: Session, row_id: int, fallback: Optional[str]) -> bool:
    """Clears a held row's address and content, recording its fallback; False if it was released already."""
    return bool(session.execute(sa.update(OutgoingMessage.__table__)
                                .where(_ROWS.id == row_id, _ROWS.sealed_body.is_not(None))
                                .values(sms_fallback=fallback, **outbox.CLEARED))
                .rowcount)


def release_unreported(session: Session, now: datetime) -> int:
    """Clears the danger replies held longer than HOLD (Twilio never said whether they were
    delivered); returns how many."""
    return session.execute(sa.update(OutgoingMessage.__table__)
                           .where(_ROWS.sent_at < now - HOLD, _ROWS.sealed_body.is_not(None))
                           .values(outbox.CLEARED)).rowcount


def alert_sent(session: Session, twilio_sid: str, our_address: str, now: datetime) -> None:
    """Records an SMS alert to staff Twilio has taken (queued), in the caller's transaction."""
    session.execute(sa.insert(OutgoingMessage).values(
        sender_id=ALERTS_QUEUE, origin=outbox.STAFF_ALERT, channel=outbox.SMS, our_address=our_address, urgent=False,
        created_at=now, attempts=1, next_attempt_at=now, sent_at=now, twilio_sid=twilio_sid,
        delivery_status="queued"))


# What the report counts a row under: its channel, or STAFF_ALERT for an alert to staff.
_KIND = sa.case((_ROWS.origin == outbox.STAFF_ALERT, outbox.STAFF_ALERT), else_=_ROWS.channel)


def report(session: Session, since: datetime) -> Dict[str, List[Tuple[str, int, int]]]:
    """Counts for administrators, per channel (staff alerts apart, as STAFF_ALERT), of the
    rows sent since `since`: each (status, error code, count), the status "" for a row
    Twilio reported nothing of."""
    rows = session.execute(sa.select(_KIND, _ROWS.delivery_status, _ROWS.error_code, sa.func.count())
                           .where(_ROWS.sent_at >= since)
                           .group_by(_KIND, _ROWS.delivery_status, _ROWS.error_code)
                           .order_by(_KIND, _ROWS.delivery_status, _ROWS.error_code))
    counts: Dict[str, List[Tuple[str, int, int]]] = {}
    for channel, status, error_code, count in rows:
        counts.setdefault(channel, []).append((status or "", error_code or 0, count))
    return counts
