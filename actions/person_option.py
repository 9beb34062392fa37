"""How the menus name the option of talking to a person, for this person now: as it is
when the observatory their handoff would go to answers now; with the time its staff
answer from when they are away; as the lines that answer now when nobody could take it
(no staffed observatory for them and no national desk). So a person is never offered
someone and then refused."""

import logging
from datetime import datetime, timezone
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.location import where
from bot.handoff import routing
from bot.handoff.hours import spoken
from bot.handoff.service import availability
from bot.replies.menus import HANDOFF_PAYLOAD, PERSON_MENUS
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

logger = logging.getLogger(__name__)
RELABEL = "relabel"  # the renderer's argument (bot/replies/render.py)


def person_label(tracker: Tracker, now: datetime) -> Dict[str, Dict[str, Any]]:
    """The relabelling of the person option for this conversation (none: as written)."""
    origin, state_key = where(tracker)
    with session_scope(engine_for(database_url())) as session:
        observatory = routing.route(session, origin, state_key, tracker.get_slot("interpreter_language"), now)
        if observatory is None:
            return {HANDOFF_PAYLOAD: {"key": "option_lines_now"}}
        available = availability(observatory, now)
    if available.state == "closed" and available.next_opening:
        return {HANDOFF_PAYLOAD: {"key": "option_human_later", "values": {"next": spoken(available.next_opening)}}}
    return {}


def name_the_person_option(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Gives every menu the action sends that offers a person the label that is true now."""
    menus = [message for message in dispatcher.messages if message.get("response") in PERSON_MENUS]
    if not menus:
        return
    try:
        label = person_label(tracker, datetime.now(timezone.utc))
    except SQLAlchemyError as error:  # the database is away: the handoff will say so when chosen
        logger.warning("Who answers could not be read: %s", type(error).__name__)
        return
    for message in menus:
        message[RELABEL] = label
