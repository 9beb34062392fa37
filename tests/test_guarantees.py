"""The guarantees under fault, through the running assistant on SQLite and PostgreSQL:
every accepted message kept and answered once, in order; every reply delivered (or its
failure counted); safety never rate-limited or blocked by a conversation's size; a turn cut
off by a dying process run again from the state before it, never twice (docs/security.md).

Faults: bursts of simultaneous messages, Twilio's API answering 500, hanging or
unreachable (the simulator's fault switch), the action server and the dialogue engine
killed with SIGKILL mid-turn."""

import json
import os
import signal
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, List

import pytest

from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.run import children
from bot.channels.outgoing_text import sms_text
from tests.conftest import Phone, RunningAssistant

CATALOGUES = Catalogues.load()
DANGER = "me va a matar, me está siguiendo"
DELIVERY_WAIT_S = 40  # the courier's backoff reaches 1 + 2 + 5 + 15 s before this


def text(key: str) -> str:
    return render(key, "es", CATALOGUES, {})["text"]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not within {timeout} s: {what}")
        time.sleep(0.2)


@contextmanager
def twilio_api(assistant: RunningAssistant, mode: str) -> Iterator[None]:
    """The Twilio API fake misbehaving for the block, then answering again."""
    def switch(to: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{assistant.simulator_port}/faults",
                                         data=json.dumps({"mode": to}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
    switch(mode)
    try:
        yield
    finally:
        switch("ok")


def replies_arrive(phone: Phone, count: int, timeout: float = DELIVERY_WAIT_S) -> List[str]:
    got: List[str] = []
    wait_for(lambda: bool(got.extend(phone.replies())) or len(got) >= count, timeout, f"{count} replies")
    return got


def started(phone: Phone) -> None:
    """Past first contact, in Spanish, at the main menu."""
    for message in ("hola", "1", "1"):
        assert phone.say(message)


def user_texts(assistant: RunningAssistant, phone: Phone) -> List[str]:
    return [event["text"] for event in assistant.events(phone.sender_id, "user")
            if not event["text"].startswith("/")]


def test_simultaneous_bursts_of_five_people_are_kept_whole(assistant: RunningAssistant) -> None:
    people = [assistant.phone("sms") for _ in range(5)]
    for phone in people:
        for n in range(15):
            assert phone.send(f"antes {n}") == 200
    burst = [(phone, f"ráfaga {n}") for phone in people for n in range(20)]
    with ThreadPoolExecutor(max_workers=len(burst)) as pool:
        statuses = list(pool.map(lambda sent: sent[0].send(sent[1]), burst))
    assert statuses == [200] * len(burst)
    for phone in people:
        stored = user_texts(assistant, phone)
        assert stored[:15] == [f"antes {n}" for n in range(15)]  # in order
        assert Counter(stored[15:]) == Counter(f"ráfaga {n}" for n in range(20))  # each once


def test_danger_and_the_exit_are_answered_over_the_rate_limit(assistant: RunningAssistant) -> None:
    phone = assistant.phone("sms")
    for n in range(21):
        assert phone.send(f"mensaje {n}") == 200
    phone.replies()
    assert phone.say(DANGER)[0] == sms_text(text("utter_danger"))
    assert phone.say("salir") == [sms_text(text("utter_quick_exit"))]
    assert assistant.query("SELECT count(*) FROM events WHERE sender_id = ?", phone.sender_id) == [(0,)]


def test_a_request_to_delete_data_is_answered_over_the_rate_limit(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    started(phone)
    for n in range(21):
        assert phone.send(f"mensaje {n}") == 200
    phone.replies()
    assert phone.say("borrar mis datos") == [text("utter_data_deleted")]
    assert assistant.query("SELECT count(*) FROM contacts WHERE sender_id = ?", phone.sender_id) == [(0,)]


def test_a_huge_conversation_still_answers_danger_and_the_exit(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    started(phone)
    for n in range(4):
        assert phone.send(f"{n} " + "palabra " * 7_500) == 200  # 60,000 characters each
        assert text("utter_long_message") in phone.delivered(2, timeout=30)
    phone.delivered(99, timeout=2)
    assert text("utter_danger") in phone.say(DANGER) + phone.delivered(1)
    stored = [event for event in assistant.events(phone.sender_id, "user") if event["text"].startswith("0 ")]
    assert len(stored[0]["text"]) <= 4096 + 3 and len(stored[0]["metadata"]["full_text"]) == 60_002  # kept for staff
    assert phone.say("salir") == [text("utter_quick_exit")]


@pytest.mark.parametrize("mode", ["error", "drop", "hang"])
def test_a_danger_reply_waits_out_a_failing_twilio_and_is_delivered(assistant: RunningAssistant, mode: str) -> None:
    phone = assistant.phone("sms")
    with twilio_api(assistant, mode):
        began = time.monotonic()
        assert phone.send(DANGER) == 200
        assert time.monotonic() - began < 12  # Twilio waits 15 s for the webhook
        assert phone.replies() == []
    assert replies_arrive(phone, 1)[0] == sms_text(text("utter_danger"))
    assert phone.say("hola")  # and the conversation goes on
    counts = assistant.query("SELECT count(*) FROM outbox WHERE sender_id = ? AND sent_at IS NULL", phone.sender_id)
    assert counts == [(0,)]


def test_a_danger_reply_whatsapp_refuses_goes_by_sms(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    sms = Phone(assistant, "sms", phone.number)  # the same person's number, by SMS
    with twilio_api(assistant, "whatsapp-error"):
        assert phone.send(DANGER) == 200
        assert replies_arrive(sms, 1)[0] == sms_text(text("utter_danger"))


def test_a_message_replayed_after_the_exit_brings_nothing_back(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    form = phone.form("me llamo Ana y vivo en la calle Roble 12")
    assert assistant.post_webhook(form) == 200
    phone.replies()
    assert phone.say("salir") == [text("utter_quick_exit")]
    assert assistant.post_webhook(form) == 200  # a captured request, replayed
    assert assistant.query("SELECT count(*) FROM events WHERE sender_id = ?", phone.sender_id) == [(0,)]
    assert "Roble" not in assistant.everything_stored()


def test_an_overlong_media_type_keeps_the_message(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert phone.send("hola", media=("audio/" + "x" * 200, "https://api.twilio.com/media/1")) == 200
    assert "hola" in user_texts(assistant, phone)


def pid_of(assistant: RunningAssistant, name: str) -> int:
    """The current pid of a process, as the launcher restarted it."""
    command = {"action server 1": "bot.action_server", "dialogue engine 1": "bot.engine"}[name]
    return next(pid for pid, line in children(assistant.process.pid).items() if command in line)


def answers_again(assistant: RunningAssistant) -> bool:
    try:
        return bool(assistant.phone("sms").say("hola"))
    except Exception:
        return False


def test_while_the_action_server_is_down_danger_and_the_exit_are_answered_and_the_rest_after_it(
        faulty: RunningAssistant) -> None:
    """One crash of the action server, three people: the web chat gets a clear "send it
    again", and 911 (with the crisis line for self-harm); a quick exit is carried out at
    once; a message that needs the action server is answered once it is back, none doubled."""
    waiting, leaving, chat = faulty.phone("sms"), faulty.phone("sms"), faulty.conversation()
    started(waiting)
    started(leaving)
    chat.start()
    os.kill(pid_of(faulty, "action server 1"), signal.SIGKILL)
    body = json.dumps({"sender": chat.chat_sender, "message": "1"}).encode()
    status, answer = faulty.post_rest(body)
    assert status == 503 and b"send it again" in answer
    assert leaving.send("salir") == 200
    assert waiting.send("1") == 200  # how to report: needs the action server
    assert chat.say(DANGER)[0] == text("utter_danger")
    assert chat.say("ya no quiero vivir")[0] == text("utter_danger_self_harm")  # with its crisis line

    assert replies_arrive(leaving, 1, timeout=30) == [sms_text(text("utter_quick_exit"))]
    for table in ("events", "contacts", "processed_messages"):
        assert faulty.query(f"SELECT count(*) FROM {table} WHERE sender_id = ?", leaving.sender_id) == [(0,)]
    replies = replies_arrive(waiting, 3, timeout=120)  # the steps anywhere (two messages), then where
    assert len(replies) == 3 and replies[-1].startswith(sms_text(text("utter_ask_state")).splitlines()[0])
    assert user_texts(faulty, waiting).count("1") == 3  # the safety, language and this answer: none doubled
    wait_for(lambda: faulty.post_rest(body)[0] == 200, 120, "the action server back")


# PostgreSQL with Redis: tests/test_production.py kills an engine mid-turn behind nginx.
@pytest.mark.parametrize("faulty", ["sqlite"], indirect=True)
def test_an_engine_killed_mid_turn_runs_it_again_from_before_it(faulty: RunningAssistant) -> None:
    phone = faulty.phone("sms")
    started(phone)
    action_server = pid_of(faulty, "action server 1")
    os.kill(action_server, signal.SIGSTOP)  # the turn waits for the action server
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(phone.send, "2")  # protection without a complaint
            time.sleep(2)
            os.kill(pid_of(faulty, "dialogue engine 1"), signal.SIGKILL)
            pending.exception()
    finally:
        os.kill(action_server, signal.SIGCONT)
    wait_for(lambda: answers_again(faulty), 180, "the restarted engine answering")
    replies = replies_arrive(phone, 3, timeout=60)  # protection anywhere (two messages), then where
    assert len(replies) == 3 and replies[-1].startswith(sms_text(text("utter_ask_state")).splitlines()[0])
    assert user_texts(faulty, phone) == ["hola", "1", "1", "2"]  # the cut-off turn stored once
    time.sleep(8)  # longer than the takeover timeout: nothing runs it a second time
    assert phone.replies() == []


def test_an_engine_killed_while_sending_sends_the_stored_reply_once(faulty: RunningAssistant) -> None:
    phone = faulty.phone("sms")
    started(phone)
    with twilio_api(faulty, "hang"):
        assert phone.send("me robaron el celular") == 200
        wait_for(lambda: bool(faulty.query("SELECT count(*) FROM outbox WHERE sender_id = ? AND sent_at IS NULL",
                                           phone.sender_id)[0][0]), 20, "the reply stored")
        os.kill(pid_of(faulty, "dialogue engine 1"), signal.SIGKILL)
    wait_for(lambda: answers_again(faulty), 180, "the restarted engine answering")
    replies = replies_arrive(phone, 1, timeout=90)
    assert len(replies) == len(set(replies))
    assert user_texts(faulty, phone).count("me robaron el celular") == 1
