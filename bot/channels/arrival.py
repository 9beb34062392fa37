"""A Twilio message's arrival, recorded in one transaction before Twilio gets its 200: its
claim (one turn per MessageSid) with the message kept sealed until its turn is answered,
the number the person wrote from, a carrier opt-out or opt-in, the media they sent, and —
while staff hold the conversation — the message itself, kept for them. A message that
needs no turn (a carrier keyword) is answered here; one kept for staff is answered once
the channel has made sure it is not danger in other words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.channels.carrier_keywords import Keyword, carrier_keyword
from bot.channels.twilio_request import IncomingMessage
from bot.handoff import service as handoff_service
from bot.storage import contacts, media, processed_messages
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.processed_messages import Claim


@dataclass(frozen=True)
class Arrival:
    claim: Claim
    needs_turn: bool = False  # neither a carrier keyword nor a message kept for staff
    held: bool = False  # kept for staff (a handoff is open); not answered yet
    attempts: int = 0  # earlier attempts at this message's turn (a retry taking it over)


def for_staff(message: IncomingMessage) -> str:
    """The message as staff read it: a shared location first, then the text."""
    if message.location:
        return f"📍 {message.location[0]}, {message.location[1]}\n{message.text}".strip()
    return message.text


def record_arrival(engine: Engine, sealer: Sealer, message: IncomingMessage, sender_id: str, when: datetime,
                   turn_timeout: timedelta, urgent: bool, tombstone_key: bytes) -> Arrival:
    """Records a message's arrival. An `urgent` message (danger, the quick exit, a request
    to delete one's data) gets a turn even during a handoff."""
    with session_scope(engine) as session:
        claim, attempts = processed_messages.claim(session, message.message_sid, sender_id,
                                                   sealer.seal(message.to_json()), when, turn_timeout, tombstone_key)
        if claim is not Claim.NEW:
            return Arrival(claim)
        contacts.remember(session, sealer, sender_id, message.address, message.our_address, message.channel, when)
        keyword = carrier_keyword(message)
        if keyword is not None:
            contacts.set_opted_out(session, sender_id, keyword is Keyword.OPT_OUT)
        elif message.media and not attempts:
            media.keep(session, sealer, sender_id, message.message_sid, message.media, when)
        held = keyword is None and not urgent and handoff_service.record_from_person(
            session, sealer, sender_id, for_staff(message))
        if keyword is not None:
            processed_messages.answered(session, message.message_sid, when)
            return Arrival(claim, attempts=attempts)
        return Arrival(claim, needs_turn=not held, held=held, attempts=attempts)
