"""The outbox and its courier on a real database (SQLite and PostgreSQL), with a Twilio
client stand-in that records or fails: order per person, one send per row across
couriers, backoff, giving up, danger by SMS, the report."""

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioRestException

from bot.delivery import outbox
from bot.delivery.courier import Courier
from bot.delivery.outbox import Reply
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import OutgoingMessage, TwilioDeletion
from tests.conftest import fresh_postgresql_database

NOW = datetime.now(timezone.utc)
SEALER = Sealer([new_key()])
SMS_FROM = "+15005550006"  # ORIENTA_SMS_FROM: danger replies WhatsApp does not take go from it


class Recorder:
    """Stands in for TwilioSender: records what it is asked to send, or fails."""

    def __init__(self, fail_whatsapp: int = 0, status: int = 500) -> None:
        self.sent: List[Tuple[str, str, str]] = []
        self.fail_whatsapp, self.status = fail_whatsapp, status

    async def send(self, to: str, from_: str, body: str = "", media_url: str = "", content_sid: str = "") -> str:
        await asyncio.sleep(0.001)
        if to.startswith("whatsapp:") and self.fail_whatsapp:
            self.fail_whatsapp -= 1
            raise TwilioRestException(self.status, "uri", "refused", 63016)
        self.sent.append((to, from_, body))
        return "SM1"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
        upgrade(url)
        yield url
        return
    with fresh_postgresql_database() as url:
        upgrade(url)
        yield url


def contact(number: str, channel: str = "sms") -> Address:
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    return Address(f"{prefix}{number}", f"{prefix}+15005550006", channel, False, NOW)


def enqueue(url: str, sender: str, address: Address, texts: List[str], urgent: bool = False) -> None:
    with session_scope(engine_for(url)) as session:
        outbox.enqueue(session, SEALER, sender, address, [Reply(t) for t in texts], outbox.ASSISTANT,
                       datetime.now(timezone.utc), urgent)


def rows(url: str) -> List[OutgoingMessage]:
    with session_scope(engine_for(url)) as session:
        found = session.scalars(sa.select(OutgoingMessage).order_by(OutgoingMessage.id)).all()
        session.expunge_all()
        return found


def test_two_couriers_send_every_row_once_in_order_per_person(database: str) -> None:
    people = {f"p{n}": contact(f"+52550000000{n}") for n in range(3)}
    for sender, address in people.items():
        enqueue(database, sender, address, [f"{sender} {i}" for i in range(5)])
    recorder = Recorder()

    async def both() -> None:
        couriers = [Courier(engine_for(database), SEALER, recorder) for _ in range(2)]
        for _ in range(6):
            await asyncio.gather(*(courier.deliver_due() for courier in couriers))
            await asyncio.sleep(0.05)
        await asyncio.gather(*(courier.deliver_to(sender) for courier in couriers for sender in people))

    asyncio.run(both())
    for sender, address in people.items():
        assert [body for to, _, body in recorder.sent if to == address.address] == [f"{sender} {i}" for i in range(5)]
    assert all(row.sent_at and row.sealed_body is None and row.sealed_to is None for row in rows(database))


def test_a_failed_send_waits_its_backoff_and_holds_the_persons_later_rows(database: str) -> None:
    address = contact("+525500000009", "whatsapp")
    enqueue(database, "p", address, ["primero", "segundo"])
    recorder = Recorder(fail_whatsapp=1)
    courier = Courier(engine_for(database), SEALER, recorder)
    asyncio.run(courier.deliver_to("p"))
    assert recorder.sent == []  # the first failed; the second does not overtake it
    first = rows(database)[0]
    assert first.attempts == 1 and first.last_error == "twilio 500 63016"
    assert first.next_attempt_at > datetime.now(timezone.utc)
    with session_scope(engine_for(database)) as session:
        session.execute(sa.update(OutgoingMessage).values(next_attempt_at=NOW - timedelta(seconds=1)))
    asyncio.run(courier.deliver_to("p"))
    assert [body for _, _, body in recorder.sent] == ["primero", "segundo"]


def test_a_failure_marks_what_went_and_holds_what_follows(database: str) -> None:
    address = contact("+525500000007", "whatsapp")
    enqueue(database, "p", address, ["uno", "dos", "tres"])
    recorder, failures = Recorder(), ["dos"]
    original = recorder.send

    async def second_fails(to: str, from_: str, body: str = "", **kwargs: str) -> str:
        if body in failures:
            failures.remove(body)
            raise TwilioRestException(503, "uri", "busy")
        return await original(to, from_, body, **kwargs)

    recorder.send = second_fails  # type: ignore[method-assign]
    courier = Courier(engine_for(database), SEALER, recorder)
    asyncio.run(courier.deliver_to("p"))
    assert [body for _, _, body in recorder.sent] == ["uno"]
    first, second, third = rows(database)
    assert first.sent_at and first.sealed_body is None
    assert second.sent_at is None and second.attempts == 1 and second.leased_until is None
    assert third.sent_at is None and third.attempts == 0 and third.leased_until is None  # untried, free
    with session_scope(engine_for(database)) as session:
        session.execute(sa.update(OutgoingMessage).values(next_attempt_at=NOW - timedelta(seconds=1)))
    asyncio.run(courier.deliver_to("p"))
    assert [body for _, _, body in recorder.sent] == ["uno", "dos", "tres"]


def test_rows_erased_or_urgent_while_a_person_is_being_sent_to_are_seen_at_the_next_row(database: str) -> None:
    address = contact("+525500000006")
    enqueue(database, "p", address, [f"paso {n}" for n in range(4)])
    recorder = Recorder()
    original = recorder.send

    async def meanwhile(to: str, from_: str, body: str = "", **kwargs: str) -> str:
        sent = await original(to, from_, body, **kwargs)
        if body == "paso 0":  # a danger turn is saved while the first reply goes out
            enqueue(database, "p", address, ["911"], urgent=True)
        if body == "paso 1":  # then the person erases the conversation
            with session_scope(engine_for(database)) as session:
                session.execute(sa.delete(OutgoingMessage).where(OutgoingMessage.sender_id == "p"))
        return sent

    recorder.send = meanwhile  # type: ignore[method-assign]
    asyncio.run(Courier(engine_for(database), SEALER, recorder).deliver_to("p"))
    assert [body for _, _, body in recorder.sent] == ["paso 0", "911", "paso 1"]


def test_a_refused_message_is_given_up_at_once_and_counted(database: str) -> None:
    enqueue(database, "p", contact("+525500000008", "whatsapp"), ["no va", "sí va"])
    recorder = Recorder(fail_whatsapp=1, status=400)
    asyncio.run(Courier(engine_for(database), SEALER, recorder).deliver_to("p"))
    asyncio.run(Courier(engine_for(database), SEALER, recorder).deliver_to("p"))
    assert [body for _, _, body in recorder.sent] == ["sí va"]
    given_up = rows(database)[0]
    assert given_up.failed_at and given_up.sealed_body is None and given_up.sealed_to is None
    with session_scope(engine_for(database)) as session:
        assert outbox.report(session, NOW - timedelta(days=1)) == {"waiting": 0, "delivered": 1, "given_up": 1}


def test_a_danger_reply_whatsapp_refuses_goes_by_sms_to_the_same_number(database: str) -> None:
    enqueue(database, "p", contact("+5215512345678", "whatsapp"), ["Llama al 911."], urgent=True)
    recorder = Recorder(fail_whatsapp=99)
    asyncio.run(Courier(engine_for(database), SEALER, recorder, SMS_FROM).deliver_to("p"))
    assert recorder.sent == [("+525512345678", "+15005550006", "Llama al 911.")]
    assert rows(database)[0].sent_at is not None
    with session_scope(engine_for(database)) as session:  # the SMS has no row: it is queued for deletion itself
        queued = session.scalars(sa.select(TwilioDeletion.sealed_sid)).all()
    assert [SEALER.open(sid) for sid in queued] == ["SM1"]


def test_nothing_is_stored_for_a_person_who_opted_out(database: str) -> None:
    opted_out = Address("+525500000007", "+15005550006", "sms", True, NOW)
    enqueue(database, "p", opted_out, ["hola"])
    assert rows(database) == []


def test_a_danger_reply_does_not_wait_behind_a_reply_in_backoff(database: str) -> None:
    address = contact("+5215512345670", "whatsapp")
    enqueue(database, "p", address, ["una respuesta"])
    recorder = Recorder(fail_whatsapp=99)
    asyncio.run(Courier(engine_for(database), SEALER, recorder, SMS_FROM).deliver_to("p"))  # fails: in backoff
    enqueue(database, "p", address, ["Llama al 911."], urgent=True)
    asyncio.run(Courier(engine_for(database), SEALER, recorder, SMS_FROM).deliver_to("p"))
    assert recorder.sent == [("+525512345670", "+15005550006", "Llama al 911.")]  # by SMS, at once
    assert [row.urgent for row in rows(database)] == [False, False]  # not even that is kept once sent


def test_a_staff_reply_is_as_far_as_its_least_delivered_row(database: str) -> None:
    """A long reply split into rows: sending while one waits, sent when all went, not
    delivered once one is given up."""
    long_reply = "Una frase de la respuesta del equipo. " * 60  # over one SMS message: two rows
    with session_scope(engine_for(database)) as session:
        for message_id, sender in ((1, "a"), (2, "b")):
            outbox.enqueue(session, SEALER, sender, contact(f"+52550000001{message_id}", "whatsapp"),
                           [Reply(long_reply)], outbox.STAFF, NOW, handoff_message_id=message_id)
    assert len(rows(database)) == 4

    def states() -> dict:
        with session_scope(engine_for(database)) as session:
            return outbox.deliveries(session, [1, 2, 3])

    assert states() == {1: "sending", 2: "sending"}
    courier = Courier(engine_for(database), SEALER, Recorder())
    asyncio.run(courier.deliver_to("a"))
    first, second = [row.id for row in rows(database) if row.sender_id == "b"]
    with session_scope(engine_for(database)) as session:
        outbox.sent(session, first, NOW)
    assert states() == {1: "sent", 2: "sending"}
    with session_scope(engine_for(database)) as session:
        outbox.failed(session, second, 0, "twilio 400 21211", NOW, permanent=True)
    assert states() == {1: "sent", 2: "failed"}
