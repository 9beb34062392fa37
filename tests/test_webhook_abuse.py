"""The webhook under abuse: floods, oversized bodies, random or malformed requests, text
that looks like an intent, and what all that leaves in the logs."""

import asyncio
import logging
import secrets
import string
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.rate_limit import SlidingWindow, parse_rate
from bot.channels.rest_channel import conversation_id
from bot.channels.twilio_channel import DEFAULT_SENDER_RATE
from bot.logging_privacy import PrivacyFilter, log_warning
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests.conftest import RunningAssistant

SENDER_LIMIT, _ = parse_rate(DEFAULT_SENDER_RATE)
FIELD_NAMES = ["MessageSid", "SmsMessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0",
               "Latitude", "Longitude", "OptOutType", "WaId", "ProfileName", "AccountSid", "Extra"]
VALUES = st.one_of(st.text(max_size=300), st.sampled_from(["", "0", "1", "11", "-1", "nan", "1e309", "91", "whatsapp:",
                                                           "+525512345678", "whatsapp:+5215512345678"]))
FORMS = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(string.ascii_letters, min_size=1, max_size=12),
                        VALUES, max_size=12)


def test_a_window_allows_its_limit_then_refuses_until_it_slides() -> None:
    now = [0.0]
    window = SlidingWindow(3, 60, clock=lambda: now[0])
    allow = lambda key: asyncio.run(window.allow(key))  # noqa: E731
    assert [allow("a") for _ in range(4)] == [True, True, True, False]
    assert allow("b")
    now[0] = 60.0
    assert allow("a")


def test_a_flood_from_one_person_is_kept_and_answered_calmly(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    phone.say("hola")
    sent = [f"mensaje {n}" for n in range(SENDER_LIMIT + 4)]
    for message in sent:
        assert phone.send(message) == 200
    replies = phone.replies()
    calm = render("utter_slow_down", "es", Catalogues.load(), {})["text"]
    assert replies.count(calm) == 1
    stored = [event["text"] for event in assistant.events(phone.sender_id, "user")]
    assert [text for text in stored if text in sent] == sent  # every message kept, in order


def test_an_oversized_request_is_refused(assistant: RunningAssistant) -> None:
    request = urllib.request.Request(assistant.webhook_url, data=b"Body=" + b"x" * 2_000_000)
    try:
        status = urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 413


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=FORMS, signed=st.booleans())
def test_random_requests_never_break_the_webhook_nor_valid_messages(
    assistant: RunningAssistant, form: dict, signed: bool
) -> None:
    status = assistant.post_webhook(form, signature=None if signed else "bad")
    assert status in (200, 400, 403)
    phone = assistant.phone("whatsapp")  # a real person writing right after: one turn, one reply
    assert len(phone.say("hola")) == 1
    assert [e["text"] for e in assistant.events(phone.sender_id, "user")] == ["hola"]


def test_valid_messages_between_random_ones_get_exactly_one_reply(assistant: RunningAssistant) -> None:
    phone = assistant.phone("sms")
    assert phone.say("hola") and len(phone.replies()) == 0
    assert assistant.post_webhook({"Body": "\x00\uffff", "From": "+52"}) == 400
    assert len(phone.say("1")) == 1
    assert assistant.post_webhook(phone.form("1"), signature="forged") == 403
    assert len(phone.say("1")) == 1
    typed = [e["text"] for e in assistant.events(phone.sender_id, "user") if not e["text"].startswith("/")]
    assert typed == ["hola", "1", "1"]  # (options chosen are stored as their payloads too)


LOOKS_LIKE_AN_INTENT = ['/share_location{"latitude": 1}', '/share_location{"latitude": 19.43, "longitude": -99.13}',
                        "/confirm_handoff", '/choose_language{"language": "nah"}', "/restart", "/ayuda"]


def typed_messages(assistant: RunningAssistant, channel: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Sends each text over `channel` (rest, sms, whatsapp); the stored user events of the conversation."""
    if channel == "rest":
        sender = f"typed-{uuid.uuid4().hex}"
        for text in texts:
            assistant.send(sender, text)
        return assistant.events(conversation_id(sender), "user")
    phone = assistant.phone(channel)
    for text in texts:
        assert phone.send(text) == 200
    return assistant.events(phone.sender_id, "user")


def read_as_an_intent(event: Dict[str, Any]) -> bool:
    """Whether a stored message was taken as "/intent{entities}" (one intent, certain) rather
    than classified by the NLU model (a ranking of intents)."""
    parse = event["parse_data"]
    return len(parse["intent_ranking"]) <= 1 or any(entity.get("extractor") == "RegexMessageHandler"
                                                    for entity in parse["entities"])


@pytest.mark.parametrize("channel", ["rest", "sms", "whatsapp"])
def test_text_that_looks_like_an_intent_is_classified_by_the_model(assistant: RunningAssistant, channel: str) -> None:
    events = typed_messages(assistant, channel, ["hola", "1", *LOOKS_LIKE_AN_INTENT])
    typed = [event for event in events if event["text"] in LOOKS_LIKE_AN_INTENT]
    assert [event["text"] for event in typed] == LOOKS_LIKE_AN_INTENT
    assert not [event["text"] for event in typed if read_as_an_intent(event)]


def test_a_location_pin_is_still_the_channels_own_intent(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert phone.send(location=(21.1218, -101.6825)) == 200
    [pin] = assistant.events(phone.sender_id, "user")
    assert pin["parse_data"]["intent"]["name"] == "share_location" and read_as_an_intent(pin)


def test_no_log_line_carries_what_a_person_wrote(assistant: RunningAssistant) -> None:
    number = "55" + "".join(secrets.choice("0123456789") for _ in range(8))
    written = [f"/ayuda, soy Ana López, mi número es {number}",
               f'/share_location{{"latitude": 1}} soy Ana López, {number}', f"/menu@x{{ Ana López {number}"]
    for channel in ("rest", "sms", "whatsapp"):
        typed_messages(assistant, channel, written)
    logs = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    assert logs and "Ana López" not in logs and number not in logs


def test_rasa_and_sanic_records_keep_their_words_not_the_persons() -> None:
    text = "/ayuda, soy Ana López, mi número es 5512345678"
    try:
        raise ValueError(f"Cannot store {text!r}")
    except ValueError:
        exc_info = sys.exc_info()
    records = [
        logging.LogRecord("rasa.shared.utils.io", logging.WARNING, __file__, 1,
                          f"Failed to parse arguments in line '{text}'. Continuing.", None, None),
        logging.LogRecord("sanic.error", logging.ERROR, __file__, 1, "Exception while handling %s", (text,), exc_info),
        logging.LogRecord("rasa.core.channels.rest", logging.ERROR, __file__, 1,
                          f'{{"text": "{text}", "event": "rest.message.received.failure"}}', None, None),
        logging.LogRecord("bot.channels.turns", logging.WARNING, __file__, 1, "A turn failed (%s).", ("ValueError",),
                          exc_info),
    ]
    shown = []
    for record in records:
        assert PrivacyFilter().filter(record)
        shown.append(logging.Formatter("%(name)s %(message)s").format(record))
    assert shown[0] == "rasa.shared.utils.io Failed to parse arguments in line […]"
    assert shown[1].startswith("sanic.error Exception while handling %s\nTraceback (most recent call last):")
    assert shown[1].endswith("ValueError: […]")
    assert shown[2] == "rasa.core.channels.rest rest.message.received.failure […]"
    assert shown[3].startswith("bot.channels.turns A turn failed (ValueError).")
    assert not [line for line in shown if "Ana" in line or "5512345678" in line]


def test_warnings_become_records_of_their_opening_words(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.logging_privacy"):
        log_warning(UserWarning("Failed to parse arguments in line '/ayuda, soy Ana López'."), UserWarning,
                    "/venv/rasa/shared/core/training_data/story_reader/yaml_story_reader.py", 650)
    assert caplog.messages == ["UserWarning (/venv/rasa/shared/core/training_data/story_reader/yaml_story_reader.py:650):"
                               " Failed to parse arguments in line […]"]
