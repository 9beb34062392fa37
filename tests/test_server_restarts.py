"""The guarantees across a restart of PostgreSQL and of Redis: servers of the test's own
(the same Debian binaries as the machine's, on ports of their own), so that restarting
them disturbs nothing else. Every message Twilio got a 200 for is answered once after the
server is back; while PostgreSQL is away a message is refused (Twilio retries it), never
accepted and lost."""

import glob
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

import pytest

from bot.run import free_port
from tests.conftest import running_assistant
from tests.test_guarantees import replies_arrive, started, user_texts

POSTGRESQL_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]) if glob.glob("/usr/lib/postgresql/*/bin") else None


class PrivatePostgreSQL:
    """A PostgreSQL cluster in a temporary folder of the `postgres` user, run as that user."""

    def __init__(self) -> None:
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="orienta-pg-")), free_port()
        shutil.chown(self.folder, "postgres")
        self._as_postgres("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(POSTGRESQL_BIN / tool), *args], check=True,
                       capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.folder / "data"), "-w", "-l", str(self.folder / "log"),
                          "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes"], check=True, capture_output=True)
        time.sleep(0.3)

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)


@contextmanager
def servers() -> Iterator[List[object]]:
    postgresql, redis = PrivatePostgreSQL(), PrivateRedis()
    postgresql.start()
    redis.start()
    try:
        yield [postgresql, redis]
    finally:
        redis.stop()
        postgresql.stop()
        postgresql.remove()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    if POSTGRESQL_BIN is None:
        pytest.fail("PostgreSQL's binaries are missing: `make services` installs them.")
    with servers() as (postgresql, redis):
        extra = {"ORIENTA_DATABASE_URL": postgresql.url, "ORIENTA_REDIS_URL": redis.url,
                 "ORIENTA_TURN_TIMEOUT_S": "5"}
        with running_assistant(tmp_path_factory.mktemp("restarts"), extra) as assistant:
            yield assistant, postgresql, redis


def test_a_redis_restart_loses_nothing(deployment: tuple) -> None:
    assistant, _, redis = deployment
    phone = assistant.phone("sms")
    started(phone)
    redis.stop()
    try:
        assert phone.send("2") == 200  # recorded; its turn waits for the conversation lock
    finally:
        redis.start()
    assert replies_arrive(phone, 1, timeout=60)
    assert user_texts(assistant, phone) == ["hola", "1", "1", "2"]
    assert phone.say("menú")


def test_a_postgresql_restart_loses_nothing(deployment: tuple) -> None:
    assistant, postgresql, _ = deployment
    phone = assistant.phone("whatsapp")
    started(phone)
    postgresql.stop()
    try:
        form = phone.form("2")
        assert assistant.post_webhook(form) != 200  # not recorded: refused, Twilio retries
    finally:
        postgresql.start()
    deadline = time.monotonic() + 30
    while assistant.post_webhook(form) != 200:  # Twilio's retry, the same MessageSid
        assert time.monotonic() < deadline, "the retry was never accepted"
        time.sleep(1)
    assert replies_arrive(phone, 1, timeout=60)
    assert user_texts(assistant, phone) == ["hola", "1", "1", "2"]
    assert phone.say("menú")
