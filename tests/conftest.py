"""Shared fixtures: the real servers, started as `make run` starts them."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "orienta.tar.gz"
START_TIMEOUT_S = 300
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningAssistant:
    """The launcher's process and how to talk to it over the REST channel."""

    process: subprocess.Popen
    port: int
    sqlite_path: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Posts one message; returns the replies."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def conversation(self) -> "Conversation":
        return Conversation(self, f"test-{uuid.uuid4().hex}")


@dataclass
class Conversation:
    """One person's chat: remembers every reply received."""

    assistant: RunningAssistant
    sender: str
    replies: List[List[Dict[str, Any]]] = field(default_factory=list)

    def say(self, text: str) -> List[str]:
        messages = self.assistant.send(self.sender, text)
        self.replies.append(messages)
        return [message.get("text", "") for message in messages]

    def start(self) -> None:
        """Gets past first contact: safe to talk, Spanish."""
        self.say("hola")
        self.say("1")
        self.say("1")


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """Action server and dialogue engine, launched by `python -m bot.run`."""
    assert MODEL.exists(), "No trained model: run the suite through `make test`."
    workdir = tmp_path_factory.mktemp("assistant")
    port = free_port()
    sqlite_path = workdir / "orienta.db"
    log_path = workdir / "servers.log"
    env = {
        **os.environ,
        "ORIENTA_PORT": str(port),
        "ORIENTA_ACTIONS_PORT": str(free_port()),
        "ORIENTA_SQLITE_PATH": str(sqlite_path),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=log, text=True,
        )
        running = RunningAssistant(process, port, sqlite_path, log_path)
        deadline = time.monotonic() + START_TIMEOUT_S
        banner = ""
        while "Orienta is ready" not in banner:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"bot.run exited: {log_path.read_text()[-3000:]}")
            banner += line
            if time.monotonic() > deadline:
                pytest.fail("bot.run did not become ready")
        running.banner = banner  # type: ignore[attr-defined]
        yield running
        process.terminate()
        process.wait(30)
