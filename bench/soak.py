"""`make soak`: a few minutes of mixed traffic from many simulated people against the
production mode (two engines and two action servers behind nginx, PostgreSQL, Redis),
with faults injected at random; prints accepted / answered / delivered / lost.

Each person writes a conversation (first contact, a robbery to report, a state, danger,
help nearby); each message is posted as Twilio posts it, signed, and — as Twilio does with
retries configured — posted again with the same MessageSid when it gets no 200. Faults,
one every FAULT_EVERY_S: the Twilio API fake answering 500, hanging or dropping the
connection for a while; SIGKILL of a dialogue engine or of an action server; a Redis
restart; a PostgreSQL restart (this restarts the machine's server: run it alone).

After the traffic, the run waits for everything to settle, then reads the database:
accepted = messages Twilio got a 200 for; answered = accepted messages whose turn was
saved exactly once; delivered = replies sent; lost = accepted messages with no saved turn,
turns saved twice, and replies neither sent nor still being retried. Lost must be 0.
Nothing is asserted; the figures are printed (README, "Guarantees under fault").

Settings: SOAK_SECONDS (default 180), SOAK_PEOPLE (default 30), SOAK_FAULTS (default
"twilio,engine,actions,redis,postgresql").
"""

import json
import os
import random
import secrets
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from typing import Callable, Dict, List

import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bench.webhook_load import POSTGRESQL, WORK, orienta
from bot.run import children
from bot.simulator.twilio_form import message_sid, whatsapp_form
from bot.storage.crypto import Sealer
from bot.storage.database import engine_for, scratch_database

SECONDS = float(os.environ.get("SOAK_SECONDS", "180"))
PEOPLE = int(os.environ.get("SOAK_PEOPLE", "30"))
FAULTS = os.environ.get("SOAK_FAULTS", "twilio,engine,actions,redis,postgresql").split(",")
FAULT_EVERY_S = 12
SETTLE_S = 120
SCRIPT = ["hola", "1", "1", "me robaron el celular", "Puebla", "más", "me está siguiendo", "3", "Oaxaca", "gracias"]
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
               "--appendonly", "no"]


class Traffic:
    """People writing through the signed webhook; what Twilio got a 200 for."""

    def __init__(self, port: int, twilio: Dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{port}/webhooks/twilio/webhook"
        self.account_sid, self.validator = twilio["TWILIO_ACCOUNT_SID"], RequestValidator(twilio["TWILIO_AUTH_TOKEN"])
        self.accepted: List[str] = []
        self.refused = 0
        self.lock = threading.Lock()

    def post(self, form: Dict[str, str]) -> int:
        request = urllib.request.Request(self.url, data=urllib.parse.urlencode(form).encode(), headers={
            "X-Twilio-Signature": self.validator.compute_signature(self.url, form)})
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def person(self, number: str, until: float) -> None:
        turn = 0
        while time.monotonic() < until:
            form = whatsapp_form(self.account_sid, number, SCRIPT[turn % len(SCRIPT)], sid=message_sid())
            for _ in range(8):  # Twilio's retries of one message: the same MessageSid
                if self.post(form) == 200:
                    with self.lock:
                        self.accepted.append(form["MessageSid"])
                    break
                time.sleep(1.5)
            else:
                with self.lock:
                    self.refused += 1
            turn += 1
            time.sleep(random.uniform(0.2, 1.5))


def set_twilio_api(simulator_port: int, mode: str) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{simulator_port}/faults", headers={
        "Content-Type": "application/json"}, data=json.dumps({"mode": mode}).encode())
    urllib.request.urlopen(request, timeout=10).read()


def faults(parent: int, simulator_port: int) -> Dict[str, Callable[[], None]]:
    def twilio() -> None:
        set_twilio_api(simulator_port, random.choice(["error", "hang", "drop"]))
        time.sleep(random.uniform(3, 8))
        set_twilio_api(simulator_port, "ok")

    def kill(marker: str) -> Callable[[], None]:
        return lambda: os.kill(random.choice([pid for pid, line in children(parent).items() if marker in line]), 9)

    def redis() -> None:
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)
        time.sleep(2)
        subprocess.run(REDIS_START, check=True, capture_output=True)

    def postgresql() -> None:
        cluster = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
                       check=True, capture_output=True)

    every = {"twilio": twilio, "engine": kill("bot.engine"), "actions": kill("action_server"),
             "redis": redis, "postgresql": postgresql}
    return {name: every[name] for name in FAULTS}


def tally(database: str, data_key: str, accepted: List[str]) -> Dict[str, int]:
    """What became of the accepted messages, read from the database."""
    sealer, engine = Sealer([data_key]), engine_for(database)
    with engine.begin() as connection:
        turns = Counter(json.loads(sealer.open(data)).get("message_id") for (data,) in connection.execute(
            sa.text("SELECT data FROM events WHERE type_name = 'user'")))
        outbox = dict(connection.execute(sa.text(
            "SELECT CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN failed_at IS NOT NULL THEN 'given_up'"
            " ELSE 'waiting' END, count(*) FROM outbox GROUP BY 1")).all())
    answered = sum(1 for sid in accepted if turns[sid] >= 1)
    doubled = sum(1 for sid in accepted if turns[sid] > 1 and sid is not None)
    return {"accepted": len(accepted), "answered": answered, "delivered": outbox.get("sent", 0),
            "lost": len(accepted) - answered + doubled + outbox.get("waiting", 0),
            "doubled": doubled, "given_up": outbox.get("given_up", 0)}


def main() -> None:
    work = WORK / "soak"
    with scratch_database(POSTGRESQL, "orienta_soak") as database, orienta(2, work, database) as (started, port, twilio):
        traffic = Traffic(port, twilio)
        until = time.monotonic() + SECONDS
        people = [threading.Thread(target=traffic.person, args=(f"+52155{secrets.randbelow(10**8):08d}", until))
                  for _ in range(PEOPLE)]
        for person in people:
            person.start()
        injected: Counter = Counter()
        simulator_port = int(started.environment["ORIENTA_SIMULATOR_PORT"])
        available = faults(started.process.pid, simulator_port)
        while time.monotonic() < until - FAULT_EVERY_S:
            time.sleep(FAULT_EVERY_S)
            name = random.choice(sorted(available))
            available[name]()
            injected[name] += 1
        for person in people:
            person.join()
        time.sleep(SETTLE_S)
        figures = tally(database, started.environment["ORIENTA_DATA_KEYS"], traffic.accepted)
    print(f"Soak {SECONDS:.0f} s, {PEOPLE} people, faults: "
          + ", ".join(f"{name} ×{count}" for name, count in sorted(injected.items())))
    print(f"accepted {figures['accepted']}  answered {figures['answered']}  delivered {figures['delivered']}  "
          f"lost {figures['lost']}  (turns doubled {figures['doubled']}, replies given up {figures['given_up']}, "
          f"never accepted after 8 tries {traffic.refused})")


if __name__ == "__main__":
    main()
