"""At most one turn per Twilio message id, across processes (a unique key does the work)."""

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.storage.database import session_scope
from bot.storage.models import ProcessedMessage


def claim(engine: Engine, message_sid: str, sender_id: str, when: datetime) -> bool:
    """True for the first request with this message id, False for any repeat."""
    try:
        with session_scope(engine) as session:
            session.add(ProcessedMessage(message_sid=message_sid, sender_id=sender_id, received_at=when))
    except IntegrityError:
        return False
    return True


def release(engine: Engine, message_sid: str) -> None:
    """Forgets a message whose turn failed, so Twilio's retry is processed."""
    with session_scope(engine) as session:
        session.query(ProcessedMessage).filter_by(message_sid=message_sid).delete()
