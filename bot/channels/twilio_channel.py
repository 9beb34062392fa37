"""Our Twilio channel: one webhook for SMS and WhatsApp at /webhooks/twilio/webhook.

The path of a message, each step in its own module:

1. accepted — the signature is checked against the public URL Twilio called (403 before
   anything is stored); the form is read into an IncomingMessage (400 if it is not one:
   bot/channels/twilio_request.py);
2. recorded — one transaction (bot/channels/arrival.py): the MessageSid claimed (a repeat
   is acknowledged; 503 with Retry-After while another request runs it), the message kept
   sealed until its turn is answered, the sender's number sealed under a pseudonym,
   carrier keywords, media, and — while staff hold the conversation — the message kept for
   them. Only then does Twilio get its 200;
3. turned — the dialogue engine runs its turns under the conversation's lock
   (bot/channels/turns.py); a failed or cut-off turn is run again from the stored copy
   (bot/channels/recovery.py);
4. replied — the turn's save stores its replies in the outbox and marks the message
   answered, in one transaction (bot/delivery/turn_replies.py);
5. delivered — the courier sends the outbox in order per person, retrying
   (bot/delivery/courier.py); Twilio reports each message's fate to /webhooks/twilio/status
   (signed as the webhook), recorded by bot/delivery/statuses.py. A recording sent after a
   reply is fetched by Twilio from /webhooks/twilio/recordings/ (bot/recordings/serving.py).
6. deleted — once the turn is answered and its replies are done, Twilio's records of the
   message and its replies (and its media, once copied for staff) are deleted from
   Twilio, retried until Twilio has (bot/delivery/purge.py, bot/delivery/purger.py).

The webhook waits for the turn and the sending of its replies at most TURN_WAIT_S, well
within Twilio's 15 s: past that both go on, and Twilio has its answer.
"""

import asyncio
import logging
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, TypeVar, Union
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels import rate_limit
from bot.channels.arrival import record_arrival
from bot.channels.rate_limit import RedisSlidingWindow, SlidingWindow
from bot.channels.recovery import Recovery
from bot.channels.turns import KEYWORDS, Turns, urgent_intent
from bot.channels.twilio_request import IncomingMessage, MalformedRequest, parse
from bot.channels.twilio_sender import TwilioSender
from bot.channels.twilio_status import parse_status
from bot.delivery import statuses
from bot.delivery.contents import Contents
from bot.delivery.courier import Courier
from bot.delivery.media_copy import MediaCopier
from bot.delivery.purger import Purger
from bot.delivery.statuses import StatusReport
from bot.handoff import waiting
from bot.handoff.alerts import Mailer
from bot.handoff.escalation import WaitingSweep, escalate_after
from bot.handoff.staff_texts import Texter
from bot.identity import pseudonym
from bot.recordings.links import Links
from bot.recordings.serving import recording_response
from bot.settings import Settings
from bot.storage.crypto import Sealer
from bot.storage import processed_messages
from bot.storage.database import engine_for, session_scope
from bot.storage.processed_messages import Claim

logger = logging.getLogger(__name__)
EMPTY_TWIML = str(MessagingResponse())
TURN_WAIT_S = 10.0  # the longest the webhook waits for a turn (Twilio gives up at 15 s)
DEFAULT_SOURCE_RATE = "1200/60"  # requests per seconds from one address (Twilio uses many)
DEFAULT_SENDER_RATE = "20/60"  # turns per seconds for one person
DEFAULT_TURN_TIMEOUT_S = 60  # an unanswered turn older than this was abandoned by its process
RETRY_AFTER_S = 5
Read = TypeVar("Read")  # what a request from Twilio is read into


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
        source_rate = os.environ.get("ORIENTA_SOURCE_RATE", DEFAULT_SOURCE_RATE)
        self.per_source = rate_limit.window("source", source_rate, settings.redis_url)
        # Status callbacks (a few per reply) are counted apart: they never crowd out messages.
        self.per_status_source = rate_limit.window("status-source", source_rate, settings.redis_url)
        self.per_sender = rate_limit.window(
            "sender", os.environ.get("ORIENTA_SENDER_RATE", DEFAULT_SENDER_RATE), settings.redis_url)
        self.turn_timeout = timedelta(seconds=float(os.environ.get("ORIENTA_TURN_TIMEOUT_S", DEFAULT_TURN_TIMEOUT_S)))
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.recording_links = Links.for_settings(settings)
        self.engine = engine_for(settings.database_url)
        self.sealer = Sealer(settings.data_keys)
        sender = TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_url,
                              settings.status_callback_url)
        self.courier = Courier(self.engine, self.sealer, sender, settings.sms_from,
                               awaits_status=bool(settings.status_callback_url),
                               contents=Contents(self.engine, sender))
        self.purger = Purger(self.engine, self.sealer, sender, MediaCopier(
            self.engine, self.sealer, settings.twilio_api_url, settings.twilio_account_sid, settings.twilio_auth_token))
        self.turns = Turns(self.engine, self.sealer, self.courier, self.per_sender, self.turn_timeout,
                           settings.sender_key)
        self.recovery = Recovery(self.engine, self.sealer, self.turns, self.turn_timeout)
        self.waiting_sweep = WaitingSweep(self.engine, self.sealer, Mailer.from_env(), escalate_after(),
                                          Texter.from_env(settings.status_callback_url))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio = Blueprint("orienta_twilio", __name__)

        @twilio.listener("after_server_start")
        async def start_delivery(app: Sanic, _loop: Any) -> None:
            app.add_task(self.courier.run())
            app.add_task(self.purger.run())
            app.add_task(self.recovery.run(app.ctx.agent, on_new_message))
            app.add_task(self.waiting_sweep.run())

        @twilio.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            message = await self.read(request, self.per_source, parse, "message")
            if isinstance(message, HTTPResponse):
                return message
            if message.tap and KEYWORDS.is_urgent(message.text):  # danger words beside a tap: read as written
                message = replace(message, tap="")
            if not await self.take(message, on_new_message, request.app.ctx.agent):
                return response.text("This message is being answered; retry later", status=503,
                                     headers={"Retry-After": str(RETRY_AFTER_S)})
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @twilio.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            """A status callback: recorded on the message's row (kept a while for a row
            that has not its id yet), 200 either way (whether an id is ours is not told)."""
            report = await self.read(request, self.per_status_source, parse_status, "status callback")
            if isinstance(report, HTTPResponse):
                return report
            resent = await asyncio.to_thread(self._record_status, report)
            if resent:  # a danger reply WhatsApp did not deliver, now an SMS in the outbox
                await asyncio.wait([asyncio.ensure_future(self._send_now(sender_id)) for sender_id in resent],
                                   timeout=TURN_WAIT_S)
            return response.text("")

        @twilio.route("/recordings/<name>", methods=["GET", "HEAD"])
        async def recording(request: Request, name: str) -> HTTPResponse:
            return await recording_response(self.recording_links, self.engine, name,
                                            request.args.get("expires", ""), request.args.get("signature", ""))

        return twilio

    async def read(self, request: Request, per_source: Union[SlidingWindow, RedisSlidingWindow],
                   parser: Callable[[Dict[str, str]], Read], kind: str) -> Union[Read, HTTPResponse]:
        """What a request from Twilio says, read by `parser`; else the answer that refuses
        it: 429 over the address's limit in `per_source`, 403 unless Twilio signed it for the
        URL it called, 400 if it is not a Twilio `kind`. Nothing is stored before."""
        if not await per_source.allow(request.remote_addr or request.ip or "unknown"):
            return response.text("Too many requests", status=429)
        params = form_fields(request)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not self.validator.validate(self.called_url(request), params, signature):
            return response.text("Invalid signature", status=403)
        try:
            return parser(params)
        except MalformedRequest as error:
            return response.text(f"Not a Twilio {kind}: {error}", status=400)

    def called_url(self, request: Request) -> str:
        """The URL Twilio signed: PUBLIC_URL behind a proxy, else the URL as received."""
        if not self.settings.public_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.settings.public_url}{request.path}{query}"

    async def take(
        self, message: IncomingMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> bool:
        """Records the message and runs its turns, once per MessageSid. False when another
        request is running this message's turn right now."""
        sender_id = pseudonym(message.address, self.settings.sender_key)
        arrival = await asyncio.to_thread(
            record_arrival, self.engine, self.sealer, message, sender_id, datetime.now(timezone.utc),
            self.turn_timeout, KEYWORDS.is_urgent(message.text), self.settings.sender_key)
        if arrival.claim is Claim.ANSWERED:
            logger.info("Repeated message id ignored.")
        if arrival.claim is not Claim.NEW:
            return arrival.claim is Claim.ANSWERED
        if arrival.held:  # kept for staff; danger in words the keywords miss still gets its turn
            if await urgent_intent(agent, message.dialogue_text) is None:
                if await asyncio.to_thread(self._kept_for_staff, message.message_sid, sender_id):
                    await asyncio.wait([asyncio.ensure_future(self._send_now(sender_id))], timeout=TURN_WAIT_S)
                return True
        if arrival.needs_turn or arrival.held:
            turn = asyncio.ensure_future(self.turns.run(message, sender_id, arrival.attempts, agent, on_new_message))
            await asyncio.wait([turn], timeout=TURN_WAIT_S)
        return True

    async def _send_now(self, sender_id: str) -> None:
        """Sends what was just stored for the person; what cannot go now waits for the
        courier's next look."""
        try:
            await self.courier.deliver_to(sender_id)
        except Exception as error:  # the database is away
            logger.warning("Replies were not sent yet (%s).", type(error).__name__)

    def _record_status(self, report: StatusReport) -> List[str]:
        with session_scope(self.engine) as session:
            return statuses.record(session, self.sealer, report, self.settings.sms_from, datetime.now(timezone.utc))

    def _kept_for_staff(self, message_sid: str, sender_id: str) -> bool:
        """Marks a message kept for staff answered; True if it got the acknowledgement of
        the first message while the handoff waits."""
        now = datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            processed_messages.answered(session, message_sid, now)
            return waiting.acknowledge(session, self.sealer, sender_id, now)

