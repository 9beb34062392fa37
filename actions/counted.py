"""Counting what a conversation shows, for the observatories' statistics (bot/statistics/):
at most once per person, kind and day (bot/statistics/marks.py), with the person's channel
and language. The count runs beside the reply, never before it: a database that is slow or
hangs delays no reply (a danger reply included), and past MAX_IN_FLIGHT counts waiting on
it, further ones are dropped."""

import logging
import threading
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.places import current_place_key
from bot.identity import WEB_CHAT_PREFIX
from bot.settings import database_url
from bot.statistics import marks, record
from bot.storage.database import engine_for, session_scope
from bot.storage.models import Contact

logger = logging.getLogger(__name__)
MAX_IN_FLIGHT = 8  # counts of this process waiting on the database at once
_IN_FLIGHT = threading.BoundedSemaphore(MAX_IN_FLIGHT)


def channel_of(session: Session, sender_id: str) -> str:
    """whatsapp or sms from the person's contact; web for the web chat."""
    if sender_id.startswith(WEB_CHAT_PREFIX):
        return "web"
    contact = session.get(Contact, sender_id)
    return contact.channel if contact else "other"


def latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    """The metadata the channel gave the person's latest message."""
    user = [event for event in tracker.events if event.get("event") == "user"]
    return (user[-1].get("metadata") if user else None) or {}


def counted(tracker: Tracker, *seen: Tuple[str, Optional[str]]) -> Optional[threading.Thread]:
    """Counts, in the background, each (kind, value) this person was not counted for today (a
    value None is nothing to count), and their channel and language; the thread doing it, or
    None when there is nothing to count or too many counts wait already."""
    wanted = [(kind, value) for kind, value in seen if value]
    if not wanted:
        return None
    if not _IN_FLIGHT.acquire(blocking=False):
        logger.warning("Statistics not recorded: too many counts waiting on the database.")
        return None
    job = (record.today(), marks.subject(tracker.sender_id, latest_metadata(tracker)), tracker.sender_id,
           (current_place_key(tracker) or "")[:2], [*wanted, ("language", tracker.get_slot("language") or "es")])
    thread = threading.Thread(target=_count, args=job, name="statistics", daemon=True)
    thread.start()
    return thread


def _count(day: date, of: str, sender_id: str, state: str, wanted: List[Tuple[str, str]]) -> None:
    try:
        engine = engine_for(database_url())
        key = record.day_key(engine, day)
        if key is None:
            return
        with session_scope(engine) as session:
            for kind, value in [*wanted, ("channel", channel_of(session, sender_id))]:
                record.once(session, key, of, kind, value, state, day)
    except SQLAlchemyError as error:
        logger.warning("Statistics not recorded: %s", type(error).__name__)
    finally:
        _IN_FLIGHT.release()
