"""A received voice note or photo, fetched for the staff member who holds the conversation.

The link comes from a webhook, so it is not trusted: only a path on the Twilio API's own
origin (https://api.twilio.com, or the simulator's when one is configured) is fetched —
the request goes to the configured origin with that path, never to the link as written —
and the account's credentials go only there. One redirect (Twilio's to its media storage)
is followed by hand, over https, without credentials. Every body is read up to MAX_BYTES,
uncompressed. What comes back is served as inert content: a type from a short list of
photo, audio and video types shown inline, anything else as a download, never sniffed,
under a sandboxing Content-Security-Policy.
"""

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

import requests

TWILIO_API = "https://api.twilio.com"
TIMEOUT_S = 15
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for a received file
SHOWN_INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "audio/ogg", "audio/mpeg", "audio/amr",
                "audio/mp4", "audio/aac", "video/mp4", "video/3gpp"}
DOWNLOADED = {"application/pdf"}


class MediaRefused(Exception):
    """The link is not Twilio's, or what it answered cannot be served; `transient` when
    Twilio may answer later (no answer, 429, 5xx)."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient


@dataclass(frozen=True)
class Media:
    content: bytes
    headers: Dict[str, str]


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


# Characters URL parsers disagree on (a backslash ends the host for some, not for others).
_AMBIGUOUS = re.compile(r"[\\@\s\x00-\x1f\x7f]")


def fetch(url: str, content_type: str, api_url: Optional[str], account_sid: str, auth_token: str) -> Media:
    """The media at `url`, with the headers it is served with; MediaRefused if `url` is not
    a path on the Twilio API's origin, Twilio does not answer 200, or the file is too large."""
    api = api_url or TWILIO_API
    parts = urlsplit(url)
    if _AMBIGUOUS.search(url) or _origin(url) != _origin(api) or not parts.path.startswith("/"):
        raise MediaRefused("not a Twilio media link")
    target = api.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        answer = _get(target, (account_sid, auth_token))
        if answer.is_redirect:
            location = answer.headers.get("Location", "")
            answer.close()
            if urlsplit(location).scheme != "https" and _origin(location) != _origin(api):
                raise MediaRefused("a redirect off https")
            answer = _get(location, None)
        with answer:
            if answer.status_code != 200:
                raise MediaRefused(f"Twilio answered {answer.status_code}",
                                   transient=answer.status_code == 429 or answer.status_code >= 500)
            content = answer.raw.read(MAX_BYTES + 1, decode_content=False)
    except requests.RequestException as error:
        raise MediaRefused(type(error).__name__, transient=True) from error
    if len(content) > MAX_BYTES:
        raise MediaRefused("too large")
    return Media(content, served_headers(content_type))


def _get(url: str, auth: Optional[Tuple[str, str]]) -> requests.Response:
    return requests.get(url, auth=auth, timeout=TIMEOUT_S, stream=True, allow_redirects=False,
                        headers={"Accept-Encoding": "identity"})


def served_headers(content_type: str) -> Dict[str, str]:
    """Inert headers: the declared type only when it is a known media type."""
    declared = content_type.split(";")[0].strip().lower()
    inline = declared in SHOWN_INLINE
    served = declared if inline or declared in DOWNLOADED else "application/octet-stream"
    return {"Content-Type": served, "Content-Disposition": "inline" if inline else "attachment",
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "no-store"}
