"""The webhook under abuse: floods, oversized bodies, and random or malformed requests."""

import asyncio
import string
import urllib.error
import urllib.request

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.rate_limit import SlidingWindow, parse_rate
from bot.channels.twilio_channel import DEFAULT_SENDER_RATE
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
