"""SMS alerts to staff, on their own numbers, through the Twilio client: the same words as
the e-mail's subject and the inbox link (bot/handoff/alerts.py), nothing of the person.

Sent from ORIENTA_STAFF_ALERT_FROM (one of the deployment's Twilio numbers; `make run`
uses the simulator's), with the deployment's Twilio account; without it, no SMS. Only SMS:
WhatsApp lets a business start a conversation with an approved template only, and an
alert starts one. Each carries the deployment's StatusCallback, as replies do: the sweep
records what went (bot/delivery/statuses.py), so its delivery is counted and its Twilio
record deleted like a reply's (bot/delivery/purge.py).
"""

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy.engine import Engine
from twilio.base import values as twilio_values
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.channels.twilio_sender import QUIET
from bot.delivery import statuses
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
TIMEOUT_S = 10


@dataclass(frozen=True)
class Texter:
    """A Twilio account and the number alerts come from; `api_url` points it elsewhere (the
    simulator); `status_callback`, where Twilio reports each alert's delivery."""

    account_sid: str
    auth_token: str
    sender: str
    api_url: Optional[str] = None
    status_callback: Optional[str] = None

    @classmethod
    def from_env(cls, status_callback: Optional[str] = None) -> Optional["Texter"]:
        """The texter of ORIENTA_STAFF_ALERT_FROM and the Twilio account, or None without them."""
        sender = os.environ.get("ORIENTA_STAFF_ALERT_FROM", "").strip()
        account_sid, auth_token = os.environ.get("TWILIO_ACCOUNT_SID", ""), os.environ.get("TWILIO_AUTH_TOKEN", "")
        if not (sender and account_sid and auth_token):
            return None
        return cls(account_sid, auth_token, sender, os.environ.get("ORIENTA_TWILIO_API_URL") or None, status_callback)

    def _client(self) -> Client:
        client = Client(self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_S, logger=QUIET))
        if self.api_url:
            client.api.base_url = self.api_url
        return client

    def send(self, number: str, text: str) -> Optional[str]:
        """One SMS; Twilio's message id, or None when it could not go (logged without the
        number). The client's timeout bounds each request; bot/handoff/sends.py bounds the
        whole send."""
        try:
            message = self._client().messages.create(to=number, from_=self.sender, body=text,
                                                     status_callback=self.status_callback or twilio_values.unset)
        except (TwilioException, OSError) as error:
            logger.warning("A staff SMS alert could not be sent: %s", type(error).__name__)
            return None
        return message.sid


def text_recorded(texter: Texter, engine: Engine, number: str, text: str) -> bool:
    """One SMS alert, recorded once Twilio has taken it (its status and its deletion follow
    a reply's); False when it could not go."""
    sid = texter.send(number, text)
    if sid is None:
        return False
    with session_scope(engine) as session:
        statuses.alert_sent(session, sid, texter.sender, datetime.now(timezone.utc))
    return True
