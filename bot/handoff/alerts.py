"""E-mails (and the SMS of bot/handoff/staff_texts.py) to staff that a conversation waits in
their observatory's queue.

An alert says only that: which observatory's queue and the inbox link. Never the reason,
a word or a number of the person, nor the handoff's id. Sent through the SMTP server of
ORIENTA_SMTP_URL (`smtp://[user:password@]host[:port]`, STARTTLS when the server offers
it; `smtps://` for TLS from the start), from ORIENTA_SMTP_FROM; without it, no e-mail.
"""

import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import List, Optional
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.text import sentence
from bot.web.models import User

logger = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 10
DEFAULT_FROM = "orienta@localhost"


@dataclass(frozen=True)
class Mailer:
    """An SMTP server and the address alerts come from."""

    host: str
    port: int
    tls: bool
    username: str
    password: str
    sender: str

    @classmethod
    def from_env(cls) -> Optional["Mailer"]:
        """The mailer of ORIENTA_SMTP_URL, or None when it is not set."""
        url = os.environ.get("ORIENTA_SMTP_URL", "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("ORIENTA_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25), tls, unquote(parts.username or ""),
                   unquote(parts.password or ""), os.environ.get("ORIENTA_SMTP_FROM") or DEFAULT_FROM)

    def send(self, recipients: List[str], subject: str, body: str) -> None:
        """One message to every recipient (each sees only their own address)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, self.sender, subject
        message.set_content(body)
        client = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with client(self.host, self.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if not self.tls:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message, to_addrs=recipients)


def inbox_url() -> str:
    """The staff inbox, as staff open it: ORIENTA_STAFF_URL, else the local staff pages."""
    base = os.environ.get("ORIENTA_STAFF_URL") or f"http://127.0.0.1:{os.environ.get('ORIENTA_WEB_PORT', '5007')}"
    return base.rstrip("/") + "/inbox/"


@dataclass(frozen=True)
class Recipients:
    """Where an alert goes: e-mail addresses and phone numbers for SMS."""

    emails: List[str]
    phones: List[str]


def _of_staff(session: Session, column: sa.Column, observatory_id: int, administrators: bool) -> List[str]:
    whose = User.observatory_id == observatory_id
    if administrators:
        whose = sa.or_(whose, User.role == "admin")
    query = sa.select(column).where(User.active.is_(True), column.is_not(None), column != "", whose)
    return sorted(set(session.scalars(query)))


def staff_recipients(session: Session, observatory_id: int, administrators: bool = False) -> Recipients:
    """The e-mail addresses and alert phones of the observatory's active staff (and of every
    active administrator when `administrators`)."""
    return Recipients(_of_staff(session, User.email, observatory_id, administrators),
                      _of_staff(session, User.alert_phone, observatory_id, administrators))


@dataclass(frozen=True)
class Notice:
    """What an alert says: which observatory's queue, whether it is the second alert, and the
    language an interpreter is needed for (its name; "" for none). Nothing of the person."""

    queue: str
    escalated: bool = False
    interpreter: str = ""


def alert_text(notice: Notice) -> tuple[str, str]:
    """Subject and body of an alert: the queue, the interpreter's language and the link, nothing of the person."""
    if notice.escalated:
        subject = f"Orienta: una conversación sigue sin atender en la fila de {notice.queue}"
        opening = "Una conversación lleva tiempo esperando en la fila y nadie la ha tomado todavía."
    else:
        subject = f"Orienta: una conversación espera en la fila de {notice.queue}"
        opening = "Una conversación espera en la fila de su observatorio."
    if notice.interpreter:
        subject = sentence(subject) + f" Se necesita intérprete de {notice.interpreter}"
    return subject, f"{opening}\n\nAbra la bandeja para atenderla: {inbox_url()}\n"


def sms_text(notice: Notice) -> str:
    """An SMS alert: the e-mail's subject and the link, nothing of the person."""
    subject, _ = alert_text(notice)
    return f"{sentence(subject)} {inbox_url()}"


def alert(mailer: Mailer, recipients: List[str], notice: Notice) -> bool:
    """Sends one alert; False (and a log line without any address) when it could not go."""
    if not recipients:
        return False
    subject, body = alert_text(notice)
    try:
        mailer.send(recipients, subject, body)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("A staff alert could not be sent: %s", type(error).__name__)
        return False
    return True
