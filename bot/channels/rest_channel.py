"""Our REST channel at /webhooks/rest/webhook, the one the web chat page talks to.

It replaces Rasa's stock `rest:` channel, which passed on whatever JSON it was given: a
sender the database cannot store (a lone surrogate; a NUL on PostgreSQL) stopped the
engine, a missing one wrote into a single shared "default" conversation, and a sender
equal to a Twilio pseudonym wrote into that person's conversation, or erased it with
`salir`. Here:

- the body is a JSON object whose `sender` is 1–64 letters, digits, `_` or `-`, and whose
  `message` is text without NUL or lone surrogates, of at most MAX_MESSAGE_CHARS; anything
  else gets 400 with a JSON error;
- the conversation is `web-<sender>`, an id space of its own (pseudonyms are 64 hex
  digits);
- each message carries a keyed hash of its client address for the day, for the
  statistics' "once per person a day" (bot/statistics/marks.py): a client chooses its
  senders, not its address;
- turns are limited per client address and per sender (ORIENTA_SOURCE_RATE and
  ORIENTA_SENDER_RATE, counted apart from the Twilio webhook's): 429, except for a
  message that signals danger, asks for the quick exit or to delete one's data;
- with a real Twilio account (TWILIO_ACCOUNT_SID set, replies not going to the simulator)
  it is off unless ORIENTA_REST_CHANNEL=on; ORIENTA_REST_CHANNEL=off turns it off anywhere;
- a turn that fails (an action server away, the database away) is not saved and gets 503
  with Retry-After, so the page sends it again; a danger message gets the 911 reply from
  the catalogue all the same.

Replies go back in the HTTP answer: the page is waiting for them, so there is no outbox.
"""

import json
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import rate_limit
from bot.channels.rate_limit import RedisSlidingWindow, SlidingWindow
from bot.channels.twilio_channel import DEFAULT_SENDER_RATE, DEFAULT_SOURCE_RATE
from bot.identity import WEB_CHAT_PREFIX
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.keyword_intents import DANGER, KeywordRules
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.settings import REST_CHANNEL_SWITCH, database_url, rest_channel_enabled
from bot.statistics import marks, record
from bot.storage.database import engine_for

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 5000  # the web chat page's limit too
SENDER = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates left unpaired by the JSON
KEYWORDS = KeywordRules()
CATALOGUES = Catalogues.load()
RETRY_AFTER_S = 5
Window = Union[SlidingWindow, RedisSlidingWindow]


class InvalidMessage(ValueError):
    """The request body is not a message of this channel."""


def conversation_id(sender: str) -> str:
    """Where a REST sender's conversation is stored: never a Twilio pseudonym."""
    return WEB_CHAT_PREFIX + sender


def read(body: bytes) -> Tuple[str, str]:
    """The sender and the text of a request body; InvalidMessage if it is not a message."""
    try:
        fields = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
        fields = None
    if not isinstance(fields, dict):
        raise InvalidMessage("The body must be a JSON object with 'sender' and 'message'.")
    sender, text = fields.get("sender"), fields.get("message")
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        raise InvalidMessage("'sender' must be 1 to 64 letters, digits, '_' or '-'.")
    if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS or NOT_STORABLE.search(text):
        raise InvalidMessage(f"'message' must be text of at most {MAX_MESSAGE_CHARS} characters, "
                             "without NUL or unpaired surrogates.")
    return sender, text


def origin(source: str) -> Dict[str, str]:
    """The message's metadata for the statistics: its address, keyed by the day, since the
    client chooses its sender (bot/statistics/marks.py); nothing when the database is away."""
    key = record.day_key(engine_for(database_url()), record.today())
    return {marks.ORIGIN: marks.origin(key, os.environ.get("ORIENTA_SENDER_KEY", "").encode(), source)} if key else {}


class CheckedRestInput(RestInput):
    """Rasa's REST channel, taking only well-formed messages, within limits."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CheckedRestInput":
        redis_url = os.environ.get("ORIENTA_REDIS_URL") or None
        return cls(
            rest_channel_enabled(os.environ),
            rate_limit.window("rest-source", os.environ.get("ORIENTA_SOURCE_RATE", DEFAULT_SOURCE_RATE), redis_url),
            rate_limit.window("rest-sender", os.environ.get("ORIENTA_SENDER_RATE", DEFAULT_SENDER_RATE), redis_url),
        )

    def __init__(self, on: bool, per_source: Window, per_sender: Window) -> None:
        self.on, self.per_source, self.per_sender = on, per_source, per_sender

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("orienta_rest", __name__)

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request.body, request.remote_addr or request.ip or "unknown", on_new_message)

        return rest

    async def receive(
        self, body: bytes, source: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """One message from `source` (the client's address): its turn's replies, or why not."""
        if not self.on:
            return response.json({"error": f"The REST channel is off ({REST_CHANNEL_SWITCH})."}, status=404)
        try:
            sender, text = read(body)
        except InvalidMessage as error:
            return response.json({"error": str(error)}, status=400)
        if not KEYWORDS.is_urgent(text) and not (await self.per_source.allow(source) and await self.per_sender.allow(sender)):
            return response.json({"error": "Too many messages: wait a moment."}, status=429)
        replies = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, replies, conversation_id(sender), input_channel=self.name(),
                                             metadata=origin(source)))
        except Exception as error:  # the turn was not saved: the page sends the message again
            logger.warning("A web chat turn failed (%s).", type(error).__name__)
            if KEYWORDS.intent_for(text) == DANGER:
                danger = render(KEYWORDS.danger.reply(text), DEFAULT_LANGUAGE, CATALOGUES, {})
                return response.json([{"recipient_id": sender, "text": danger["text"]}])
            return response.json({"error": "The message could not be answered now: send it again."}, status=503,
                                 headers={"Retry-After": str(RETRY_AFTER_S)})
        return response.json(replies.messages)
