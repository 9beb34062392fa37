"""The form fields Twilio posts to a messaging webhook, for SMS and for WhatsApp.

Field names and values follow Twilio's documentation of the incoming-message webhook
(SMS: From/To with city, state, zip and country; WhatsApp: ProfileName, WaId,
MessageType, Latitude/Longitude for a location pin, MediaUrl0/MediaContentType0 for
media).
"""

import uuid
from typing import Dict, Optional, Tuple

from bot.identity import WHATSAPP_PREFIX

SMS_NUMBER = "+15005550006"  # Twilio's test number for valid senders
WHATSAPP_NUMBER = f"{WHATSAPP_PREFIX}+14155238886"  # Twilio's WhatsApp sandbox


def message_sid(media: bool = False) -> str:
    return ("MM" if media else "SM") + uuid.uuid4().hex


def sms_form(account_sid: str, sender: str, body: str, sid: Optional[str] = None) -> Dict[str, str]:
    sid = sid or message_sid()
    return {
        "ToCountry": "US", "ToState": "", "ToCity": "", "ToZip": "",
        "SmsMessageSid": sid, "SmsSid": sid, "MessageSid": sid, "NumMedia": "0",
        "FromCountry": "MX", "FromState": "", "FromCity": "", "FromZip": "",
        "SmsStatus": "received", "Body": body, "To": SMS_NUMBER, "From": sender,
        "NumSegments": "1", "AccountSid": account_sid, "ApiVersion": "2010-04-01",
    }


def whatsapp_form(
    account_sid: str,
    sender: str,
    body: str = "",
    location: Optional[Tuple[float, float]] = None,
    media: Optional[Tuple[str, str]] = None,
    profile_name: str = "Usuario",
    sid: Optional[str] = None,
) -> Dict[str, str]:
    """`sender` is the person's E.164 number; `media` is (content type, URL)."""
    sid = sid or message_sid(media is not None)
    form = {
        "SmsMessageSid": sid, "SmsSid": sid, "MessageSid": sid, "NumMedia": "0",
        "ProfileName": profile_name, "MessageType": "text", "WaId": sender.lstrip("+"),
        "SmsStatus": "received", "Body": body, "To": WHATSAPP_NUMBER,
        "From": f"{WHATSAPP_PREFIX}{sender}", "NumSegments": "1", "ReferralNumMedia": "0",
        "AccountSid": account_sid, "ApiVersion": "2010-04-01",
    }
    if location:
        form.update(MessageType="location", Latitude=str(location[0]), Longitude=str(location[1]))
    if media:
        form.update(MessageType=media[0].split("/")[0], NumMedia="1",
                    MediaContentType0=media[0], MediaUrl0=media[1])
    return form
