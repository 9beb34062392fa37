"""Deletes everything Orienta's own tables hold about one conversation."""

from sqlalchemy.orm import Session

from bot.handoff.models import Handoff, HandoffMessage, StaffAudit
from bot.storage.models import Contact, OutgoingMessage, ProcessedMessage, ReceivedMedia

# Children before parents (foreign keys).
PER_SENDER_TABLES = (HandoffMessage, StaffAudit, Handoff, Contact, ProcessedMessage, ReceivedMedia, OutgoingMessage)


def erase_sender(session: Session, sender_id: str) -> int:
    """Deletes the sender's rows in every table; returns how many went."""
    return sum(
        session.query(table).filter(table.sender_id == sender_id).delete(synchronize_session=False)
        for table in PER_SENDER_TABLES
    )
