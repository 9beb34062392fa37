"""The address book of conversations: sealed phone numbers, by pseudonymous id."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage.crypto import Sealer
from bot.storage.database import UTCDateTime, session_scope
from bot.storage.models import Contact

# The same statement for PostgreSQL and SQLite; written once, compiled once.
_REMEMBER = sa.text(
    "INSERT INTO contacts (sender_id, sealed_address, our_address, channel, opted_out, last_message_at)"
    " VALUES (:sender_id, :sealed_address, :our_address, :channel, FALSE, :last_message_at)"
    " ON CONFLICT (sender_id) DO UPDATE SET sealed_address = excluded.sealed_address,"
    " our_address = excluded.our_address, channel = excluded.channel, last_message_at = excluded.last_message_at"
).bindparams(sa.bindparam("last_message_at", type_=UTCDateTime()))


@dataclass(frozen=True)
class Address:
    """Where replies to a conversation go, and from which of our numbers."""

    address: str
    our_address: str
    channel: str
    opted_out: bool
    last_message_at: datetime


_CONTACT = Contact.__table__.c
_FIND = sa.select(_CONTACT.sealed_address, _CONTACT.our_address, _CONTACT.channel, _CONTACT.opted_out,
                  _CONTACT.last_message_at).where(_CONTACT.sender_id == sa.bindparam("sender_id"))


def remember(session: Session, sealer: Sealer, sender_id: str, address: str, our_address: str, channel: str,
             when: datetime) -> None:
    """Records, in the caller's transaction, the channel and number a person last wrote from
    (a carrier opt-out stays as it was)."""
    session.execute(_REMEMBER, {"sender_id": sender_id, "sealed_address": sealer.seal(address),
                                "our_address": our_address, "channel": channel, "last_message_at": when})


def set_opted_out(session: Session, sender_id: str, opted_out: bool) -> None:
    """Records a carrier opt-out (STOP) or opt-in (START) keyword."""
    contact = session.get(Contact, sender_id)
    if contact:
        contact.opted_out = opted_out


def find(session: Session, sealer: Sealer, sender_id: str) -> Optional[Address]:
    """Where a conversation's replies go, read in the caller's transaction."""
    contact = session.execute(_FIND, {"sender_id": sender_id}).first()
    if contact is None:
        return None
    return Address(address=sealer.open(contact.sealed_address), our_address=contact.our_address,
                   channel=contact.channel, opted_out=contact.opted_out, last_message_at=contact.last_message_at)


class ContactBook:
    """Reads where a conversation's replies go (the staff pages' outgoing messages)."""

    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self.engine = engine
        self.sealer = sealer

    def find(self, sender_id: str) -> Optional[Address]:
        with session_scope(self.engine) as session:
            return find(session, self.sealer, sender_id)
