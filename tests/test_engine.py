"""The engine's compiled check of action server responses accepts and refuses as Rasa does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.engine import validate_action_result

VALID = {"events": [{"event": "slot", "timestamp": None, "name": "topic", "value": "report_crime"}],
         "responses": [{"response": "utter_guidance", "body": "Te explico los pasos"}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"events": [{"timestamp": 1}]}]


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    return RemoteAction("action_report_crime", None)


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
