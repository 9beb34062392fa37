"""Recorded voice notes go with their reply when it is served in the note's language."""

import secrets
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.delivery.turn_replies import replies_in
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from rasa.shared.core.events import BotUttered
from tests.conftest import RunningAssistant, nahuatl_catalogue

NOTE = "https://partner.example.org/audio/nah/peligro.ogg"


def locales_with_a_reviewed_nahuatl_danger_reply(tmp_path: Path, reviewed: bool) -> Path:
    with nahuatl_catalogue(tmp_path) as catalog:
        catalog["utter_danger"].string = "(texto en náhuatl)"
        if not reviewed:
            catalog["utter_danger"].flags.add("fuzzy")
    locales = tmp_path / "locales"
    (locales / "nah" / "voice_notes.yml").write_text(f"utter_danger: {NOTE}\n", encoding="utf-8")
    return locales


def test_a_reviewed_reply_carries_its_voice_note(tmp_path: Path) -> None:
    catalogues = Catalogues.load(locales_with_a_reviewed_nahuatl_danger_reply(tmp_path, reviewed=True), drafts=False)
    assert render("utter_danger", "nah", catalogues, {})["attachment"] == NOTE
    assert "attachment" not in render("utter_danger", "es", catalogues, {})


def test_a_draft_falls_back_to_spanish_without_the_voice_note(tmp_path: Path) -> None:
    catalogues = Catalogues.load(locales_with_a_reviewed_nahuatl_danger_reply(tmp_path, reviewed=False), drafts=False)
    message = render("utter_danger", "nah", catalogues, {})
    assert message["language"] == "es" and "attachment" not in message


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
