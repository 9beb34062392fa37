"""Media a person sent (voice notes, photos): kept sealed for the staff who take over."""

from datetime import datetime
from typing import Iterable, Tuple

from sqlalchemy.orm import Session

from bot.storage.crypto import Sealer
from bot.storage.models import ReceivedMedia


def keep(
    session: Session, sealer: Sealer, sender_id: str, message_sid: str,
    media: Iterable[Tuple[str, str]], when: datetime,
) -> None:
    """Stores each (content type, URL) pair, the URL sealed, in the caller's transaction."""
    session.add_all(
        ReceivedMedia(sender_id=sender_id, message_sid=message_sid, content_type=content_type,
                      sealed_url=sealer.seal(url), received_at=when)
        for content_type, url in media
    )
