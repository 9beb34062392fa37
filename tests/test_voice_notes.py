"""Recorded voice notes go with their reply when it is served in the note's language."""

import asyncio
import secrets
from datetime import datetime, timezone
from pathlib import Path

from bot.channels.twilio_channel import TwilioInput
from bot.channels.twilio_sender import TwilioSender
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.contacts import Address
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


def test_the_channel_sends_the_voice_note_after_the_text(assistant: RunningAssistant) -> None:
    """Through the real twilio client and the simulator's fake of Twilio's REST API."""
    channel = TwilioInput.__new__(TwilioInput)
    channel.sender = TwilioSender(assistant.account_sid, assistant.auth_token,
                                  f"http://127.0.0.1:{assistant.simulator_port}")
    address = f"whatsapp:+52155{secrets.randbelow(10**8):08d}"
    contact = Address(address, "whatsapp:+14155238886", "whatsapp", False, datetime.now(timezone.utc))
    asyncio.run(channel.reply(contact, [{"text": "Importante: llama al 911."}, {"attachment": NOTE}]))
    sent = assistant.sent_to(address)
    assert [(m["body"], m["media_url"]) for m in sent] == [("Importante: llama al 911.", ""), ("", NOTE)]
