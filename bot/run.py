"""Starts Orienta on one machine: the action server, then the dialogue engine.

`python -m bot.run` (what `make run` calls) waits until both answer, prints where to open
the web chat, and stops both cleanly on Ctrl-C or SIGTERM. Settings come from the
environment, with embedded defaults: a SQLite file under var/, ports 5005 and 5055.
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

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 300
STOP_TIMEOUT_S = 15


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    actions_port: int
    sqlite_path: Path
    model: Path

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            host=os.environ.get("ORIENTA_HOST", "127.0.0.1"),
            port=int(os.environ.get("ORIENTA_PORT", "5005")),
            actions_port=int(os.environ.get("ORIENTA_ACTIONS_PORT", "5055")),
            sqlite_path=Path(os.environ.get("ORIENTA_SQLITE_PATH", ROOT / "var" / "orienta.db")),
            model=Path(os.environ.get("ORIENTA_MODEL", ROOT / "models" / "orienta.tar.gz")),
        )

    @property
    def chat_url(self) -> str:
        return f"http://localhost:{self.port}/webhooks/webchat/"

    def environment(self) -> Dict[str, str]:
        """The environment both servers run with (endpoints.yml reads it)."""
        return {
            **os.environ,
            "ORIENTA_ACTIONS_PORT": str(self.actions_port),
            "ORIENTA_SQLITE_PATH": str(self.sqlite_path),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }


def commands(settings: Settings) -> List[List[str]]:
    """The action server and dialogue engine command lines, in start order."""
    actions = [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
               "--port", str(settings.actions_port)]
    engine = [sys.executable, "-m", "rasa", "run", "--model", str(settings.model),
              "--interface", settings.host, "--port", str(settings.port),
              "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    return [actions, engine]


def health_urls(settings: Settings) -> List[str]:
    return [f"http://127.0.0.1:{settings.actions_port}/health", f"http://127.0.0.1:{settings.port}/"]


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
    settings = Settings.from_env()
    if not settings.model.exists():
        print(f"No trained model at {settings.model}: run `make run` or `make train`.", file=sys.stderr)
        return 1
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = [subprocess.Popen(command, cwd=ROOT, env=settings.environment())
                 for command in commands(settings)]
    try:
        wait_until_ready(processes, health_urls(settings))
        print(f"\nOrienta is ready. Open the web chat: {settings.chat_url}\n"
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
