"""Production mode on the machine's real servers: two dialogue engines and two action servers
behind nginx, conversations in PostgreSQL, conversation locks and rate limits in Redis —
started by `python -m bot.run` as `make run-prod` starts it."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
from playwright.sync_api import Page, expect
from twilio.request_validator import RequestValidator

from bot.balancer import nginx
from bot.channels.outgoing_text import sms_text
from bot.replies import reviews
from bot.replies.catalogue import Catalogues
from bot.replies.catalogue_tools import source_entries
from bot.replies.live import CHECK_INTERVAL_S
from bot.replies.menus import HANDOFF_PAYLOAD
from bot.replies.render import render
from bot.directory import seed
from bot.recordings.links import PATH
from bot.run import MAX_REQUEST_BYTES, free_port, listed_processes
from bot.storage.crypto import Sealer, new_key
from bot.web import accounts
from bot.text import fold
from tests import audio_samples
from tests.conftest import (FIGURES, STAFF_PASSWORD, Phone, RunningAssistant, fresh_postgresql_database,
                            running_assistant)
from tests.test_admin_pages import sign_in, web
from tests.test_review_pages import VARIANT, open_reviewer_account
from tests.test_voice_recordings import in_tseltal_with_audio, stored

REDIS_URL = "redis://127.0.0.1:6379/0"
TURN_TIMEOUT_S = 12  # a turn unanswered this long was abandoned by its process
LOCK_LIFETIME_S = 10  # a dead process's conversation lock is given up after this
RECORDED = "utter_bot_challenge"  # what "eres un robot?" answers: no other test here reviews it
IN_TSELTAL = "[tzh] Robot ja' (de prueba). Ts'ibuya MENÚ."  # a test text, only in the test's database
PUEBLA, YUCATAN = (seed.prosecutors()[key]["name"] for key in ("21", "31"))


@dataclass(frozen=True)
class Engine:
    pid: int
    url: str


def engines(assistant: RunningAssistant) -> List[Engine]:
    """The dialogue engines behind nginx, as the launcher's banner lists them."""
    return [Engine(pid, url.rstrip("/")) for pid, name, url in listed_processes(assistant.banner)
            if name.startswith("dialogue engine")]


@contextmanager
def production(workdir: Path, database_url: str, keys: Dict[str, str]) -> Iterator[RunningAssistant]:
    env = {"ORIENTA_ENGINES": "2", "ORIENTA_ACTION_SERVERS": "2", "ORIENTA_DATABASE_URL": database_url,
           "ORIENTA_REDIS_URL": REDIS_URL, "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
           "ORIENTA_TURN_TIMEOUT_S": str(TURN_TIMEOUT_S), **keys}
    with running_assistant(workdir, env) as running:
        assert len(engines(running)) == 2, running.banner
        yield running


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, object]]:
    """What survives a restart: the database, the working folder and the keys."""
    keys = {"ORIENTA_SENDER_KEY": os.urandom(32).hex(), "ORIENTA_DATA_KEYS": new_key()}
    with fresh_postgresql_database() as url:
        yield {"workdir": tmp_path_factory.mktemp("production"), "database_url": url, "keys": keys}


@pytest.fixture(scope="module")
def prod(deployment: Dict[str, object]) -> Iterator[RunningAssistant]:
    with production(deployment["workdir"], deployment["database_url"], deployment["keys"]) as running:
        yield running


def post_signed(phone: Phone, base_url: str, form: Dict[str, str]) -> int:
    """Posts a Twilio form to one process (or nginx), signed for the URL it is posted to."""
    url = f"{base_url}/webhooks/twilio/webhook"
    signature = RequestValidator(phone.assistant.auth_token).compute_signature(url, form)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=150) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def user_texts(assistant: RunningAssistant, phone: Phone) -> List[str]:
    """What the person wrote, as stored (without the "/intent" a numbered choice stands for)."""
    return [event["text"] for event in assistant.events(phone.sender_id, "user")
            if not event["text"].startswith("/")]


def test_a_conversation_served_alternately_by_both_engines_stays_coherent(prod: RunningAssistant) -> None:
    first, second = engines(prod)
    phone = prod.phone("whatsapp")
    replies: List[str] = []
    for n, body in enumerate(["hola", "1", "1", "quiero denunciar", "Puebla", "fuente"]):
        assert post_signed(phone, (first, second)[n % 2].url, phone.form(body)) == 200
        replies += (turn := phone.replies())
    answer = "\n".join(replies)
    assert PUEBLA in answer  # the state question asked by one engine, answered on the other
    assert turn[0].startswith("De dónde sale mi último mensaje:")  # sources of the other engine's answer
    assert user_texts(prod, phone) == ["hola", "1", "1", "quiero denunciar", "Puebla", "fuente"]
    # Every action call carries the conversation (tens of KB): nginx keeps it in memory on its
    # way to an action server (through a temporary file, each call took 45 ms more).
    assert "buffered to a temporary file" not in prod.log_path.read_text()


def test_a_text_a_reviewer_publishes_is_served_by_both_engines_in_the_next_message(prod: RunningAssistant) -> None:
    """What a reviewer publishes (bot/replies/reviews.py, as the review page does) is in the next
    reply of whichever engine takes the message, with no restart; so is a correction of it."""
    first, second = engines(prod)
    by = accounts.create(prod.engine, f"revisora-{os.urandom(3).hex()}", STAFF_PASSWORD, "reviewer",
                         review_language="tzh", review_variant=VARIANT)
    phone = prod.phone("whatsapp")
    for engine, body in ((first, "hola"), (second, "sí")):
        assert post_signed(phone, engine.url, phone.form(body)) == 200
    phone.replies()
    for engine, menu, body in ((first, "[tzh] Menú de prueba (0)", "4"), (second, "[tzh] Menú corregido (0)", "0")):
        reviews.publish(prod.engine, "tzh", "utter_main_menu", menu, source_entries(), by)
        time.sleep(CHECK_INTERVAL_S)  # how often each process looks for a change
        assert post_signed(phone, engine.url, phone.form(body)) == 200
        assert phone.replies()[-1].startswith(menu + "\n1. ")


def test_a_recording_a_reviewer_approves_goes_after_the_text_from_both_engines(prod: RunningAssistant) -> None:
    """A Tseltal speaker who asked for audio gets, from whichever engine takes the message, the
    text then the approved recording, through a link Twilio fetches via nginx."""
    sample = audio_samples.ogg_opus(seconds=2)
    phone = in_tseltal_with_audio(prod, "whatsapp")
    approved = stored(prod, sample, approved=True, reply_key=RECORDED)
    for engine in engines(prod):
        before = len(prod.sent_to(phone.address))
        assert post_signed(phone, engine.url, phone.form("eres un robot?")) == 200
        text, recording = prod.sent_to(phone.address)[before:]
        assert text["body"] and not text["media_url"]
        assert recording["media_url"].startswith(f"{prod.base_url}{PATH}/{approved}.ogg?")
        fetched = urllib.request.urlopen(recording["media_url"], timeout=10)
        assert fetched.status == 200 and fetched.read() == sample


def test_a_reviewer_publishes_a_text_and_a_recording_in_the_staff_pages_and_both_go_from_either_engine(
        open_page: Callable[[str], Page], prod: RunningAssistant) -> None:
    """The whole path with no programming, in Chromium: an administrator opens a reviewer's
    account; the reviewer publishes the Tseltal text; the administrator uploads a partner's
    recording of it and the reviewer approves it; the next message of a Tseltal speaker who
    asked for audio, through either engine, carries the text then the recording, fetched as
    Twilio fetches it."""
    reviewer, sample = f"revisora-{os.urandom(3).hex()}", audio_samples.ogg_opus(seconds=2)
    admin = open_page(web(prod, "/login"))
    sign_in(admin, prod, "admin", prod.admin_password)
    admin.get_by_role("link", name="Cuentas").click()
    open_reviewer_account(admin, reviewer)

    page = open_page(web(prod, "/login"))
    sign_in(page, prod, reviewer)
    page.get_by_role("link", name=RECORDED, exact=True).click()
    page.get_by_label("Texto en Tseltal").fill(IN_TSELTAL)
    page.get_by_role("button", name="Publicar revisado").click()
    expect(page.locator("#served")).to_have_text(IN_TSELTAL)

    admin.get_by_role("link", name="Grabaciones").click()  # the partner reads the published text aloud
    admin.get_by_label("Respuesta").select_option(RECORDED)
    admin.get_by_label("Idioma de la grabación").select_option("tzh")
    admin.get_by_label("Archivo").set_input_files(
        files=[{"name": "robot.ogg", "mimeType": "audio/ogg", "buffer": sample}])
    admin.get_by_role("button", name="Subir").click()
    expect(admin.get_by_role("status")).to_contain_text("espera la revisión de otra persona")
    page.get_by_role("link", name="Grabaciones").click()
    row = page.locator("#recordings tbody tr", has_text=RECORDED).first
    row.get_by_role("button", name="Aprobar").click()
    expect(page.locator("#recordings tbody tr", has_text=RECORDED).first.locator(".status")).to_have_text("en uso")

    phone = in_tseltal_with_audio(prod, "whatsapp")
    for engine in engines(prod):
        before = len(prod.sent_to(phone.address))
        assert post_signed(phone, engine.url, phone.form("eres un robot?")) == 200
        text, recording = prod.sent_to(phone.address)[before:]
        assert text["body"] == IN_TSELTAL and not text["media_url"]
        fetched = urllib.request.urlopen(recording["media_url"], timeout=10)
        assert fetched.status == 200 and fetched.read() == sample


def turns(assistant: RunningAssistant, phone: Phone) -> List[List[str]]:
    """The stored events of a conversation cut at each message: [user, ..., action_listen]."""
    sealer = Sealer([assistant.data_key])
    rows = assistant.query("SELECT data FROM events WHERE sender_id = ? ORDER BY id", phone.sender_id)
    cuts: List[List[str]] = []
    for event in (json.loads(sealer.open(data)) for (data,) in rows):
        if event["event"] == "user":
            cuts.append([])
        if cuts:
            cuts[-1].append(event.get("name") or event["event"])
    return cuts


def test_simultaneous_messages_of_one_conversation_take_turns(prod: RunningAssistant) -> None:
    phone = prod.phone("whatsapp")
    assert phone.say("hola")
    bodies = [f"hola {n}" for n in range(8)]
    statuses: List[int] = []
    threads = [threading.Thread(target=lambda n=n: statuses.append(
        post_signed(phone, engines(prod)[n % 2].url, phone.form(bodies[n])))) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [200] * len(bodies)
    conversation = turns(prod, phone)
    assert sorted(user_texts(prod, phone)[1:]) == bodies  # every message kept once
    # Each turn ran whole before the next began: every message's events end with listening.
    assert all(turn[-1] == "action_listen" and turn.count("user") == 1 for turn in conversation), conversation


def send_until_accepted(phone: Phone, base_url: str, body: str, statuses: List[int]) -> None:
    """As Twilio does with retries on: the same message again until it is accepted."""
    form = phone.form(body)
    deadline = time.monotonic() + 4 * TURN_TIMEOUT_S
    while time.monotonic() < deadline:
        status = post_signed(phone, base_url, form)
        statuses.append(status)
        if status == 200:
            return
        time.sleep(1)
    raise AssertionError(f"not accepted: {statuses}")


def test_killing_an_engine_mid_turn_loses_no_accepted_message(prod: RunningAssistant) -> None:
    """Eight people writing; both action servers are paused so that every engine holds
    turns it cannot finish, and one engine is killed with them: each message is stored
    exactly once, in order, and answered."""
    phones = [prod.phone("whatsapp" if n % 2 else "sms") for n in range(8)]
    messages = ["hola", "1", "1", "quiero denunciar", "Puebla", "más", "gracias", "menu"]
    statuses: List[int] = []
    failures: List[BaseException] = []

    def person(phone: Phone) -> None:
        try:
            for body in messages:
                send_until_accepted(phone, prod.base_url, body, statuses)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=person, args=(phone,)) for phone in phones]
    action_servers = [pid for pid, name, _ in listed_processes(prod.banner) if name.startswith("action server")]
    for pid in action_servers:
        os.kill(pid, signal.SIGSTOP)
    try:
        for thread in threads:
            thread.start()
        unanswered = "SELECT count(*) FROM processed_messages WHERE answered_at IS NULL"
        deadline = time.monotonic() + 20
        while prod.query(unanswered)[0][0] < len(phones) and time.monotonic() < deadline:
            time.sleep(0.2)
        in_flight = prod.query(unanswered)[0][0]
        os.kill(engines(prod)[1].pid, signal.SIGKILL)
    finally:
        for pid in action_servers:
            os.kill(pid, signal.SIGCONT)
    for thread in threads:
        thread.join(300)
    assert not failures, failures[0]
    assert in_flight >= 2, "the kill hit no turn in flight"
    retried = sum(1 for status in statuses if status != 200)
    # Nobody has staff here: option 4 leads to the lines that answer now.
    menu = render("utter_main_menu", "es", Catalogues.load(), {},
                  relabel={HANDOFF_PAYLOAD: {"key": "option_lines_now"}})["text"]
    for phone in phones:
        assert user_texts(prod, phone) == messages, phone.channel  # each once, in order
        replies = phone.delivered(len(messages), timeout=60)
        assert len(replies) >= len(messages) and replies[-1] in (menu, sms_text(menu)), replies
    FIGURES.append(f"Production: {len(phones) * len(messages)} messages, an engine killed with {in_flight} turns "
                   f"in flight, {retried} requests refused and retried, 0 lost, 0 doubled")


def test_a_restart_of_everything_keeps_every_conversation(deployment: Dict[str, object],
                                                          prod: RunningAssistant) -> None:
    answered, waiting = prod.phone("whatsapp"), prod.phone("sms")
    for body in ["hola", "1", "1", "quiero denunciar", "Puebla"]:
        answered.say(body)
    for body in ["hola", "1", "1", "quiero denunciar"]:
        waiting.say(body)
    prod.process.send_signal(signal.SIGTERM)
    prod.process.wait(60)
    with production(deployment["workdir"], deployment["database_url"], deployment["keys"]) as again:
        answered_again = Phone(again, answered.channel, answered.number)
        waiting_again = Phone(again, waiting.channel, waiting.number)
        protection = "\n".join(answered_again.say("quiero protección sin denunciar"))
        assert "en puebla:" in protection.lower()  # the state is remembered, not asked again
        answer = fold("\n".join(waiting_again.say("Yucatán")))  # by SMS: without accents
        assert fold(YUCATAN) in answer  # the pending question answered


class Upstream(ThreadingHTTPServer):
    """A stand-in engine on a free port: records each POST it is sent, then answers it, or
    dies on it (closes the connection without an answer, as a killed process does)."""

    def __init__(self, dies: bool) -> None:
        self.dies, self.received = dies, 0
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                self.rfile.read(int(self.headers["Content-Length"]))
                upstream.received += 1
                if upstream.dies:
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        super().__exit__(*exc_info)


@contextmanager
def balancer(workdir: Path, engine_ports: List[int]) -> Iterator[str]:
    """nginx with the launcher's configuration in front of `engine_ports`; yields its URL."""
    port = free_port()
    config = nginx.write_config(workdir, "127.0.0.1", port, "127.0.0.1", free_port(), engine_ports,
                                [free_port()], MAX_REQUEST_BYTES, 5)
    process = subprocess.Popen(nginx.command(config), stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not answers_connections(port):
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def answers_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def post_status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=b"Body=hola"), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_post_that_kills_an_engine_is_not_sent_to_the_next_one(tmp_path: Path) -> None:
    with Upstream(dies=True) as first, Upstream(dies=True) as second, \
            balancer(tmp_path, [first.server_port, second.server_port]) as url:
        assert post_status(f"{url}/webhooks/twilio/webhook") == 502  # Twilio retries it later
    assert (first.received, second.received) in [(1, 0), (0, 1)]  # one poisonous request kills one engine


def test_an_engine_that_cannot_be_reached_is_skipped(tmp_path: Path) -> None:
    with Upstream(dies=False) as alive, balancer(tmp_path, [free_port(), alive.server_port]) as url:
        # nothing listens on the first port
        assert [post_status(f"{url}/webhooks/twilio/webhook") for _ in range(4)] == [200] * 4
    assert alive.received == 4
