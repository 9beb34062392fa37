"""Shared fixtures: the real servers, started as `make run` starts them."""

import json
import os
import shutil
import re
from contextlib import contextmanager
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, ContextManager, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, sync_playwright
from twilio.request_validator import RequestValidator

from actions import help_nearby
from bot.channels.rest_channel import conversation_id
from bot.dev_secrets import DEV_ADMIN_PASSWORD, load_or_create
from bot.identity import pseudonym
from babel.messages.pofile import read_po, write_po

from bot.replies.catalogue import LOCALES_DIR, Catalogues
from bot.replies.render import render
from bot.run import free_port
from bot.simulator.twilio_form import sms_form, whatsapp_form
from bot.directory import seed
from bot.handoff import desk
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, scratch_database
from bot.storage.migrate import upgrade
from bot.web import accounts
from tests.smtp_server import SMTPServer, running_smtp_server

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "orienta.tar.gz"
START_TIMEOUT_S = 300
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make browser`
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE_SCREEN = {"width": 390, "height": 844}
FIGURES: List[str] = []


@pytest.fixture(scope="session")
def figures() -> List[str]:
    """Lines a test wants shown in the run's summary (measured figures)."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("Orienta figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@dataclass
class RunningAssistant:
    """The launcher's process and how to talk to it over the REST channel."""

    process: subprocess.Popen
    port: int
    simulator_port: int
    web_port: int
    sqlite_path: Path
    log_path: Path
    sender_key: str
    account_sid: str
    auth_token: str
    admin_password: str
    data_key: str
    database_url: str
    banner: str = ""

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_for(self.database_url)

    def query(self, statement: str, *params: Any) -> List[tuple]:
        """Runs SQL with `?` placeholders on the assistant's database (SQLite or PostgreSQL)."""
        numbers = iter(range(len(params)))
        named = re.sub(r"\?", lambda _: f":p{next(numbers)}", statement)
        with self.engine.begin() as connection:
            result = connection.execute(sa.text(named), {f"p{i}": value for i, value in enumerate(params)})
            return [tuple(row) for row in result] if result.returns_rows else []

    def observatory_id(self, name: str) -> int:
        return self.query("SELECT id FROM organisations WHERE name = ?", name)[0][0]

    def new_account(self, role: str, observatory: str = "") -> str:
        """A new staff or administrator account (of the named observatory); its user name."""
        username = f"{role}-{secrets.token_hex(4)}"
        accounts.create(self.engine, username, STAFF_PASSWORD, role,
                        self.observatory_id(observatory) if observatory else None)
        return username

    def dump(self, only: Optional[Collection[str]] = None, without: Collection[str] = ()) -> str:
        """Every text column of every table (or `only` those, but those `without`), as one
        string: what a stolen dump would show."""
        inspector = sa.inspect(self.engine)
        parts = []
        for table in sorted(set(only or inspector.get_table_names()) - set(without)):
            for column in inspector.get_columns(table):
                if isinstance(column["type"], (sa.String, sa.Text)):
                    parts += [str(v) for (v,) in self.query(f'SELECT "{column["name"]}" FROM "{table}"')]
        return "\n".join(parts)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Posts one message; returns the replies."""
        status, answer = self.post_rest(json.dumps({"sender": sender, "message": text}).encode())
        assert status == 200, answer
        return json.loads(answer)

    def post_rest(self, body: bytes, timeout: float = 60) -> Tuple[int, bytes]:
        """Posts a body, whatever it holds, to the REST channel: the status and the answer."""
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def events(self, sender_id: str, type_name: str) -> List[Dict[str, Any]]:
        """A conversation's stored events of one type, unsealed."""
        sealer = Sealer([self.data_key])
        rows = self.query("SELECT data FROM events WHERE sender_id = ? AND type_name = ? ORDER BY id",
                          sender_id, type_name)
        return [json.loads(sealer.open(data)) for (data,) in rows]

    def everything_stored(self) -> str:
        """Every stored event of every conversation, unsealed, as one text."""
        sealer = Sealer([self.data_key])
        return "\n".join(sealer.open(data) for (data,) in self.query("SELECT data FROM events"))

    def conversation(self) -> "Conversation":
        return Conversation(self, f"test-{uuid.uuid4().hex}")

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhooks/twilio/webhook"

    def post_webhook(self, form: Dict[str, str], signature: Optional[str] = None, timeout: float = 60,
                     url: str = "") -> int:
        """Posts a Twilio form to the webhook (or `url`), signed as Twilio signs unless a
        signature is given."""
        url = url or self.webhook_url
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(url, form)
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(form).encode(),
            headers={"X-Twilio-Signature": signature} if signature else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def sent_to(self, address: str) -> List[Dict[str, Any]]:
        """Every message the assistant sent to `address` through the Twilio API fake."""
        query = urllib.parse.urlencode({"to": address})
        url = f"http://127.0.0.1:{self.simulator_port}/messages?{query}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())["messages"]

    def phone(self, channel: str = "whatsapp") -> "Phone":
        """A new person with a random Mexican mobile number."""
        return Phone(self, channel, "+52155" + "".join(secrets.choice("0123456789") for _ in range(8)))


@dataclass
class Phone:
    """A person writing through Twilio: SMS or WhatsApp, signed real-format requests."""

    assistant: RunningAssistant
    channel: str
    number: str  # E.164 as WhatsApp gives it (+521…); SMS uses +52…
    seen: int = 0

    @property
    def address(self) -> str:
        return f"whatsapp:{self.number}" if self.channel == "whatsapp" else "+52" + self.number[4:]

    @property
    def sender_id(self) -> str:
        return pseudonym(self.address, self.assistant.sender_key.encode())

    def form(self, body: str = "", **extra: Any) -> Dict[str, str]:
        if self.channel == "whatsapp":
            return whatsapp_form(self.assistant.account_sid, self.number, body, **extra)
        return sms_form(self.assistant.account_sid, self.address, body, **extra)

    def send(self, body: str = "", **extra: Any) -> int:
        return self.assistant.post_webhook(self.form(body, **extra))

    def say(self, body: str = "", **extra: Any) -> List[str]:
        """Sends a message; returns the bodies the assistant sent back since the last call."""
        assert self.send(body, **extra) == 200
        return self.replies()

    def replies(self) -> List[str]:
        messages = self.assistant.sent_to(self.address)
        new, self.seen = messages[self.seen:], len(messages)
        return [message["body"] for message in new]

    def delivered(self, count: int, timeout: float = 15) -> List[str]:
        """Waits for `count` new messages sent outside the person's own turn (a staff
        reply, a retried delivery: the courier sends them within a second or two)."""
        got: List[str] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got += self.replies()
            time.sleep(0.1)
        return got


@dataclass
class Conversation:
    """One person's chat: remembers every reply received."""

    assistant: RunningAssistant
    chat_sender: str  # what the web chat page sends
    replies: List[List[Dict[str, Any]]] = field(default_factory=list)

    @property
    def sender(self) -> str:
        """The conversation's id as stored (the REST channel's own id space)."""
        return conversation_id(self.chat_sender)

    def say(self, text: str) -> List[str]:
        messages = self.assistant.send(self.chat_sender, text)
        self.replies.append(messages)
        return [message.get("text", "") for message in messages]

    def start(self) -> None:
        """Gets past first contact: safe to talk, Spanish."""
        self.say("hola")
        self.say("1")
        self.say("1")


WHATSAPP_TEMPLATE_SID = "HX" + "0" * 32
STAFF_PASSWORD = "una-contraseña-larga"  # of every account the tests create
HANDOFF_OFFER = "Puedo pasar esta conversación a una persona de"


def answer_then_state_question(replies: List[str], question: str) -> List[str]:
    """A guidance request before the state is known: what holds in any state (one to three
    sourced messages), then `question` (where the person is); the answer's messages."""
    *answer, asked = replies
    assert asked == question and 1 <= len(answer) <= 3 and "Fuente" in answer[-1], replies
    return answer


def assert_handoff_path(replies: List[str]) -> None:
    """A person is offered (once an observatory has staff) or, honestly, the lines that answer now."""
    no_staff = render("utter_human_handoff", "es", Catalogues.load(), {})["text"]
    assert replies == [no_staff] or (len(replies) == 1 and replies[0].startswith(HANDOFF_OFFER))


@pytest.fixture(scope="session")
def notifications() -> Iterator[Dict[str, Any]]:
    """A local receiver for the staff notification webhook; collects what it is sent."""
    received: List[Dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/", "received": received}
    server.shutdown()


PORT_TAKEN = b"address already in use"
LAUNCH_TRIES = 3  # a free port picked here can be taken by another process before bot.run binds it


@contextmanager
def running_assistant(workdir: Path, extra_env: Dict[str, str]) -> Iterator[RunningAssistant]:
    """Action server, dialogue engine, staff pages and simulator, launched by `python -m bot.run`
    (again on other ports when one it was given was taken meanwhile)."""
    for attempt in range(LAUNCH_TRIES):
        try:
            with _launched(workdir, extra_env, last=attempt == LAUNCH_TRIES - 1) as running:
                yield running
            return
        except PortTaken:
            continue


class PortTaken(Exception):
    """bot.run could not bind a port it was given."""


@contextmanager
def _launched(workdir: Path, extra_env: Dict[str, str], last: bool) -> Iterator[RunningAssistant]:
    assert MODEL.exists(), "No trained model: run the suite through `make test`."
    port, simulator_port, web_port = free_port(), free_port(), free_port()
    sqlite_path = workdir / "orienta.db"
    log_path = workdir / "servers.log"
    # A restart (the same extra_env) keeps the keys, so its conversations stay readable.
    sender_key = extra_env.get("ORIENTA_SENDER_KEY") or secrets.token_hex(32)
    data_key = extra_env.get("ORIENTA_DATA_KEYS") or new_key()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("TWILIO_", "ORIENTA_"))},
        "ORIENTA_PORT": str(port),
        "ORIENTA_ACTIONS_PORT": str(free_port()),
        "ORIENTA_SIMULATOR_PORT": str(simulator_port),
        "ORIENTA_WEB_PORT": str(web_port),
        "ORIENTA_SQLITE_PATH": str(sqlite_path),
        "ORIENTA_SENDER_KEY": sender_key,
        "ORIENTA_DATA_KEYS": data_key,
        "ORIENTA_WHATSAPP_TEMPLATE_SID": WHATSAPP_TEMPLATE_SID,
        **extra_env,
    }
    twilio = load_or_create(workdir)  # the simulator's credentials, before the launcher reads them
    logged_before = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=log, text=True,
        )
        running = RunningAssistant(
            process, port, simulator_port, web_port, sqlite_path, log_path, sender_key,
            twilio["TWILIO_ACCOUNT_SID"], twilio["TWILIO_AUTH_TOKEN"], twilio[DEV_ADMIN_PASSWORD], data_key,
            env.get("ORIENTA_DATABASE_URL") or f"sqlite:///{sqlite_path}",
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Press Ctrl-C" not in running.banner:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                if not last and PORT_TAKEN in log_path.read_bytes()[logged_before:]:
                    raise PortTaken()
                pytest.fail(f"bot.run exited: {log_path.read_text()[-3000:]}")
            running.banner += line
            if time.monotonic() > deadline:
                pytest.fail("bot.run did not become ready")
        try:
            yield running
        finally:
            process.terminate()
            process.wait(30)


POSTGRESQL_SERVER = "postgresql://postgres@127.0.0.1:5432"


def fresh_postgresql_database() -> ContextManager[str]:
    """A new database on the machine's PostgreSQL, dropped afterwards."""
    return scratch_database(POSTGRESQL_SERVER, "orienta_test")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def assistant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              notifications: Dict[str, Any]) -> Iterator[RunningAssistant]:
    """The whole assistant as `make run` starts it: on its embedded SQLite, then on the
    machine's PostgreSQL (every test that uses it runs on both)."""
    extra = {"ORIENTA_HANDOFF_WEBHOOK_URL": notifications["url"]}
    with assistant_on(request.param, tmp_path_factory.mktemp(f"assistant-{request.param}"), extra) as running:
        with_a_national_desk(running)
        yield running


@pytest.fixture(scope="session")
def newcomer_mail() -> Iterator[SMTPServer]:
    """The SMTP server the `newcomer` deployment sends its staff alerts to."""
    yield from running_smtp_server()


@pytest.fixture(scope="session")
def newcomer(tmp_path_factory: pytest.TempPathFactory, newcomer_mail: SMTPServer) -> Iterator[RunningAssistant]:
    """`make run` on a fresh folder (ORIENTA_DEV_STAFF=on), sending staff alerts to `newcomer_mail`
    and escalating a handoff left 15 s unclaimed: one launch for the development staff's tests
    and the running assistant's alerts (tests/test_staff_alerts.py)."""
    extra = {"ORIENTA_DEV_STAFF": "on", "ORIENTA_SMTP_URL": f"smtp://127.0.0.1:{newcomer_mail.port}",
             "ORIENTA_STAFF_URL": "https://equipo.example/", "ORIENTA_HANDOFF_ESCALATE_AFTER": "0.25"}
    with running_assistant(tmp_path_factory.mktemp("make-run"), extra) as running:
        yield running


UNESCALATED = "SELECT count(*) FROM handoffs WHERE status = 'waiting' AND escalated_at IS NULL"


@pytest.fixture()
def settled_newcomer(newcomer: RunningAssistant) -> RunningAssistant:
    """`newcomer` once every handoff that earlier tests left waiting in it has been escalated:
    none of them sends an alert any more."""
    deadline = time.monotonic() + 60
    while newcomer.query(UNESCALATED) != [(0,)]:
        assert time.monotonic() < deadline, "a waiting handoff was not escalated"
        time.sleep(0.5)
    return newcomer


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def faulty(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """A deployment of its own for the tests that kill its processes: a turn is taken over after 5 s."""
    with assistant_on(request.param, tmp_path_factory.mktemp(f"faulty-{request.param}"),
                      {"ORIENTA_TURN_TIMEOUT_S": "5"}) as running:
        yield running


# For tests of what the assistant says: the dialogue on its embedded SQLite alone. Storage on
# PostgreSQL is the subject of the tracker store's, the guarantees', the delivery's and the
# handoff's tests, which run on both.
ON_SQLITE_ONLY = pytest.mark.parametrize("assistant", ["sqlite"], indirect=True)


NATIONAL_DESK = "Observatorio de Seguridad Ciudadana UAEM"


def with_a_national_desk(running: RunningAssistant) -> str:
    """A staffed national desk, as a deployment has: every person can reach someone, so the
    menus offer a person (without one, option 4 leads to the lines). Its staff's user name."""
    desk.designate(running.engine, running.observatory_id(NATIONAL_DESK))
    return running.new_account("staff", NATIONAL_DESK)


@contextmanager
def assistant_on(database: str, workdir: Path, extra: Dict[str, str]) -> Iterator[RunningAssistant]:
    """The assistant on its embedded SQLite ("sqlite") or on a fresh PostgreSQL database."""
    if database == "sqlite":
        with running_assistant(workdir, extra) as running:
            yield running
        return
    with fresh_postgresql_database() as url, running_assistant(workdir, {**extra, "ORIENTA_DATABASE_URL": url}) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, per test module: Playwright's sync API runs an
    event loop for as long as it is open, which other tests' asyncio.run() cannot share."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Opens a URL in a fresh phone-sized browser context, closed after the test."""
    contexts = []

    def open_(url: str) -> Page:
        context = browser.new_context(viewport=PHONE_SCREEN)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


def type_message(page: Page, text: str) -> None:
    """Types into the page's message box and sends with Enter."""
    page.fill("#text", text)
    page.press("#text", "Enter")


@pytest.fixture()
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database with the directory's seed, used by the actions."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    upgrade(url)
    seed.load(engine_for(url))
    monkeypatch.setenv("ORIENTA_DATABASE_URL", url)
    help_nearby.directory.cache_clear()
    yield url
    help_nearby.directory.cache_clear()


@contextmanager
def nahuatl_catalogue(tmp_path: Path) -> Iterator[Any]:
    """A copy of the catalogues whose Náhuatl catalogue the block edits; yields the
    catalogue, written back when the block ends. The copy's folder is `tmp_path / "locales"`."""
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    path = locales / "nah" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    yield catalog
    with path.open("wb") as handle:
        write_po(handle, catalog)
