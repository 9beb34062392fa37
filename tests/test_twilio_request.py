"""Reading Twilio's webhook forms (field sets from Twilio's documentation)."""

import pytest

from bot.channels.carrier_keywords import Keyword, carrier_keyword
from bot.channels.twilio_request import MalformedRequest, parse

# An incoming SMS as Twilio posts it (numbers replaced).
SMS = {
    "ToCountry": "US", "ToState": "CA", "SmsMessageSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    "NumMedia": "0", "ToCity": "", "FromZip": "", "SmsSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": "¡Hola! ¿Me ayudas? ñ 🙏",
    "FromCountry": "MX", "To": "+15005550006", "ToZip": "", "NumSegments": "1",
    "MessageSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "AccountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "From": "+525512345678", "ApiVersion": "2010-04-01",
}
# A WhatsApp location pin as Twilio posts it.
WHATSAPP_PIN = {
    "SmsMessageSid": "SMa1b2c3d4e5f60718293a4b5c6d7e8f90", "NumMedia": "0", "ProfileName": "Ana",
    "MessageType": "location", "SmsSid": "SMa1b2c3d4e5f60718293a4b5c6d7e8f90", "WaId": "5215512345678",
    "SmsStatus": "received", "Body": "", "To": "whatsapp:+14155238886", "NumSegments": "1",
    "ReferralNumMedia": "0", "MessageSid": "SMa1b2c3d4e5f60718293a4b5c6d7e8f90",
    "AccountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "From": "whatsapp:+5215512345678",
    "Latitude": "21.1218", "Longitude": "-101.6825", "ApiVersion": "2010-04-01",
}


def test_sms_text_arrives_intact() -> None:
    message = parse(SMS)
    assert (message.channel, message.text, message.address, message.our_address) == (
        "sms", "¡Hola! ¿Me ayudas? ñ 🙏", "+525512345678", "+15005550006")
    assert message.dialogue_inputs() == (("¡Hola! ¿Me ayudas? ñ 🙏", False),)


def test_whatsapp_pin_becomes_a_location_turn() -> None:
    message = parse(WHATSAPP_PIN)
    assert message.channel == "whatsapp"
    assert message.location == (21.1218, -101.6825)
    assert message.dialogue_inputs() == (('/share_location{"latitude": 21.1218, "longitude": -101.6825}', True),)


def test_voice_note_with_text_is_two_turns() -> None:
    voice = dict(WHATSAPP_PIN, Latitude="", Longitude="", NumMedia="1", MessageType="audio",
                 MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/media/ME1", Body="escucha")
    message = parse(voice)
    assert message.media == (("audio/ogg", "https://api.twilio.com/media/ME1"),)
    assert message.dialogue_inputs() == (('/shared_media{"media_type": "audio"}', True), ("escucha", False))
    assert message.dialogue_inputs(text_first=True) == (("escucha", False), ('/shared_media{"media_type": "audio"}', True))


def test_missing_body_is_an_empty_text_and_unknown_fields_are_ignored() -> None:
    form = {k: v for k, v in SMS.items() if k != "Body"}
    form["SomethingNew"] = "x"
    assert parse(form).dialogue_inputs() == (("", False),)


def test_a_long_text_is_read_by_its_beginning_and_its_end() -> None:
    message = parse(dict(SMS, Body="hola " + "x" * 5000 + " me va a matar"))
    assert message.is_long and len(message.dialogue_text) <= 4096 + 3
    assert message.dialogue_text.startswith("hola ") and message.dialogue_text.endswith("me va a matar")


@pytest.mark.parametrize(
    "change",
    [{"From": ""}, {"To": ""}, {"MessageSid": "", "SmsMessageSid": ""}, {"NumMedia": "x"},
     {"NumMedia": "99"}, {"Latitude": "north"}, {"Latitude": "91"}, {"Longitude": "nan"},
     {"From": "+52" + "1" * 80}],
)
def test_malformed_forms_are_refused(change: dict) -> None:
    with pytest.raises(MalformedRequest):
        parse({**WHATSAPP_PIN, **change})


@pytest.mark.parametrize(
    "body,opt_out_type,keyword",
    [("STOP", "", Keyword.OPT_OUT), ("stop", "", Keyword.OPT_OUT), ("Cancel", "", Keyword.OPT_OUT),
     ("START", "", Keyword.OPT_IN), ("help", "", Keyword.HELP), ("alto", "STOP", Keyword.OPT_OUT),
     ("stop the violence", "", None), ("ayuda", "", None)],
)
def test_carrier_keywords_on_sms(body: str, opt_out_type: str, keyword: object) -> None:
    assert carrier_keyword(parse({**SMS, "Body": body, "OptOutType": opt_out_type})) is keyword


def test_whatsapp_has_no_carrier_keywords() -> None:
    assert carrier_keyword(parse({**WHATSAPP_PIN, "Body": "STOP"})) is None
