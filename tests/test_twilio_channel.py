"""The Twilio webhook, end to end: signed real-format requests in, replies out through
the real twilio client to the local fake of Twilio's REST API (the phone simulator)."""

import re
import secrets
from pathlib import Path
from typing import List

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.outgoing_text import is_gsm7, meaningful_accents, sms_text
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.simulator.twilio_form import SMS_NUMBER, WHATSAPP_NUMBER
from bot.statistics.models import DailyCount, Mark, PendingCount
from tests.conftest import (Phone, RunningAssistant, answer_then_state_question, assert_handoff_path,
                            running_assistant)

CATALOGUES = Catalogues.load()


def text(key: str) -> str:
    return render(key, "es", CATALOGUES, {})["text"]


def rows(assistant: RunningAssistant, sql: str, *params: object) -> List[tuple]:
    return assistant.query(sql, *params)


def user_texts(assistant: RunningAssistant, phone: Phone) -> List[str]:
    return [event["text"] for event in assistant.events(phone.sender_id, "user")]


def started(assistant: RunningAssistant, channel: str = "whatsapp") -> Phone:
    """A person past first contact: safe to talk, Spanish, at the main menu."""
    phone = assistant.phone(channel)
    for answer in ("hola", "1", "1"):
        phone.say(answer)
    return phone


def test_whatsapp_conversation_replies_from_the_number_written_to(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert phone.say("Hola") == [text("utter_welcome")]
    sent = assistant.sent_to(phone.address)
    assert [(m["to"], m["from"]) for m in sent] == [(phone.address, WHATSAPP_NUMBER)]


def test_sms_conversation_in_gsm7_with_numbered_options(assistant: RunningAssistant) -> None:
    phone = assistant.phone("sms")
    assert phone.say("hola") == [sms_text(text("utter_welcome"))]
    assert phone.say("1") == [sms_text(text("utter_ask_language"))]
    assert phone.say("1") == [sms_text(text("utter_main_menu"))]
    answer_then_state_question(phone.say("2"), sms_text(text("utter_ask_state")))
    sent = assistant.sent_to(phone.address)
    assert {m["from"] for m in sent} == {SMS_NUMBER}
    accented = [m["body"] for m in sent if not is_gsm7(m["body"])]  # only where accents change the meaning
    assert sms_text(text("utter_ask_state")) in accented and "pasó o estás" in accented[-1]
    assert all(meaningful_accents() & set(re.findall(r"\w+", body.lower())) for body in accented)


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_a_request_in_spanish_is_answered_by_the_second_message(assistant: RunningAssistant, channel: str) -> None:
    """The safety question, then at once the answer (the place came with the first message),
    with how to change the language; no language question."""
    shown = sms_text if channel == "sms" else str
    phone = assistant.phone(channel)
    assert phone.say("vivo en oaxaca y mi pareja me pega, no la quiero denunciar") == [shown(text("utter_welcome"))]
    answer = "\n".join(phone.say("1"))
    assert answer.startswith(shown("Te explico tus opciones.")) and shown("En Oaxaca:") in answer
    assert answer.endswith(shown(text("utter_language_hint")))
    assert shown(text("utter_ask_language")) not in answer


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_past_violence_gets_the_911_reminder_then_its_answer(assistant: RunningAssistant, channel: str) -> None:
    shown = sms_text if channel == "sms" else str
    phone = assistant.phone(channel)
    first = phone.say("hace un mes me amenazaron con un cuchillo y quiero denunciar")
    assert first == [shown(text("utter_danger_reminder")), shown(text("utter_welcome"))]
    answer = answer_then_state_question(phone.say("sí"), shown(text("utter_ask_state")))
    assert answer[0].startswith(shown("Te explico los pasos")) and answer[-1].endswith(shown(text("utter_language_hint")))


def test_the_same_person_on_sms_and_whatsapp_is_one_conversation(assistant: RunningAssistant) -> None:
    whatsapp = started(assistant, "whatsapp")
    sms = Phone(assistant, "sms", whatsapp.number)
    assert sms.sender_id == whatsapp.sender_id
    answer_then_state_question(sms.say("2"), sms_text(text("utter_ask_state")))


def test_text_arrives_intact(assistant: RunningAssistant) -> None:
    phone = started(assistant)
    message = "¡Hola! ¿Qué hago? Mi niña está bien 🙏😢 — ñ á é í ó ú ü"
    phone.say(message)
    assert user_texts(assistant, phone)[-1] == message


@pytest.mark.parametrize("signature", ["", "forged-signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="])
def test_unsigned_or_forged_requests_are_refused_and_change_nothing(
    assistant: RunningAssistant, signature: str
) -> None:
    phone = assistant.phone("whatsapp")
    form = phone.form("hola")
    assert assistant.post_webhook(form, signature=signature) == 403
    assert rows(assistant, "SELECT count(*) FROM events WHERE sender_id = ?", phone.sender_id) == [(0,)]
    assert rows(assistant, "SELECT count(*) FROM contacts WHERE sender_id = ?", phone.sender_id) == [(0,)]
    assert rows(assistant, "SELECT count(*) FROM processed_messages WHERE message_sid = ?", form["MessageSid"]) == [(0,)]
    assert phone.replies() == []


def test_a_request_signed_for_another_body_is_refused(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    form = phone.form("hola")
    validator = RequestValidator(assistant.auth_token)
    for other_url, other_form in ((assistant.webhook_url, dict(form, Body="adios")),
                                  ("https://elsewhere.example.org/webhook", form)):
        signature = validator.compute_signature(other_url, other_form)
        assert assistant.post_webhook(form, signature=signature) == 403
    assert phone.replies() == []


@pytest.mark.parametrize("missing", ["From", "To", "MessageSid"])
def test_signed_but_malformed_requests_get_400(assistant: RunningAssistant, missing: str) -> None:
    phone = assistant.phone("sms")
    form = {k: v for k, v in phone.form("hola").items() if k not in (missing, "SmsMessageSid")}
    assert assistant.post_webhook(form) == 400
    assert phone.replies() == []


def test_a_retried_message_is_one_turn_and_one_reply(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    form = phone.form("hola")
    assert assistant.post_webhook(form) == 200
    assert assistant.post_webhook(form) == 200
    assert assistant.post_webhook(dict(form)) == 200
    assert phone.replies() == [text("utter_welcome")]
    assert user_texts(assistant, phone) == ["hola"]


@pytest.mark.parametrize("body", ["", "x" * 5000, "🙏" * 50, "<script>alert(1)</script>", "' OR 1=1; --"])
def test_odd_bodies_get_a_calm_reply(assistant: RunningAssistant, body: str) -> None:
    phone = started(assistant)
    replies = phone.say(body)
    assert replies and all(replies)


def test_a_request_without_body_is_answered(assistant: RunningAssistant) -> None:
    phone = started(assistant, "sms")
    form = {k: v for k, v in phone.form("").items() if k != "Body"}
    assert assistant.post_webhook(form) == 200
    assert phone.replies() == [sms_text(text("utter_rephrase"))]


def test_a_location_pin_gets_the_help_nearest_to_it(assistant: RunningAssistant) -> None:
    phone = started(assistant)
    reply = phone.say(location=(21.1218, -101.6825))
    assert len(reply) == 1 and reply[0].startswith(text("utter_help_near_pin"))
    assert "Observatorio ciudadano: Observatorio Ciudadano de León A.C." in reply[0]
    slots = assistant.events(phone.sender_id, "slot")
    assert {"latitude": 21.1218, "longitude": -101.6825}.items() <= {s["name"]: s["value"] for s in slots}.items()


@pytest.mark.parametrize("media", [("audio/ogg", "https://api.twilio.com/media/ME1"), ("image/jpeg", "https://api.twilio.com/media/ME2")])
def test_voice_notes_and_photos_are_acknowledged_and_kept_sealed(assistant: RunningAssistant, media: tuple) -> None:
    phone = started(assistant)
    assert phone.say(media=media) == [text("utter_media_received")]
    stored = rows(assistant, "SELECT content_type, sealed_url FROM received_media WHERE sender_id = ?", phone.sender_id)
    assert [content_type for content_type, _ in stored] == [media[0]]
    assert media[1] not in stored[0][1]
    assert_handoff_path(phone.say("1"))


def test_after_a_voice_note_the_person_is_told_how_to_get_audio(assistant: RunningAssistant) -> None:
    """Who sends a voice note may not read: the reply says to write AUDIO, and that works."""
    phone = started(assistant)
    [acknowledged] = phone.say(media=("audio/ogg", "https://api.twilio.com/media/ME3"))
    assert "escribe AUDIO" in acknowledged.split("\n", 1)[1]  # not the first line, which a lock screen shows
    assert phone.say("AUDIO") == [text("utter_audio_on")]


def test_a_number_chooses_the_option_of_the_last_reply(assistant: RunningAssistant) -> None:
    phone = started(assistant)
    assert phone.say("3") == [text("utter_ask_place")]


def test_stop_silences_the_assistant_until_start(assistant: RunningAssistant) -> None:
    phone = started(assistant, "sms")
    assert phone.say("STOP") == []
    assert phone.say("menu") == []
    assert rows(assistant, "SELECT opted_out FROM contacts WHERE sender_id = ?", phone.sender_id) == [(1,)]
    assert phone.say("START") == []
    assert phone.say("menu") == [sms_text(text("utter_main_menu"))]


def test_help_is_left_to_twilio(assistant: RunningAssistant) -> None:
    phone = started(assistant, "sms")
    turns_before = len(user_texts(assistant, phone))
    assert phone.say("HELP") == []
    assert len(user_texts(assistant, phone)) == turns_before


def test_quick_exit_sends_its_line_then_nothing_of_the_person_remains(assistant: RunningAssistant) -> None:
    phone = started(assistant)
    phone.say(media=("audio/ogg", "https://api.twilio.com/media/ME9"))
    assert phone.say("salir") == [text("utter_quick_exit")]
    for table in ("events", "contacts", "processed_messages", "received_media"):
        assert rows(assistant, f"SELECT count(*) FROM {table} WHERE sender_id = ?", phone.sender_id) == [(0,)]


STATISTICS = [model.__tablename__ for model in (DailyCount, PendingCount, Mark)]  # marks: keyed digests


def test_no_phone_number_nor_message_text_is_stored_in_clear(assistant: RunningAssistant) -> None:
    phones = [started(assistant, "whatsapp"), started(assistant, "sms")]
    phones[0].say(media=("audio/ogg", "https://api.twilio.com/media/ME3"))
    secret = f"Me llamo Rosa y vivo en la calle Fresno {secrets.token_hex(4)}"
    phones[1].say(secret)
    assert secret in user_texts(assistant, phones[1])  # stored, and readable with the key
    # The statistics name kinds and values ("quick_exit", "danger") by design, with no one in them.
    dump, statistics = assistant.dump(without=STATISTICS), assistant.dump(only=STATISTICS)
    for phone in phones:
        assert phone.sender_id in dump and phone.sender_id not in statistics
        assert phone.number[-10:] not in dump + statistics
    for clear_text in (secret, "Fresno", "Hola 👋", "¿En qué te puedo orientar?", "quick_exit", "media_type"):
        assert clear_text not in dump


def test_public_url_is_what_the_signature_covers(tmp_path: Path) -> None:
    """Behind a proxy the engine is called at its internal URL, but Twilio signed the public one."""
    public_url = "https://orienta.example.org"
    with running_assistant(tmp_path, {"PUBLIC_URL": public_url}) as assistant:
        phone, validator = assistant.phone("whatsapp"), RequestValidator(assistant.auth_token)
        form = phone.form("hola")
        assert assistant.post_webhook(form, validator.compute_signature(assistant.webhook_url, form)) == 403
        assert rows(assistant, "SELECT count(*) FROM contacts WHERE sender_id = ?", phone.sender_id) == [(0,)]
        signed_for_public = validator.compute_signature(f"{public_url}/webhooks/twilio/webhook", form)
        assert assistant.post_webhook(form, signed_for_public) == 200
        assert phone.replies() == [text("utter_welcome")]


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_danger_as_the_first_message_gets_911_on_either_channel(assistant: RunningAssistant, channel: str) -> None:
    phone = assistant.phone(channel)
    replies = phone.say("me está siguiendo, tengo miedo")
    expected = text("utter_danger")
    assert replies[0] == (sms_text(expected) if channel == "sms" else expected)
    assert "911" in replies[0]
    # then the safety question, and after it protection without a complaint
    assert replies[1:] == [sms_text(text("utter_welcome")) if channel == "sms" else text("utter_welcome")]


def test_logs_hold_no_message_text_and_no_phone_number(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    secret = f"Soy Carmen Ruiz y vivo en Calle Cedro {secrets.token_hex(4)}"
    for message in ("hola", "1", "1", secret, "me está siguiendo", "3", "leon gto", "salir"):
        phone.send(message)
    logs = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    assert logs  # the servers do log
    for leak in (secret, "Carmen Ruiz", "Cedro", phone.number, phone.number[-10:], "me está siguiendo"):
        assert leak not in logs
