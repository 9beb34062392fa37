"""What a saved turn leaves behind, in the transaction that saves it: its Twilio message
marked answered (its sealed copy dropped) and its replies in the outbox.

Saving the conversation, marking the message answered and storing the replies commit
together or not at all. A process that dies before the commit leaves the message
unanswered and the conversation as it was before: the turn is run again from the stored
message (bot/channels/recovery.py). One that dies after it leaves a moved-on conversation,
an answered message and replies that the courier sends: nothing runs twice.
"""

from datetime import datetime, timezone
from typing import Iterable, List, Optional

from rasa.shared.core.events import BotUttered, Event, UserUttered
from sqlalchemy.orm import Session

from bot.channels.whatsapp_options import Menu
from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.keyword_intents import DANGER
from bot.replies.option_ids import menu_tag
from bot.replies.render import LIST_BUTTON
from bot.storage import contacts, processed_messages
from bot.storage.crypto import Sealer

CHANNEL = "twilio"
FINAL_INPUT = "final_input"  # metadata of a message's last dialogue input (a pin may come first)


def menu_of(event: BotUttered) -> Optional[Menu]:
    """A reply's options, for WhatsApp's buttons or list; None without options, or when the
    reply is not the same for everyone (no list button: bot/replies/render.py)."""
    buttons, metadata = (event.data or {}).get("buttons") or [], event.metadata or {}
    if not buttons or not metadata.get(LIST_BUTTON):
        return None
    return Menu(metadata.get("language") or DEFAULT_LANGUAGE, tuple(str(b.get("title", "")) for b in buttons),
                menu_tag(buttons), metadata[LIST_BUTTON])


def replies_in(events: Iterable[Event]) -> List[Reply]:
    return [Reply(event.text or "", (event.data or {}).get("attachment") or "", menu=menu_of(event))
            for event in events if isinstance(event, BotUttered)]


def record_turn(session: Session, sealer: Sealer, sender_id: str, new_events: List[Event],
                queue_id: str = "") -> str:
    """Marks the turn's Twilio message answered and stores its replies, in `session`'s
    transaction; `queue_id` replaces the person's own queue (a conversation being erased).
    Returns the message's id ("" for a turn of another channel)."""
    # The person's message (an option they chose is replaced by its payload, from no channel).
    said = [event for event in new_events if isinstance(event, UserUttered) and event.input_channel == CHANNEL]
    if not said:
        return ""
    latest, now = said[-1], datetime.now(timezone.utc)
    contact = contacts.find(session, sealer, sender_id)
    replies = replies_in(new_events)
    if contact is not None and replies:
        urgent = (latest.intent or {}).get("name") == DANGER
        outbox.enqueue(session, sealer, queue_id or sender_id, contact, replies, outbox.ASSISTANT, now, urgent,
                       reply_to=latest.message_id or None)
    if latest.message_id and (latest.metadata or {}).get(FINAL_INPUT, True):
        processed_messages.finish(session, latest.message_id, now)
    return latest.message_id or ""
