"""The waiting-handoff sweep: staff hear that a conversation waits, and one nobody claims
in time is escalated.

Every dialogue engine sweeps every SWEEP_S (started with the Twilio channel). A waiting
handoff whose observatory's staff were not yet alerted (a new one, or one just
transferred or escalated) gets an alert to that observatory's active staff (e-mail and SMS,
bot/handoff/alerts.py). One still waiting ORIENTA_HANDOFF_ESCALATE_AFTER minutes after it
began waiting where it is (it started, or was transferred there) is escalated: to the
national desk, if one with staff is designated and it is not there already (the person is
told where it went, the desk's staff are alerted); else, once, its staff and every
administrator are alerted again and the person is told, through the outbox, that the
conversation is still in the queue and which lines answer now (the directory's national
lines). Each step is taken by one conditional update of the handoff's row, so with several
engines exactly one does it.
"""

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.directory.models import Organisation
from bot.directory.nearest import Directory
from bot.directory.reply_parts import lines_parts
from bot.handoff import alerts, routing
from bot.handoff.alerts import Mailer, Recipients
from bot.handoff.models import Handoff, StaffAudit
from bot.handoff.service import about
from bot.handoff.staff_texts import Texter
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.statistics.record import handoff_step
from bot.storage import contacts
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope

logger = logging.getLogger(__name__)
SWEEP_S = 5.0
DEFAULT_ESCALATE_AFTER_MIN = 15.0
_ROWS = Handoff.__table__.c
CATALOGUES = Catalogues.load()


def escalate_after() -> timedelta:
    """ORIENTA_HANDOFF_ESCALATE_AFTER: minutes a handoff may wait unclaimed (default 15)."""
    minutes = float(os.environ.get("ORIENTA_HANDOFF_ESCALATE_AFTER") or DEFAULT_ESCALATE_AFTER_MIN)
    if minutes <= 0:
        raise ValueError("ORIENTA_HANDOFF_ESCALATE_AFTER must be a positive number of minutes")
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class Swept:
    """What one sweep did."""

    alerted: int
    escalated: int


def _claim(session: Session, handoff_id: int, column: str, now: datetime) -> bool:
    """Marks a step done for a still-waiting handoff; False if another process did it first."""
    mark = _ROWS[column]
    claimed = session.execute(sa.update(Handoff.__table__).where(
        _ROWS.id == handoff_id, _ROWS.status == "waiting", mark.is_(None)).values({mark: now}))
    return bool(claimed.rowcount)


_UNALERTED = sa.or_(_ROWS.alerted_observatory_id.is_(None), _ROWS.alerted_observatory_id != _ROWS.observatory_id)


def _claim_alert(session: Session, handoff_id: int) -> bool:
    """Marks a waiting handoff's observatory alerted; False if another process did it first."""
    claimed = session.execute(sa.update(Handoff.__table__).where(
        _ROWS.id == handoff_id, _ROWS.status == "waiting", _UNALERTED).values(
        alerted_observatory_id=_ROWS.observatory_id))
    return bool(claimed.rowcount)


def _move_to_desk(session: Session, handoff: Handoff, desk: Organisation, now: datetime) -> bool:
    """Moves a waiting handoff to the desk, unless it changed hands meanwhile (its custody moved on)."""
    moved = session.execute(sa.update(Handoff.__table__).where(
        _ROWS.id == handoff.id, _ROWS.status == "waiting", _ROWS.custody == handoff.custody).values(
        observatory_id=desk.id, waiting_since=now, custody=_ROWS.custody + 1))
    if not moved.rowcount:
        return False
    session.add(StaffAudit(at=now, action="escalate", case_ref=handoff.case_ref, handoff_id=handoff.id,
                           sender_id=handoff.sender_id, detail=f"→ {desk.name}"[:200]))
    return True


WAITING_SINCE = sa.func.coalesce(_ROWS.waiting_since, _ROWS.created_at)


def _waiting(session: Session, *conditions: sa.sql.ColumnElement) -> List[int]:
    query = sa.select(_ROWS.id).where(_ROWS.status == "waiting", *conditions)
    return list(session.scalars(query.order_by(_ROWS.id)))


class WaitingSweep:
    """Alerts staff of new handoffs and escalates the ones left waiting."""

    def __init__(self, engine: Engine, sealer: Sealer, mailer: Optional[Mailer], after: timedelta,
                 texter: Optional[Texter] = None) -> None:
        self.engine, self.sealer, self.mailer, self.after, self.texter = engine, sealer, mailer, after, texter
        self.directory = Directory(engine)

    async def run(self) -> None:
        """Sweeps until cancelled."""
        while True:
            try:
                await asyncio.to_thread(self.sweep, datetime.now(timezone.utc))
            except Exception:  # the database is away: sweep again later
                logger.exception("The waiting-handoff sweep could not read the handoffs.")
            await asyncio.sleep(SWEEP_S)

    def sweep(self, now: datetime) -> Swept:
        """Alerts and escalates what is due at `now`."""
        alerted = 0
        if self.mailer is not None or self.texter is not None:
            with session_scope(self.engine) as session:
                due = _waiting(session, _UNALERTED)
            alerted = sum(self._alert(handoff_id) for handoff_id in due)
        with session_scope(self.engine) as session:
            due = _waiting(session, _ROWS.escalated_at.is_(None), WAITING_SINCE <= now - self.after)
        escalated = sum(self._escalate(handoff_id, now) for handoff_id in due)
        if alerted or escalated:
            logger.info("Waiting handoffs: %d alerted, %d escalated.", alerted, escalated)
        return Swept(alerted, escalated)

    def _alert(self, handoff_id: int) -> bool:
        """The alert of one handoff to its observatory, at most once (not sent again if the server failed)."""
        with session_scope(self.engine) as session:
            if not _claim_alert(session, handoff_id):
                return False
            observatory, recipients = self._observatory_and_staff(session, handoff_id, administrators=False)
        self._notify(recipients, observatory, escalated=False)
        return True

    def _notify(self, recipients: Recipients, observatory: Organisation, escalated: bool) -> None:
        """E-mails and SMS to staff: nothing of the person in either."""
        if self.mailer is not None:
            alerts.alert(self.mailer, recipients.emails, observatory, escalated)
        if self.texter is not None:
            self.texter.send(recipients.phones, alerts.sms_text(observatory, escalated))

    def _escalate(self, handoff_id: int, now: datetime) -> bool:
        """To the desk, else the lines: tells the person (in the claim's transaction), and
        alerts staff and administrators when it comes to the lines."""
        with session_scope(self.engine) as session:
            handoff, desk = session.get(Handoff, handoff_id), routing.staffed_desk(session)
            if desk is not None and handoff.observatory_id != desk.id:
                origin = session.get(Organisation, handoff.observatory_id).name
                if not _move_to_desk(session, handoff, desk, now):
                    return False
                handoff_step(session, "to_desk", desk.id)
                self._tell(session, handoff, "utter_handoff_to_desk", {"observatory": origin, "desk": desk.name},
                           about(desk), now)
                return True
        lines = self.directory.index().unlocated(["national_line"])
        with session_scope(self.engine) as session:
            if not _claim(session, handoff_id, "escalated_at", now):
                return False
            handoff_step(session, "escalated", session.get(Handoff, handoff_id).observatory_id)
            observatory, recipients = self._observatory_and_staff(session, handoff_id, administrators=True)
            self._tell(session, session.get(Handoff, handoff_id), "utter_handoff_escalated",
                       {"observatory": observatory.name}, lines_parts(lines), now)
        self._notify(recipients, observatory, escalated=True)
        return True

    def _observatory_and_staff(self, session: Session, handoff_id: int,
                               administrators: bool) -> tuple[Organisation, Recipients]:
        handoff = session.get(Handoff, handoff_id)
        observatory = session.get(Organisation, handoff.observatory_id)
        session.expunge(observatory)  # read after the transaction, for the alert's words
        return observatory, alerts.staff_recipients(session, handoff.observatory_id, administrators)

    def _tell(self, session: Session, handoff: Handoff, key: str, values: Dict[str, Any],
              parts: List[Dict[str, Any]], now: datetime) -> None:
        """Tells the person, through the outbox, in the caller's transaction."""
        contact = contacts.find(session, self.sealer, handoff.sender_id)
        if contact is None:  # the web chat: nothing to send through the outbox
            return
        text = render(key, handoff.language, CATALOGUES, values, parts=parts)["text"]
        outbox.enqueue(session, self.sealer, handoff.sender_id, contact, [Reply(text)], outbox.ASSISTANT, now)
