"""A Twilio message's turns, run once: through the dialogue engine under the
conversation's lock, with its replies left in the outbox by the turn's own save.

Danger, the quick exit and a request to delete one's data always get their turn, over
any rate limit. Over the limit, anything else is kept in the conversation without a turn,
under the same lock (never lost), and the person is told once per window to slow down.
A turn that fails (a custom action failed, the database or Redis away) is left unanswered
and run again after a backoff (bot/channels/recovery.py); a danger message whose turn
failed gets the 911 reply from the catalogue at once, without waiting for the dialogue.
"""

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Sequence

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy.engine import Engine

from bot.channels.twilio_request import IncomingMessage
from bot.delivery import outbox
from bot.delivery.courier import Courier
from bot.delivery.outbox import Reply
from bot.delivery.turn_replies import CHANNEL, FINAL_INPUT
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.keyword_intents import DANGER, KeywordRules
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage import contacts, processed_messages
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
KEYWORDS = KeywordRules()
CATALOGUES = Catalogues.load()
RETRY_BACKOFF_S = (2, 5, 15, 30, 60)  # after each failed attempt at a turn
PAYLOAD = "payload"  # metadata of an input the channel wrote itself (a pin, media)


class Turns:
    """Runs the turns of accepted Twilio messages."""

    def __init__(self, engine: Engine, sealer: Sealer, courier: Courier, per_sender: Any,
                 turn_timeout: timedelta) -> None:
        self.engine, self.sealer, self.courier = engine, sealer, courier
        self.per_sender, self.turn_timeout = per_sender, turn_timeout

    async def run(self, message: IncomingMessage, sender_id: str, attempt: int, agent: Any,
                  on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> bool:
        """The message's turns; False if they failed (the message waits for its retry)."""
        urgent = KEYWORDS.is_urgent(message.text)
        try:
            if urgent or await self.per_sender.allow(sender_id):
                await self._dialogue(message, sender_id, on_new_message)
            else:
                await self._keep_without_turn(message, sender_id, agent)
            if message.is_long:
                await asyncio.to_thread(self.tell, sender_id, "utter_long_message", DEFAULT_LANGUAGE)
            return True
        except Exception as error:
            logger.warning("A turn failed (%s); it will be run again.", type(error).__name__)
            await asyncio.to_thread(self._failed, message, sender_id, attempt)
            return False
        finally:
            self.courier.wake()

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
        """(metadata, text) of each dialogue input; the last one marks the message answered."""
        inputs = message.dialogue_inputs()
        payloads = len(message.payload_inputs())
        listed = []
        for index, text in enumerate(inputs):
            metadata = {"channel": message.channel, FINAL_INPUT: index == len(inputs) - 1, PAYLOAD: index < payloads}
            if index == len(inputs) - 1 and message.is_long:
                metadata["full_text"] = message.text
            listed.append((metadata, text))
        return listed

    def tell(self, sender_id: str, reply: str, language: str) -> None:
        """A catalogue reply, outside the dialogue, through the outbox."""
        with session_scope(self.engine) as session:
            contact = contacts.find(session, self.sealer, sender_id)
            if contact is not None:
                text = render(reply, language, CATALOGUES, {})["text"]
                outbox.enqueue(session, self.sealer, sender_id, contact, [Reply(text)], outbox.ASSISTANT,
                               datetime.now(timezone.utc), urgent=reply == "utter_danger")

    def _failed(self, message: IncomingMessage, sender_id: str, attempt: int) -> None:
        delay = timedelta(seconds=RETRY_BACKOFF_S[min(attempt, len(RETRY_BACKOFF_S) - 1)])
        with session_scope(self.engine) as session:
            processed_messages.retry_after(session, message.message_sid, datetime.now(timezone.utc),
                                           self.turn_timeout, delay)
        if attempt == 0 and KEYWORDS.intent_for(message.text) == DANGER:
            self.tell(sender_id, "utter_danger", DEFAULT_LANGUAGE)
