"""Pseudonymous conversation ids: the dialogue engine never sees a phone number."""

import hashlib
import hmac
import re

WHATSAPP_PREFIX = "whatsapp:"
WEB_CHAT_PREFIX = "web-"  # the web chat's conversation ids (bot/channels/rest_channel.py)
# Mexican mobiles reach WhatsApp as +521 and ten digits, SMS as +52 and the same ten.
_MEXICAN_WHATSAPP_MOBILE = re.compile(r"^\+521(\d{10})$")


def bare_number(address: str) -> str:
    """The E.164 number behind a Twilio address, one form per person across channels."""
    number = address.strip()
    if number.startswith(WHATSAPP_PREFIX):
        number = number[len(WHATSAPP_PREFIX):]
    mobile = _MEXICAN_WHATSAPP_MOBILE.match(number)
    return f"+52{mobile.group(1)}" if mobile else number


def pseudonym(address: str, key: bytes) -> str:
    """A keyed hash of the person's number: the same on SMS and WhatsApp, useless without the key."""
    return hmac.new(key, bare_number(address).encode(), hashlib.sha256).hexdigest()
