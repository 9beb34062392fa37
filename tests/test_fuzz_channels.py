"""Both channels' inputs fuzzed (hypothesis) against the running assistant: REST bodies of
any shape and signed Twilio forms of any values each get 200, 400, 403, 413 or 429 within
15 s; afterwards the assistant still answers and none of its processes has stopped."""

import json
import time
import urllib.error
import urllib.parse
from typing import Callable, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.run import MAX_REQUEST_BYTES
from tests.conftest import RunningAssistant
from tests.test_rest_channel import all_alive

ANSWERS = {200, 400, 403, 413, 429, 503}  # 503: a repeated MessageSid whose turn is still running (Retry-After)
HANG_S = 15
Answer = TypeVar("Answer")
FUZZ = settings(max_examples=500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Any text, lone surrogates and NUL included; known odd values; texts of every size up to
# past the request limit (1 MB).
ODD_TEXTS = st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "\udfff hola", "default", "0" * 64,
                             '/share_location{"latitude": 1}', "/confirm_handoff", "salir", "me va a matar", "hola"])
HUGE_TEXTS = st.builds(str.__mul__, st.sampled_from(["x", "ñ", "🙏", "\ud800", "\x00"]),
                       st.sampled_from([64, 65, 5000, 5001, 100_000])) | st.just("x" * 1_100_000)
TEXTS = st.one_of(st.text(st.characters(exclude_categories=()), max_size=80), ODD_TEXTS, HUGE_TEXTS)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXTS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4), max_leaves=12)
SENDERS = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True), JSON_VALUES)
MESSAGES = st.one_of(TEXTS, JSON_VALUES)
REST_BODIES = st.one_of(
    st.fixed_dictionaries({"sender": SENDERS, "message": MESSAGES},
                          optional={"metadata": JSON_VALUES, "input_channel": JSON_VALUES, "extra": JSON_VALUES}
                          ).map(lambda fields: json.dumps(fields).encode()),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    st.sampled_from([b"[" * 100_000, b'{"sender": ' * 50_000, b'{"sender": "a", "message": "' + b"\\" * 1000]),
)

# What Twilio could sign: any text it can encode (no lone surrogates), phone numbers that
# parse, and the odd values of each field.
FORM_TEXTS = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
                       ODD_TEXTS.filter(lambda text: "\ud800" not in text and "\udfff" not in text),
                       HUGE_TEXTS.filter(lambda text: "\ud800" not in text))
TWILIO_FIELDS = FORM_TEXTS  # Twilio's own identifiers, fuzzed with NUL and control characters too
ADDRESSES = st.sampled_from(["+525512345678", "whatsapp:+5215512345678", "whatsapp:+14155238886", "+15005550006"])
NUMBERS = st.sampled_from(["", "0", "1", "10", "11", "-1", "1.5", "nan", "inf", "1e309", "91", "-181", "19.43"])
FORMS = st.fixed_dictionaries(
    {"MessageSid": st.uuids().map(lambda sid: f"SM{sid.hex}") | TWILIO_FIELDS,
     "From": ADDRESSES | FORM_TEXTS, "To": ADDRESSES | FORM_TEXTS, "Body": FORM_TEXTS},
    optional={"NumMedia": NUMBERS | FORM_TEXTS, "MediaUrl0": TWILIO_FIELDS, "MediaContentType0": TWILIO_FIELDS,
              "Latitude": NUMBERS | FORM_TEXTS, "Longitude": NUMBERS | FORM_TEXTS,
              "OptOutType": st.sampled_from(["STOP", "START", "HELP"]) | FORM_TEXTS,
              "SmsMessageSid": TWILIO_FIELDS, "MessageType": FORM_TEXTS, "WaId": FORM_TEXTS,
              "ProfileName": FORM_TEXTS},
)


def answered(post: Callable[[], Answer], size: int, oversized: Answer) -> Answer:
    """What a post got, within HANG_S; `oversized` when the engine refused a body over its
    limit before reading it (413, which the client may only see as a closed connection)."""
    began = time.monotonic()
    try:
        answer = post()
    except urllib.error.URLError as error:
        if size <= MAX_REQUEST_BYTES or not isinstance(error.reason, (ConnectionResetError, BrokenPipeError)):
            raise
        answer = oversized
    assert time.monotonic() - began < HANG_S
    return answer


def test_any_input_on_either_channel_is_answered_and_breaks_nothing(assistant: RunningAssistant) -> None:
    @FUZZ
    @given(body=REST_BODIES)
    def rest(body: bytes) -> None:
        status, _ = answered(lambda: assistant.post_rest(body, timeout=HANG_S), len(body), (413, b""))
        assert status in ANSWERS, body[:300]

    @FUZZ
    @given(form=FORMS, signed=st.booleans())
    def twilio(form: dict, signed: bool) -> None:
        status = answered(lambda: assistant.post_webhook(form, None if signed else "forged", timeout=HANG_S),
                          len(urllib.parse.urlencode(form)), 413)
        assert status in ANSWERS, {name: value[:100] for name, value in form.items()}

    rest()
    twilio()
    assert all_alive(assistant)
    assert assistant.conversation().say("hola")
    assert len(assistant.phone("sms").say("hola")) == 1


def test_a_nul_in_twilios_own_fields_gets_no_500(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    forms = [{**phone.form("hola"), "MessageSid": "SM\x00", "SmsMessageSid": "SM\x00"},
             phone.form("hola", media=("image/\x00jpeg", "https://api.twilio.com/media/ME\x00"))]
    statuses = [assistant.post_webhook(form) for form in forms]
    assert set(statuses) <= ANSWERS, statuses
