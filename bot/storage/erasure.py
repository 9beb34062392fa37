"""Deletes what Orienta holds about one conversation: Orienta's own tables, and — when the
person asks — the whole conversation, its events included."""

from datetime import datetime
from typing import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.delivery import purge
from bot.handoff.models import Handoff, HandoffMessage, StaffAudit
from bot.storage import processed_messages
from bot.storage.crypto import Sealer
from bot.storage.models import Contact, OutgoingMessage, ProcessedMessage, ReceivedMedia

# The slot the quick exit sets: the turn's save then erases the conversation (bot/storage/tracker_store.py).
ERASURE_SLOT = "erasure_requested"

# Children before parents (foreign keys). The staff audit is kept, detached (erase_sender).
PER_SENDER_TABLES = (HandoffMessage, Handoff, Contact, ProcessedMessage, ReceivedMedia, OutgoingMessage)
EVENTS = sa.table("events", sa.column("sender_id"))  # Rasa's conversation store


def erase_sender(session: Session, sender_id: str, keep_messages: Collection[str] = ()) -> int:
    """Deletes the sender's rows in every table; returns how many went. What staff did
    stays in their audit, with nothing that leads to the person. The messages in
    `keep_messages` (not answered yet) keep their claim, their media and the contact their
    reply needs."""
    session.execute(sa.update(StaffAudit).where(StaffAudit.sender_id == sender_id)
                    .values(sender_id=None, handoff_id=None))
    deleted = 0
    for table in PER_SENDER_TABLES:
        if keep_messages and table is Contact:
            continue
        query = session.query(table).filter(table.sender_id == sender_id)
        if keep_messages and table in (ProcessedMessage, ReceivedMedia):
            query = query.filter(table.message_sid.notin_(keep_messages))
        deleted += query.delete(synchronize_session=False)
    return deleted


def erase_conversation(session: Session, sealer: Sealer, sender_id: str, tombstone_key: bytes, when: datetime,
                       current_message: str = "") -> int:
    """The whole conversation, at the person's request, in the caller's transaction: its
    events and Orienta's rows go, its message ids stay only as tombstones, and every
    message of it is queued for deletion from Twilio. A message that arrived meanwhile (not
    answered yet, other than `current_message`) is kept: it is answered next, in a
    conversation that starts afresh."""
    waiting = [sid for sid in processed_messages.unanswered(session, sender_id) if sid != current_message]
    purge.enqueue_conversation(session, sealer, sender_id, when, keep=waiting)
    processed_messages.bury(session, sender_id, tombstone_key, when, keep=waiting)
    deleted = session.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount
    return deleted + erase_sender(session, sender_id, keep_messages=waiting)
