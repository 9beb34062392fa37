"""Media a person sent (voice notes, photos): kept sealed for the staff who take over."""

from datetime import datetime
from typing import Iterable, Tuple

from sqlalchemy.engine import Engine

from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.models import ReceivedMedia


def keep(
    engine: Engine, sealer: Sealer, sender_id: str, message_sid: str,
    media: Iterable[Tuple[str, str]], when: datetime,
) -> None:
    """Stores each (content type, URL) pair, the URL sealed."""
    with session_scope(engine) as session:
        session.add_all(
            ReceivedMedia(sender_id=sender_id, message_sid=message_sid, content_type=content_type,
                          sealed_url=sealer.seal(url), received_at=when)
            for content_type, url in media
        )
