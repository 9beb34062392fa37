"""The padding attack through the real channels, against the running assistant on SQLite
and PostgreSQL: one person who erases and writes again (signed Twilio webhook), or a web
chat client that chooses new conversation ids and forged forwarding headers, to lift a cell
of one real person to the threshold. Each is counted once a day; a second person, twice."""

import http.client
import json
import time
import uuid
from typing import Dict

from bot.statistics import record
from tests.conftest import RunningAssistant

DANGER = "me quiero morir"
ROUNDS = 4


def people(assistant: RunningAssistant, kind: str) -> int:
    """Today's people of a kind, folded or pending."""
    day = record.today().isoformat()
    folded = assistant.query("SELECT COALESCE(SUM(people), 0) FROM stat_counts WHERE kind = ? AND day = ?", kind, day)
    pending = assistant.query("SELECT COUNT(*) FROM stat_pending WHERE kind = ? AND day = ?", kind, day)
    return int(folded[0][0]) + int(pending[0][0])


def settled(assistant: RunningAssistant, kind: str, target: int, timeout: float = 20) -> int:
    """The count once it reached `target` (counts run beside the replies) and a moment more."""
    deadline = time.monotonic() + timeout
    while people(assistant, kind) < target and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    return people(assistant, kind)


def web_chat(assistant: RunningAssistant, address: str, sender: str, text: str, headers: Dict[str, str]) -> int:
    """A web chat message from a client at `address` (a loopback address of its own)."""
    connection = http.client.HTTPConnection("127.0.0.1", assistant.port, timeout=60, source_address=(address, 0))
    try:
        connection.request("POST", "/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}),
                           {"Content-Type": "application/json", **headers})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def test_one_person_erasing_and_writing_again_over_twilio_is_counted_once(assistant: RunningAssistant) -> None:
    danger, exits = people(assistant, "danger"), people(assistant, "exit")
    padder = assistant.phone("whatsapp")
    for _ in range(ROUNDS):
        assert any("911" in reply for reply in padder.say(DANGER))
        assert len(padder.say("salir")) == 1
    assert settled(assistant, "danger", danger + 1) == danger + 1
    assert people(assistant, "exit") == exits + 1
    assistant.phone("sms").say(DANGER)  # another person
    assert settled(assistant, "danger", danger + 2) == danger + 2


def test_a_web_chat_client_choosing_new_ids_is_counted_once(assistant: RunningAssistant) -> None:
    danger = people(assistant, "danger")
    for n in range(ROUNDS):  # new ids, and forwarding headers the channel does not trust
        forged = {"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"203.0.113.{n}", "Forwarded": f"for=192.0.2.{n}"}
        assert web_chat(assistant, "127.0.0.3", uuid.uuid4().hex, DANGER, forged) == 200
        assert web_chat(assistant, "127.0.0.3", uuid.uuid4().hex, "salir", forged) == 200
    assert settled(assistant, "danger", danger + 1) == danger + 1
    assert web_chat(assistant, "127.0.0.4", uuid.uuid4().hex, DANGER, {}) == 200  # another person
    assert settled(assistant, "danger", danger + 2) == danger + 2
