"""Staff hear of a waiting handoff by e-mail, with nothing of the person in it; a handoff
nobody claims in time is escalated once: staff and administrators alerted again, the
person told through the outbox. On SQLite and PostgreSQL, with a real SMTP server."""

import asyncio
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator, List, Tuple

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.channels.twilio_sender import TwilioSender
from bot.delivery import outbox, statuses
from bot.delivery.media_copy import MediaCopier
from bot.delivery.purger import Purger
from bot.delivery.statuses import StatusReport
from bot.directory.models import Organisation
from bot.handoff import desk, service
from bot.handoff.alerts import Mailer
from bot.handoff.escalation import WaitingSweep, escalate_after
from bot.handoff.models import Handoff, StaffAudit
from bot.handoff.staff_texts import Texter
from bot.run import free_port
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.contacts import remember
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.models import OutgoingMessage
from bot.web import account_changes, accounts
from bot.web.models import User
from tests.conftest import ROOT, STAFF_PASSWORD, RunningAssistant
from tests.smtp_server import SMTPServer, running_smtp_server
from tests.test_handoff import handed_off
from tests.test_staff_lifecycle import LEON, StaffPages, _command_line, _post
from tests.test_staff_lifecycle import database, pages  # noqa: F401 (fixtures: on SQLite and PostgreSQL)
from tests.test_web_authorization import Visitor

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)  # when the handoff started
AFTER = timedelta(minutes=15)
NUMBER = "+5215512345678"
PERSON_SAYS = "Soy Fernanda Ruiz, mi esposo me amenaza, vivo en calle Reforma 12, mi número es 5512345678"
SENDER = "person-1"
SEALER = Sealer([new_key()])
KEPT = render("utter_handoff_waiting", "es", Catalogues.load(), {})["text"]


@pytest.fixture(scope="module")
def smtp() -> Iterator[SMTPServer]:
    yield from running_smtp_server()


@pytest.fixture()
def engine(database: str) -> Engine:
    return engine_for(database)


def observatories(engine: Engine) -> Tuple[int, int]:
    with session_scope(engine) as session:
        ids = session.scalars(sa.select(Organisation.id).where(Organisation.kind == "observatory")
                              .order_by(Organisation.id)).all()
    return ids[0], ids[1]


def account(engine: Engine, name: str, role: str, observatory_id: int | None, email: str,
            active: bool = True) -> None:
    accounts.create(engine, name, STAFF_PASSWORD, role, observatory_id)
    assert account_changes.change_email(engine, name, email)
    if not active:
        account_changes.set_active(engine, name, False)


@pytest.fixture()
def waiting(engine: Engine) -> int:
    """A handoff to the first observatory waits; the person said personal things in it."""
    first, second = observatories(engine)
    account(engine, "ana", "staff", first, "ana@observatorio.example")
    account(engine, "luis", "staff", first, "luis@observatorio.example")
    account(engine, "ida", "staff", first, "ida@observatorio.example", active=False)
    account(engine, "otro", "staff", second, "otro@otro.example")
    account(engine, "admin", "admin", None, "admin@orienta.example")
    with session_scope(engine) as session:
        remember(session, SEALER, SENDER, NUMBER, "+15005550006", "whatsapp", NOW)
        handoff, _ = service.start(session, SENDER, first, "danger", "es")
        service.record(session, SEALER, handoff, "person", PERSON_SAYS)
        handoff.created_at = handoff.waiting_since = NOW
        return handoff.id


def sweeper(engine: Engine, smtp: SMTPServer) -> WaitingSweep:
    return WaitingSweep(engine, SEALER, Mailer("127.0.0.1", smtp.port, False, "", "", "orienta@orienta.example"),
                        AFTER)


def person_replies(engine: Engine) -> List[str]:
    with session_scope(engine) as session:
        rows = []
        while delivery := outbox.lease_next(session, SEALER, SENDER, NOW + timedelta(days=1)):
            outbox.sent(session, delivery.id, NOW)
            rows.append((delivery.to, delivery.body))
    assert all(to == f"whatsapp:{NUMBER}" or to == NUMBER for to, _ in rows)
    return [body for _, body in rows]


def assert_nothing_of_the_person(text: str, engine: Engine, handoff_id: int) -> None:
    with session_scope(engine) as session:
        case_ref = session.get(Handoff, handoff_id).case_ref
    folded = text.casefold()
    for word in ("fernanda", "ruiz", "esposo", "amenaza", "reforma", "5512345678", "danger", "peligro", SENDER,
                 case_ref):
        assert word.casefold() not in folded, word


def test_staff_of_the_observatory_get_one_alert_with_nothing_of_the_person(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    smtp.received.clear()
    sweep = sweeper(engine, smtp)

    assert sweep.sweep(NOW).alerted == 1
    assert sweep.sweep(NOW + timedelta(minutes=1)).alerted == 0  # once

    [mail] = smtp.received
    assert sorted(mail.recipients) == ["ana@observatorio.example", "luis@observatorio.example"]
    assert "Bcc" not in mail.message and "ana@" not in mail.message["To"]  # no one sees the others' addresses
    first = observatories(engine)[0]
    with session_scope(engine) as session:
        name = session.get(Organisation, first).name
    assert name in mail.message["Subject"]
    assert "espera en la fila" in mail.text and "http://127.0.0.1:5007/inbox/" in mail.text
    assert_nothing_of_the_person(mail.text, engine, waiting)
    assert person_replies(engine) == []  # the person is told nothing yet


def test_a_handoff_left_waiting_is_escalated_once_and_the_person_told(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    sweep = sweeper(engine, smtp)
    sweep.sweep(NOW)
    smtp.received.clear()

    assert sweep.sweep(NOW + AFTER - timedelta(seconds=1)).escalated == 0
    assert sweep.sweep(NOW + AFTER).escalated == 1
    assert sweep.sweep(NOW + 2 * AFTER).escalated == 0

    [mail] = smtp.received
    assert sorted(mail.recipients) == ["admin@orienta.example", "ana@observatorio.example",
                                       "luis@observatorio.example"]
    assert "sin atender" in mail.message["Subject"]
    assert_nothing_of_the_person(mail.text, engine, waiting)
    [told] = person_replies(engine)
    assert told.startswith("Seguimos aquí.\nTu conversación sigue en la fila de ")
    assert "911" in told and "089" in told and "800 5533 000" in told  # the directory's lines
    with session_scope(engine) as session:
        assert session.get(Handoff, waiting).escalated_at == NOW + AFTER


def test_a_claimed_handoff_is_not_escalated(engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    with session_scope(engine) as session:
        session.get(Handoff, waiting).status = "active"
    smtp.received.clear()

    assert sweeper(engine, smtp).sweep(NOW + 2 * AFTER).escalated == 0
    assert smtp.received == [] and person_replies(engine) == []


def test_two_engines_sweeping_at_once_escalate_once(engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    smtp.received.clear()
    sweeps = [sweeper(engine, smtp) for _ in range(2)]
    start = threading.Barrier(len(sweeps))
    results = []

    def run(sweep: WaitingSweep) -> None:
        start.wait()
        results.append(sweep.sweep(NOW + AFTER))

    threads = [threading.Thread(target=run, args=(sweep,)) for sweep in sweeps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(r.alerted for r in results) == 1 and sum(r.escalated for r in results) == 1
    assert len(smtp.received) == 2  # the alert, then the escalation
    assert len(person_replies(engine)) == 1


def test_an_smtp_server_away_still_escalates_and_logs_no_address(
        engine: Engine, waiting: int, caplog: pytest.LogCaptureFixture) -> None:
    away = WaitingSweep(engine, SEALER, Mailer("127.0.0.1", 9, False, "", "", "orienta@orienta.example"), AFTER)
    with caplog.at_level(logging.INFO):
        swept = away.sweep(NOW + AFTER)

    assert (swept.alerted, swept.escalated) == (1, 1)
    assert len(person_replies(engine)) == 1
    assert "staff alert could not be sent" in caplog.text
    assert "@" not in caplog.text and NUMBER not in caplog.text


def _email(engine: Engine, user_id: int) -> str | None:
    with session_scope(engine) as session:
        return session.get(User, user_id).email


def test_an_administrator_sets_where_alerts_go_in_the_page_and_the_audit_says_so(pages: StaffPages) -> None:
    admin = Visitor(pages, pages.account("admin")[0])
    _, user_id = pages.account("staff", LEON)

    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/email", email=" ana@observatorio.example ")
    assert _email(pages.engine, user_id) == "ana@observatorio.example"
    assert 'value="ana@observatorio.example"' in admin.http.get(f"{pages.base}/admin/staff/{user_id}").text
    assert "no es válida" in _post(admin, f"/admin/staff/{user_id}/email", email="ana en observatorio")
    assert _email(pages.engine, user_id) == "ana@observatorio.example"
    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/email", email="")
    assert _email(pages.engine, user_id) is None
    assert [(action, detail) for action, _, detail in pages.audit(user_id)][1:] == [
        ("change_email", "correo registrado"), ("change_email", "correo quitado")]
    assert "Cambió el correo de avisos" in admin.http.get(f"{pages.base}/admin/audit/").text


def test_the_command_line_sets_where_alerts_go(database: str) -> None:  # noqa: F811 (the fixture)
    engine = engine_for(database)
    user_id = accounts.create(engine, "ana", STAFF_PASSWORD, "staff", observatories(engine)[0])

    done = _command_line(database, "email", "ana", "ana@observatorio.example")
    assert done.returncode == 0, done.stderr
    assert _email(engine, user_id) == "ana@observatorio.example"
    refused = _command_line(database, "email", "ana", "ana@")
    assert refused.returncode == 1 and "no es válida" in refused.stderr
    assert _email(engine, user_id) == "ana@observatorio.example"


def test_the_running_assistant_alerts_staff_then_escalates_and_tells_the_person(
        settled_newcomer: RunningAssistant, newcomer_mail: SMTPServer) -> None:
    """On the deployment launched with a mail server and a 15 s escalation (tests/conftest.py)."""
    smtp, assistant = newcomer_mail, settled_newcomer
    smtp.received.clear()
    staff = assistant.new_account("staff", LEON)
    account_changes.change_email(assistant.engine, staff, "equipo@leon.example")
    phone = handed_off(assistant)
    assert phone.say(PERSON_SAYS) == [KEPT]  # kept for staff
    assert phone.say("¿siguen ahí?") == []  # one acknowledgement
    deadline = time.monotonic() + 60
    while len(smtp.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    told = phone.delivered(1, timeout=30)
    assert phone.delivered(1, timeout=8) == []  # told once

    alert, escalation = smtp.received
    assert alert.recipients == escalation.recipients == ["equipo@leon.example"]
    assert LEON in alert.message["Subject"] and "https://equipo.example/inbox/" in alert.text
    assert "sin atender" in escalation.message["Subject"]
    for mail in (alert, escalation):
        folded = mail.text.casefold()
        assert not any(word in folded for word in ("fernanda", "amenaza", "reforma", "5512345678", phone.number[-8:]))
    assert len(told) == 1 and "911" in told[0]
    assert told[0].startswith(f"Seguimos aquí.\nTu conversación sigue en la fila de {LEON}:")


def test_the_mail_server_and_the_escalation_time_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORIENTA_SMTP_URL", raising=False)
    assert Mailer.from_env() is None
    monkeypatch.setenv("ORIENTA_SMTP_URL", "smtp://avisos:clave%40segura@correo.example:2525")
    monkeypatch.setenv("ORIENTA_SMTP_FROM", "avisos@orienta.example")
    assert Mailer.from_env() == Mailer("correo.example", 2525, False, "avisos", "clave@segura",
                                       "avisos@orienta.example")
    monkeypatch.setenv("ORIENTA_SMTP_URL", "smtps://correo.example")
    assert (Mailer.from_env().port, Mailer.from_env().tls) == (465, True)
    monkeypatch.setenv("ORIENTA_SMTP_URL", "correo.example:25")
    with pytest.raises(ValueError):
        Mailer.from_env()

    monkeypatch.delenv("ORIENTA_HANDOFF_ESCALATE_AFTER", raising=False)
    assert escalate_after() == timedelta(minutes=15)
    monkeypatch.setenv("ORIENTA_HANDOFF_ESCALATE_AFTER", "2.5")
    assert escalate_after() == timedelta(minutes=2, seconds=30)
    monkeypatch.setenv("ORIENTA_HANDOFF_ESCALATE_AFTER", "0")
    with pytest.raises(ValueError):
        escalate_after()


def test_a_transferred_handoff_alerts_the_staff_of_its_new_observatory(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    sweep = sweeper(engine, smtp)
    sweep.sweep(NOW)
    smtp.received.clear()
    with session_scope(engine) as session:  # as the inbox transfers it
        session.get(Handoff, waiting).observatory_id = observatories(engine)[1]

    assert sweep.sweep(NOW + timedelta(minutes=1)).alerted == 1
    assert sweep.sweep(NOW + timedelta(minutes=2)).alerted == 0
    [mail] = smtp.received
    assert mail.recipients == ["otro@otro.example"]


def test_a_handoff_left_waiting_goes_to_the_national_desk_then_to_the_lines(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    first, second = observatories(engine)
    desk.designate(engine, second)  # "otro" is its staff
    sweep = sweeper(engine, smtp)
    sweep.sweep(NOW)
    smtp.received.clear()

    assert sweep.sweep(NOW + AFTER).escalated == 1
    with session_scope(engine) as session:
        handoff = session.get(Handoff, waiting)
        assert (handoff.observatory_id, handoff.waiting_since, handoff.escalated_at) == (second, NOW + AFTER, None)
        desk_name, first_name = session.get(Organisation, second).name, session.get(Organisation, first).name
    [told] = person_replies(engine)
    assert told.startswith(f"Seguimos aquí.\nNadie de {first_name} ha podido tomar tu conversación todavía, así "
                           f"que la pasamos a {desk_name}")
    assert sweep.sweep(NOW + AFTER + timedelta(seconds=5)).alerted == 1  # the desk's staff hear of it
    [mail] = smtp.received
    assert mail.recipients == ["otro@otro.example"]
    assert_nothing_of_the_person(mail.text, engine, waiting)

    assert sweep.sweep(NOW + 2 * AFTER - timedelta(seconds=1)).escalated == 0  # its own time at the desk
    assert sweep.sweep(NOW + 2 * AFTER).escalated == 1
    [lines] = person_replies(engine)
    assert lines.startswith(f"Seguimos aquí.\nTu conversación sigue en la fila de {desk_name}") and "089" in lines
    assert sweep.sweep(NOW + 3 * AFTER).escalated == 0
    with session_scope(engine) as session:
        audit = session.execute(sa.select(StaffAudit.action, StaffAudit.user_id, StaffAudit.detail)).all()
    assert ("escalate", None, f"→ {desk_name}") in audit


def test_a_transferred_handoff_is_escalated_from_when_it_was_transferred(
        engine: Engine, waiting: int, smtp: SMTPServer) -> None:
    sweep = sweeper(engine, smtp)
    assert sweep.sweep(NOW + AFTER).escalated == 1  # at its first observatory: the lines
    person_replies(engine)
    transferred = NOW + AFTER + timedelta(minutes=1)
    with session_scope(engine) as session:  # as the inbox transfers it
        service.back_to_waiting(session.get(Handoff, waiting), observatories(engine)[1], transferred)

    assert sweep.sweep(transferred + AFTER - timedelta(seconds=1)).escalated == 0
    assert sweep.sweep(transferred + AFTER).escalated == 1
    [told] = person_replies(engine)
    assert "sigue en la fila de" in told and "911" in told


@dataclass
class TwilioFake:
    """The phone simulator alone (`python -m bot.simulator`): its fake Twilio Messages API."""

    port: int
    account_sid: str
    auth_token: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent_to(self, number: str) -> List[dict]:
        query = urllib.parse.urlencode({"to": number})
        with urllib.request.urlopen(f"{self.url}/messages?{query}", timeout=10) as answer:
            return json.loads(answer.read())["messages"]


@pytest.fixture(scope="module")
def twilio_fake() -> Iterator[TwilioFake]:
    fake = TwilioFake(free_port(), "AC" + secrets.token_hex(16), secrets.token_hex(16))
    env = {"PATH": os.environ["PATH"], "TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
           "ORIENTA_SIMULATOR_PORT": str(fake.port), "ORIENTA_DATA_KEYS": new_key(), "ORIENTA_SENDER_KEY": "k"}
    process = subprocess.Popen([sys.executable, "-m", "bot.simulator"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            fake.sent_to("+0")
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "the simulator did not start"
            time.sleep(0.2)
    yield fake
    process.terminate()
    process.wait(30)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # storage is the e-mail tests' concern
def test_staff_with_a_phone_get_an_sms_alert_with_nothing_of_the_person(
        engine: Engine, waiting: int, smtp: SMTPServer, twilio_fake: TwilioFake) -> None:
    assert account_changes.change_alert_phone(engine, "ana", "+52 (477) 123-4567")
    assert account_changes.change_alert_phone(engine, "admin", "+525512340000")
    account_changes.change_alert_phone(engine, "otro", "+526181112222")  # another observatory's
    texter = Texter(twilio_fake.account_sid, twilio_fake.auth_token, "+15005550006", twilio_fake.url)
    sweep = WaitingSweep(engine, SEALER, None, AFTER, texter)  # SMS alone: no mail server

    assert sweep.sweep(NOW).alerted == 1
    [sms] = twilio_fake.sent_to("+524771234567")
    assert sms["from"] == "+15005550006" and "espera en la fila de" in sms["body"] and "/inbox/" in sms["body"]
    assert_nothing_of_the_person(sms["body"], engine, waiting)
    assert twilio_fake.sent_to("+525512340000") == [] and twilio_fake.sent_to("+526181112222") == []

    assert sweep.sweep(NOW + AFTER).escalated == 1  # staff and administrators hear again
    assert "sin atender" in twilio_fake.sent_to("+524771234567")[-1]["body"]
    [to_admin] = twilio_fake.sent_to("+525512340000")
    assert_nothing_of_the_person(to_admin["body"], engine, waiting)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_an_sms_alert_is_recorded_without_anything_of_it_and_leaves_twilio_once_delivered(
        engine: Engine, waiting: int, twilio_fake: TwilioFake) -> None:
    assert account_changes.change_alert_phone(engine, "ana", "+524771234568")
    texter = Texter(twilio_fake.account_sid, twilio_fake.auth_token, "+15005550006", twilio_fake.url)
    assert WaitingSweep(engine, SEALER, None, AFTER, texter).sweep(NOW).alerted == 1
    [sms] = twilio_fake.sent_to("+524771234568")
    with session_scope(engine) as session:
        [row] = session.scalars(sa.select(OutgoingMessage)).all()
        assert (row.origin, row.sender_id, row.twilio_sid, row.delivery_status) == (
            outbox.STAFF_ALERT, statuses.ALERTS_QUEUE, sms["sid"], "queued")
        assert not (row.sealed_to or row.sealed_body or row.reply_to or row.handoff_message_id)
    sender = TwilioSender(twilio_fake.account_sid, twilio_fake.auth_token, twilio_fake.url)
    purger = Purger(engine, SEALER, sender, MediaCopier(engine, SEALER, twilio_fake.url, twilio_fake.account_sid,
                                                        twilio_fake.auth_token))
    assert asyncio.run(purger.sweep()) == 0  # no final status yet: Twilio keeps it
    deadline = time.monotonic() + 10
    while twilio_fake.sent_to("+524771234568")[0]["status"] != "delivered":  # as Twilio reports it
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with session_scope(engine) as session:
        statuses.record(session, SEALER, StatusReport(sms["sid"], "delivered"), None, datetime.now(timezone.utc))
    assert asyncio.run(purger.sweep()) == 1
    assert [m["deleted"] for m in twilio_fake.sent_to("+524771234568")] == [True]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_phone_for_alerts_is_checked_and_its_change_audited_without_the_number(database: str) -> None:  # noqa: F811
    engine = engine_for(database)
    user_id = accounts.create(engine, "ana", STAFF_PASSWORD, "staff", observatories(engine)[0])
    with pytest.raises(ValueError):
        account_changes.change_alert_phone(engine, "ana", "477 123 4567")  # no country code
    done = _command_line(database, "phone", "ana", "+524771234567")
    assert done.returncode == 0, done.stderr
    with session_scope(engine) as session:
        assert session.get(User, user_id).alert_phone == "+524771234567"
        audit = session.execute(sa.select(StaffAudit.action, StaffAudit.detail)
                                .where(StaffAudit.target_user_id == user_id)).all()
    assert audit[-1] == ("change_alert_phone", "teléfono registrado")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_an_administrator_sets_the_alert_phone_in_the_page(pages: StaffPages) -> None:  # noqa: F811
    admin = Visitor(pages, pages.account("admin")[0])
    _, user_id = pages.account("staff", LEON)

    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/phone", alert_phone="+52 477 123 4567")
    assert pages.user(user_id).alert_phone == "+524771234567"
    assert 'value="+524771234567"' in admin.http.get(f"{pages.base}/admin/staff/{user_id}").text
    assert "no es válido" in _post(admin, f"/admin/staff/{user_id}/phone", alert_phone="477 123")
    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/phone", alert_phone="")
    assert pages.user(user_id).alert_phone is None
    audit_page = admin.http.get(f"{pages.base}/admin/audit/").text
    assert "Cambió el teléfono de avisos" in audit_page and "4771234567" not in audit_page


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("digits", ["+٥٢٤٧٧١٢٣٤٥٦٧", "+５２４７７１２３４５６７", "+52 477 ١٢٣ 4567"])
def test_a_phone_for_alerts_in_other_digits_is_refused_in_spanish(database: str, digits: str) -> None:  # noqa: F811
    engine = engine_for(database)
    accounts.create(engine, "ana", STAFF_PASSWORD, "staff", observatories(engine)[0])
    with pytest.raises(ValueError, match="solo con las cifras 0 a 9"):
        account_changes.change_alert_phone(engine, "ana", digits)
    with session_scope(engine) as session:
        assert session.scalar(sa.select(User.alert_phone).where(User.username == "ana")) is None
