"""The launcher (`python -m bot.run`) when one of its processes keeps failing (in the fault
tests' deployment, `faulty` in tests/conftest.py): that process is restarted again and
again, later each time, and every other one goes on serving; and its banner, which names
only what is served."""

import os
import re
import signal
import time
from typing import Optional

import pytest

from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.run import LaunchSettings, answers, children, listed_processes, print_banner
from tests.conftest import RunningAssistant

KILLS = 4  # more than one within 30 s: the old launcher stopped everything at the second
COMEBACK_TIMEOUT_S = 240


def next_engine(assistant: RunningAssistant, staff_url: str, killed: Optional[int]) -> int:
    """The dialogue engine's process once the launcher has started one other than `killed`;
    meanwhile the launcher runs and the staff pages answer."""
    deadline = time.monotonic() + 120
    while True:
        assert assistant.process.poll() is None, "the launcher stopped"
        assert answers(staff_url), "the staff pages stopped answering"
        engines = [pid for pid, command in children(assistant.process.pid).items()
                   if "bot.engine" in command and pid != killed]
        if engines:
            return engines[0]
        assert time.monotonic() < deadline, "the dialogue engine was not restarted"
        time.sleep(0.2)


@pytest.mark.parametrize("faulty", ["sqlite"], indirect=True)
def test_a_process_that_keeps_failing_is_restarted_and_the_others_keep_serving(faulty: RunningAssistant) -> None:
    urls = {name: url for _, name, url in listed_processes(faulty.banner)}
    staff_url, engine_url = urls["staff pages"], urls["dialogue engine 1"]
    logged_before = len(faulty.log_path.read_text())
    began, killed = time.monotonic(), None
    for _ in range(KILLS):
        killed = next_engine(faulty, staff_url, killed)
        os.kill(killed, signal.SIGKILL)
    assert time.monotonic() - began < 30
    deadline = time.monotonic() + COMEBACK_TIMEOUT_S
    while not answers(engine_url):  # left alone, the engine comes back
        assert faulty.process.poll() is None, "the launcher stopped"
        assert answers(staff_url), "the staff pages stopped answering"
        assert time.monotonic() < deadline, "the dialogue engine did not come back"
        time.sleep(0.5)
    welcome = render("utter_welcome", "es", Catalogues.load(), {})["text"]
    assert faulty.conversation().say("hola") == [welcome]
    log = faulty.log_path.read_text()[logged_before:]
    delays = [int(delay) for delay in re.findall(
        r"dialogue engine 1 stopped \(exit code -9\).*next attempt in (\d+) s", log)]
    assert len(delays) == KILLS and delays == sorted(delays) and delays[-1] > delays[0], delays


@pytest.mark.parametrize("switch", ["on", "off"])
def test_the_banner_names_the_web_chat_and_rest_channel_only_when_they_are_served(
        switch: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ORIENTA_REST_CHANNEL", switch)
    print_banner(LaunchSettings.from_env(), [], [])
    banner = capsys.readouterr().out
    assert ("/webhooks/rest/webhook" in banner) == (switch == "on")
    assert ("/webhooks/webchat/" in banner) == (switch == "on")
    assert "/webhooks/twilio/webhook" in banner and "Press Ctrl-C" in banner
