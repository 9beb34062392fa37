"""Throughput, latency and memory under load: `python -m bench.webhook_load` (`make bench`).

Drives multi-turn conversations through the signed Twilio webhook at 1, 10 and 50
concurrent conversations, against Orienta's full stack (signature check, PostgreSQL
conversations, Redis locks and limits, action server, rendering, replies sent to the
Twilio API fake) with one dialogue engine and then with two behind nginx; and, in the
same run, against the stock assistant of `rasa init` over its REST channel. Prints
p50/p95/p99 latency, throughput, errors, start-up time, peak memory of every process,
and our figures as ratios to the stock assistant. Nothing is asserted: the targets are
printed beside the figures.

Settings: BENCH_SECONDS (per level, default 20), BENCH_LEVELS (default "1,10,50").
"""

import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from twilio.request_validator import RequestValidator

from bot.dev_secrets import load_or_create
from bot.run import free_port, listed_processes
from bot.settings import ROOT
from bot.simulator.twilio_form import whatsapp_form
from bot.storage.crypto import new_key
from bot.storage.database import scratch_database

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WARM_UP_S = 3
LEVELS = [int(n) for n in os.environ.get("BENCH_LEVELS", "1,10,50").split(",")]
WORK = ROOT / "var" / "bench"
POSTGRESQL = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
OUR_SCRIPT = ["hola", "1", "1", "me robaron el celular, quiero denunciar", "Puebla", "más", "fuente",
              "quiero protección sin denunciar", "gracias"]
STOCK_SCRIPT = ["hello", "I am sad", "yes", "bye"]
TARGETS = ("Targets: throughput per engine process ≥ 1.5× stock at 10 and 50; p95 < 300 ms at 10; "
           "two engines ≥ 1.4× one; zero errors; < 1.5 GB resident per engine process.")


@dataclass
class Level:
    clients: int
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms) or [float("nan")]
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def row(self, name: str, stock: Optional["Level"] = None) -> str:
        ratio = f"{self.throughput / stock.throughput:5.2f}×" if stock and stock.throughput else "     "
        return (f"{name:<26}{self.clients:>4} {self.throughput:8.1f} msg/s {ratio} "
                f"p50 {self.percentile(0.5):7.0f} ms  p95 {self.percentile(0.95):7.0f} ms  "
                f"p99 {self.percentile(0.99):7.0f} ms  errors {self.errors}")


# A client: (connection, client number, its message number) → HTTP status.
Send = Callable[[http.client.HTTPConnection, int, int], int]


def run_level(host: str, port: int, clients: int, send: Send, seconds: float = SECONDS) -> Level:
    """`clients` conversations at once, each message after the previous reply, for `seconds`."""
    level, lock = Level(clients), threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=120)
        message = 0
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                status = send(connection, number, message)
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200:
                    level.latencies_ms.append(elapsed)
                else:
                    level.errors += 1
            message += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.seconds = time.monotonic() - began
    return level


def post(connection: http.client.HTTPConnection, path: str, body: bytes, headers: Dict[str, str]) -> int:
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def twilio_client(port: int, account_sid: str, auth_token: str, run: str) -> Send:
    """Signed WhatsApp messages through the Twilio webhook, one script per conversation."""
    url = f"http://127.0.0.1:{port}/webhooks/twilio/webhook"
    validator = RequestValidator(auth_token)

    def send(connection: http.client.HTTPConnection, client: int, message: int) -> int:
        # A new person after every script; numbers differ per run, so conversations start fresh.
        person, turn = divmod(message, len(OUR_SCRIPT))
        number = f"+52155{run}{client:02d}{person % 10**4:04d}"
        form = whatsapp_form(account_sid, number, OUR_SCRIPT[turn])
        headers = {"X-Twilio-Signature": validator.compute_signature(url, form),
                   "Content-Type": "application/x-www-form-urlencoded"}
        return post(connection, "/webhooks/twilio/webhook", urllib.parse.urlencode(form).encode(), headers)

    return send


def rest_client(run: str) -> Send:
    def send(connection: http.client.HTTPConnection, client: int, message: int) -> int:
        person, turn = divmod(message, len(STOCK_SCRIPT))
        body = json.dumps({"sender": f"{run}-{client}-{person}", "message": STOCK_SCRIPT[turn]}).encode()
        return post(connection, "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})

    return send


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Started:
    process: subprocess.Popen
    startup_s: float
    processes: List[Tuple[int, str]]  # pid, name
    environment: Dict[str, str] = field(default_factory=dict)  # what the launcher ran with


def wait_for(process: subprocess.Popen, ready: Callable[[str], bool], timeout_s: float = 600) -> str:
    output, deadline = "", time.monotonic() + timeout_s
    while not ready(output):
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError(f"stopped during start-up:\n{output[-2000:]}")
        output += line
        if time.monotonic() > deadline:
            raise TimeoutError("not ready")
    return output


@contextmanager
def stopping(process: subprocess.Popen) -> Iterator[None]:
    try:
        yield
    finally:
        process.terminate()
        process.wait(60)


@contextmanager
def orienta(engines: int, workdir: Path, database: str) -> Iterator[Tuple[Started, int, Dict[str, str]]]:
    """Orienta's production mode (nginx in front when there are two engines)."""
    workdir.mkdir(parents=True, exist_ok=True)
    twilio = load_or_create(workdir)
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "ORIENTA_"))},
           "ORIENTA_PORT": str(port), "ORIENTA_ACTIONS_PORT": str(free_port()),
           "ORIENTA_SIMULATOR_PORT": str(free_port()), "ORIENTA_WEB_PORT": str(free_port()),
           "ORIENTA_SQLITE_PATH": str(workdir / "orienta.db"), "ORIENTA_DATABASE_URL": database,
           "ORIENTA_REDIS_URL": REDIS_URL, "ORIENTA_ENGINES": str(engines),
           "ORIENTA_ACTION_SERVERS": str(engines), "ORIENTA_SENDER_KEY": secrets.token_hex(32),
           "ORIENTA_DATA_KEYS": new_key(), "ORIENTA_SOURCE_RATE": "1000000/60"}
    began = time.monotonic()
    with (workdir / "servers.log").open("a") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        with stopping(process):
            try:
                banner = wait_for(process, lambda text: "Press Ctrl-C" in text)
            except RuntimeError:  # what the launcher said (nginx missing, a server failing) is in its log
                log.flush()
                sys.stderr.write("".join((workdir / "servers.log").read_text().splitlines(True)[-15:]))
                raise
            started = Started(process, time.monotonic() - began,
                              [(pid, name) for pid, name, _ in listed_processes(banner)], env)
            yield started, port, twilio


@contextmanager
def stock(workdir: Path) -> Iterator[Tuple[Started, int]]:
    """The assistant `rasa init` creates (trained once, kept under var/bench/stock)."""
    rasa = [sys.executable, "-m", "rasa"]
    if not list((workdir / "models").glob("*.tar.gz")):
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        print("Training the stock `rasa init` assistant (once)…", flush=True)
        subprocess.run([*rasa, "init", "--no-prompt", "--init-dir", str(workdir)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    began = time.monotonic()
    process = subprocess.Popen([*rasa, "run", "--port", str(port), "--interface", "127.0.0.1"], cwd=workdir,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with stopping(process):
        wait_for(process, lambda text: "Rasa server is up and running" in text)
        yield Started(process, time.monotonic() - began, [(process.pid, "stock dialogue engine")]), port


def memory_lines(started: Started) -> List[str]:
    return [f"    {name:<32} pid {pid:>7}  peak {peak_memory_mb(pid):7.0f} MB" for pid, name in started.processes]


def main() -> None:
    print(f"Webhook load: {SECONDS:.0f} s per level, levels {LEVELS}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}", flush=True)
    results: Dict[str, List[Level]] = {}
    report: List[str] = []
    with stock(WORK / "stock") as (started, port):
        run_level("127.0.0.1", port, 1, rest_client("warm-up"), WARM_UP_S)
        results["stock (rasa init, REST)"] = [run_level("127.0.0.1", port, n, rest_client(f"s{n}")) for n in LEVELS]
        report += [f"stock: start-up {started.startup_s:.1f} s", *memory_lines(started)]
    for engines in (1, 2):
        database = scratch_database(POSTGRESQL, "orienta_bench")
        with database as url, orienta(engines, WORK / f"orienta-{engines}", url) as (started, port, twilio):
            send = lambda run: twilio_client(port, twilio["TWILIO_ACCOUNT_SID"], twilio["TWILIO_AUTH_TOKEN"], run)  # noqa: E731
            run_level("127.0.0.1", port, 1, send(f"9{engines}"), WARM_UP_S)
            name = f"orienta, {engines} engine{'s' if engines > 1 else ''}"
            results[name] = [run_level("127.0.0.1", port, n, send(f"{engines}{i}")) for i, n in enumerate(LEVELS)]
            report += [f"{name}: start-up {started.startup_s:.1f} s", *memory_lines(started)]
    stock_levels = results["stock (rasa init, REST)"]
    print("\nConversation messages (each sent after the previous reply):")
    for name, levels in results.items():
        for level, reference in zip(levels, stock_levels):
            print(level.row(name, None if name.startswith("stock") else reference))
    one, two = results["orienta, 1 engine"], results["orienta, 2 engines"]
    for a, b in zip(one, two):
        print(f"two engines / one at {a.clients:>2} clients: {b.throughput / a.throughput:.2f}×")
    print("\nStart-up (launch to ready) and peak resident memory per process:")
    print("\n".join(report))
    print(f"\n{TARGETS}")


if __name__ == "__main__":
    main()
