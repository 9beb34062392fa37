"""The links Twilio fetches an approved recording by: signed, and valid for an hour.

`<engine>/webhooks/twilio/recordings/<id>.<ext>?expires=<unix time>&signature=<hex>`: the
signature is an HMAC-SHA256 of the id and the expiry under a key derived from
ORIENTA_SENDER_KEY (which every engine shares), so any engine serves a link any other made,
and a link altered or out of date is refused (403) before the database is read. The engine's
address is where Twilio reaches it (bot/settings.py, `reachable_url`); without one, no
recording is sent.
"""

import hashlib
import hmac
import time
from typing import Optional

from bot.recordings.formats import BY_CONTENT_TYPE
from bot.settings import Settings, reachable_url

PATH = "/webhooks/twilio/recordings"
LIFETIME_S = 3600
_LABEL = b"orienta recording links"  # keeps this key apart from the pseudonyms' (the same secret)


class Links:
    """Signs and checks recording links."""

    def __init__(self, secret: bytes, base_url: Optional[str]) -> None:
        self._key = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        self.base_url = base_url

    @classmethod
    def for_settings(cls, settings: Settings) -> "Links":
        return cls(settings.sender_key, reachable_url(settings.public_url, settings.twilio_api_url))

    def _signature(self, recording_id: int, expires: int) -> str:
        return hmac.new(self._key, f"{recording_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, recording_id: int, content_type: str, now: Optional[float] = None) -> Optional[str]:
        """A link to the recording, valid LIFETIME_S from `now`; None where Twilio cannot reach us."""
        if not self.base_url:
            return None
        expires = int(now if now is not None else time.time()) + LIFETIME_S
        extension = BY_CONTENT_TYPE[content_type].extension
        return (f"{self.base_url}{PATH}/{recording_id}.{extension}"
                f"?expires={expires}&signature={self._signature(recording_id, expires)}")

    def valid(self, recording_id: int, expires: str, signature: str, now: Optional[float] = None) -> bool:
        """Whether a link's expiry and signature are ours and it has not expired."""
        if not (expires.isascii() and expires.isdigit() and len(expires) <= 12 and signature.isascii()):
            return False
        expected = self._signature(recording_id, int(expires))
        current = now if now is not None else time.time()
        return hmac.compare_digest(expected, signature) and current < int(expires)
