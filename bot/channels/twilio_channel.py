"""Our Twilio channel: one webhook for SMS and WhatsApp at /webhooks/twilio/webhook.

The path of a message: the signature is checked against the public URL Twilio called
(403 if it does not match, before anything is stored); the form is read into an
IncomingMessage (400 if it is not one); a repeated MessageSid is acknowledged and dropped
once answered (503 with Retry-After while another request answers it; taken over when
that request's process died mid-turn, see ORIENTA_TURN_TIMEOUT_S); carrier keywords are
recorded and left to Twilio; otherwise the person's number is sealed in the contact book
under a pseudonymous id, and each input (location, media, text) is one turn of the
dialogue engine — unless a person from an observatory holds the conversation (a handoff):
then the message is kept for them and the assistant stays silent. All that the arrival
records is one transaction (bot/channels/arrival.py), run off the event loop. The replies
are split and encoded for the channel and sent with the Twilio client from the number the
person wrote to.
"""

import asyncio
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qsl

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.arrival import record_arrival
from bot.channels.outgoing_text import bodies_for
from bot.channels import rate_limit
from bot.channels.twilio_request import IncomingMessage, MalformedRequest, parse
from bot.channels.twilio_sender import TwilioSender
from bot.identity import pseudonym
from bot.languages import DEFAULT_LANGUAGE
from bot.nlu.keyword_intents import DANGER, QUICK_EXIT, KeywordRules
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.settings import Settings
from bot.storage import processed_messages
from bot.storage.processed_messages import Claim
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.database import engine_for

logger = logging.getLogger(__name__)
EMPTY_TWIML = str(MessagingResponse())
KEYWORDS = KeywordRules()
CATALOGUES = Catalogues.load()
DEFAULT_SOURCE_RATE = "1200/60"  # requests per seconds from one address (Twilio uses many)
DEFAULT_SENDER_RATE = "20/60"  # turns per seconds for one person
DEFAULT_TURN_TIMEOUT_S = 60  # an unanswered turn older than this was abandoned by its process
RETRY_AFTER_S = 5


def form_fields(request: Request) -> Dict[str, str]:
    """The posted form, blank fields included: Twilio signs them too."""
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return dict(parse_qsl(body, keep_blank_values=True))


class TwilioInput(InputChannel):
    """SMS and WhatsApp through Twilio."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioInput":
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.per_source = rate_limit.window(
            "source", os.environ.get("ORIENTA_SOURCE_RATE", DEFAULT_SOURCE_RATE), settings.redis_url)
        self.per_sender = rate_limit.window(
            "sender", os.environ.get("ORIENTA_SENDER_RATE", DEFAULT_SENDER_RATE), settings.redis_url)
        self.turn_timeout = timedelta(seconds=float(os.environ.get("ORIENTA_TURN_TIMEOUT_S", DEFAULT_TURN_TIMEOUT_S)))
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.engine = engine_for(settings.database_url)
        self.sealer = Sealer(settings.data_keys)
        self.sender = TwilioSender(
            settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_url
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio = Blueprint("orienta_twilio", __name__)

        @twilio.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not await self.per_source.allow(request.remote_addr or request.ip or "unknown"):
                return response.text("Too many requests", status=429)
            params = form_fields(request)
            signature = request.headers.get("X-Twilio-Signature", "")
            if not self.validator.validate(self.called_url(request), params, signature):
                return response.text("Invalid signature", status=403)
            try:
                message = parse(params)
            except MalformedRequest as error:
                return response.text(f"Not a Twilio message: {error}", status=400)
            if not await self.take(message, on_new_message, request.app.ctx.agent):
                return response.text("This message is being answered; retry later", status=503,
                                     headers={"Retry-After": str(RETRY_AFTER_S)})
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return twilio

    def called_url(self, request: Request) -> str:
        """The URL Twilio signed: PUBLIC_URL behind a proxy, else the URL as received."""
        if not self.settings.public_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.settings.public_url}{request.path}{query}"

    async def take(
        self, message: IncomingMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> bool:
        """Runs the turns of one message and sends the replies, once per MessageSid.
        False when another request is running this message's turn right now."""
        sender_id = pseudonym(message.address, self.settings.sender_key)
        urgent = KEYWORDS.intent_for(message.text) in (DANGER, QUICK_EXIT)
        arrival = await asyncio.to_thread(record_arrival, self.engine, self.sealer, message, sender_id,
                                          datetime.now(timezone.utc), self.turn_timeout, urgent)
        if arrival.claim is Claim.ANSWERED:
            logger.info("Repeated message id ignored.")
        if arrival.claim is not Claim.NEW:
            return arrival.claim is Claim.ANSWERED
        try:
            if arrival.needs_turn:
                await self.answer(message, sender_id, arrival.contact, on_new_message, agent)
        except Exception:
            await asyncio.to_thread(processed_messages.release, self.engine, message.message_sid)
            raise
        await asyncio.to_thread(processed_messages.answered, self.engine, message.message_sid,
                                datetime.now(timezone.utc))
        return True

    async def answer(
        self, message: IncomingMessage, sender_id: str, contact: Address,
        on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any,
    ) -> None:
        """The message's turns and replies."""
        if not await self.per_sender.allow(sender_id):
            await self.keep_without_turn(agent, message, sender_id, contact)
            return
        replies = CollectingOutputChannel()
        for text in message.dialogue_inputs():
            await on_new_message(UserMessage(
                text, replies, sender_id, input_channel=self.name(),
                message_id=message.message_sid, metadata={"channel": message.channel},
            ))
        await self.reply(contact, replies.messages)

    async def keep_without_turn(self, agent: Any, message: IncomingMessage, sender_id: str, contact: Address) -> None:
        """Too many messages in a row: each is still kept in the conversation (never
        dropped), without a turn; the person is told, once per window, to slow down."""
        for text in message.dialogue_inputs():
            tracker = await agent.processor.log_message(
                UserMessage(text, CollectingOutputChannel(), sender_id, input_channel=self.name(),
                            message_id=message.message_sid, metadata={"channel": message.channel}))
        if await self.per_sender.first_notice(sender_id):
            language = tracker.get_slot("language") or DEFAULT_LANGUAGE
            await self.reply(contact, [render("utter_slow_down", language, CATALOGUES, {})])

    async def reply(self, contact: Address, messages: List[Dict[str, Any]]) -> None:
        """Sends the turn's replies, in order, to where the person wrote from.

        The address was read before the turn: a quick exit erases it during the turn,
        and its one neutral line must still go out.
        """
        if contact.opted_out:
            return
        for message in messages:
            sends = [{"body": body} for body in bodies_for(message.get("text") or "", contact.channel)]
            if message.get("attachment"):
                sends.append({"media_url": message["attachment"]})
            for send in sends:
                try:
                    await self.sender.send(contact.address, contact.our_address, **send)
                except (TwilioException, aiohttp.ClientError) as error:
                    logger.error("A reply could not be sent: %s", type(error).__name__)
                    return
