"""Counting what a conversation shows, for the observatories' statistics (bot/statistics/):
at most once per person, kind and day — the slot keeps what this conversation counted today —
with the person's channel and language on their first count of the day."""

import logging
from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.places import current_place_key
from bot.identity import WEB_CHAT_PREFIX
from bot.settings import database_url
from bot.statistics import record
from bot.storage.database import engine_for, session_scope
from bot.storage.models import Contact

logger = logging.getLogger(__name__)
COUNTED_SLOT = "stats_counted"  # ["2026-12-02:topic", …]: what was counted today


def channel_of(session: Session, sender_id: str) -> str:
    """whatsapp or sms from the person's contact; web for the web chat."""
    if sender_id.startswith(WEB_CHAT_PREFIX):
        return "web"
    contact = session.get(Contact, sender_id)
    return contact.channel if contact else "other"


def counted(tracker: Tracker, *seen: Tuple[str, Optional[str]]) -> List[EventType]:
    """Counts each (kind, value) this person was not counted for today (a value None is
    nothing to count); the slot event that remembers it. A failure is logged, never raised."""
    day = record.today().isoformat()
    done = [mark for mark in tracker.get_slot(COUNTED_SLOT) or [] if mark.startswith(day)]
    wanted = [(kind, value) for kind, value in seen if value and f"{day}:{kind}" not in done]
    if not wanted:
        return []
    state = (current_place_key(tracker) or "")[:2]
    try:
        with session_scope(engine_for(database_url())) as session:
            if not done:  # the person's first count today
                wanted += [("channel", channel_of(session, tracker.sender_id)),
                           ("language", tracker.get_slot("language") or "es")]
            recorded = [kind for kind, value in wanted if record.add(session, kind, value, state)]
    except SQLAlchemyError as error:
        logger.warning("Statistics not recorded: %s", type(error).__name__)
        return []
    if not recorded:
        return []
    # What failed is tried again at the next count; what was recorded, not again.
    return [SlotSet(COUNTED_SLOT, done + [f"{day}:{kind}" for kind in recorded])]
