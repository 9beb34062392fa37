"""Nothing left on Twilio: the deletion queue and its purger on a real database (SQLite and
PostgreSQL), deleting through the real `twilio` client from the Twilio fake, which refuses
what Twilio refuses."""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.channels.outgoing_text import sms_text
from bot.channels.twilio_sender import TwilioSender
from bot.delivery import outbox, purge, statuses
from bot.delivery.courier import Courier
from bot.delivery.media_copy import MediaCopier
from bot.delivery.outbox import Reply
from bot.delivery.purger import DELETE_TIMEOUT_S, Purger
from bot.delivery.statuses import StatusReport
from bot.run import free_port
from bot.simulator.fake_records import media_url, sample_file
from bot.simulator.twilio_form import message_sid, sms_form, whatsapp_form
from bot.storage import media, processed_messages
from bot.storage.contacts import Address, remember
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.erasure import erase_conversation
from bot.storage.models import ProcessedMessage, ReceivedMedia, TwilioDeletion
from bot.storage.retention import purge as retention
from tests.conftest import ON_SQLITE_ONLY, ROOT, Phone, RunningAssistant
from tests.test_guarantees import twilio_api, wait_for
from tests.test_handoff import text
from tests.test_delivery import database  # noqa: F401 (SQLite, then PostgreSQL)
from tests.test_web_authorization import Visitor

SEALER = Sealer([new_key()])
KEY = secrets.token_bytes(32)
NUMBER = "+5215512345678"
OURS = "whatsapp:+14155238886"


@dataclass
class FakeTwilio:
    """The phone simulator's Twilio fake, in a process of its own, and how to reach it."""

    url: str
    account_sid: str
    auth_token: str

    def sender(self) -> TwilioSender:
        return TwilioSender(self.account_sid, self.auth_token, self.url)

    def client(self) -> Client:
        """The real twilio client (blocking), as a person checking the account would use it."""
        client = Client(self.account_sid, self.auth_token)
        client.api.base_url = self.url
        return client

    def _call(self, path: str, body: Optional[bytes] = None, content_type: str = "application/json") -> bytes:
        request = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read()

    def fault(self, mode: str) -> None:
        self._call("/faults", json.dumps({"mode": mode}).encode())

    def receive(self, form: Dict[str, str]) -> str:
        """Records a message a person sent, as Twilio does before posting the webhook."""
        self._call("/received", urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded")
        return form["MessageSid"]

    def kept(self, sid: str) -> bool:
        """Whether Twilio still has the message."""
        try:
            self.client().messages(sid).fetch()
            return True
        except TwilioRestException as error:
            assert (error.status, error.code) == (404, 20404)
            return False

    def listed(self) -> List[Dict[str, Any]]:
        return json.loads(self._call("/messages"))["messages"]


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTwilio]:
    port, account_sid, token = free_port(), "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "ORIENTA_"))},
           "TWILIO_ACCOUNT_SID": account_sid, "TWILIO_AUTH_TOKEN": token, "ORIENTA_SIMULATOR_PORT": str(port),
           "ORIENTA_PORT": str(free_port()), "ORIENTA_DATA_KEYS": new_key(), "ORIENTA_SENDER_KEY": "k" * 64}
    log = (tmp_path_factory.mktemp("fake") / "fake.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot.simulator"], cwd=ROOT, env=env, stdout=log, stderr=log)
    fake = FakeTwilio(f"http://127.0.0.1:{port}", account_sid, token)
    deadline = time.monotonic() + 60
    while True:
        try:
            fake.listed()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "the fake did not start"
            time.sleep(0.2)
    yield fake
    process.terminate()
    process.wait(10)


@pytest.fixture(autouse=True)
def answering(twilio: FakeTwilio) -> Iterator[None]:
    twilio.fault("ok")
    yield
    twilio.fault("ok")


def purger(url: str, twilio: FakeTwilio) -> Purger:
    engine = engine_for(url)
    return Purger(engine, SEALER, twilio.sender(), MediaCopier(engine, SEALER, twilio.url, twilio.account_sid,
                                                               twilio.auth_token))


def arrived(url: str, twilio: FakeTwilio, sender: str, form: Dict[str, str]) -> str:
    """A person's message as the channel records it: Twilio has it, Orienta claimed it."""
    sid = twilio.receive(form)
    now = datetime.now(timezone.utc)
    with session_scope(engine_for(url)) as session:
        remember(session, SEALER, sender, form["From"], form["To"], "whatsapp" if "whatsapp" in form["From"] else "sms",
                 now)
        processed_messages.claim(session, sid, sender, SEALER.seal("{}"), now, timedelta(minutes=1), KEY)
        for index in range(int(form["NumMedia"])):
            media.keep(session, SEALER, sender, sid, [(form[f"MediaContentType{index}"], form[f"MediaUrl{index}"])], now)
    return sid


def answer(url: str, sender: str, message: str, text: str) -> None:
    """The message's turn saved: marked answered, its reply in the outbox."""
    now = datetime.now(timezone.utc)
    with session_scope(engine_for(url)) as session:
        contact = Address(f"whatsapp:{NUMBER}", OURS, "whatsapp", False, now)
        outbox.enqueue(session, SEALER, sender, contact, [Reply(text)], outbox.ASSISTANT, now, reply_to=message)
        processed_messages.finish(session, message, now)


def deliver(url: str, twilio: FakeTwilio, sender: str) -> str:
    """Sends the person's outbox through the fake; the last reply's Twilio id."""
    asyncio.run(Courier(engine_for(url), SEALER, twilio.sender()).deliver_to(sender))
    return twilio.listed()[-1]["sid"]


def reported(url: str, sid: str, status: str) -> None:
    """A status callback of the reply, as the channel records it."""
    with session_scope(engine_for(url)) as session:
        statuses.record(session, SEALER, StatusReport(sid, status), None, datetime.now(timezone.utc))


def sweep(url: str, twilio: FakeTwilio) -> int:
    return asyncio.run(purger(url, twilio).sweep())


def queue(url: str) -> List[TwilioDeletion]:
    with session_scope(engine_for(url)) as session:
        rows = session.scalars(sa.select(TwilioDeletion).order_by(TwilioDeletion.id)).all()
        session.expunge_all()
        return rows


def backlog(url: str) -> purge.Backlog:
    with session_scope(engine_for(url)) as session:
        return purge.backlog(session)


def all_due_now(url: str) -> None:
    """As if every backoff had passed."""
    with session_scope(engine_for(url)) as session:
        session.execute(sa.update(TwilioDeletion).values(next_attempt_at=datetime.now(timezone.utc)))
        session.execute(sa.update(ReceivedMedia).values(copy_after=None))


def settled(twilio: FakeTwilio, sid: str) -> None:
    """Waits until the fake has moved the sent message to a final status (as Twilio does)."""
    deadline = time.monotonic() + 5
    while twilio.client().messages(sid).fetch().status not in statuses.FINAL:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_message_and_its_reply_leave_twilio_once_the_reply_is_delivered_not_before(
        database: str, twilio: FakeTwilio) -> None:
    inbound = arrived(database, twilio, "p", whatsapp_form(twilio.account_sid, NUMBER, "hola"))
    assert sweep(database, twilio) == 0 and twilio.kept(inbound)  # its turn is not answered yet
    answer(database, "p", inbound, "Hola 👋")
    reply = deliver(database, twilio, "p")
    reported(database, reply, "sent")
    assert sweep(database, twilio) == 0  # the reply is not delivered yet: neither goes
    assert twilio.kept(inbound) and twilio.kept(reply) and queue(database) == []
    settled(twilio, reply)
    reported(database, reply, "delivered")
    assert sweep(database, twilio) == 2
    assert not twilio.kept(inbound) and not twilio.kept(reply) and queue(database) == []
    assert [m["deleted"] for m in twilio.listed() if m["sid"] == reply] == [True]
    assert sweep(database, twilio) == 0  # nothing is queued twice


def test_twilio_refusing_a_message_it_is_still_delivering_is_tried_again_later(
        database: str, twilio: FakeTwilio) -> None:
    with session_scope(engine_for(database)) as session:
        outbox.enqueue(session, SEALER, "p", Address("+525512345678", "+15005550006", "sms", False,
                                                     datetime.now(timezone.utc)), [Reply("hola")], outbox.ASSISTANT,
                       datetime.now(timezone.utc))
    reply = deliver(database, twilio, "p")
    with session_scope(engine_for(database)) as session:  # as the quick exit queues it, in flight
        purge.enqueue(session, SEALER, [reply], datetime.now(timezone.utc))
    assert sweep(database, twilio) == 0 and twilio.kept(reply)
    [waiting] = queue(database)
    assert waiting.attempts == 1 and waiting.last_error == "twilio 422 20009"
    assert waiting.next_attempt_at > datetime.now(timezone.utc) + timedelta(seconds=purge.BACKOFF_S[0] - 1)
    assert sweep(database, twilio) == 0  # not before its backoff
    settled(twilio, reply)
    all_due_now(database)
    assert sweep(database, twilio) == 1 and not twilio.kept(reply) and queue(database) == []


@pytest.mark.parametrize("outage", ["error", "drop"])
def test_twilio_away_is_retried_until_the_deletion_succeeds(database: str, twilio: FakeTwilio, outage: str) -> None:
    sid = twilio.receive(sms_form(twilio.account_sid, "+525512345678", "hola"))
    with session_scope(engine_for(database)) as session:
        purge.enqueue(session, SEALER, [sid], datetime.now(timezone.utc))
    twilio.fault(outage)
    for attempt in range(1, len(purge.BACKOFF_S) + 2):  # past the last backoff, which repeats
        assert sweep(database, twilio) == 0
        [waiting] = queue(database)
        assert waiting.attempts == attempt and waiting.last_error
        all_due_now(database)
    assert waiting.next_attempt_at > datetime.now(timezone.utc) + timedelta(seconds=purge.BACKOFF_S[-1] - 60)
    assert backlog(database) == purge.Backlog(1, waiting.created_at, 1, attempt, [(waiting.last_error, 1)])
    twilio.fault("ok")
    assert twilio.kept(sid)
    assert sweep(database, twilio) == 1 and not twilio.kept(sid) and queue(database) == []
    assert backlog(database) == purge.Backlog(0, None, 0, 0, [])


def test_a_hanging_twilio_holds_only_the_deletion(database: str, twilio: FakeTwilio) -> None:
    sid = twilio.receive(sms_form(twilio.account_sid, "+525512345678", "hola"))
    with session_scope(engine_for(database)) as session:
        purge.enqueue(session, SEALER, [sid], datetime.now(timezone.utc))
    twilio.fault("hang")

    async def sweep_beside_a_ticker() -> Tuple[int, float, int]:
        ticks = 0

        async def tick() -> None:  # what else the engine's event loop runs meanwhile (turns)
            nonlocal ticks
            while True:
                await asyncio.sleep(0.1)
                ticks += 1
        ticker, began = asyncio.ensure_future(tick()), time.monotonic()
        deleted = await purger(database, twilio).sweep()
        ticker.cancel()
        return deleted, time.monotonic() - began, ticks

    deleted, took, ticks = asyncio.run(sweep_beside_a_ticker())
    assert deleted == 0 and took < DELETE_TIMEOUT_S + 2 and ticks >= (took - 1) * 5
    assert [row.attempts for row in queue(database)] == [1]
    twilio.fault("ok")
    all_due_now(database)
    assert sweep(database, twilio) == 1 and not twilio.kept(sid)


def test_a_received_file_is_kept_sealed_for_staff_before_twilio_deletes_it(database: str, twilio: FakeTwilio) -> None:
    sid = message_sid(media=True)
    link = media_url(twilio.url, twilio.account_sid, sid)
    inbound = arrived(database, twilio, "p", whatsapp_form(twilio.account_sid, NUMBER, media=("audio/ogg", link),
                                                          sid=sid))
    with session_scope(engine_for(database)) as session:
        processed_messages.answered(session, inbound, datetime.now(timezone.utc))
    twilio.fault("error")  # Twilio cannot give the file now: the message is not even queued
    assert sweep(database, twilio) == 0 and queue(database) == []
    twilio.fault("ok")
    assert sweep(database, twilio) == 0 and twilio.kept(inbound)  # the copy waits a minute
    all_due_now(database)
    assert sweep(database, twilio) == 1 and not twilio.kept(inbound)
    media_sid = link.rsplit("/", 1)[1]
    with pytest.raises(TwilioRestException) as gone:
        twilio.client().messages(inbound).media(media_sid).fetch()
    assert gone.value.status == 404
    with session_scope(engine_for(database)) as session:
        kept = session.scalars(sa.select(ReceivedMedia.sealed_content)).one()
    assert SEALER.open_bytes(kept) == sample_file(media_sid) and sample_file(media_sid) not in kept.encode()


def test_a_link_that_is_not_twilios_is_not_fetched_and_the_message_still_goes(
        database: str, twilio: FakeTwilio) -> None:
    inbound = arrived(database, twilio, "p", whatsapp_form(
        twilio.account_sid, NUMBER, media=("text/html", "http://127.0.0.1:9/elsewhere")))
    with session_scope(engine_for(database)) as session:
        processed_messages.answered(session, inbound, datetime.now(timezone.utc))
    assert sweep(database, twilio) == 1 and not twilio.kept(inbound)
    with session_scope(engine_for(database)) as session:
        copied_at, content = session.execute(sa.select(ReceivedMedia.copied_at, ReceivedMedia.sealed_content)).one()
    assert copied_at is not None and content is None


def test_the_quick_exit_queues_every_message_of_the_conversation_at_once(database: str, twilio: FakeTwilio) -> None:
    first = arrived(database, twilio, "p", whatsapp_form(twilio.account_sid, NUMBER, "hola"))
    answer(database, "p", first, "Hola 👋")
    reply = deliver(database, twilio, "p")
    exit_message = arrived(database, twilio, "p", whatsapp_form(twilio.account_sid, NUMBER, "salir"))
    arrived_meanwhile = arrived(database, twilio, "p", whatsapp_form(twilio.account_sid, NUMBER, "otra cosa"))
    with session_scope(engine_for(database)) as session:
        session.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))"))  # Rasa's
        erase_conversation(session, SEALER, "p", KEY, datetime.now(timezone.utc), exit_message)
    assert len(queue(database)) == 3  # the message that arrived meanwhile waits for its own turn
    assert not any(sid.encode() in row.sealed_sid.encode() for row in queue(database) for sid in (first, reply))
    settled(twilio, reply)
    assert sweep(database, twilio) == 3
    assert [twilio.kept(sid) for sid in (first, reply, exit_message, arrived_meanwhile)] == [False, False, False, True]
    with session_scope(engine_for(database)) as session:
        assert session.scalars(sa.select(ProcessedMessage.message_sid)).all() == [arrived_meanwhile]


def test_retention_queues_what_it_erases(database: str, twilio: FakeTwilio) -> None:
    inbound = arrived(database, twilio, "p", sms_form(twilio.account_sid, "+525512345678", "hola"))
    assert retention(engine_for(database), SEALER, 90, datetime.now(timezone.utc) + timedelta(days=91)) == 1
    assert len(queue(database)) == 1
    all_due_now(database)  # queued at the job's "now", 91 days on
    assert sweep(database, twilio) == 1 and not twilio.kept(inbound)


def test_the_fake_refuses_what_twilio_refuses(twilio: FakeTwilio) -> None:
    client = twilio.client()
    with pytest.raises(TwilioRestException) as unknown:
        client.messages("SM" + "0" * 32).delete()
    assert (unknown.value.status, unknown.value.code) == (404, 20404)
    stranger = Client("AC" + "1" * 32, "wrong")
    stranger.api.base_url = twilio.url
    sid = twilio.receive(sms_form(twilio.account_sid, "+525512345678", "hola"))
    with pytest.raises(TwilioRestException) as unauthenticated:
        stranger.messages(sid).delete()
    assert unauthenticated.value.status == 401 and twilio.kept(sid)
    sent = client.messages.create(to="+525512345678", from_="+15005550006", body="hola")
    with pytest.raises(TwilioRestException) as in_flight:
        client.messages(sent.sid).delete()
    assert in_flight.value.code == 20009 and twilio.kept(sent.sid)
    assert client.messages(sid).delete() is True and not twilio.kept(sid)
    asyncio.run(twilio.sender().delete(sid))  # deleting again: already gone counts as deleted


def fake_of(assistant: RunningAssistant) -> FakeTwilio:
    return FakeTwilio(f"http://127.0.0.1:{assistant.simulator_port}", assistant.account_sid, assistant.auth_token)


def says(phone: Phone, body: str) -> Tuple[str, List[str]]:
    """A message the person sends, which Twilio keeps as it posts it: its id and the replies."""
    form = phone.form(body)
    fake_of(phone.assistant).receive(form)
    assert phone.assistant.post_webhook(form) == 200
    return form["MessageSid"], phone.replies()


def gone_from_twilio(assistant: RunningAssistant, sids: List[str], timeout: float = 30) -> bool:
    """Waits until Twilio has none of the messages."""
    fake, deadline = fake_of(assistant), time.monotonic() + timeout
    while any(fake.kept(sid) for sid in sids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


@ON_SQLITE_ONLY
def test_a_conversation_leaves_nothing_on_twilio(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    first, replies = says(phone, "hola")
    second, _ = says(phone, "1")
    assert replies and gone_from_twilio(assistant, [first, second])
    sent = assistant.sent_to(phone.address)
    assert gone_from_twilio(assistant, [m["sid"] for m in sent]) and all(m["deleted"] for m in sent)
    sealer = Sealer([assistant.data_key])  # (other tests' deletions may still wait in the queue)
    waiting = {sealer.open(sealed) for (sealed,) in assistant.query("SELECT sealed_sid FROM twilio_deletions")}
    assert not waiting & {first, second, *(m["sid"] for m in sent)}
    assert [m["body"] for m in sent][:len(replies)] == replies  # what the phone got stays on the phone


@ON_SQLITE_ONLY
def test_the_quick_exit_leaves_nothing_on_twilio(assistant: RunningAssistant) -> None:
    phone = assistant.phone("sms")
    first, _ = says(phone, "hola")
    with twilio_api(assistant, "error"):  # Twilio away: the exit still erases, its line waits
        exit_message, replies = says(phone, "salir")
        assert replies == [] and assistant.query(
            "SELECT count(*) FROM processed_messages WHERE sender_id = ?", phone.sender_id) == [(0,)]
        assert assistant.query("SELECT count(*) FROM twilio_deletions") != [(0,)]
    assert phone.delivered(1) == [sms_text(text("utter_quick_exit"))]
    sent = [m["sid"] for m in assistant.sent_to(phone.address)]
    assert gone_from_twilio(assistant, [first, exit_message, *sent], timeout=60)


@ON_SQLITE_ONLY
def test_administrators_see_the_deletions_twilio_refuses_in_counts_only(assistant: RunningAssistant) -> None:
    number = "+5255" + "".join(secrets.choice("0123456789") for _ in range(8))
    sid = fake_of(assistant).receive(sms_form(assistant.account_sid, number, "hola"))
    admin = Visitor(assistant, "admin", assistant.admin_password)
    page = ""

    def shown(*expected: str) -> bool:
        nonlocal page
        page = admin.http.get(f"{admin.base}/admin/delivery/").text
        return all(text in page for text in expected)

    def counts_shown() -> bool:  # the queue's counts, read anew: other tests' deletions may come and go
        [(waiting, failing, attempts)] = assistant.query(
            "SELECT count(*), count(last_error), sum(attempts) FROM twilio_deletions")
        [(error,)] = assistant.query("SELECT last_error FROM twilio_deletions ORDER BY created_at LIMIT 1")
        return bool(error) and shown(f"{waiting} mensajes por borrar de Twilio; el más antiguo espera desde hace "
                                     f"2 horas. {failing} de ellos fallaron al menos una vez ({attempts} intentos "
                                     f"fallidos).", f"<td>{error}</td>")

    with twilio_api(assistant, "error"):
        with session_scope(assistant.engine) as session:  # queued two hours ago, Twilio away since
            purge.enqueue(session, Sealer([assistant.data_key]), [sid], datetime.now(timezone.utc) - timedelta(hours=2))
        wait_for(counts_shown, 10, "the page's counts to be the queue's, with a failed attempt")
    assert sid not in page and number[-10:] not in page and "hola" not in page
    assert gone_from_twilio(assistant, [sid])
    assert not shown("desde hace 2 horas")


def test_a_reply_with_a_voice_note_leaves_twilio_with_its_medium(database: str, twilio: FakeTwilio) -> None:
    with session_scope(engine_for(database)) as session:
        outbox.enqueue(session, SEALER, "p", Address(f"whatsapp:{NUMBER}", OURS, "whatsapp", False,
                                                     datetime.now(timezone.utc)),
                       [Reply(media_url="https://example.org/nota.ogg")], outbox.ASSISTANT, datetime.now(timezone.utc))
    reply = deliver(database, twilio, "p")
    [medium] = twilio.client().messages(reply).media.list()
    assert medium.content_type == "audio/ogg" and medium.parent_sid == reply
    settled(twilio, reply)
    reported(database, reply, "read")
    assert sweep(database, twilio) == 1 and not twilio.kept(reply)
    with pytest.raises(TwilioRestException) as gone:
        twilio.client().messages(reply).media(medium.sid).fetch()
    assert gone.value.status == 404
