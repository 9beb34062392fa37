"""The action server: rasa-sdk's application for the `actions` package, answering only
the dialogue engine.

It listens on loopback unless told otherwise (`--host`, default ORIENTA_ACTIONS_HOST or
127.0.0.1), and every call but /health must carry the shared secret ORIENTA_ACTIONS_TOKEN
as `?token=` (what Rasa's action endpoint sends, see endpoints.yml); any other call gets
401 and runs nothing. Without the secret it does not start.

`python -m bot.action_server --port 5055` (the launcher starts it so).
"""

import argparse
import hmac
import logging
import os
import sys
from typing import Optional

import bot.without_tensorflow  # noqa: F401 (first: see the module)
from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.dev_secrets import ACTIONS_TOKEN
from bot.directory.resolver import resolver

OPEN_PATHS = frozenset({"/health"})  # the launcher's readiness check


def app_for(token: str) -> Sanic:
    """rasa-sdk's application for `actions`, refusing calls without `token`."""
    app = create_app("actions")
    expected = token.encode()

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or hmac.compare_digest(request.args.get("token", "").encode(), expected):
            return None
        return response.json({"error": "Unauthorised"}, status=401)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Orienta's action server")
    parser.add_argument("--host", default=os.environ.get("ORIENTA_ACTIONS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ORIENTA_ACTIONS_PORT", "5055")))
    arguments = parser.parse_args()
    token = os.environ.get(ACTIONS_TOKEN)
    if not token:
        sys.exit(f"{ACTIONS_TOKEN} is not set: the action server answers only calls that carry it.")
    utils.configure_colored_logging(logging.INFO)  # as rasa-sdk's own command line
    utils.update_sanic_log_level()
    # Every message is read for a place (actions/places.py): load the place resolver and its
    # Spanish model (about a second) before the first message, not during it.
    resolver()
    # No access log: its request lines would carry the secret.
    app_for(token).run(arguments.host, arguments.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
