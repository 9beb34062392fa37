"""Serves the web chat page at /webhooks/webchat/ on the dialogue engine's port.

The page talks to our REST channel (/webhooks/rest/webhook, bot/channels/rest_channel.py)
from the same origin, so no CORS set-up is needed; it is served only while that channel
is on.
"""

import os
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import REST_CHANNEL_SWITCH, rest_channel_enabled

PAGE = Path(__file__).with_name("static") / "chat.html"


class WebChatInput(InputChannel):
    """The page only; messages go through the REST channel."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webchat = Blueprint("webchat", __name__)
        served = rest_channel_enabled(os.environ)

        @webchat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not served:
                return response.text(f"The web chat is off ({REST_CHANNEL_SWITCH}).", status=404)
            return await response.file(PAGE, mime_type="text/html; charset=utf-8")

        return webchat
