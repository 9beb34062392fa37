"""Media a person sent (voice notes, photos): kept sealed for the staff who take over —
the link as Twilio gave it, then the file itself, copied before Twilio's copy is deleted
(bot/delivery/media_copy.py)."""

from datetime import datetime, timedelta
from typing import Iterable, List, Optional, Tuple

import sqlalchemy as sa
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


COPY_RETRY = timedelta(minutes=1)  # after a copy Twilio could not give yet


def uncopied(session: Session, now: datetime, limit: int = 5) -> List[Tuple[int, str, str]]:
    """Media with no sealed copy yet, due for a try: (id, sealed link, content type)."""
    return [tuple(row) for row in session.execute(
        sa.select(ReceivedMedia.id, ReceivedMedia.sealed_url, ReceivedMedia.content_type)
        .where(ReceivedMedia.copied_at.is_(None),
               sa.or_(ReceivedMedia.copy_after.is_(None), ReceivedMedia.copy_after <= now))
        .order_by(ReceivedMedia.id).limit(limit))]


def store_copy(session: Session, sealer: Sealer, media_id: int, content: Optional[bytes], now: datetime) -> None:
    """Keeps the file, sealed (None: Twilio had nothing that can be kept)."""
    session.execute(sa.update(ReceivedMedia).where(ReceivedMedia.id == media_id).values(
        sealed_content=sealer.seal_bytes(content) if content is not None else None, copied_at=now))


def copy_later(session: Session, media_id: int, now: datetime) -> None:
    session.execute(sa.update(ReceivedMedia).where(ReceivedMedia.id == media_id)
                    .values(copy_after=now + COPY_RETRY))
