"""Reads a Twilio status callback (how one of our messages fared) into a StatusReport.

Twilio posts MessageSid and MessageStatus (and SmsSid, SmsStatus, the same), From, To,
AccountSid, ApiVersion, ErrorCode when the message failed or was undelivered, and on
WhatsApp ChannelPrefix, ChannelToAddress and others; unknown fields are ignored.
"""

import re
from typing import Mapping

from bot.channels.twilio_request import MalformedRequest
from bot.delivery.statuses import PROGRESS, StatusReport

_SID = re.compile(r"[A-Za-z0-9]{2,64}")
_ERROR_CODE = re.compile(r"[0-9]{1,9}")


def parse_status(params: Mapping[str, str]) -> StatusReport:
    """The report in a status callback's form fields."""
    message_sid = params.get("MessageSid") or params.get("SmsSid") or ""
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    error_code = (params.get("ErrorCode") or "").strip()
    if not _SID.fullmatch(message_sid):
        raise MalformedRequest("MessageSid is required, letters and digits")
    if status not in PROGRESS:
        raise MalformedRequest("MessageStatus is not one of an outgoing message's")
    if error_code and not _ERROR_CODE.fullmatch(error_code):
        raise MalformedRequest("ErrorCode must be a number")
    return StatusReport(message_sid, status, int(error_code) if error_code else None)
