"""A reply's recording goes after its text, as a message of its own (tests/test_voice_recordings.py
follows a recording from its upload to the person)."""

import secrets
import time
from datetime import datetime, timezone

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.delivery.turn_replies import replies_in
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from rasa.shared.core.events import BotUttered
from tests.conftest import RunningAssistant

NOTE = "https://partner.example.org/audio/nah/peligro.ogg"


def test_the_voice_note_goes_after_the_text(assistant: RunningAssistant) -> None:
    """A turn's replies with a voice note, stored in the running assistant's outbox and
    delivered by its courier through the real twilio client to the simulator's fake API."""
    replies = replies_in([BotUttered("Importante: llama al 911."), BotUttered(data={"attachment": NOTE})])
    assert replies == [Reply("Importante: llama al 911."), Reply("", NOTE)]
    address = f"whatsapp:+52155{secrets.randbelow(10**8):08d}"
    contact = Address(address, "whatsapp:+14155238886", "whatsapp", False, datetime.now(timezone.utc))
    with session_scope(assistant.engine) as session:
        outbox.enqueue(session, Sealer([assistant.data_key]), f"voice-{address}", contact, replies,
                       outbox.ASSISTANT, datetime.now(timezone.utc))
    deadline = time.monotonic() + 10
    while len(assistant.sent_to(address)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    sent = assistant.sent_to(address)
    assert [(m["body"], m["media_url"]) for m in sent] == [("Importante: llama al 911.", ""), ("", NOTE)]
