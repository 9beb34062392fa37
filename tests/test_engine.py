"""The engine's faster checks and lookups give Rasa's own answers."""

from typing import Any, Dict, List

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses

from bot.engine import conforms, event_class, response_validators, validate_action_result

VALID = {"events": [{"event": "slot", "timestamp": None, "name": "topic", "value": "report_crime"}],
         "responses": [{"response": "utter_guidance", "body": "Te explico los pasos"}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"events": [{"timestamp": 1}]}]
# Variations of every event type, right and wrong, and responses that are not objects.
EVENT_TYPES = sorted(response_validators()[1])
CANDIDATES: List[Dict[str, Any]] = [
    {"events": [event]}
    for name in EVENT_TYPES
    for event in ({"event": name}, {"event": name, "name": "x", "value": 1, "text": "hola"},
                  {"event": name, "name": 5}, {"event": name, "timestamp": "yesterday"},
                  {"event": name, "metadata": []}, {"event": name, "parse_data": {"intent": "x"}},
                  {"event": name, "entities": "x"}, {"event": name, "time": None, "kill_on_user_msg": "no"})
] + [{"events": [5]}, {"events": [{"event": 5}]}, {"events": [{"event": ["slot"]}]}, {"events": None}, {},
     {"responses": "x"}, {"responses": [5]}, {"events": [{"event": "slot", "name": "a"}, {"event": "nope"}]}, []]


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    return RemoteAction("action_report_crime", None)


def rasa_accepts(action: RemoteAction, result: Any) -> bool:
    try:
        return RemoteAction._validate_action_result(action, result)
    except ValidationError:
        return False


def test_a_valid_response_passes(action: RemoteAction) -> None:
    assert validate_action_result(action, VALID) is True
    assert RemoteAction._validate_action_result(action, VALID) is True  # Rasa agrees


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_is_refused_with_rasas_error(action: RemoteAction, result: dict) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        RemoteAction._validate_action_result(action, result)
    with pytest.raises(ValidationError) as ours:
        validate_action_result(action, result)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_every_event_type_is_judged_as_rasa_judges_it(action: RemoteAction) -> None:
    assert len(EVENT_TYPES) == 23
    verdicts = [(conforms(result), rasa_accepts(action, result)) for result in CANDIDATES]
    assert all(ours == rasas for ours, rasas in verdicts)
    assert {True, False} <= {rasas for _, rasas in verdicts}  # both kinds were tried


def test_event_classes_are_rasas() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "slot", "action", "active_loop", "session_started"} <= names
    for name in names:
        assert event_class(name) is next(cls for cls in all_subclasses(Event) if cls.type_name == name)
    assert event_class("topic") is None
    assert event_class("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        event_class("no_such_event")
