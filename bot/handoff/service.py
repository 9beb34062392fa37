"""Opening, following and closing handoffs; which observatories take them; when they answer
(the route a handoff takes is bot/handoff/routing.py)."""

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.directory.catalogue import catalogue
from bot.directory.models import Organisation
from bot.handoff import hours
from bot.handoff.models import Handoff, HandoffMessage
from bot.statistics.record import handoff_step
from bot.storage.crypto import Sealer
from bot.web.models import User

logger = logging.getLogger(__name__)
OPEN = ("waiting", "active")
NOTIFY_TIMEOUT_S = 3


@dataclass(frozen=True)
class Span:
    """A handoff's own stretch of the conversation: from the close of the person's previous
    handoff (or the conversation's start) to its own close (or now, while it is open)."""

    start: Optional[datetime]
    end: Optional[datetime]

    def contains(self, at: datetime) -> bool:
        return (self.start is None or at > self.start) and (self.end is None or at <= self.end)


@dataclass(frozen=True)
class Availability:
    """Whether an observatory's staff are in now, and if not, when."""

    state: str  # open, closed, unknown
    hours_text: str = ""
    next_opening: Optional[datetime] = None


def staffed_observatories(session: Session) -> List[Organisation]:
    """Active observatories with at least one active staff account: those that take handoffs."""
    staffed = sa.select(User.observatory_id).where(User.active.is_(True), User.role == "staff",
                                                   User.observatory_id.is_not(None))
    query = sa.select(Organisation).where(
        Organisation.active.is_(True), Organisation.kind == "observatory", Organisation.id.in_(staffed)
    )
    return list(session.scalars(query.order_by(Organisation.id)))


def point_of(organisation: Organisation) -> Optional[Tuple[float, float]]:
    if organisation.latitude is not None and organisation.longitude is not None:
        return organisation.latitude, organisation.longitude
    municipality = catalogue().municipalities.get(organisation.municipality_key or "")
    return municipality.point if municipality else None


def about(observatory: Organisation) -> List[Dict[str, Any]]:
    """What the person is told of an observatory that would read their conversation (reply
    parts): where it is, and whether the ONC network confirms it as a member."""
    municipality = catalogue().municipalities.get(observatory.municipality_key or "")
    where = [{"key": "handoff_where", "values": {"place": municipality.label}}] if municipality else []
    membership = "handoff_onc_member" if observatory.onc_network == "member" else "handoff_onc_unconfirmed"
    return [*where, {"key": membership}]


def availability(organisation: Organisation, now: datetime) -> Availability:
    """Whether the observatory's staff are in at `now` ("unknown" when it lists no hours)."""
    if not organisation.handoff_hours:
        return Availability("unknown")
    schedule = hours.parse(organisation.handoff_hours, organisation.state_key)
    if schedule.is_open(now):
        return Availability("open", organisation.handoff_hours)
    return Availability("closed", organisation.handoff_hours, schedule.next_opening(now))


def answers_now(organisation: Organisation, now: datetime) -> bool:
    """Whether its staff could answer at `now`: within its staffed hours, or it lists none."""
    return availability(organisation, now).state != "closed"


def on_duty_since(organisation: Organisation, since: datetime, now: datetime) -> timedelta:
    """How much of the time from `since` to `now` its staff were in (all of it when it lists no hours)."""
    if not organisation.handoff_hours:
        return now - since
    return hours.parse(organisation.handoff_hours, organisation.state_key).open_between(since, now)


def open_for(session: Session, sender_id: str) -> Optional[Handoff]:
    """The conversation's handoff in progress, if any."""
    query = sa.select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(OPEN))
    return session.scalars(query.order_by(Handoff.id.desc())).first()


def span(session: Session, handoff: Handoff) -> Span:
    """What of the conversation belongs to `handoff`: what another observatory saw in an
    earlier handoff, or what the person writes after this one closed, does not."""
    earlier = sa.select(sa.func.max(Handoff.closed_at)).where(Handoff.sender_id == handoff.sender_id,
                                                              Handoff.id < handoff.id)
    return Span(session.scalar(earlier), handoff.closed_at)


def start(session: Session, sender_id: str, observatory_id: int, reason: str, language: str,
          interpreter_language: Optional[str] = None) -> Tuple[Handoff, bool]:
    """The open handoff of the conversation, opening one if needed (True if it is new)."""
    existing = open_for(session, sender_id)
    if existing:
        return existing, False
    now = datetime.now(timezone.utc)
    handoff = Handoff(sender_id=sender_id, observatory_id=observatory_id, status="waiting", reason=reason,
                      language=language, interpreter_language=interpreter_language, created_at=now,
                      waiting_since=now)
    session.add(handoff)
    session.flush()
    handoff_step(session, "requested", observatory_id)
    return handoff, True


def back_to_waiting(handoff: Handoff, observatory_id: int, now: datetime) -> None:
    """The handoff waits again, at `observatory_id` (a transfer, or its holder's account gone):
    a new custody span, its waiting time counted from now, escalation possible again, and
    the observatory's staff alerted as for a new one."""
    handoff.observatory_id, handoff.status, handoff.claimed_by = observatory_id, "waiting", None
    handoff.waiting_since, handoff.escalated_at, handoff.custody = now, None, handoff.custody + 1
    handoff.alerted_observatory_id = None  # its observatory's staff hear of it again, a release's included


def record(session: Session, sealer: Sealer, handoff: Handoff, kind: str, text: str,
           author_id: Optional[int] = None) -> HandoffMessage:
    message = HandoffMessage(handoff_id=handoff.id, sender_id=handoff.sender_id, kind=kind, author_id=author_id,
                             sealed_text=sealer.seal(text), at=datetime.now(timezone.utc))
    session.add(message)
    return message


def record_from_person(session: Session, sealer: Sealer, sender_id: str, text: str) -> bool:
    """Keeps a message the person sent while a handoff is open; False if none is open."""
    handoff = open_for(session, sender_id)
    if handoff is None:
        return False
    record(session, sealer, handoff, "person", text)
    return True


def notify_new_handoff(handoff: Handoff, observatory: Organisation) -> None:
    """Tells ORIENTA_HANDOFF_WEBHOOK_URL that a handoff waits: ids and names only, no victim content."""
    url = os.environ.get("ORIENTA_HANDOFF_WEBHOOK_URL")
    if not url:
        return
    body = json.dumps({"event": "handoff_waiting", "handoff_id": handoff.id,
                       "observatory_id": observatory.id, "observatory": observatory.name}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=NOTIFY_TIMEOUT_S).close()
    except (urllib.error.URLError, OSError) as error:
        logger.warning("Handoff notification failed: %s", type(error).__name__)
