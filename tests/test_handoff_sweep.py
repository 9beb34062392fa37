"""The waiting-handoff sweep under the review's cases, on the service layer and a real
SQLite database (PostgreSQL where a race is the subject): a step re-checks the handoff it
selected; time counts while someone could answer; a hanging or failing sender stops
nothing; a release, an interpreter's language and an observatory's "A.C." reach the alert."""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Callable, Iterator, List

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.directory.models import Organisation
from bot.handoff import alerts, desk, escalation, hours, service
from bot.handoff.alerts import Notice
from bot.handoff.escalation import WaitingSweep
from bot.handoff.models import DESK_ROW, Handoff, NationalDesk
from bot.handoff.sends import Limits
from bot.handoff.staff_texts import Texter
from bot.storage.contacts import remember
from bot.storage.database import engine_for, session_scope
from bot.storage.models import OutgoingMessage
from bot.web import account_changes, handoff_access
from bot.web.models import User
from tests.smtp_server import SMTPServer
from tests.test_inbox_isolation import Staff
from tests.test_staff_alerts import (AFTER, NOW, SEALER, account, engine, observatories,  # noqa: F401 (fixtures)
                                     person_replies, smtp, sweeper, waiting)
from tests.test_staff_lifecycle import LEON, StaffPages
from tests.test_staff_lifecycle import database, pages  # noqa: F401 (fixtures)

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def third_observatory(engine: Engine) -> int:
    """A third observatory, with staff of its own."""
    with session_scope(engine) as session:
        third = session.scalars(sa.select(Organisation.id).where(Organisation.kind == "observatory")
                                .order_by(Organisation.id)).all()[2]
    account(engine, "tere", "staff", third, "tere@tercero.example")
    return third


def state(engine: Engine, handoff_id: int) -> tuple:
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        return handoff.observatory_id, handoff.escalated_at


def set_hours(engine: Engine, observatory_id: int, text: str | None) -> None:
    with session_scope(engine) as session:
        session.get(Organisation, observatory_id).handoff_hours = text


def hours_from(engine: Engine, observatory_id: int, moment: datetime) -> str:
    """Every day, one hour from `moment`'s next full hour, in the observatory's time zone."""
    with session_scope(engine) as session:
        zone = hours.parse("", session.get(Organisation, observatory_id).state_key).zone
    opens = (moment.astimezone(zone).hour + 1) % 24
    return f"lun-dom {opens:02d}:00-{opens + 1:02d}:00"


def meanwhile(monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> None:
    """Runs `action` once, right after a sweep has selected the handoffs due to escalate."""
    selected, done = escalation._waiting, []

    def then_action(session: object, *conditions: object) -> list:
        due = selected(session, *conditions)
        if due and len(conditions) == 2 and not done:  # the escalation's selection
            done.append(True)
            action()
        return due

    monkeypatch.setattr(escalation, "_waiting", then_action)


@ON_SQLITE
def test_a_handoff_another_engine_moved_to_the_desk_meanwhile_goes_no_further(
        engine: Engine, waiting: int, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = observatories(engine)
    desk.designate(engine, second)
    ours, other = sweeper(engine, smtp), sweeper(engine, smtp)
    ours.sweep(NOW)
    meanwhile(monkeypatch, lambda: other.sweep(NOW + AFTER))

    assert ours.sweep(NOW + AFTER).escalated == 0  # the other engine took the one step due
    assert state(engine, waiting) == (second, None)  # at the desk, not also told of the lines
    assert len(person_replies(engine)) == 1


@ON_SQLITE
def test_a_handoff_transferred_meanwhile_is_not_escalated(
        engine: Engine, waiting: int, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = observatories(engine)
    desk.designate(engine, third_observatory(engine))
    sweep = sweeper(engine, smtp)

    def transfer() -> None:
        with session_scope(engine) as session:
            service.back_to_waiting(session.get(Handoff, waiting), second, NOW + AFTER)

    meanwhile(monkeypatch, transfer)
    assert sweep.sweep(NOW + AFTER).escalated == 0
    assert state(engine, waiting) == (second, None) and person_replies(engine) == []


@ON_SQLITE
def test_time_counts_only_while_the_observatory_s_staff_are_on_duty(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    first, _ = observatories(engine)
    schedule = hours_from(engine, first, NOW)
    set_hours(engine, first, schedule)
    opens = NOW.replace(minute=0) + timedelta(hours=1)
    sweep = sweeper(engine, smtp)

    assert sweep.sweep(NOW + AFTER).escalated == 0  # nobody was there to answer yet
    assert sweep.sweep(opens + AFTER - timedelta(seconds=1)).escalated == 0
    assert sweep.sweep(opens + AFTER).escalated == 1
    [told] = person_replies(engine)
    assert "sigue en la fila de" in told


@ON_SQLITE
def test_a_desk_outside_its_hours_is_not_where_a_handoff_escalates(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    first, second = observatories(engine)
    desk.designate(engine, second)
    set_hours(engine, second, hours_from(engine, second, NOW + AFTER))  # the desk's staff are away
    sweeper(engine, smtp).sweep(NOW + AFTER)

    observatory_id, escalated_at = state(engine, waiting)
    assert observatory_id == first and escalated_at == NOW + AFTER  # straight to the lines
    [told] = person_replies(engine)
    assert "sigue en la fila de" in told and "911" in told


@ON_SQLITE
def test_a_handoff_at_a_closed_observatory_goes_to_a_desk_that_answers(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    first, second = observatories(engine)
    desk.designate(engine, second)
    set_hours(engine, first, hours_from(engine, first, NOW + AFTER))  # away all the while

    assert sweeper(engine, smtp).sweep(NOW + AFTER).escalated == 1
    assert state(engine, waiting) == (second, None)


class FakeTwilio:
    """The Twilio client's `messages.create`, as `behave(number)` does it."""

    def __init__(self, behave: Callable[[str], None]) -> None:
        self.behave, self.messages = behave, self

    def create(self, to: str, from_: str, body: str, status_callback: object) -> SimpleNamespace:
        self.behave(to)
        return SimpleNamespace(sid="SM" + to[1:].rjust(32, "0"))


@dataclass(frozen=True)
class FakeTexter(Texter):
    behave: Callable[[str], None] = print

    def _client(self) -> FakeTwilio:  # type: ignore[override]
        return FakeTwilio(self.behave)


HANGS, RAISES, WORKS = "+524771110001", "+524771110002", "+526181110003"


@pytest.fixture()
def release() -> Iterator[threading.Event]:
    """Lets a hanging send go when the test ends."""
    event = threading.Event()
    yield event
    event.set()


@ON_SQLITE
def test_a_hanging_and_a_failing_sms_stop_neither_the_round_nor_the_others(
        engine: Engine, waiting: int, release: threading.Event, caplog: pytest.LogCaptureFixture) -> None:
    first, second = observatories(engine)
    for name, number in (("ana", HANGS), ("luis", RAISES), ("otro", WORKS)):
        account_changes.change_alert_phone(engine, name, number)
    with session_scope(engine) as session:  # a second handoff, at the second observatory
        remember(session, SEALER, "person-2", "+5215587654321", "+15005550006", "whatsapp", NOW)
        service.start(session, "person-2", second, "asked", "es")
    sent: List[str] = []

    def behave(number: str) -> None:
        if number == HANGS:
            release.wait(30)
        elif number == RAISES:
            raise RuntimeError(f"unexpected answer for {number}")
        sent.append(number)

    texter = FakeTexter("AC" + "0" * 32, "token", "+15005550006", behave=behave)
    sweep = WaitingSweep(engine, SEALER, None, AFTER, texter, Limits(send_s=0.3, round_s=1.0))
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        swept = sweep.sweep(NOW)

    assert time.monotonic() - started < 3  # the round's deadline, not the hanging send's
    assert swept.alerted == 2 and sent == [WORKS]
    with session_scope(engine) as session:  # what Twilio took is recorded, for its status and deletion
        assert session.execute(sa.select(OutgoingMessage.origin, OutgoingMessage.twilio_sid)).all() == [
            ("staff_alert", "SM" + WORKS[1:].rjust(32, "0"))]
    assert "RuntimeError" in caplog.text and "given up" in caplog.text
    assert not any(number[3:] in caplog.text for number in (HANGS, RAISES, WORKS))


@ON_SQLITE
def test_a_deactivated_holder_s_handoff_alerts_the_observatory_s_staff_again(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    sweep = sweeper(engine, smtp)
    sweep.sweep(NOW)
    with session_scope(engine) as session:  # ana claims it
        ana = session.scalar(sa.select(User.id).where(User.username == "ana"))
        handoff = session.get(Handoff, waiting)
        handoff.status, handoff.claimed_by, handoff.custody = "active", ana, handoff.custody + 1
    smtp.received.clear()

    assert account_changes.set_active(engine, "ana", False)
    assert sweep.sweep(NOW + timedelta(minutes=1)).alerted == 1
    [mail] = smtp.received
    assert mail.recipients == ["luis@observatorio.example"] and "espera en la fila" in mail.message["Subject"]


@ON_SQLITE
def test_an_interpreter_s_language_goes_with_the_handoff_to_the_desk(
        engine: Engine, waiting: int, smtp: SMTPServer, pages: StaffPages) -> None:
    _, second = observatories(engine)
    desk.designate(engine, second)
    with session_scope(engine) as session:
        session.get(Handoff, waiting).interpreter_language = "nah"
    sweep = sweeper(engine, smtp)
    sweep.sweep(NOW)
    assert "Se necesita intérprete de Náhuatl" in smtp.received[-1].message["Subject"]
    smtp.received.clear()

    assert sweep.sweep(NOW + AFTER).escalated == 1
    assert sweep.sweep(NOW + AFTER + timedelta(seconds=5)).alerted == 1
    [mail] = smtp.received
    assert mail.recipients == ["otro@otro.example"]
    assert mail.message["Subject"].endswith(". Se necesita intérprete de Náhuatl")
    assert "intérprete: Náhuatl" in Staff(pages, "otro").page("/inbox/")  # in the desk's queue


@ON_SQLITE
def test_transfers_offer_only_observatories_whose_staff_are_on_duty(engine: Engine, waiting: int) -> None:
    _, second = observatories(engine)
    third = third_observatory(engine)
    set_hours(engine, second, hours_from(engine, second, datetime.now(NOW.tzinfo)))
    with session_scope(engine) as session:
        offered = {o.id for o in handoff_access.transfer_targets(session, session.get(Handoff, waiting))}
    assert third in offered and second not in offered


def test_an_observatory_ending_in_a_period_ends_the_sms_sentence_once() -> None:
    sms = alerts.sms_text(Notice(LEON))
    assert "León A.C. http" in sms and ".." not in sms
    assert "A.C. Se necesita intérprete de Maya" in alerts.sms_text(Notice(LEON, interpreter="Maya"))


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_first_designation_racing_another_is_no_error(database: str) -> None:  # noqa: F811 (the fixture)
    engine = engine_for(database)
    first, second = observatories(engine)
    other = engine.connect()  # the other designation: its row inserted, not yet committed
    transaction = other.begin()
    other.execute(sa.insert(NationalDesk).values(id=DESK_ROW, observatory_id=first, set_at=NOW))
    threading.Timer(0.5, transaction.commit).start()  # ours waits on its insert until then

    assert desk.designate(engine, second)
    other.close()
    with session_scope(engine) as session:
        assert session.get(NationalDesk, DESK_ROW).observatory_id == second


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_first_designations_at_once_both_succeed(database: str) -> None:  # noqa: F811 (the fixture)
    engine = engine_for(database)
    chosen = observatories(engine)
    start, errors = threading.Barrier(2), []

    def designate(observatory_id: int) -> None:
        start.wait()
        try:
            desk.designate(engine, observatory_id)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=designate, args=(o,)) for o in chosen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with session_scope(engine) as session:
        assert session.get(NationalDesk, DESK_ROW).observatory_id in chosen
