"""Sends messages through Twilio's REST API with the official client (async), asks how
they fared, deletes Twilio's records of them, and finds or creates the Content API
resources of replies with options (bot/delivery/contents.py)."""

import json
import logging
from typing import Any, Awaitable, Dict, Optional, Tuple

from twilio.base import values as twilio_values
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentInstance

# The Twilio client logs every request's headers at INFO: thirty lines per message under load.
QUIET = logging.getLogger("orienta.twilio_client")
QUIET.setLevel(logging.WARNING)
TIMEOUT_S = 10.0  # one request to Twilio's API; the courier retries after it


class TwilioSender:
    """A Twilio client; `api_url` points it elsewhere (the local simulator, a test fake).
    With a `status_callback`, every message asks Twilio to report its delivery there."""

    def __init__(self, account_sid: str, auth_token: str, api_url: Optional[str] = None,
                 status_callback: Optional[str] = None) -> None:
        self._credentials = (account_sid, auth_token)
        self._api_url = api_url
        self._status_callback = status_callback
        self._client: Optional[Client] = None

    def _connected(self) -> Client:
        # The async HTTP client opens its session on the running event loop: create it there.
        if self._client is None:
            self._client = Client(*self._credentials,
                                  http_client=AsyncTwilioHttpClient(logger=QUIET, timeout=TIMEOUT_S))
            if self._api_url:
                self._client.api.base_url = self._api_url
                self._client.content.base_url = self._api_url
        return self._client

    async def send(self, to: str, from_: str, body: str = "", media_url: str = "", content_sid: str = "") -> str:
        """Sends one message (text, media such as a voice note, or an approved template);
        returns Twilio's message id."""
        unset = twilio_values.unset
        message = await self._connected().messages.create_async(
            to=to, from_=from_, body=body or unset, media_url=[media_url] if media_url else unset,
            content_sid=content_sid or unset, status_callback=self._status_callback or unset)
        return message.sid

    async def fetch_status(self, message_sid: str) -> Tuple[str, Optional[int]]:
        """How Twilio says a message fared: its status and error code (GET the Message)."""
        message = await self._connected().messages(message_sid).fetch_async()
        return message.status or "", message.error_code

    async def find_content(self, friendly_name: str) -> str:
        """The sid of the account's Content resource of that name, "" if it has none."""
        async for content in await self._connected().content.v1.contents.stream_async():
            if content.friendly_name == friendly_name:
                return content.sid or ""
        return ""

    async def create_content(self, request: Dict[str, Any]) -> str:
        """Creates a Content resource (POST /v1/Content, a JSON body); returns its sid. The
        client's version here lists and fetches contents but has no create: its own request
        helper sends the body Twilio documents."""
        version = self._connected().content.v1
        payload = await version.create_async("POST", "/Content", data=json.dumps(request, ensure_ascii=False),
                                             headers={"Content-Type": "application/json"})
        return ContentInstance(version, payload).sid or ""

    async def delete(self, message_sid: str) -> None:
        """Deletes a message's record and its media from Twilio (each medium first, then the
        message, which Twilio refuses while it is still delivering it: error 20009). What
        Twilio no longer has (404) counts as deleted."""
        message = self._connected().messages(message_sid)
        listed = await _unless_gone(message.media.list_async())
        for medium in listed or ():
            await _unless_gone(message.media(medium.sid).delete_async())
        await _unless_gone(message.delete_async())


async def _unless_gone(request: Awaitable[Any]) -> Any:
    """The request's answer; None when Twilio has no such resource (any more)."""
    try:
        return await request
    except TwilioException as error:
        if status_of(error) == 404:
            return None
        raise


def status_of(error: TwilioException) -> Optional[int]:
    """The HTTP status of Twilio's answer: a failed list page carries its response."""
    if isinstance(error, TwilioRestException):
        return error.status
    return getattr(error.args[-1] if error.args else None, "status_code", None)
