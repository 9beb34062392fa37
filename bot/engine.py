"""`python -m bot.engine run …`: Rasa's dialogue engine (`rasa run`), with two measured fixes.

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
"""

import sys
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple, Type

from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
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
_event_classes: Dict[Text, Type[Event]] = {}


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
    Event.resolve_by_type = staticmethod(event_class)


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
