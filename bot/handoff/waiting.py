"""The one acknowledgement a person gets for writing while their handoff waits to be
claimed: the first message kept for staff is answered that it was kept, later ones are not
(staff answer them)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.handoff.models import HandoffMessage
from bot.handoff.service import open_for
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage import contacts
from bot.storage.crypto import Sealer

CATALOGUES = Catalogues.load()  # read once per process, as the turns do


def acknowledge(session: Session, sealer: Sealer, sender_id: str, now: datetime) -> bool:
    """Puts the acknowledgement in the outbox, in the caller's transaction, if the message
    just kept is the first of a handoff nobody has claimed yet; True if it did."""
    handoff = open_for(session, sender_id)
    if handoff is None or handoff.status != "waiting":
        return False
    kept = session.scalar(sa.select(sa.func.count(HandoffMessage.id)).where(
        HandoffMessage.handoff_id == handoff.id, HandoffMessage.kind == "person"))
    contact = contacts.find(session, sealer, sender_id)
    if kept != 1 or contact is None:
        return False
    text = render("utter_handoff_waiting", handoff.language, CATALOGUES, {})["text"]
    return outbox.enqueue(session, sealer, sender_id, contact, [Reply(text)], outbox.ASSISTANT, now) > 0
