"""The form fields Twilio posts to a messaging webhook, for SMS and for WhatsApp.

Field names and values follow Twilio's documentation of the incoming-message webhook
(SMS: From/To with city, state, zip and country; WhatsApp: ProfileName, WaId,
MessageType, Latitude/Longitude for a location pin, MediaUrl0/MediaContentType0 for
media; ButtonPayload/ButtonText for a tap on a quick-reply button, ListId/ListTitle for a
list item), and of the status callback of an outgoing message (MessageStatus, ErrorCode; on
WhatsApp the Channel* fields).
"""

import uuid
from datetime import datetime, timezone
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


def tap_fields(kind: str, item_id: str, title: str) -> Dict[str, str]:
    """The fields WhatsApp adds for a tap: a quick-reply button (`kind` "quick-reply":
    ButtonPayload, ButtonText) or a list item ("list-picker": ListId, ListTitle); the Body
    is the title shown."""
    if kind == "list-picker":
        return {"MessageType": "interactive", "ListId": item_id, "ListTitle": title, "Body": title}
    return {"MessageType": "button", "ButtonPayload": item_id, "ButtonText": title, "Body": title}


def status_form(account_sid: str, message_sid: str, to: str, from_: str, status: str,
                error_code: Optional[int] = None) -> Dict[str, str]:
    """What Twilio posts to a message's StatusCallback when its status changes."""
    form = {
        "SmsSid": message_sid, "SmsStatus": status, "MessageStatus": status, "To": to,
        "MessageSid": message_sid, "AccountSid": account_sid, "From": from_, "ApiVersion": "2010-04-01",
    }
    if to.startswith(WHATSAPP_PREFIX):
        form.update(ChannelPrefix="whatsapp", ChannelInstallSid="XE" + uuid.uuid5(uuid.NAMESPACE_URL, from_).hex,
                    ChannelToAddress=to[len(WHATSAPP_PREFIX):], StructuredMessage="false")
    elif status == "delivered":
        form["RawDlrDoneDate"] = datetime.now(timezone.utc).strftime("%y%m%d%H%M")
    if error_code:
        form["ErrorCode"] = str(error_code)
    return form
