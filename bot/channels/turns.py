"""A Twilio message's turns, run once: through the dialogue engine under the
conversation's lock, with its replies left in the outbox by the turn's own save.

Danger, the quick exit and a request to delete one's data always get their turn, over
any rate limit: told by the fixed keywords, or — over the limit — by the NLU model, so that
danger in other words counts too. Over the limit, anything else is kept in the
conversation without a turn, under the same lock (never lost), and the person is told once
per window to slow down. A turn that fails (a custom action failed or hung, the database
or Redis away) is left unanswered and run again after a backoff (bot/channels/recovery.py);
without waiting for the dialogue, a danger message whose turn failed gets the 911 reply
from the catalogue, and a quick exit or a request to delete one's data is carried out
(the conversation erased, the catalogue's line sent).
"""

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Optional, Sequence

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy.engine import Engine

from bot.channels.twilio_request import IncomingMessage
from bot.delivery import outbox
from bot.delivery.courier import Courier
from bot.delivery.outbox import Reply
from bot.delivery.turn_replies import CHANNEL, FINAL_INPUT
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.danger_cues import REMINDER_REPLY, REPLY_BY_KIND
from bot.nlu.keyword_intents import DANGER, QUICK_EXIT, KeywordRules
from bot.replies.catalogue import Catalogues
from bot.replies.option_ids import TAPPED_MENU
from bot.replies.render import render
from bot.storage import contacts, processed_messages
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.erasure import erase_conversation

logger = logging.getLogger(__name__)
KEYWORDS = KeywordRules()
CATALOGUES = Catalogues.load()
RETRY_BACKOFF_S = (2, 5, 15, 30, 60)  # after each failed attempt at a turn (then 60 s each)
PAYLOAD = "payload"  # metadata of an input the channel wrote itself (a pin, media)
DELETE_MY_DATA = "delete_my_data"
URGENT_INTENTS = frozenset({DANGER, QUICK_EXIT, DELETE_MY_DATA})
ERASING_REPLIES = {QUICK_EXIT: "utter_quick_exit", DELETE_MY_DATA: "utter_data_deleted"}
DANGER_REPLIES = frozenset({*REPLY_BY_KIND.values(), REMINDER_REPLY})  # 911, with a line or alone


async def urgent_intent(agent: Any, text: str) -> Optional[str]:
    """Danger, the quick exit or deleting one's data, as the fixed keywords or the NLU model
    (which needs no action server) read the text; None for anything else."""
    keyword = KEYWORDS.intent_for(text)
    if keyword in URGENT_INTENTS:
        return keyword
    if KEYWORDS.is_urgent(text):
        return DELETE_MY_DATA
    parsed = await agent.parse_message(text)
    intent = (parsed.get("intent") or {}).get("name")
    return intent if intent in URGENT_INTENTS else None


class Turns:
    """Runs the turns of accepted Twilio messages."""

    def __init__(self, engine: Engine, sealer: Sealer, courier: Courier, per_sender: Any,
                 turn_timeout: timedelta, tombstone_key: bytes) -> None:
        self.engine, self.sealer, self.courier = engine, sealer, courier
        self.per_sender, self.turn_timeout, self.tombstone_key = per_sender, turn_timeout, tombstone_key

    async def run(self, message: IncomingMessage, sender_id: str, attempt: int, agent: Any,
                  on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> bool:
        """The message's turns, then what they stored sent; False if the turns failed (the
        message waits for its retry). Replies the courier cannot send now stay in the
        outbox for its next look."""
        done = await self._turns(message, sender_id, attempt, agent, on_new_message)
        try:
            await self.courier.deliver_to(sender_id)
        except Exception as error:  # the database is away: the courier's next look sends them
            logger.warning("Replies were not sent yet (%s).", type(error).__name__)
        return done

    async def _turns(self, message: IncomingMessage, sender_id: str, attempt: int, agent: Any,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> bool:
        try:
            if (KEYWORDS.is_urgent(message.text) or await self.per_sender.allow(sender_id)
                    or await urgent_intent(agent, message.dialogue_text)):
                await self._dialogue(message, sender_id, on_new_message)
            else:
                await self._keep_without_turn(message, sender_id, agent)
            if message.is_long:
                await asyncio.to_thread(self.tell, sender_id, "utter_long_message", DEFAULT_LANGUAGE)
            return True
        except Exception as error:
            logger.warning("A turn failed (%s); it will be run again.", type(error).__name__)
            await self._failed(message, sender_id, attempt, agent)
            return False

    async def _dialogue(self, message: IncomingMessage, sender_id: str,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        for metadata, text in self._inputs(message):
            await on_new_message(UserMessage(text, CollectingOutputChannel(), sender_id, input_channel=CHANNEL,
                                             message_id=message.message_sid, metadata=metadata))

    async def _keep_without_turn(self, message: IncomingMessage, sender_id: str, agent: Any) -> None:
        """Over the limit: kept in the conversation, under its lock, without a turn."""
        async with agent.lock_store.lock(sender_id):
            for metadata, text in self._inputs(message):
                tracker = await agent.processor.log_message(UserMessage(
                    text, CollectingOutputChannel(), sender_id, input_channel=CHANNEL,
                    message_id=message.message_sid, metadata=metadata))
        if await self.per_sender.first_notice(sender_id):
            language = tracker.get_slot("language") or DEFAULT_LANGUAGE
            await asyncio.to_thread(self.tell, sender_id, "utter_slow_down", language)

    @staticmethod
    def _inputs(message: IncomingMessage) -> Sequence[tuple]:
        """(metadata, text) of each dialogue input — the text first when it is urgent (911
        before the places near a pin); the last one marks the message answered."""
        inputs = message.dialogue_inputs(text_first=KEYWORDS.is_urgent(message.text))
        listed = []
        for index, (text, payload) in enumerate(inputs):
            metadata = {"channel": message.channel, FINAL_INPUT: index == len(inputs) - 1, PAYLOAD: payload}
            if not payload and message.is_long:
                metadata["full_text"] = message.text
            if not payload and message.tapped:  # which menu the tap came from: stale ones are told
                metadata[TAPPED_MENU] = message.tapped.tag
            listed.append((metadata, text))
        return listed

    def tell(self, sender_id: str, reply: str, language: str) -> None:
        """A catalogue reply, outside the dialogue, through the outbox."""
        with session_scope(self.engine) as session:
            contact = contacts.find(session, self.sealer, sender_id)
            if contact is not None:
                text = render(reply, language, CATALOGUES, {})["text"]
                outbox.enqueue(session, self.sealer, sender_id, contact, [Reply(text)], outbox.ASSISTANT,
                               datetime.now(timezone.utc), urgent=reply in DANGER_REPLIES)

    async def _failed(self, message: IncomingMessage, sender_id: str, attempt: int, agent: Any) -> None:
        """The turn runs again after its backoff; what cannot wait is done now."""
        delay = timedelta(seconds=RETRY_BACKOFF_S[min(attempt, len(RETRY_BACKOFF_S) - 1)])
        await asyncio.to_thread(self._retry_after, message.message_sid, delay)
        try:
            intent = await urgent_intent(agent, message.dialogue_text)
        except Exception:  # the model itself failed: the fixed keywords only
            intent = KEYWORDS.intent_for(message.text)
        if intent in ERASING_REPLIES:
            await asyncio.to_thread(self.erase_now, sender_id, message.message_sid, ERASING_REPLIES[intent])
        elif intent == DANGER and attempt == 0:
            await asyncio.to_thread(self.tell, sender_id, KEYWORDS.danger.reply(message.text), DEFAULT_LANGUAGE)

    def _retry_after(self, message_sid: str, delay: timedelta) -> None:
        with session_scope(self.engine) as session:
            processed_messages.retry_after(session, message_sid, datetime.now(timezone.utc), self.turn_timeout, delay)

    def erase_now(self, sender_id: str, message_sid: str, reply: str) -> None:
        """The quick exit or "borrar mis datos" without the dialogue: the catalogue's line to
        the person, and the whole conversation erased, in one transaction."""
        now = datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            contact = contacts.find(session, self.sealer, sender_id)
            if contact is not None:
                text = render(reply, DEFAULT_LANGUAGE, CATALOGUES, {})["text"]
                outbox.enqueue(session, self.sealer, outbox.orphan_id(), contact, [Reply(text)], outbox.ASSISTANT, now)
            erase_conversation(session, self.sealer, sender_id, self.tombstone_key, now, message_sid)
        logger.info("Erased a conversation at its sender's request, without the dialogue.")
