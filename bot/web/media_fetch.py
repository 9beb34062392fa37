"""A received voice note or photo, fetched for the staff member who holds the conversation.

The link comes from a webhook, so it is not trusted: only links on the Twilio API's own
origin (https://api.twilio.com, or the simulator's when one is configured) are fetched,
and the account's credentials go only there (requests drops them when Twilio redirects
to its media storage). What comes back is served as inert content: a type from a short
list of photo, audio and video types shown inline, anything else as a download, never
sniffed, under a sandboxing Content-Security-Policy.
"""

from dataclasses import dataclass
from typing import Dict, Optional
from urllib.parse import urlsplit

import requests

TWILIO_API = "https://api.twilio.com"
TIMEOUT_S = 15
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for a received file
SHOWN_INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "audio/ogg", "audio/mpeg", "audio/amr",
                "audio/mp4", "audio/aac", "video/mp4", "video/3gpp"}
DOWNLOADED = {"application/pdf"}


class MediaRefused(Exception):
    """The link is not Twilio's, or what it answered cannot be served."""


@dataclass(frozen=True)
class Media:
    content: bytes
    headers: Dict[str, str]


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def fetch(url: str, content_type: str, api_url: Optional[str], account_sid: str, auth_token: str) -> Media:
    """The media at `url`, with the headers it is served with; MediaRefused if `url` is not
    on the Twilio API's origin, Twilio does not answer 200, or the file is too large."""
    if _origin(url) != _origin(api_url or TWILIO_API):
        raise MediaRefused("not a Twilio media link")
    try:
        with requests.get(url, auth=(account_sid, auth_token), timeout=TIMEOUT_S, stream=True) as answer:
            if answer.status_code != 200:
                raise MediaRefused(f"Twilio answered {answer.status_code}")
            content = answer.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise MediaRefused(type(error).__name__) from error
    if len(content) > MAX_BYTES:
        raise MediaRefused("too large")
    return Media(content, served_headers(content_type))


def served_headers(content_type: str) -> Dict[str, str]:
    """Inert headers: the declared type only when it is a known media type."""
    declared = content_type.split(";")[0].strip().lower()
    inline = declared in SHOWN_INLINE
    served = declared if inline or declared in DOWNLOADED else "application/octet-stream"
    return {"Content-Type": served, "Content-Disposition": "inline" if inline else "attachment",
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "no-store"}
