"""The REST channel (the web chat's): what it accepts, whose conversation it writes, its
limits and its switch; and the tracker store, which raises where Rasa would exit."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.rate_limit import SlidingWindow, parse_rate
from bot.channels.rest_channel import MAX_MESSAGE_CHARS, CheckedRestInput, conversation_id
from bot.settings import REST_CHANNEL_SWITCH, rest_channel_enabled
from bot.run import listed_processes
from tests.conftest import RunningAssistant
from tests.test_tracker_store import store_for


@pytest.mark.parametrize("backend, sender", [("sqlite", "\ud800"), ("postgresql", "\ud800"), ("postgresql", "a\x00b")])
def test_an_id_the_database_cannot_take_is_an_error_not_an_exit(backend: str, sender: str, tmp_path: Path) -> None:
    store = store_for(backend, tmp_path)
    with pytest.raises(ValueError):  # Rasa's session_scope raised SystemExit here
        asyncio.run(store.get_or_create_tracker(sender))
    after = f"after-{uuid.uuid4().hex}"
    assert asyncio.run(store.get_or_create_tracker(after)).sender_id == after


def rest_channel(on: bool = True, source_rate: str = "100/60", sender_rate: str = "100/60") -> CheckedRestInput:
    return CheckedRestInput(on, SlidingWindow(*parse_rate(source_rate)), SlidingWindow(*parse_rate(sender_rate)))


def post(channel: CheckedRestInput, body: Any, source: str = "192.0.2.1") -> Tuple[int, Any, List[UserMessage]]:
    """Posts a body (bytes as they are, anything else as JSON) to the channel, whose turns
    answer "ok": the status, the answer and the messages that reached the dialogue."""
    received: List[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = asyncio.run(channel.receive(raw, source, on_new_message))
    return answer.status, json.loads(answer.body), received


def test_a_message_goes_to_the_channels_own_conversation_as_written() -> None:
    text = "¿Qué hago? me robaron 🙏 <b>ñ</b>"
    status, answer, received = post(rest_channel(), {"sender": "chat-9_Z", "message": text, "metadata": {"x": 1},
                                                     "input_channel": "twilio"})
    assert status == 200 and [reply["text"] for reply in answer] == ["ok"]
    [message] = received
    assert (message.sender_id, message.text, message.input_channel) == ("web-chat-9_Z", text, "rest")
    assert not message.metadata  # nothing of the client's beyond sender and message
    assert post(rest_channel(), {"sender": "x" * 64, "message": "y" * MAX_MESSAGE_CHARS})[0] == 200
    assert post(rest_channel(), {"sender": "x", "message": ""})[0] == 200


NOT_MESSAGES = [
    b"", b"hola", b"[1]", b'"hola"', b"null", b"\xff\xfe\x00", b"[" * 100_000,
    {"message": "hola"}, {"sender": None, "message": "hola"}, {"sender": "", "message": "hola"},
    {"sender": 7, "message": "hola"}, {"sender": ["a"], "message": "hola"}, {"sender": {"a": 1}, "message": "hola"},
    {"sender": "a b", "message": "hola"}, {"sender": "añ", "message": "hola"}, {"sender": "a\n", "message": "hola"},
    {"sender": "x" * 65, "message": "hola"}, b'{"sender": "\\ud800", "message": "hola"}',
    b'{"sender": "a\\u0000b", "message": "hola"}',
    {"sender": "a"}, {"sender": "a", "message": None}, {"sender": "a", "message": 5}, {"sender": "a", "message": ["x"]},
    {"sender": "a", "message": {"text": "x"}}, b'{"sender": "a", "message": "\\udc00 hola"}',
    {"sender": "a", "message": "a\x00b"}, {"sender": "a", "message": "y" * (MAX_MESSAGE_CHARS + 1)},
]


@pytest.mark.parametrize("body", NOT_MESSAGES, ids=range(len(NOT_MESSAGES)))
def test_what_is_not_a_message_gets_a_400_and_reaches_nothing(body: Any) -> None:
    status, answer, received = post(rest_channel(), body)
    assert status == 400 and answer["error"] and received == []


def test_the_limits_hold_but_never_for_danger_or_the_quick_exit() -> None:
    per_sender = rest_channel(sender_rate="2/60")
    assert [post(per_sender, {"sender": "a", "message": "hola"})[0] for _ in range(3)] == [200, 200, 429]
    assert post(per_sender, {"sender": "b", "message": "hola"})[0] == 200
    per_source = rest_channel(source_rate="2/60")
    assert [post(per_source, {"sender": f"s{n}", "message": "hola"})[0] for n in range(3)] == [200, 200, 429]
    assert post(per_source, {"sender": "s9", "message": "hola"}, source="192.0.2.2")[0] == 200
    for channel in (per_sender, per_source):
        for urgent in ("me va a matar", "me está siguiendo", "salir", "Borrar", "borren mis datos"):
            status, _, received = post(channel, {"sender": "a", "message": urgent})
            assert status == 200 and [m.text for m in received] == [urgent]


def test_off_with_a_real_twilio_account_unless_switched_on() -> None:
    simulator = {"TWILIO_ACCOUNT_SID": "AC1", "ORIENTA_TWILIO_API_URL": "http://127.0.0.1:5006"}
    production = {"TWILIO_ACCOUNT_SID": "AC1"}
    assert rest_channel_enabled({}) and rest_channel_enabled(simulator) and not rest_channel_enabled(production)
    assert rest_channel_enabled({**production, REST_CHANNEL_SWITCH: "on"})
    assert not rest_channel_enabled({**simulator, REST_CHANNEL_SWITCH: "off"})
    with pytest.raises(ValueError):
        rest_channel_enabled({REST_CHANNEL_SWITCH: "yes"})
    status, answer, received = post(rest_channel(on=False), {"sender": "a", "message": "hola"})
    assert status == 404 and answer["error"] and received == []


def all_alive(assistant: RunningAssistant) -> bool:
    """Whether every process the launcher started is still running (none stopped or restarted)."""
    pids = [pid for pid, _, _ in listed_processes(assistant.banner)]
    return bool(pids) and all(Path(f"/proc/{pid}").exists() and
                              Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z" for pid in pids)


def test_a_sender_the_database_cannot_take_is_refused_and_the_engine_lives(assistant: RunningAssistant) -> None:
    def stored_as_default() -> int:  # (a person may well call themselves "default": count, before and after)
        return assistant.query("SELECT count(*) FROM events WHERE sender_id IN ('default', 'web-default')")[0][0]

    already = stored_as_default()
    for body in (b'{"sender": "\\ud800", "message": "hola"}', b'{"sender": "a\\u0000b", "message": "hola"}',
                 b'{"sender": null, "message": "hola"}', b'{"message": "hola"}'):
        status, answer = assistant.post_rest(body)
        assert status == 400 and json.loads(answer)["error"], body
    assert all_alive(assistant)
    assert assistant.conversation().say("hola")
    assert stored_as_default() == already


def test_holding_a_pseudonym_gives_no_way_into_that_conversation(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    phone.say("hola")
    kept = assistant.events(phone.sender_id, "user")
    assert assistant.send(phone.sender_id, "me llamo Eva")  # the pseudonym, as a REST sender
    assert assistant.events(phone.sender_id, "user") == kept
    assert [e["text"] for e in assistant.events(conversation_id(phone.sender_id), "user")] == ["me llamo Eva"]
    assert assistant.send(phone.sender_id, "salir")
    assert assistant.events(phone.sender_id, "user") == kept
    assert assistant.events(conversation_id(phone.sender_id), "user") == []
