"""The address book of conversations: sealed phone numbers, by pseudonymous id."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy.engine import Engine

from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.models import Contact


@dataclass(frozen=True)
class Address:
    """Where replies to a conversation go, and from which of our numbers."""

    address: str
    our_address: str
    channel: str
    opted_out: bool
    last_message_at: datetime


class ContactBook:
    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self.engine = engine
        self.sealer = sealer

    def remember(self, sender_id: str, address: str, our_address: str, channel: str, when: datetime) -> Address:
        """Records the channel and number a person last wrote from."""
        with session_scope(self.engine) as session:
            contact = session.get(Contact, sender_id) or Contact(sender_id=sender_id, opted_out=False)
            contact.sealed_address = self.sealer.seal(address)
            contact.our_address = our_address
            contact.channel = channel
            contact.last_message_at = when
            session.add(contact)
            return Address(address, our_address, channel, contact.opted_out, when)

    def set_opted_out(self, sender_id: str, opted_out: bool) -> None:
        with session_scope(self.engine) as session:
            contact = session.get(Contact, sender_id)
            if contact:
                contact.opted_out = opted_out

    def find(self, sender_id: str) -> Optional[Address]:
        with session_scope(self.engine) as session:
            contact = session.get(Contact, sender_id)
            if contact is None:
                return None
            return Address(
                address=self.sealer.open(contact.sealed_address),
                our_address=contact.our_address,
                channel=contact.channel,
                opted_out=contact.opted_out,
                last_message_at=contact.last_message_at,
            )
