"""Sends messages through Twilio's REST API with the official client (async)."""

import logging
from typing import Optional

from twilio.base import values as twilio_values
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

# The Twilio client logs every request's headers at INFO: thirty lines per message under load.
QUIET = logging.getLogger("orienta.twilio_client")
QUIET.setLevel(logging.WARNING)


class TwilioSender:
    """A Twilio client; `api_url` points it elsewhere (the local simulator, a test fake)."""

    def __init__(self, account_sid: str, auth_token: str, api_url: Optional[str] = None) -> None:
        self._credentials = (account_sid, auth_token)
        self._api_url = api_url
        self._client: Optional[Client] = None

    def _connected(self) -> Client:
        # The async HTTP client opens its session on the running event loop: create it there.
        if self._client is None:
            self._client = Client(*self._credentials, http_client=AsyncTwilioHttpClient(logger=QUIET))
            if self._api_url:
                self._client.api.base_url = self._api_url
        return self._client

    async def send(self, to: str, from_: str, body: str = "", media_url: Optional[str] = None) -> str:
        """Sends one message (text, or media such as a voice note); returns Twilio's message id."""
        media = [media_url] if media_url else twilio_values.unset
        message = await self._connected().messages.create_async(to=to, from_=from_, body=body or twilio_values.unset,
                                                                 media_url=media)
        return message.sid


def sync_client(account_sid: str, auth_token: str, api_url: Optional[str] = None) -> Client:
    """A blocking Twilio client, for the staff pages (a WSGI application)."""
    client = Client(account_sid, auth_token)
    if api_url:
        client.api.base_url = api_url
    return client
