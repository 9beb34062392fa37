"""Starts Orienta on one machine: database migrations (and the directory's seed when it is
empty), the action server, the staff pages, the hourly retention job, the phone
simulator (when no Twilio account is configured), then the dialogue engine.

`python -m bot.run` (what `make run` calls) waits until all answer, prints where to open
the web chat and the simulator, and stops everything cleanly on Ctrl-C or SIGTERM.
Settings come from the environment, with embedded defaults: a SQLite file under var/,
ports 5005, 5055 and 5006, and development secrets generated once into var/.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from bot.dev_secrets import DEV_ADMIN, DEV_ADMIN_PASSWORD, simulator_environment
from bot.directory import seed
from bot.settings import ROOT, database_url
from bot.storage.database import engine_for
from bot.storage.migrate import upgrade
from bot.web import accounts

READY_TIMEOUT_S = 300
MAX_REQUEST_BYTES = 1_000_000  # webhook requests: Twilio's are a few kilobytes
STOP_TIMEOUT_S = 15


@dataclass(frozen=True)
class LaunchSettings:
    host: str
    port: int
    actions_port: int
    simulator_port: int
    web_port: int
    sqlite_path: Path
    model: Path
    simulated: bool

    @classmethod
    def from_env(cls) -> "LaunchSettings":
        return cls(
            host=os.environ.get("ORIENTA_HOST", "127.0.0.1"),
            port=int(os.environ.get("ORIENTA_PORT", "5005")),
            actions_port=int(os.environ.get("ORIENTA_ACTIONS_PORT", "5055")),
            simulator_port=int(os.environ.get("ORIENTA_SIMULATOR_PORT", "5006")),
            web_port=int(os.environ.get("ORIENTA_WEB_PORT", "5007")),
            sqlite_path=Path(os.environ.get("ORIENTA_SQLITE_PATH", ROOT / "var" / "orienta.db")),
            model=Path(os.environ.get("ORIENTA_MODEL", ROOT / "models" / "orienta.tar.gz")),
            simulated=not os.environ.get("TWILIO_ACCOUNT_SID"),
        )

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
            "ORIENTA_ACTIONS_PORT": str(self.actions_port),
            "ORIENTA_SIMULATOR_PORT": str(self.simulator_port),
            "ORIENTA_WEB_PORT": str(self.web_port),
            "ORIENTA_SQLITE_PATH": str(self.sqlite_path),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_REQUEST_MAX_SIZE": os.environ.get("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES)),
        }
        if self.simulated:
            environment.update(simulator_environment(self.sqlite_path.parent, self.simulator_port))
        return environment


def commands(settings: LaunchSettings) -> List[List[str]]:
    """The servers' command lines, in start order."""
    actions = [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
               "--port", str(settings.actions_port)]
    simulator = [sys.executable, "-m", "bot.simulator"]
    web = [sys.executable, "-m", "bot.web"]
    retention = [sys.executable, "-m", "bot.storage.retention", "--every", "3600"]
    engine = [sys.executable, "-m", "rasa", "run", "--model", str(settings.model),
              "--interface", settings.host, "--port", str(settings.port),
              "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    return [actions, web, retention, *([simulator] if settings.simulated else []), engine]


def health_urls(settings: LaunchSettings) -> List[str]:
    urls = [f"http://127.0.0.1:{settings.actions_port}/health", f"http://127.0.0.1:{settings.port}/",
            f"http://127.0.0.1:{settings.web_port}/login"]
    if settings.simulated:
        urls.append(f"http://127.0.0.1:{settings.simulator_port}/messages")
    return urls


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_ready(processes: List[subprocess.Popen], urls: List[str]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = list(urls)
    while pending:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("A server stopped during start-up; see its output above.")
        if time.monotonic() > deadline:
            raise TimeoutError(f"Not ready after {READY_TIMEOUT_S} s: {', '.join(pending)}")
        pending = [url for url in pending if not answers(url)]
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
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    environment = settings.environment()
    os.environ.update(environment)
    upgrade(database_url())
    engine = engine_for(database_url())
    seed.load(engine)
    if settings.simulated:
        accounts.ensure(engine, DEV_ADMIN, environment[DEV_ADMIN_PASSWORD], "admin")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The servers log to stderr; stdout carries only the launcher's own lines.
    processes = [subprocess.Popen(command, cwd=ROOT, env=environment, stdout=sys.stderr)
                 for command in commands(settings)]
    try:
        wait_until_ready(processes, health_urls(settings))
        print(f"\nOrienta is ready. Open the web chat: {settings.chat_url}", flush=True)
        print(f"Staff pages (directory administration): http://localhost:{settings.web_port}/")
        if settings.simulated:
            print(f"Phone simulator (SMS and WhatsApp through the Twilio webhook): {settings.simulator_url}")
            print(f"Development administrator: user «{DEV_ADMIN}», password {DEV_ADMIN_PASSWORD} "
                  f"in {settings.sqlite_path.parent / 'dev-secrets.env'}")
        print(f"Twilio webhook: http://localhost:{settings.port}/webhooks/twilio/webhook\n"
              f"REST channel: http://localhost:{settings.port}/webhooks/rest/webhook\n"
              "Press Ctrl-C to stop.", flush=True)
        while all(process.poll() is None for process in processes):
            time.sleep(1)
        print("A server stopped; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
