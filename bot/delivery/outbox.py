"""The outbox: every reply (the assistant's and staff's) is stored here, sealed, before it
is sent, in the same transaction as what caused it — a saved turn, a staff reply, a close.

A row is one Twilio message: a body already fitted to its channel, a media link, or an
approved WhatsApp template; on WhatsApp, a body with options also keeps them, sealed, for
the courier to send as buttons or a list (bot/delivery/contents.py). The address it goes to
is copied in, sealed, so that a reply still goes out after the conversation it answers was
erased (the quick exit's neutral line). Once a row is sent or given up, its address and content are cleared: what stays is
a pseudonym, timestamps, the kind of the last error and what Twilio reported of its
delivery (bot/delivery/statuses.py), for the delivery report. A danger reply sent on
WhatsApp keeps them, sealed, until Twilio reports it delivered or not: then they go, and
an undelivered one is sent again by SMS.

Hand-written rather than a job queue: the rows must commit in the turn's own database
transaction (a queue in Redis or RabbitMQ cannot share it), on SQLite as on PostgreSQL.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from sqlalchemy.orm import Session

from bot.channels.outgoing_text import bodies_for
from bot.channels.whatsapp_options import Menu
from bot.identity import bare_number
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.models import OutgoingMessage

logger = logging.getLogger(__name__)
ASSISTANT, STAFF = "assistant", "staff"
STAFF_ALERT = "staff_alert"  # the origin of a sent SMS alert to staff, recorded for its status (statuses.py)
NOT_DELIVERED = ("failed", "undelivered")  # Twilio's final statuses of a message it did not deliver
SMS, WHATSAPP = "sms", "whatsapp"
# Seconds to wait after each failed attempt; the row is given up after the last.
BACKOFF_S = (1, 2, 5, 15, 30, 60, 120, 300, 600)
LEASE_S = 60  # a row being sent is another process's until then (it died if still leased)
# What a sent or given-up row keeps: no content, no address, not even whether it was urgent.
CLEARED = {"sealed_to": None, "sealed_body": None, "sealed_media_url": None, "sealed_options": None,
           "leased_until": None, "urgent": False}


@dataclass(frozen=True)
class Reply:
    """One reply as the dialogue or staff wrote it: text (with its options, if any), a media
    link, or a template."""

    text: str = ""
    media_url: str = ""
    content_sid: str = ""
    menu: Optional[Menu] = None


@dataclass(frozen=True)
class Delivery:
    """A leased row, unsealed, ready to send."""

    id: int
    sender_id: str
    channel: str
    to: str
    our_address: str
    body: str
    media_url: str
    content_sid: str
    urgent: bool
    attempts: int
    menu: Optional[Menu] = None


def sms_sender(sms_from: Optional[str], our_address: str) -> str:
    """The number a danger reply goes from by SMS when WhatsApp fails: ORIENTA_SMS_FROM, else
    the WhatsApp number itself, without its prefix."""
    return sms_from or bare_number(our_address)

def enqueue(session: Session, sealer: Sealer, sender_id: str, contact: Address, replies: Iterable[Reply],
            origin: str, when: datetime, urgent: bool = False, handoff_message_id: Optional[int] = None,
            reply_to: Optional[str] = None) -> int:
    """Stores replies to `contact`, in the caller's transaction; returns how many rows.
    Nothing is stored for a person who opted out on their carrier (STOP), and no media for SMS. A staff reply
    names its handoff message, whose delivery the inbox shows (`deliveries`); the
    assistant's, the person's Twilio message it answers (`reply_to`)."""
    if contact.opted_out:
        return 0
    rows: List[Dict[str, object]] = []
    for reply in replies:
        parts = [{"sealed_body": sealer.seal(body)} for body in bodies_for(reply.text, contact.channel)]
        if reply.menu and contact.channel == WHATSAPP and len(parts) == 1:  # buttons go with one message
            parts[0]["sealed_options"] = sealer.seal(reply.menu.to_json())
        if reply.media_url and contact.channel != SMS:  # SMS carries text only, never media
            parts.append({"sealed_media_url": sealer.seal(reply.media_url)})
        if reply.content_sid:
            parts.append({"content_sid": reply.content_sid})
        rows += parts
    for row in rows:  # one statement for all rows: every row names every column
        row.update({"sealed_body": None, "sealed_media_url": None, "content_sid": None, "sealed_options": None,
                    **row})
        row.update(sender_id=sender_id, origin=origin, channel=contact.channel, our_address=contact.our_address,
                   sealed_to=sealer.seal(contact.address), urgent=urgent, created_at=when, attempts=0,
                   next_attempt_at=when, handoff_message_id=handoff_message_id, reply_to=reply_to)
    if rows:
        session.execute(sa.insert(OutgoingMessage), rows)
    return len(rows)


def orphan_id() -> str:
    """A one-off queue for replies to a conversation being erased: they keep nothing of it."""
    return "erased-" + secrets.token_hex(8)


# The statements are built once, with bound parameters: SQLAlchemy keeps a statement's
# cache key on the object, so each call skips rebuilding and re-keying it.
_ROWS = OutgoingMessage.__table__.c
_UNDELIVERED = (_ROWS.sent_at.is_(None), _ROWS.failed_at.is_(None))
_NOW = sa.bindparam("now")
_FREE = sa.or_(_ROWS.leased_until.is_(None), _ROWS.leased_until < _NOW)
# A person's next row: their first danger reply, else their first row.
_NEXT_ROW = sa.func.coalesce(sa.func.min(sa.case((_ROWS.urgent, _ROWS.id))), sa.func.min(_ROWS.id))


def _due_heads(first_rows: sa.sql.Select) -> sa.sql.Select:
    return sa.select(_ROWS.id, _ROWS.sender_id).where(
        _ROWS.id.in_(first_rows.scalar_subquery()), _ROWS.next_attempt_at <= _NOW, _FREE).order_by(_ROWS.id)


_HEADS = _due_heads(sa.select(_NEXT_ROW).where(*_UNDELIVERED).group_by(_ROWS.sender_id))
_NEXT_DUE = _due_heads(sa.select(_NEXT_ROW).where(*_UNDELIVERED, _ROWS.sender_id == sa.bindparam("sender")))
_ROW = sa.select(_ROWS.id, _ROWS.sender_id, _ROWS.channel, _ROWS.sealed_to, _ROWS.our_address, _ROWS.sealed_body,
                 _ROWS.sealed_media_url, _ROWS.content_sid, _ROWS.urgent,
                 _ROWS.attempts, _ROWS.sealed_options).where(_ROWS.id == sa.bindparam("row"))
_TAKE = (sa.update(OutgoingMessage.__table__).where(_ROWS.id == sa.bindparam("row"), *_UNDELIVERED, _FREE)
         .values(leased_until=sa.bindparam("until", type_=_ROWS.leased_until.type)))
_SENT_VALUES = {"sent_at": sa.bindparam("at", type_=_ROWS.sent_at.type), "attempts": _ROWS.attempts + 1,
                "twilio_sid": sa.bindparam("sid", type_=_ROWS.twilio_sid.type),
                "delivery_status": sa.bindparam("status", type_=_ROWS.delivery_status.type), "leased_until": None}
_SENT = sa.update(OutgoingMessage.__table__).where(_ROWS.id == sa.bindparam("row")).values({**_SENT_VALUES,
                                                                                           **CLEARED})
_SENT_HELD = sa.update(OutgoingMessage.__table__).where(_ROWS.id == sa.bindparam("row")).values(_SENT_VALUES)


def heads(session: Session, now: datetime) -> List[Tuple[int, str]]:
    """The next undelivered row (id, person) of every person whose next row is due: rows
    of one person go out one at a time, in order — danger replies first, so that none
    waits behind a reply in backoff."""
    return [(row_id, sender_id) for row_id, sender_id in session.execute(_HEADS, {"now": now})]


def next_due(session: Session, sender_id: str, now: datetime) -> Optional[int]:
    """One person's next undelivered row, if it is due."""
    return session.execute(_NEXT_DUE, {"sender": sender_id, "now": now}).scalars().first()


def lease(session: Session, sealer: Sealer, row_id: int, now: datetime) -> Optional[Delivery]:
    """Takes a due row for this process (None if another took it first). A row sealed
    under a key no longer configured can never be sent: it is given up."""
    taken = session.execute(_TAKE, {"row": row_id, "now": now, "until": now + timedelta(seconds=LEASE_S)}).rowcount
    if not taken:
        return None
    row = session.execute(_ROW, {"row": row_id}).one()
    try:
        return Delivery(row.id, row.sender_id, row.channel, sealer.open(row.sealed_to), row.our_address,
                        sealer.open(row.sealed_body) if row.sealed_body else "",
                        sealer.open(row.sealed_media_url) if row.sealed_media_url else "",
                        row.content_sid or "", row.urgent, row.attempts,
                        Menu.from_json(sealer.open(row.sealed_options)) if row.sealed_options else None)
    except InvalidToken:
        logger.error("A reply sealed under a retired key is given up (run bot.storage.reseal before retiring one).")
        failed(session, row_id, row.attempts, "unreadable", now, permanent=True)
        return None


def lease_next(session: Session, sealer: Sealer, sender_id: str, now: datetime) -> Optional[Delivery]:
    """Takes one person's next row, if it is due."""
    row_id = next_due(session, sender_id, now)
    return lease(session, sealer, row_id, now) if row_id is not None else None


def sent(session: Session, row_id: int, now: datetime, twilio_sid: str = "", held: bool = False) -> None:
    """Marks a row sent as Twilio's message `twilio_sid` (queued: a message created without
    a Messaging Service starts so); a `held` row keeps its address and content for its
    delivery status."""
    session.execute(_SENT_HELD if held else _SENT,
                    {"row": row_id, "at": now, "sid": twilio_sid or None, "status": "queued" if twilio_sid else None})


def failed(session: Session, row_id: int, attempts: int, error: str, now: datetime, permanent: bool) -> bool:
    """Records a failed attempt: retried after its backoff, or given up (returns True)."""
    give_up = permanent or attempts >= len(BACKOFF_S)
    values = {"attempts": attempts + 1, "last_error": error[:64], "leased_until": None}
    if give_up:
        values.update(failed_at=now, **CLEARED)
    else:
        values["next_attempt_at"] = now + timedelta(seconds=BACKOFF_S[attempts])
    session.execute(sa.update(OutgoingMessage).where(OutgoingMessage.id == row_id).values(**values))
    return give_up


OUTSIDE_WINDOW = 63016  # Twilio's error for WhatsApp free text past 24 hours of the person's last message


def refused_outside_window(session: Session, sender_id: str, since: datetime) -> bool:
    """Whether Twilio refused a message to the person since `since` for being outside
    WhatsApp's 24-hour window."""
    return session.execute(sa.select(OutgoingMessage.id).where(
        OutgoingMessage.sender_id == sender_id, OutgoingMessage.error_code == OUTSIDE_WINDOW,
        OutgoingMessage.created_at >= since).limit(1)).first() is not None


_DELIVERY_RANK = ("sent", "sending", "failed")  # a reply is as far as its least delivered row


def deliveries(session: Session, handoff_message_ids: Collection[int]) -> Dict[int, str]:
    """How far each staff reply got: "sent" once all its rows went, "failed" if one was
    given up or Twilio reported it not delivered, else "sending"."""
    rows = session.execute(sa.select(OutgoingMessage.handoff_message_id, OutgoingMessage.sent_at,
                                     OutgoingMessage.failed_at, OutgoingMessage.delivery_status)
                           .where(OutgoingMessage.handoff_message_id.in_(list(handoff_message_ids))))
    states: Dict[int, str] = {}
    for message_id, sent_at, failed_at, status in rows:
        state = "failed" if failed_at or status in NOT_DELIVERED else "sent" if sent_at else "sending"
        states[message_id] = max(states.get(message_id, "sent"), state, key=_DELIVERY_RANK.index)
    return states


def report(session: Session, since: datetime) -> Dict[str, int]:
    """Counts of replies for administrators, no content: waiting, delivered and given up since `since`."""
    count = sa.func.count(OutgoingMessage.id)
    waiting = session.scalar(sa.select(count).where(*_UNDELIVERED))
    delivered = session.scalar(sa.select(count).where(OutgoingMessage.sent_at >= since,
                                                      OutgoingMessage.origin != STAFF_ALERT))
    given_up = session.scalar(sa.select(count).where(OutgoingMessage.failed_at >= since))
    return {"waiting": waiting or 0, "delivered": delivered or 0, "given_up": given_up or 0}
