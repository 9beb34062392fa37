"""Twilio's delivery statuses: recorded against the outbox (SQLite and PostgreSQL), only
forward, with nothing of the content, even when Twilio calls back before its answer to the
send is stored; a danger reply WhatsApp did not deliver sent again by SMS, once; and,
through the running assistant, signed status callbacks from the real twilio client's
StatusCallback to the Twilio fake, and the administrators' page of counts."""

import asyncio
import contextlib
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioRestException

from bot.channels.outgoing_text import sms_text
from bot.delivery import courier, outbox, purge as twilio_purge, statuses
from bot.delivery.courier import Courier
from bot.delivery.outbox import Reply
from bot.delivery.statuses import StatusReport
from bot.settings import STATUS_PATH
from bot.simulator.app import UNDELIVERED_CODE
from bot.simulator.twilio_form import SMS_NUMBER, status_form
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import EarlyStatus, OutgoingMessage, TwilioDeletion
from bot.storage.retention import purge
from bot.web import account_changes
from tests.conftest import ON_SQLITE_ONLY, Phone, RunningAssistant
from tests.test_delivery import SEALER, SMS_FROM, Recorder, contact, database, enqueue, rows  # noqa: F401
from tests.test_guarantees import DANGER, replies_arrive, text, twilio_api, wait_for
from tests.test_handoff import handed_off
from tests.test_staff_lifecycle import LEON
from tests.test_twilio_purge import gone_from_twilio
from tests.test_web_authorization import Visitor

NUMBER = "+5215512345671"  # WhatsApp's form of a Mexican mobile; SMS's is +525512345671


class Numbered(Recorder):
    """A Recorder that gives each message its own Twilio id, as Twilio does."""

    async def send(self, to: str, from_: str, body: str = "", media_url: str = "", content_sid: str = "") -> str:
        await super().send(to, from_, body, media_url, content_sid)
        return f"SM{len(self.sent):032x}"


class Asked(Numbered):
    """A Numbered sender whose API says every message has `status`: after `delay_s`, the
    first `hangs` times asked for ever (a minute), the first `fails` times a 503."""

    def __init__(self, delay_s: float = 0.0, status: Tuple[str, Optional[int]] = ("undelivered", UNDELIVERED_CODE),
                 hangs: int = 0, fails: int = 0) -> None:
        super().__init__()
        self.asked: List[str] = []
        self.delay_s, self.answer, self.hangs, self.fails = delay_s, status, hangs, fails

    async def fetch_status(self, message_sid: str) -> Tuple[str, Optional[int]]:
        self.asked.append(message_sid)
        await asyncio.sleep(60 if len(self.asked) <= self.hangs else self.delay_s)
        if len(self.asked) <= self.fails:
            raise TwilioRestException(503, "uri", "Service Unavailable")
        return self.answer


def deliver(url: str, recorder: Recorder, sender: str = "p") -> None:
    asyncio.run(Courier(engine_for(url), SEALER, recorder, SMS_FROM, awaits_status=True).deliver_to(sender))


def report(url: str, sid: str, status: str, error_code: Optional[int] = None,
           sms_from: Optional[str] = SMS_FROM) -> List[str]:
    with session_scope(engine_for(url)) as session:
        return statuses.record(session, SEALER, StatusReport(sid, status, error_code), sms_from,
                               datetime.now(timezone.utc))


def early(url: str) -> List[tuple]:
    with session_scope(engine_for(url)) as session:
        return [tuple(r) for r in session.execute(sa.select(
            EarlyStatus.twilio_sid, EarlyStatus.delivery_status, EarlyStatus.error_code).order_by(EarlyStatus.id))]


def catch_up(url: str) -> List[str]:
    """What the courier's look does with the kept reports their rows now claim."""
    with session_scope(engine_for(url)) as session:
        now = datetime.now(timezone.utc)
        return [person for kept in statuses.matched(session)
                for person in statuses.apply_kept(session, SEALER, kept, SMS_FROM, now)]


def test_a_status_only_moves_forward_and_an_unknown_id_changes_nothing(database: str) -> None:
    enqueue(database, "p", contact("+525500000001"), ["hola"])
    deliver(database, Numbered())
    row = rows(database)[0]
    assert row.twilio_sid and row.delivery_status == "queued" and row.sealed_body is None
    for status in ("delivered", "sent", "queued", "delivered"):  # delivered arrives before sent, and twice
        assert report(database, row.twilio_sid, status) == []
    assert early(database) == []  # a report for a stored id, even one that moves nothing, is not kept for later
    for _ in range(3):  # Twilio repeating itself: kept once
        assert report(database, "SM" + "f" * 32, "failed", 30003) == []
    assert [(r.delivery_status, r.error_code) for r in rows(database)] == [("delivered", None)]
    report(database, row.twilio_sid, "read")
    assert rows(database)[0].delivery_status == "read"
    assert catch_up(database) == [] and early(database) == [("SM" + "f" * 32, "failed", 30003)]


def test_a_danger_reply_twilio_fails_before_its_answer_is_stored_still_goes_by_sms_once(database: str) -> None:
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    recorder, first_sid, gone = Numbered(), f"SM{1:032x}", "SM" + "e" * 32  # Numbered's first id; an erased reply
    assert report(database, first_sid, "failed", UNDELIVERED_CODE) == []  # the callback overtook the send's answer
    assert report(database, gone, "delivered") == []
    assert [sid for sid, _, _ in early(database)] == [first_sid, gone]
    deliver(database, recorder)
    held = rows(database)[0]
    assert held.twilio_sid == first_sid and held.sealed_body and held.delivery_status == "queued"
    assert catch_up(database) == ["p"]
    assert catch_up(database) == [] and [sid for sid, _, _ in early(database)] == [gone]  # applied once
    deliver(database, recorder)
    assert recorder.sent[1:] == [("+525512345671", SMS_FROM, "Llama al 911.")]
    first, resent = rows(database)
    assert (first.delivery_status, first.error_code, first.sms_fallback) == ("failed", UNDELIVERED_CODE, "sent")
    assert first.sealed_body is None and first.sealed_to is None and resent.channel == "sms" and resent.sent_at
    now = datetime.now(timezone.utc)
    purge(engine_for(database), SEALER, days=90, now=now + statuses.EARLY_KEEP / 2)
    assert [sid for sid, _, _ in early(database)] == [gone]
    purge(engine_for(database), SEALER, days=90, now=now + statuses.EARLY_KEEP * 2)
    assert early(database) == []  # an id no row claimed is forgotten


def to_ask(url: str, at: datetime) -> List[str]:
    with session_scope(engine_for(url)) as session:
        return statuses.to_ask(session, at)


def sent_earlier(url: str, sids: List[str], by: timedelta) -> None:
    """Moves the messages' sending, and any asking of Twilio since, `by` into the past."""
    with session_scope(engine_for(url)) as session:
        for sid in sids:
            sent_at, asked_at = session.execute(sa.select(OutgoingMessage.sent_at, OutgoingMessage.status_asked_at)
                                                .where(OutgoingMessage.twilio_sid == sid)).one()
            session.execute(sa.update(OutgoingMessage).where(OutgoingMessage.twilio_sid == sid).values(
                sent_at=sent_at - by, status_asked_at=asked_at and asked_at - by))


def look_a_while(url: str, sender: Numbered) -> None:
    """The courier's looks for two and a half of its pauses."""
    async def looking() -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(Courier(engine_for(url), SEALER, sender, SMS_FROM, awaits_status=True).run(),
                                   timeout=courier.POLL_S * 2.5)

    asyncio.run(looking())


def test_twilio_is_asked_of_a_held_danger_reply_whose_report_is_late_once_a_step(database: str) -> None:
    recorder = Numbered()
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    enqueue(database, "q", contact(NUMBER, "whatsapp"), ["hola"])  # not a danger reply: never held, never asked
    deliver(database, recorder, "p")
    deliver(database, recorder, "q")
    held = rows(database)[0]
    sent, seconds = held.sent_at, lambda n: timedelta(seconds=n)  # noqa: E731
    assert to_ask(database, sent + seconds(10)) == []
    assert to_ask(database, sent + seconds(31)) == [held.twilio_sid]
    assert to_ask(database, sent + seconds(100)) == []  # asked at this step already (by this or another engine)
    assert to_ask(database, sent + seconds(121)) == [held.twilio_sid]
    hours = lambda n: timedelta(hours=n)  # noqa: E731
    assert to_ask(database, sent + hours(3.2)) == [held.twilio_sid]  # past the steps: hourly, whatever it missed
    assert to_ask(database, sent + hours(3.9)) == []
    assert to_ask(database, sent + hours(4)) == [held.twilio_sid]  # an answer that failed is asked again
    report(database, held.twilio_sid, "delivered")
    assert to_ask(database, sent + hours(6)) == []  # reported: nothing held, nothing to ask


def test_a_danger_reply_whose_report_never_comes_goes_by_sms_once_twilio_is_asked(database: str) -> None:
    sender = Asked()
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    deliver(database, sender)
    sid = rows(database)[0].twilio_sid
    sent_earlier(database, [sid], statuses.ASK_AFTER[0])
    look_a_while(database, sender)
    assert sender.asked == [sid]
    assert sender.sent[1:] == [("+525512345671", SMS_FROM, "Llama al 911.")]
    first, resent = rows(database)
    assert (first.delivery_status, first.error_code, first.sms_fallback) == ("undelivered", UNDELIVERED_CODE, "sent")
    assert first.sealed_body is None and resent.channel == "sms" and resent.sent_at


def test_a_danger_reply_whatsapp_has_not_delivered_two_minutes_on_goes_by_sms_too(database: str) -> None:
    sender = Asked(status=("sent", None))  # taken by WhatsApp, not on the phone: no data, say
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    deliver(database, sender)
    sid = rows(database)[0].twilio_sid
    sent_earlier(database, [sid], statuses.ASK_AFTER[0])
    look_a_while(database, sender)
    assert sender.asked == [sid] and len(sender.sent) == 1  # at 30 s: not yet
    assert rows(database)[0].sealed_body and rows(database)[0].delivery_status == "sent"
    sent_earlier(database, [sid], statuses.SMS_AFTER - statuses.ASK_AFTER[0])
    look_a_while(database, sender)
    assert sender.asked == [sid] * 2
    assert sender.sent[1:] == [("+525512345671", SMS_FROM, "Llama al 911.")]
    assert report(database, sid, "delivered") == []  # WhatsApp delivers it after all: no second SMS
    first, resent = rows(database)
    assert (first.delivery_status, first.sms_fallback, first.sealed_body) == ("delivered", statuses.LATE, None)
    assert resent.channel == "sms" and resent.sent_at and len(rows(database)) == 2


def test_a_danger_reply_twilio_could_not_say_about_past_the_last_step_is_asked_again_within_the_hour(
        database: str) -> None:
    sender = Asked(fails=1)  # a 503, then the truth: undelivered
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    deliver(database, sender)
    sid = rows(database)[0].twilio_sid
    sent_earlier(database, [sid], statuses.ASK_AFTER[-1] + timedelta(seconds=5))  # callbacks away an hour
    look_a_while(database, sender)
    assert sender.asked == [sid] and len(sender.sent) == 1 and rows(database)[0].sealed_body
    sent_earlier(database, [sid], timedelta(hours=1))
    look_a_while(database, sender)
    assert sender.asked == [sid] * 2
    assert sender.sent[1:] == [("+525512345671", SMS_FROM, "Llama al 911.")]


def test_a_twilio_hanging_on_one_question_holds_no_other_up(database: str) -> None:
    sender = Asked(hangs=1)
    for person in ("a", "b"):
        enqueue(database, person, contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
        deliver(database, sender, person)
    sent_earlier(database, [r.twilio_sid for r in rows(database)], statuses.ASK_AFTER[0])
    look_a_while(database, sender)
    assert len(sender.asked) == 2  # both asked at once, the first still waiting for its answer
    assert sender.sent[2:] == [("+525512345671", SMS_FROM, "Llama al 911.")]  # the second's SMS


def test_a_report_that_cannot_be_applied_stops_no_sending(database: str) -> None:
    retired = Sealer([new_key()])  # the held reply was sealed under a key no longer configured
    with session_scope(engine_for(database)) as session:
        outbox.enqueue(session, retired, "p", contact(NUMBER, "whatsapp"), [Reply("Llama al 911.")],
                       outbox.ASSISTANT, datetime.now(timezone.utc), urgent=True)
    assert report(database, f"SM{1:032x}", "failed", UNDELIVERED_CODE) == []  # before the send's answer
    sender = Numbered()
    asyncio.run(Courier(engine_for(database), retired, sender, SMS_FROM, awaits_status=True).deliver_to("p"))
    enqueue(database, "q", contact("+525500000002"), ["Un mensaje del equipo."])  # waits for the courier's look
    look_a_while(database, sender)
    assert sender.sent[1:] == [("+525500000002", "+15005550006", "Un mensaje del equipo.")]
    assert early(database) == []  # dropped; Twilio is asked of the reply at its next step


def test_applying_kept_reports_reads_no_more_of_the_outbox_than_their_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    engine, statements = engine_for(url), []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _k, statement, parameters, *_: statements.append((statement, parameters)))
    with session_scope(engine) as session:
        statuses.matched(session)
    statement, parameters = statements[-1]
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    assert not any(step.startswith("SCAN outbox") for step in plan), plan  # each kept id looked up in the index


def test_asking_a_hanging_twilio_holds_no_other_danger_reply_up(database: str) -> None:
    sender = Asked(delay_s=60)
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    deliver(database, sender)
    sent_earlier(database, [rows(database)[0].twilio_sid], statuses.ASK_AFTER[0])

    async def another_danger_reply_meanwhile() -> None:
        running = asyncio.ensure_future(
            Courier(engine_for(database), SEALER, sender, SMS_FROM, awaits_status=True).run())
        await asyncio.sleep(courier.POLL_S / 2)
        enqueue(database, "r", contact("+525500000002"), ["Llama al 911."], urgent=True)
        await asyncio.sleep(courier.POLL_S * 1.5)
        running.cancel()

    asyncio.run(another_danger_reply_meanwhile())
    assert len(sender.asked) == 1  # still waiting for Twilio's answer, not asked again
    assert sender.sent[1:] == [("+525500000002", "+15005550006", "Llama al 911.")]


def test_a_staff_alert_twilio_reports_on_before_it_is_recorded_gets_its_status(database: str) -> None:
    sid, now = "SM" + "c" * 32, datetime.now(timezone.utc)
    report(database, sid, "delivered")
    with session_scope(engine_for(database)) as session:
        statuses.alert_sent(session, sid, SMS_FROM, now)
    assert catch_up(database) == []
    assert [(r.origin, r.delivery_status) for r in rows(database)] == [(outbox.STAFF_ALERT, "delivered")]
    assert early(database) == []


def test_a_danger_reply_whatsapp_did_not_deliver_is_sent_again_by_sms_once(database: str) -> None:
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    recorder = Numbered()
    deliver(database, recorder)
    held = rows(database)[0]
    assert held.sealed_body and held.sealed_to and held.urgent  # sealed, until Twilio reports it
    assert report(database, held.twilio_sid, "undelivered", UNDELIVERED_CODE) == ["p"]
    assert report(database, held.twilio_sid, "failed", UNDELIVERED_CODE) == []  # a repeat: no second SMS
    deliver(database, recorder)
    assert recorder.sent[1:] == [("+525512345671", SMS_FROM, "Llama al 911.")]
    first, resent = rows(database)
    assert (first.delivery_status, first.error_code, first.sms_fallback) == ("undelivered", UNDELIVERED_CODE, "sent")
    assert first.sealed_body is None and first.sealed_to is None and not first.urgent
    assert resent.channel == "sms" and resent.sent_at and resent.sealed_body is None


def test_a_danger_turn_whatsapp_did_not_deliver_comes_by_sms_in_its_order_whichever_report_comes_first(
        database: str) -> None:
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911.", "Hola, soy Orienta."], urgent=True)
    recorder = Numbered()
    deliver(database, recorder)
    first, second = rows(database)
    assert report(database, second.twilio_sid, "undelivered", UNDELIVERED_CODE) == ["p"]
    assert report(database, first.twilio_sid, "undelivered", UNDELIVERED_CODE) == []  # sent by SMS already
    deliver(database, recorder)
    assert recorder.sent[2:] == [("+525512345671", SMS_FROM, "Llama al 911."),
                                 ("+525512345671", SMS_FROM, "Hola, soy Orienta.")]


def test_a_delivered_danger_reply_keeps_nothing_and_without_an_sms_sender_goes_from_the_whatsapp_number(
        database: str) -> None:
    recorder = Numbered()
    for sender in ("a", "b"):
        enqueue(database, sender, contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
        deliver(database, recorder, sender)
    delivered, failed = rows(database)
    report(database, delivered.twilio_sid, "delivered")
    assert report(database, failed.twilio_sid, "failed", 63016, sms_from=None) == ["b"]
    deliver(database, recorder, "b")
    assert recorder.sent[2:] == [("+525512345671", "+15005550006", "Llama al 911.")]  # our number, by SMS
    assert [(r.sms_fallback, r.sealed_body, r.sealed_to, r.urgent) for r in rows(database)[:2]] == [
        (None, None, None, False), ("sent", None, None, False)]


def test_a_danger_reply_twilio_never_reports_on_keeps_its_content_a_day_at_most(database: str) -> None:
    enqueue(database, "p", contact(NUMBER, "whatsapp"), ["Llama al 911."], urgent=True)
    deliver(database, Numbered())
    purge(engine_for(database), SEALER, days=90, now=datetime.now(timezone.utc) + statuses.HOLD / 2)
    assert rows(database)[0].sealed_body
    purge(engine_for(database), SEALER, days=90, now=datetime.now(timezone.utc) + statuses.HOLD * 2)
    assert [(r.sealed_body, r.sealed_to, r.sms_fallback) for r in rows(database)] == [(None, None, None)]


def test_a_staff_alert_is_counted_apart_and_queued_for_deletion_once_final_or_a_day_old(database: str) -> None:
    enqueue(database, "p", contact("+525500000001"), ["hola"])
    deliver(database, Numbered())
    now, delivered, unreported = datetime.now(timezone.utc), "SM" + "a" * 32, "SM" + "b" * 32
    with session_scope(engine_for(database)) as session:
        for sid in (delivered, unreported):
            statuses.alert_sent(session, sid, SMS_FROM, now)
    report(database, delivered, "delivered")
    alerts = [r for r in rows(database) if r.origin == outbox.STAFF_ALERT]
    assert [(r.sender_id, r.channel, r.sealed_to, r.sealed_body, r.delivery_status) for r in alerts] == [
        (statuses.ALERTS_QUEUE, "sms", None, None, "delivered"), (statuses.ALERTS_QUEUE, "sms", None, None, "queued")]
    with session_scope(engine_for(database)) as session:
        assert statuses.report(session, now - timedelta(days=1)) == {
            "sms": [("queued", 0, 1)], outbox.STAFF_ALERT: [("delivered", 0, 1), ("queued", 0, 1)]}
        assert outbox.report(session, now - timedelta(days=1))["delivered"] == 1  # replies only
        assert twilio_purge.collect(session, SEALER, now) == 1  # the delivered alert
        assert twilio_purge.collect(session, SEALER, now + statuses.HOLD * 2) == 2  # a day without a status: the others
        queued = [SEALER.open(sid) for sid in session.scalars(sa.select(TwilioDeletion.sealed_sid))]
    assert sorted(queued) == sorted([delivered, unreported, rows(database)[0].twilio_sid])


# Through the running assistant: its engine, the real twilio client, the simulator as Twilio.

def status_url(assistant: RunningAssistant) -> str:
    return assistant.base_url + STATUS_PATH


def outbox_of(assistant: RunningAssistant, phone: Phone) -> List[tuple]:
    return assistant.query("SELECT channel, twilio_sid, delivery_status, error_code, sms_fallback FROM outbox "
                           "WHERE sender_id = ? ORDER BY id", phone.sender_id)


def callback(assistant: RunningAssistant, sid: str, status: str, **extra: str) -> Dict[str, str]:
    return {**status_form(assistant.account_sid, sid, "whatsapp:+5215500000000", "whatsapp:+14155238886", status),
            **extra}


@ON_SQLITE_ONLY
def test_statuses_come_back_signed_and_forged_or_malformed_callbacks_change_nothing(
        assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert phone.say("hola")
    wait_for(lambda: outbox_of(assistant, phone)[0][2] == "read", 10, "the fake's callbacks up to read")
    sid = outbox_of(assistant, phone)[0][1]
    url = status_url(assistant)
    assert assistant.post_webhook(callback(assistant, sid, "sent"), url=url) == 200  # late: stays read
    assert assistant.post_webhook(callback(assistant, sid, "failed", ErrorCode="30003"), "forged", url=url) == 403
    for malformed in (callback(assistant, sid, "perdido"), callback(assistant, sid, "failed", ErrorCode="x1"),
                      {"MessageStatus": "failed", "ErrorCode": "30003"}):
        assert assistant.post_webhook(malformed, url=url) == 400
    assert assistant.post_webhook(callback(assistant, "SM" + "0" * 32, "failed"), url=url) == 200  # not ours
    assert outbox_of(assistant, phone) == [("whatsapp", sid, "read", None, None)]


@ON_SQLITE_ONLY
@pytest.mark.parametrize("mode, status", [("whatsapp-undelivered", "undelivered"),
                                          ("whatsapp-failed-first", "failed")])  # the report before the send's answer
def test_a_danger_reply_whatsapp_does_not_deliver_comes_by_sms_once(
        assistant: RunningAssistant, mode: str, status: str) -> None:
    phone = assistant.phone("whatsapp")
    sms = Phone(assistant, "sms", phone.number)
    with twilio_api(assistant, mode):
        assert phone.send(DANGER) == 200
        replies = replies_arrive(sms, 2, timeout=15)
    assert replies[0] == sms_text(text("utter_danger"))
    whatsapp_sid = outbox_of(assistant, phone)[0][1]
    again = callback(assistant, whatsapp_sid, status, ErrorCode=str(UNDELIVERED_CODE))
    assert assistant.post_webhook(again, url=status_url(assistant)) == 200  # Twilio repeating itself
    assert sms.delivered(1, timeout=2) == []
    stored = outbox_of(assistant, phone)
    assert [(channel, got, code, fallback) for channel, _, got, code, fallback in stored[:2]] == [
        ("whatsapp", status, UNDELIVERED_CODE, "sent")] * 2
    assert {m["from"] for m in assistant.sent_to(sms.address)} == {SMS_NUMBER}
    assert assistant.query("SELECT count(*) FROM early_statuses WHERE twilio_sid IN (?, ?)",
                           stored[0][1], stored[1][1]) == [(0,)]


@ON_SQLITE_ONLY
def test_a_danger_reply_whose_report_never_reaches_the_assistant_comes_by_sms(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    sms = Phone(assistant, "sms", phone.number)
    with twilio_api(assistant, "whatsapp-unreported"):
        assert phone.send(DANGER) == 200
        held = lambda: [row[1] for row in outbox_of(assistant, phone) if row[1]]  # noqa: E731
        wait_for(lambda: len(held()) == 2, 10, "the danger reply's two messages sent on WhatsApp")
        assert sms.delivered(1, timeout=1) == []  # no report: held
        sent_earlier(assistant.database_url, held(), statuses.ASK_AFTER[0])
        replies = replies_arrive(sms, 2, timeout=10)
    assert replies[0] == sms_text(text("utter_danger"))
    assert [(channel, status, code, fallback) for channel, _, status, code, fallback in outbox_of(assistant, phone)[:2]
            ] == [("whatsapp", "undelivered", UNDELIVERED_CODE, "sent")] * 2


@ON_SQLITE_ONLY
def test_administrators_see_delivery_counts_per_channel_and_nothing_of_anyone(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert phone.say("hola")
    wait_for(lambda: outbox_of(assistant, phone)[0][2] == "read", 10, "the fake's callbacks up to read")
    admin = Visitor(assistant, "admin", assistant.admin_password)
    page = ""

    def counts_shown() -> bool:  # other tests' messages may still be getting their statuses
        nonlocal page
        page = admin.http.get(f"{admin.base}/admin/delivery/").text
        sent, delivered = assistant.query(
            "SELECT count(*), sum(CASE WHEN delivery_status IN ('delivered', 'read') THEN 1 ELSE 0 END) "
            "FROM outbox WHERE channel = 'whatsapp' AND sent_at IS NOT NULL")[0]
        return f"{sent} enviados: {delivered} entregados" in page

    wait_for(counts_shown, 10, "the page's counts to be the outbox's")
    assert "leído" in page and "Entrega</a>" in page
    assert phone.number[-10:] not in page and "Hola" not in page
    staff = Visitor(assistant, assistant.new_account("staff"))
    assert staff.status("GET", "/admin/delivery/") == 403


@ON_SQLITE_ONLY
def test_a_staff_alert_sms_reports_its_status_is_counted_apart_and_leaves_twilio(assistant: RunningAssistant) -> None:
    staff = assistant.new_account("staff", LEON)
    number = "+52477" + "".join(secrets.choice("0123456789") for _ in range(7))
    account_changes.change_alert_phone(assistant.engine, staff, number)
    try:
        handed_off(assistant)
        wait_for(lambda: assistant.sent_to(number), 20, "the SMS alert of the waiting handoff")
        alert = assistant.sent_to(number)[0]
        stored = ("SELECT sender_id, origin, channel, sealed_to, sealed_body, delivery_status FROM outbox "
                  "WHERE twilio_sid = ?")
        wait_for(lambda: assistant.query(stored, alert["sid"])[0][-1] == "delivered", 10, "the alert's callbacks")
        assert assistant.query(stored, alert["sid"]) == [
            (statuses.ALERTS_QUEUE, outbox.STAFF_ALERT, "sms", None, None, "delivered")]
        assert gone_from_twilio(assistant, [alert["sid"]])
    finally:
        account_changes.change_alert_phone(assistant.engine, staff, "")
    page = Visitor(assistant, "admin", assistant.admin_password).http.get(
        f"http://127.0.0.1:{assistant.web_port}/admin/delivery/").text
    assert "<h2>Avisos al equipo por SMS</h2>" in page and 'id="rate-staff_alert"' in page
    assert number[-10:] not in page and alert["sid"] not in page
