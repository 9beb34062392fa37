"""A Twilio message's arrival, recorded in one transaction: its claim (one turn per
MessageSid), the number the person wrote from, a carrier opt-out or opt-in, the media they
sent, and — while staff hold the conversation — the message itself, kept for them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy.engine import Engine

from bot.channels.carrier_keywords import Keyword, carrier_keyword
from bot.channels.twilio_request import IncomingMessage
from bot.handoff import service as handoff_service
from bot.storage import contacts, media, processed_messages
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.processed_messages import Claim


@dataclass(frozen=True)
class Arrival:
    claim: Claim
    contact: Optional[Address] = None  # set when the claim is new
    needs_turn: bool = False  # neither a carrier keyword nor a message kept for staff


def for_staff(message: IncomingMessage) -> str:
    """The message as staff read it: a shared location first, then the text."""
    if message.location:
        return f"📍 {message.location[0]}, {message.location[1]}\n{message.text}".strip()
    return message.text


def record_arrival(engine: Engine, sealer: Sealer, message: IncomingMessage, sender_id: str, when: datetime,
                   turn_timeout: timedelta, urgent: bool) -> Arrival:
    """Records a message's arrival. An `urgent` message (danger words, the quick exit)
    gets a turn even during a handoff."""
    with session_scope(engine) as session:
        claim = processed_messages.claim(session, message.message_sid, sender_id, when, turn_timeout)
        if claim is not Claim.NEW:
            return Arrival(claim)
        contact = contacts.remember(session, sealer, sender_id, message.address, message.our_address,
                                    message.channel, when)
        keyword = carrier_keyword(message)
        if keyword is not None:
            contacts.set_opted_out(session, sender_id, keyword is Keyword.OPT_OUT)
            return Arrival(claim, contact)
        if message.media:
            media.keep(session, sealer, sender_id, message.message_sid, message.media, when)
        held = not urgent and handoff_service.record_from_person(session, sealer, sender_id, for_staff(message))
        return Arrival(claim, contact, needs_turn=not held)
