"""The courier: sends what the outbox holds, in order per person, retrying with backoff.

Every dialogue engine runs one (started with the Twilio channel). A finished turn has its
person's replies sent at once (`deliver_to`); the courier also looks for due rows every
POLL_S (retries, staff replies, rows left by a process that died). Rows of one person go
one at a time, in order; different people in parallel. A row is leased before it is sent,
so two couriers never send it both; a courier killed mid-send leaves the lease to expire
and the row is sent again (at least once).

A danger reply that WhatsApp does not take is sent by SMS to the same number, from
ORIENTA_SMS_FROM (else the WhatsApp number without its prefix); one WhatsApp took is held
until Twilio reports whether it was delivered, and sent by SMS then if not
(bot/delivery/statuses.py); when no report comes, Twilio's API is asked
(statuses.ASK_AFTER), and one not delivered within statuses.SMS_AFTER goes by SMS too.
Twilio refusing a message for good (a 4xx other than 429) gives it up at once; anything
else (5xx, timeout, network) is retried after outbox.BACKOFF_S.
Given-up rows are counted in the delivery report (`python -m bot.delivery.report`).

A WhatsApp reply with options goes as buttons or a list (a Content API resource:
bot/delivery/contents.py) when they fit WhatsApp's limits; when they do not, when the content
cannot be had within CONTENT_TIMEOUT_S (one being made is waited for a second at most:
contents.MAKING_WAIT_S), or when Twilio refuses the content, the same row goes as its numbered
text at once. A danger reply never asks for a content: it goes as text.
"""

import asyncio
import logging
from datetime import datetime, timezone
from functools import partial
from typing import Callable, Dict, List, Optional, Set, Tuple, TypeVar

import aiohttp
from sqlalchemy.engine import Engine
from twilio.base.exceptions import TwilioException, TwilioRestException

from bot.channels.outgoing_text import bodies_for
from bot.channels.twilio_sender import TIMEOUT_S, TwilioSender
from bot.delivery import outbox, purge, statuses
from bot.delivery.contents import Contents
from bot.delivery.outbox import Delivery
from bot.delivery.statuses import StatusReport
from bot.delivery.repeat import forever
from bot.identity import bare_number
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
POLL_S = 1.0
PARALLEL_PEOPLE = 16
SEND_TIMEOUT_S = TIMEOUT_S + 1  # the client's own timeout, and a margin
SEND_ERRORS = (TwilioException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
T = TypeVar("T")
CONTENT_TIMEOUT_S = 3.0  # the longest a reply with options waits for its content before going as text


def _now() -> datetime:
    return datetime.now(timezone.utc)


def error_kind(error: BaseException) -> str:
    """What went wrong, without any content: the class, and Twilio's status and code."""
    if isinstance(error, TwilioRestException):
        return f"twilio {error.status} {error.code or ''}".strip()
    return type(error).__name__


def is_permanent(error: BaseException) -> bool:
    """Twilio refused this message and will refuse it again."""
    return isinstance(error, TwilioRestException) and 400 <= error.status < 500 and error.status != 429


class Courier:
    """Delivers the outbox of one database through one Twilio client."""

    def __init__(self, engine: Engine, sealer: Sealer, sender: TwilioSender, sms_from: Optional[str] = None,
                 awaits_status: bool = False, contents: Optional[Contents] = None) -> None:
        """`sms_from`: the number danger replies go from by SMS; `awaits_status`: the sender
        asks Twilio for status callbacks, so danger replies on WhatsApp are held for them;
        `contents`: WhatsApp replies with options go as buttons or a list."""
        self.engine, self.sealer, self.sender, self.contents = engine, sealer, sender, contents
        self.sms_from, self.awaits_status = sms_from, awaits_status
        self._sending: Dict[str, "asyncio.Task[bool]"] = {}  # per person, what this courier is sending
        self._slots = asyncio.Semaphore(PARALLEL_PEOPLE)
        self._asking: Set["asyncio.Task[None]"] = set()  # Twilio asked how late-reported messages fared

    async def run(self) -> None:
        """Delivers until cancelled."""
        try:
            await forever(self._look, POLL_S, "The outbox")
        finally:
            for asking in list(self._asking):
                asking.cancel()

    async def _look(self) -> None:
        """Applies the statuses that came before their message's id was stored (a danger
        reply failed at once goes by SMS), asks Twilio of each held danger reply whose
        report is late (apart: a hanging Twilio holds no sending up), then sends what is
        due; neither of the first two, failing, stops the sending."""
        await self._reading(self._catch_up)
        for sid in await self._reading(self._late) or ():
            self._start_asking(sid)
        await self.deliver_due()

    @staticmethod
    async def _reading(step: Callable[[], T]) -> Optional[T]:
        """`step`'s answer, run in a thread; None when it failed (the database away: the
        next look tries again)."""
        try:
            return await asyncio.to_thread(step)
        except Exception as error:
            logger.warning("Delivery reports could not be read (%s).", error_kind(error))
            return None

    def _catch_up(self) -> None:
        with session_scope(self.engine) as session:
            kept = statuses.matched(session)
        for kept_id in kept:  # each apart: one that cannot be applied holds no other up
            try:
                with session_scope(self.engine) as session:
                    statuses.apply_kept(session, self.sealer, kept_id, self.sms_from, _now())
            except Exception as error:  # unreadable (a retired key): Twilio is asked at the next step
                logger.warning("A delivery report could not be applied (%s); it is dropped.", error_kind(error))
                with session_scope(self.engine) as session:
                    statuses.forget_kept(session, kept_id)

    def _late(self) -> List[str]:
        if not self.awaits_status:
            return []
        with session_scope(self.engine) as session:
            return statuses.to_ask(session, _now())

    def _start_asking(self, sid: str) -> None:
        task = asyncio.ensure_future(self._ask(sid))
        self._asking.add(task)
        task.add_done_callback(self._asking.discard)

    async def _ask(self, sid: str) -> None:
        """Records what Twilio's API says of a held danger reply whose report is late (its
        callback may never reach Orienta); one WhatsApp did not deliver, or has not
        delivered within statuses.SMS_AFTER, is then queued as an SMS, sent at the next look."""
        try:
            status, error_code = await asyncio.wait_for(self.sender.fetch_status(sid), timeout=SEND_TIMEOUT_S)
            await asyncio.to_thread(self._record_status, StatusReport(sid, status, error_code))
        except Exception as error:  # Twilio or the database away: asked again at the next step
            logger.warning("Twilio was not asked how a danger reply fared (%s).", error_kind(error))

    def _record_status(self, report: StatusReport) -> None:
        with session_scope(self.engine) as session:
            statuses.asked(session, self.sealer, report, self.sms_from, _now())

    async def deliver_due(self) -> List["asyncio.Task[bool]"]:
        """Sends to every person whose next row is due, a few people at a time; returns
        the sending of each (started now or already under way)."""
        sending = []
        for row_id, sender_id in await asyncio.to_thread(self._due):
            if sender_id not in self._sending:
                await self._slots.acquire()
                self._start(sender_id, partial(self._lease, row_id)).add_done_callback(lambda _: self._slots.release())
            sending.append(self._sending[sender_id])
        return sending

    async def deliver_to(self, sender_id: str) -> None:
        """Sends one person's due rows now (a turn's replies, before its webhook answers).
        A conversation just erased has its last reply in a queue of its own: with nothing
        left under the person's id, everything due is sent."""
        running = self._sending.get(sender_id)
        if running is not None:  # it may have looked before this turn's rows were stored
            await asyncio.shield(running)
        task = self._sending.get(sender_id) or self._start(sender_id, partial(self._lease_next, sender_id))
        if not await asyncio.shield(task):
            started = await self.deliver_due()
            if started:
                await asyncio.wait([asyncio.shield(task) for task in started])

    def _start(self, sender_id: str, first: Callable[[], Optional[Delivery]]) -> "asyncio.Task[bool]":
        task = asyncio.ensure_future(self._deliver_from(first))
        self._sending[sender_id] = task
        task.add_done_callback(lambda _: self._sending.pop(sender_id, None))
        return task

    async def _deliver_from(self, first: Callable[[], Optional[Delivery]]) -> bool:
        """Sends one person's rows in order, from the one `first` leases, until none is due
        or one fails; False if `first` found none. Marking a row sent and leasing the next
        is one transaction, so a danger reply stored meanwhile goes next, and a row erased
        meanwhile is not sent."""
        delivery = await asyncio.to_thread(first)
        found = delivery is not None
        while delivery is not None and (sid := await self._attempt(delivery)) is not None:
            delivery = await asyncio.to_thread(self._sent_then_next, delivery, sid)
        return found

    def _due(self) -> List[Tuple[int, str]]:
        with session_scope(self.engine) as session:
            return outbox.heads(session, _now())

    def _lease(self, row_id: int) -> Optional[Delivery]:
        with session_scope(self.engine) as session:
            return outbox.lease(session, self.sealer, row_id, _now())

    def _lease_next(self, sender_id: str) -> Optional[Delivery]:
        with session_scope(self.engine) as session:
            return outbox.lease_next(session, self.sealer, sender_id, _now())

    def _sent_then_next(self, delivery: Delivery, sid: str) -> Optional[Delivery]:
        # A danger reply's text is held for its status (SMS if undelivered); its recording is not: SMS carries none.
        held = bool(sid) and self.awaits_status and delivery.urgent and delivery.channel == "whatsapp" and bool(delivery.body)
        with session_scope(self.engine) as session:
            outbox.sent(session, delivery.id, _now(), sid, held)
            return outbox.lease_next(session, self.sealer, delivery.sender_id, _now())

    async def _attempt(self, delivery: Delivery) -> Optional[str]:
        """One attempt at a row; when it went out, Twilio's message id ("" when it went by
        SMS instead: the caller marks it sent), else None and the failure is recorded."""
        try:
            return await self._send(delivery.to, delivery.our_address, delivery)
        except SEND_ERRORS as error:
            if delivery.urgent and delivery.channel == "whatsapp" and await self._by_sms(delivery):
                return ""
            given_up = await asyncio.to_thread(self._record_failed, delivery, error)
            logger.warning("A reply was not delivered (%s); %s.", error_kind(error),
                           "given up" if given_up else "will retry")
            return None

    async def _send(self, to: str, from_: str, delivery: Delivery) -> str:
        interactive = await self._interactive(delivery)
        if interactive:
            try:
                return await asyncio.wait_for(self.sender.send(to, from_, content_sid=interactive),
                                              timeout=SEND_TIMEOUT_S)
            except SEND_ERRORS as error:
                if not is_permanent(error):
                    raise
                logger.warning("WhatsApp options were refused (%s); the numbered text goes.", error_kind(error))
                await asyncio.to_thread(self.contents.forget, interactive)
        return await asyncio.wait_for(self.sender.send(to, from_, body=delivery.body, media_url=delivery.media_url,
                                                       content_sid=delivery.content_sid), timeout=SEND_TIMEOUT_S)

    async def _interactive(self, delivery: Delivery) -> str:
        """The content that shows a WhatsApp reply's options as buttons or a list; "" for the
        numbered text: no options, a danger reply, limits passed, or the Content API failing."""
        if self.contents is None or delivery.menu is None or delivery.urgent or delivery.channel != outbox.WHATSAPP:
            return ""
        try:
            return await asyncio.wait_for(self.contents.sid_for(delivery.body, delivery.menu),
                                          timeout=CONTENT_TIMEOUT_S)
        except Exception as error:  # whatever fails (Twilio, a timeout, the database), the reply goes as text
            logger.warning("No WhatsApp options this time (%s); the numbered text goes.", error_kind(error))
            return ""

    async def _by_sms(self, delivery: Delivery) -> bool:
        """A danger reply WhatsApp did not take, sent to the same number by SMS; what went
        is queued for deletion from Twilio (it has no outbox row of its own)."""
        to, from_ = bare_number(delivery.to), outbox.sms_sender(self.sms_from, delivery.our_address)
        sids: List[str] = []
        try:
            for body in bodies_for(delivery.body, "sms"):
                sids.append(await asyncio.wait_for(self.sender.send(to, from_, body=body), timeout=SEND_TIMEOUT_S))
        except SEND_ERRORS as error:
            logger.warning("A danger reply was not delivered by SMS either (%s).", error_kind(error))
            return False
        finally:
            if sids:
                await asyncio.to_thread(self._to_delete, sids)
        logger.warning("A danger reply WhatsApp did not take went out by SMS.")
        return True

    def _to_delete(self, sids: List[str]) -> None:
        with session_scope(self.engine) as session:
            purge.enqueue(session, self.sealer, sids, _now())

    def _record_failed(self, delivery: Delivery, error: BaseException) -> bool:
        with session_scope(self.engine) as session:
            return outbox.failed(session, delivery.id, delivery.attempts, error_kind(error), _now(),
                                 is_permanent(error))
