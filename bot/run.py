"""Starts Orienta: database migrations (and the directory's seed when it is empty), the
action servers, the staff pages, the hourly retention job, the phone simulator (when no
Twilio account is configured), then the dialogue engines — one of each by default, or
several behind nginx (production mode, see README "Production").

`python -m bot.run` (what `make run` and `make run-prod` call) waits until all answer,
prints where to open the web chat and the simulator, restarts any process that stops
(later each time one keeps stopping, never stopping the others), and stops everything
cleanly on Ctrl-C or SIGTERM. Settings come from the environment, with embedded
defaults: a SQLite file under var/, ports 5005, 5055 and 5006, and development secrets
generated once into var/.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, NoReturn, Optional, Tuple

import sqlalchemy as sa

from bot.balancer import nginx
from bot.dev_secrets import (ACTIONS_TOKEN, DEV_ADMIN, DEV_ADMIN_PASSWORD, DEV_STAFF, DEV_STAFF_PASSWORD,
                             DEV_STAFF_SWITCH, simulator_environment)
from bot.directory import seed
from bot.directory.models import Organisation
from bot.settings import ROOT, database_url, rest_channel_enabled
from bot.handoff import desk
from bot.handoff.models import DESK_ROW, NationalDesk
from bot.storage.database import engine_for, ensure_database, session_scope
from bot.storage.migrate import upgrade
from bot.web import accounts

READY_TIMEOUT_S = 300
MAX_REQUEST_BYTES = 1_000_000  # webhook requests: Twilio's are a few kilobytes
STOP_TIMEOUT_S = 15
CRASH_LOOP_S = 30  # a process that stops this soon after starting is restarted later each time
FIRST_RESTART_DELAY_S, MAX_RESTART_DELAY_S = 1, 60
BALANCER_READ_TIMEOUT_S = 120  # longer than any turn, waiting for the conversation's lock included


PROCESS_LINE = re.compile(r"^Process (\d+): (.+?)(?: at (\S+))?$", re.MULTILINE)


def listed_processes(banner: str) -> List[Tuple[int, str, Optional[str]]]:
    """What the ready banner lists: each process's pid, name and health URL (if it has one)."""
    return [(int(pid), name, url or None) for pid, name, url in PROCESS_LINE.findall(banner)]


def children(pid: int) -> Dict[int, str]:
    """The live child processes of `pid` (the launcher) and their command lines: the
    processes as restarted, where the banner lists them as first started (Linux /proc)."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            continue
        if command:  # a stopped child not yet reaped has none
            found[int(child)] = command
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class LaunchSettings:
    host: str
    port: int
    actions_host: str
    actions_port: int
    simulator_port: int
    web_port: int
    sqlite_path: Path
    model: Path
    simulated: bool
    engines: int
    action_servers: int

    @classmethod
    def from_env(cls) -> "LaunchSettings":
        return cls(
            host=os.environ.get("ORIENTA_HOST", "127.0.0.1"),
            port=int(os.environ.get("ORIENTA_PORT", "5005")),
            actions_host=os.environ.get("ORIENTA_ACTIONS_HOST", "127.0.0.1"),
            actions_port=int(os.environ.get("ORIENTA_ACTIONS_PORT", "5055")),
            simulator_port=int(os.environ.get("ORIENTA_SIMULATOR_PORT", "5006")),
            web_port=int(os.environ.get("ORIENTA_WEB_PORT", "5007")),
            sqlite_path=Path(os.environ.get("ORIENTA_SQLITE_PATH", ROOT / "var" / "orienta.db")),
            model=Path(os.environ.get("ORIENTA_MODEL", ROOT / "models" / "orienta.tar.gz")),
            simulated=not os.environ.get("TWILIO_ACCOUNT_SID"),
            engines=int(os.environ.get("ORIENTA_ENGINES", "1")),
            action_servers=int(os.environ.get("ORIENTA_ACTION_SERVERS", "1")),
        )

    @property
    def balanced(self) -> bool:
        """Several processes of a kind: nginx listens on the public ports."""
        return self.engines > 1 or self.action_servers > 1

    @property
    def chat_url(self) -> str:
        return f"http://localhost:{self.port}/webhooks/webchat/"

    @property
    def simulator_url(self) -> str:
        return f"http://localhost:{self.simulator_port}/"

    def environment(self) -> Dict[str, str]:
        """The environment every server runs with (endpoints.yml reads it too)."""
        environment = {
            **os.environ,
            "ORIENTA_PORT": str(self.port),
            "ORIENTA_ACTIONS_HOST": self.actions_host,
            "ORIENTA_ACTIONS_PORT": str(self.actions_port),
            "ORIENTA_SIMULATOR_PORT": str(self.simulator_port),
            "ORIENTA_WEB_PORT": str(self.web_port),
            "ORIENTA_SQLITE_PATH": str(self.sqlite_path),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_REQUEST_MAX_SIZE": os.environ.get("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES)),
        }
        if self.balanced:  # the client's address comes from nginx's X-Forwarded-For
            environment["SANIC_PROXIES_COUNT"] = "1"
        if self.simulated:
            environment.update(simulator_environment(self.sqlite_path.parent, self.simulator_port))
        return environment


@dataclass(frozen=True)
class Server:
    name: str
    command: List[str]
    health_url: Optional[str]


@dataclass(frozen=True)
class Topology:
    """Where each process listens: the public ports, or internal ones behind nginx."""

    engine_ports: Tuple[int, ...]
    action_ports: Tuple[int, ...]

    @classmethod
    def for_settings(cls, settings: LaunchSettings) -> "Topology":
        if not settings.balanced:
            return cls((settings.port,), (settings.actions_port,))
        return cls(tuple(free_port() for _ in range(settings.engines)),
                   tuple(free_port() for _ in range(settings.action_servers)))


def servers(settings: LaunchSettings, topology: Topology) -> List[Server]:
    """Every process, in start order."""
    python = sys.executable
    local = "http://127.0.0.1"
    actions_host = "127.0.0.1" if settings.balanced else settings.actions_host
    actions = [Server(f"action server {n + 1}",
                      [python, "-m", "bot.action_server", "--host", actions_host, "--port", str(port)],
                      f"http://{actions_host}:{port}/health") for n, port in enumerate(topology.action_ports)]
    others = [Server("staff pages", [python, "-m", "bot.web"], f"{local}:{settings.web_port}/login"),
              Server("retention job", [python, "-m", "bot.storage.retention", "--every", "3600"], None)]
    if settings.simulated:
        others.append(Server("phone simulator", [python, "-m", "bot.simulator"],
                             f"{local}:{settings.simulator_port}/messages"))
    engine_host = "127.0.0.1" if settings.balanced else settings.host
    engines = [Server(f"dialogue engine {n + 1}",
                      [python, "-m", "bot.engine", "run", "--model", str(settings.model), "--interface", engine_host,
                       "--port", str(port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                      f"{local}:{port}/") for n, port in enumerate(topology.engine_ports)]
    balancer = []
    if settings.balanced:
        config = nginx.write_config(
            settings.sqlite_path.parent / "nginx", settings.host, settings.port, settings.actions_host,
            settings.actions_port, topology.engine_ports, topology.action_ports, MAX_REQUEST_BYTES,
            BALANCER_READ_TIMEOUT_S)
        balancer = [Server("load balancer (nginx)", nginx.command(config), f"{local}:{settings.port}/")]
    return [*actions, *others, *engines, *balancer]  # nginx is checked once the rest answer


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_ready(processes: List[subprocess.Popen], urls: List[str]) -> None:
    """Until every URL answers 200, in order; fails if a process stops meanwhile."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = list(urls)
    while pending:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("A server stopped during start-up; see its output above.")
        if time.monotonic() > deadline:
            raise TimeoutError(f"Not ready after {READY_TIMEOUT_S} s: {', '.join(pending)}")
        while pending and answers(pending[0]):
            pending.pop(0)
        time.sleep(0.5)


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    settings = LaunchSettings.from_env()
    if not settings.model.exists():
        print(f"No trained model at {settings.model}: run `make run` or `make train`.", file=sys.stderr)
        return 1
    if settings.engines > 1 and not (os.environ.get("ORIENTA_REDIS_URL") and os.environ.get("ORIENTA_DATABASE_URL")):
        print("Several dialogue engines share conversations through a database server and Redis: set "
              "ORIENTA_DATABASE_URL and ORIENTA_REDIS_URL (`make run-prod` sets both).", file=sys.stderr)
        return 1
    if not settings.simulated and not os.environ.get(ACTIONS_TOKEN):
        print(f"With a Twilio account, set {ACTIONS_TOKEN}: the secret the action servers require of the "
              "engines (`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`).", file=sys.stderr)
        return 1
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    environment = settings.environment()
    os.environ.update(environment)
    ensure_database(database_url())
    upgrade(database_url())
    engine = engine_for(database_url())
    seed.load(engine)
    dev_observatory = development_accounts(settings, environment, engine)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    to_start = servers(settings, Topology.for_settings(settings))
    processes = [launch(server, environment) for server in to_start]
    try:
        wait_until_ready(processes, [server.health_url for server in to_start if server.health_url])
        print_banner(settings, to_start, processes, dev_observatory)
        supervise(to_start, processes, environment)
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


def launch(server: Server, environment: Dict[str, str]) -> subprocess.Popen:
    # The servers log to stderr; stdout carries only the launcher's own lines.
    return subprocess.Popen(server.command, cwd=ROOT, env=environment, stdout=sys.stderr)


def restart_delay(stops: int) -> int:
    """The wait before restarting a process that stopped `stops` times in a row, each
    within CRASH_LOOP_S of starting: 1 s, doubling each time, at most 60 s."""
    return min(FIRST_RESTART_DELAY_S * 2 ** (stops - 1), MAX_RESTART_DELAY_S)


def supervise(started: List[Server], processes: List[subprocess.Popen], environment: Dict[str, str]) -> NoReturn:
    """Restarts every process that stops, never giving up, while the others go on serving;
    one that keeps stopping soon after starting is restarted later each time (restart_delay).
    Each stop and restart is said on stderr. `processes` is updated in place."""
    launched = [time.monotonic()] * len(processes)
    stops = [0] * len(processes)  # in a row, each soon after starting
    due: List[Optional[float]] = [None] * len(processes)  # when a stopped process is restarted
    while True:
        time.sleep(0.5)
        now = time.monotonic()
        for index, (server, process) in enumerate(zip(started, processes)):
            if process.poll() is None:
                continue
            if due[index] is None:
                stops[index] = stops[index] + 1 if now - launched[index] < CRASH_LOOP_S else 1
                delay = restart_delay(stops[index])
                due[index] = now + delay
                again = f", {stops[index]} times in a row, each within {CRASH_LOOP_S} s" if stops[index] > 1 else ""
                print(f"*** The {server.name} stopped (exit code {process.returncode}){again}; next attempt in "
                      f"{delay} s. The other processes keep serving.", file=sys.stderr, flush=True)
            elif now >= due[index]:
                processes[index], launched[index], due[index] = launch(server, environment), now, None
                print(f"*** The {server.name} restarted as process {processes[index].pid}.",
                      file=sys.stderr, flush=True)


def development_accounts(settings: LaunchSettings, environment: Dict[str, str],
                         engine: sa.engine.Engine) -> Optional[str]:
    """With the simulator only (never with a Twilio account): the development administrator
    and, with ORIENTA_DEV_STAFF=on, a staff account (DEV_STAFF) for the directory's first
    observatory, made the national desk when there is none, so that the simulator's handoffs
    from any state land in an inbox one can open. The name
    of that observatory, if so."""
    if not settings.simulated:
        return None
    accounts.ensure(engine, DEV_ADMIN, environment[DEV_ADMIN_PASSWORD], "admin")
    if os.environ.get(DEV_STAFF_SWITCH) != "on":
        return None
    with session_scope(engine) as session:
        observatory_id, name = session.execute(sa.select(Organisation.id, Organisation.name).where(
            Organisation.kind == "observatory", Organisation.active.is_(True)).order_by(Organisation.id)).first()
    accounts.ensure(engine, DEV_STAFF, environment[DEV_STAFF_PASSWORD], "staff", observatory_id)
    with session_scope(engine) as session:
        no_desk = session.get(NationalDesk, DESK_ROW) is None
    if no_desk:  # so that a handoff from any state reaches that inbox (an administrator may change it)
        desk.designate(engine, observatory_id)
    return name


def print_banner(settings: LaunchSettings, started: List[Server], processes: List[subprocess.Popen],
                 dev_observatory: Optional[str] = None) -> None:
    rest = rest_channel_enabled(os.environ)
    print("\nOrienta is ready." + (f" Open the web chat: {settings.chat_url}" if rest else ""), flush=True)
    print(f"Staff pages (directory administration): http://localhost:{settings.web_port}/")
    if settings.simulated:
        print(f"Phone simulator (SMS and WhatsApp through the Twilio webhook): {settings.simulator_url}")
        print(f"Development administrator: user «{DEV_ADMIN}», password {DEV_ADMIN_PASSWORD} "
              f"in {settings.sqlite_path.parent / 'dev-secrets.env'}")
    if dev_observatory:
        print(f"Development staff of {dev_observatory} (the inbox): user «{DEV_STAFF}», password "
              f"{DEV_STAFF_PASSWORD} in {settings.sqlite_path.parent / 'dev-secrets.env'}")
    for server, process in zip(started, processes):
        where = f" at {server.health_url}" if server.health_url else ""
        print(f"Process {process.pid}: {server.name}{where}")
    print(f"Twilio webhook: http://localhost:{settings.port}/webhooks/twilio/webhook")
    if rest:
        print(f"REST channel: http://localhost:{settings.port}/webhooks/rest/webhook")
    print("Press Ctrl-C to stop.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
