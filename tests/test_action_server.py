"""The action server answers only the dialogue engine: on loopback, and only calls that
carry the shared secret (ORIENTA_ACTIONS_TOKEN, sent by Rasa as `?token=`)."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from bot.dev_secrets import load_or_create
from bot.run import listed_processes
from tests.conftest import ROOT, RunningAssistant

TOKEN = "ORIENTA_ACTIONS_TOKEN"


def action_server(assistant: RunningAssistant) -> str:
    """The first action server's base URL, as the launcher's banner lists it."""
    return next(url for _, name, url in listed_processes(assistant.banner)
                if name.startswith("action server")).removesuffix("/health")


def start_handoff_call(sender_id: str, observatory_id: int) -> Dict[str, Any]:
    """What the engine posts to run `action_start_handoff` for a conversation: here one
    nobody had, handed to an observatory the caller chose."""
    tracker = {"sender_id": sender_id, "slots": {"welcomed": True, "handoff_observatory": str(observatory_id)},
               "latest_message": {}, "events": [], "paused": False, "followup_action": None,
               "active_loop": {}, "latest_action_name": None}
    return {"next_action": "action_start_handoff", "sender_id": sender_id, "tracker": tracker,
            "domain": {}, "version": "3.6.2"}


def post(url: str, body: Dict[str, Any], token: Optional[str]) -> int:
    query = f"?{urllib.parse.urlencode({'token': token})}" if token is not None else ""
    request = urllib.request.Request(f"{url}/webhook{query}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_call_without_the_shared_secret_is_refused_and_changes_nothing(assistant: RunningAssistant) -> None:
    url, sender_id = action_server(assistant), f"invented-{uuid.uuid4().hex}"
    call = start_handoff_call(sender_id, assistant.observatory_id("Observatorio Ciudadano de Durango"))
    for wrong in (None, "", "not-the-token"):
        assert post(url, call, wrong) == 401
    token = load_or_create(assistant.sqlite_path.parent)[TOKEN]
    assert post(url, call, token[:-1]) == post(url, call, token + "x") == 401
    handoffs = "SELECT count(*) FROM handoffs WHERE sender_id = ?"
    assert assistant.query(handoffs, sender_id) == [(0,)]
    with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
        assert response.status == 200  # the launcher's readiness check needs no secret
    assert post(url, call, token) == 200  # the engine's call, with the secret, does what it says
    assert assistant.query(handoffs, sender_id) == [(1,)]


def machine_addresses() -> List[str]:
    """This machine's addresses other than loopback."""
    return subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=True).stdout.split()


def test_the_action_server_listens_on_loopback_only(assistant: RunningAssistant) -> None:
    port = urllib.parse.urlsplit(action_server(assistant)).port
    socket.create_connection(("127.0.0.1", port), 5).close()
    addresses = machine_addresses()
    if not addresses:
        pytest.skip("this machine has no address besides loopback")
    for address in addresses:
        try:
            socket.create_connection((address, port), 5).close()
        except ConnectionRefusedError:
            continue
        raise AssertionError(f"the action server answers on {address}:{port}")


def run_without_token(module: str, extra_env: Dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**{name: value for name, value in os.environ.items() if not name.startswith(("TWILIO_", "ORIENTA_"))},
           "ORIENTA_SQLITE_PATH": str(tmp_path / "orienta.db"), "ORIENTA_ACTIONS_PORT": "0", **extra_env}
    return subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_without_a_secret_no_action_server_starts(tmp_path: Path) -> None:
    alone = run_without_token("bot.action_server", {}, tmp_path)
    assert alone.returncode != 0 and TOKEN in alone.stderr
    with_twilio = run_without_token("bot.run", {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
                                                "TWILIO_AUTH_TOKEN": "0" * 32}, tmp_path)
    assert with_twilio.returncode == 1 and TOKEN in with_twilio.stderr
    assert not (tmp_path / "orienta.db").exists()  # refused before anything was started
