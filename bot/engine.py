"""`python -m bot.engine run …`: Rasa's dialogue engine (`rasa run`), with two guarantees
and two measured fixes.

Guarantees:

- A turn whose custom action failed (the action server down, restarting, refusing, or not
  answering within ACTION_TIMEOUT_S) is a failed turn: `TurnFailed` is raised and nothing of it is saved, so it can be run again
  from the state before it (bot/channels/recovery.py). Rasa would log the error, save the
  turn without the action's events and answer nothing.
- What an action call carries is bounded, however long the conversation: the last
  ACTION_EVENTS events, the texts left out of all messages but the latest of each side
  (the actions read the slots, the message being answered, the reply it answers and the
  recent steps, never older texts).

Fixes:

Profiled under load (README, "Under load"), two pieces of Rasa's own work took a fifth of
the engine's time without changing any result:

- Every action server response is checked against a schema whose events are a `oneOf` of
  23 event types, so each event was checked against all 23. Here each event is checked
  against the one type its `event` field names (the 23 are told apart by that constant
  alone), with validators built once; anything refused goes to Rasa's own check, which
  raises Rasa's error.
- Reading a conversation looks up each stored event's class by walking every subclass of
  `Event` (about 50 events per conversation, 30 classes each time). Here the classes are
  looked up by name in a table, rebuilt whenever a name is not in it yet.

And for every channel, what a person writes stays their words:

- Rasa reads any message that starts with "/" as an intent with entities
  ("/confirm_handoff", '/choose_language{"language": "nah"}'), whoever typed it. Here only
  the inputs a channel writes itself, marked in their metadata (the Twilio channel's
  location pins and media, bot/channels/turns.py), are read that way; any other text is
  classified by the NLU model. An option chosen by its number becomes its payload in the
  action server (actions/options.py), never through this parse.
- No log line carries message text, whatever Rasa and sanic log (bot/logging_privacy.py).

skops (the format of the classifiers in the Rasa model) is imported before Rasa: its
import looks through every loaded module, about 1 s before Rasa and TensorFlow are
loaded and 5 s or more after, at every start of each engine.
"""

import asyncio
import sys
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import skops.io  # noqa: F401 (first: see above)
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import METADATA
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

from bot import logging_privacy
from bot.channels.turns import PAYLOAD

_validate_with_rasa = RemoteAction._validate_action_result
_read_payloads = RegexMessageHandler.process
_remote_run = RemoteAction.run
_remote_call_format = RemoteAction._action_call_format
_run_action = MessageProcessor._run_action
_event_classes: Dict[Text, Type[Event]] = {}
_failed_actions: ContextVar[Optional[List[Text]]] = ContextVar("failed_actions", default=None)
ACTION_EVENTS = 60  # recent events an action call carries
ACTION_TIMEOUT_S = 8.0  # an action call that hangs fails the turn (Rasa waits five minutes)
_TEXT_FIELDS = ("text", "parse_data", "data", "metadata")


class TurnFailed(Exception):
    """A custom action of this turn failed: the turn is not saved."""


async def run_remote_action(action: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
    """RemoteAction.run within ACTION_TIMEOUT_S, remembering a failure for the turn (Rasa
    swallows it)."""
    try:
        return await asyncio.wait_for(_remote_run(action, *args, **kwargs), ACTION_TIMEOUT_S)
    except ActionExecutionRejection:
        raise
    except Exception:
        failed = _failed_actions.get()
        if failed is not None:
            failed.append(action.name())
        raise


async def run_action(processor: MessageProcessor, action: Any, *args: Any, **kwargs: Any) -> bool:
    """MessageProcessor._run_action, raising TurnFailed when a custom action failed."""
    failed: List[Text] = []
    token = _failed_actions.set(failed)
    try:
        result = await _run_action(processor, action, *args, **kwargs)
    finally:
        _failed_actions.reset(token)
    if failed:
        raise TurnFailed(f"custom action {failed[0]} failed")
    return result


def bounded(state: Dict[Text, Any]) -> Dict[Text, Any]:
    """A tracker state with only the recent events; of the messages, only the latest one
    of each side (what the person is answering, and what they answered) keeps its text."""
    recent = (state.get("events") or [])[-ACTION_EVENTS:]
    latest = {kind: max((i for i, event in enumerate(recent) if event.get("event") == kind), default=None)
              for kind in ("user", "bot")}
    state["events"] = [event if event.get("event") not in latest or i == latest[event["event"]]
                       else {key: value for key, value in event.items() if key not in _TEXT_FIELDS}
                       for i, event in enumerate(recent)]
    return state


def action_call_format(action: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """RemoteAction._action_call_format with a bounded tracker."""
    call = _remote_call_format(action, tracker, domain)
    call["tracker"] = bounded(call["tracker"])
    return call


def _compiled(schema: Dict[Text, Any]) -> Validator:
    return validator_for(schema)(schema)


@lru_cache(maxsize=None)
def response_validators() -> Tuple[Validator, Dict[Text, Validator]]:
    """A validator of the response around its events, and one validator per event type."""
    schema = RemoteAction.action_response_format_spec()
    events = schema["properties"]["events"]
    item = events["items"]
    around = {**schema, "properties": {**schema["properties"], "events": {**events, "items": {}}}}
    common = {key: value for key, value in item.items() if key != "oneOf"}
    per_type = {branch["properties"]["event"]["const"]: _compiled({"allOf": [common, branch]})
                for branch in item["oneOf"]}
    return _compiled(around), per_type


def conforms(result: Any) -> bool:
    """Whether an action server response satisfies Rasa's schema."""
    around, per_type = response_validators()
    if not around.is_valid(result):
        return False
    for event in result.get("events", []):
        name = event.get("event") if isinstance(event, dict) else None
        if not isinstance(name, str) or name not in per_type or not per_type[name].is_valid(event):
            return False
    return True


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result, faster: True, or Rasa's error."""
    return conforms(result) or _validate_with_rasa(action, result)


def event_class(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Event.resolve_by_type from a table: the same class (the first subclass of `Event`
    with that name, in Rasa's order), the same default and the same error."""
    if type_name not in _event_classes:
        for cls in all_subclasses(Event):
            _event_classes.setdefault(cls.type_name, cls)
    if type_name in _event_classes:
        return _event_classes[type_name]
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def read_channel_payloads(handler: RegexMessageHandler, messages: List[Message],
                          domain: Optional[Domain] = None) -> List[Message]:
    """RegexMessageHandler.process, for the inputs a channel marked as its own only: a
    person's text, "/" first or not, keeps the model's classification."""
    return [_read_payloads(handler, [message], domain)[0] if (message.get(METADATA) or {}).get(PAYLOAD)
            else message for message in messages]


def install() -> None:
    logging_privacy.install()
    RegexMessageHandler.process = read_channel_payloads
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = run_remote_action
    RemoteAction._action_call_format = action_call_format
    MessageProcessor._run_action = run_action
    Event.resolve_by_type = staticmethod(event_class)


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
