"""The waiting-handoff sweep: staff hear that a conversation waits, and one nobody claims
in time is escalated.

Every dialogue engine sweeps every SWEEP_S (started with the Twilio channel). A waiting
handoff whose observatory's staff were not yet alerted (a new one, or one just
transferred or escalated) gets an alert to that observatory's active staff (e-mail and SMS,
bot/handoff/alerts.py; the interpreter's language named, if one is needed). One still
waiting ORIENTA_HANDOFF_ESCALATE_AFTER minutes of its staff's hours after it began waiting
where it is (it started, or was transferred there; bot/handoff/due.py) is escalated: to
the national desk, if one with staff is designated, answers now and it is not there
already (the person is told where it went, the desk's staff are alerted); else, once, its
staff and every administrator are alerted again and the person is told, through the
outbox, that the conversation is still in the queue and which lines answer now (the
directory's national lines). Each step is taken by one conditional update of the
handoff's row that finds it still as it was selected (waiting, in the same custody), so
with several engines exactly one does it, a sweep moves a handoff one step at most, and a
handoff claimed or transferred meanwhile is left alone. The sends of a sweep are bounded
in time (bot/handoff/sends.py), and one handoff that fails does not stop the others.
"""

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, Callable, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.directory.models import Organisation
from bot.directory.nearest import Directory
from bot.directory.reply_parts import lines_parts
from bot.handoff import alerts, routing, staff_texts
from bot.handoff.alerts import Mailer, Notice, Recipients
from bot.handoff.due import TO_DESK, next_step
from bot.handoff.models import Handoff, StaffAudit
from bot.handoff.service import about
from bot.handoff.sends import Limits, Round
from bot.handoff.staff_texts import Texter
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.statistics.record import handoff_step
from bot.storage import contacts
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.web.labels import language

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


def _still_as_selected(due: Row) -> sa.sql.ColumnElement:
    """The handoff is still waiting, unescalated, in the custody it was selected in (no claim,
    transfer, release or escalation since): each step re-checks it in its own UPDATE."""
    return sa.and_(_ROWS.id == due.id, _ROWS.status == "waiting", _ROWS.escalated_at.is_(None),
                   _ROWS.custody == due.custody)


def _claim_lines(session: Session, due: Row, now: datetime) -> bool:
    """Marks the handoff told of the lines; False if it changed or another process did it first."""
    return bool(session.execute(sa.update(Handoff.__table__).where(_still_as_selected(due))
                                .values(escalated_at=now)).rowcount)


_UNALERTED = sa.or_(_ROWS.alerted_observatory_id.is_(None), _ROWS.alerted_observatory_id != _ROWS.observatory_id)


def _claim_alert(session: Session, handoff_id: int) -> bool:
    """Marks a waiting handoff's observatory alerted; False if another process did it first."""
    claimed = session.execute(sa.update(Handoff.__table__).where(
        _ROWS.id == handoff_id, _ROWS.status == "waiting", _UNALERTED).values(
        alerted_observatory_id=_ROWS.observatory_id))
    return bool(claimed.rowcount)


def _move_to_desk(session: Session, due: Row, desk: Organisation, now: datetime) -> bool:
    """Moves the handoff to the desk, unless it changed since it was selected."""
    moved = session.execute(sa.update(Handoff.__table__).where(_still_as_selected(due)).values(
        observatory_id=desk.id, waiting_since=now, custody=_ROWS.custody + 1))
    if not moved.rowcount:
        return False
    handoff = session.get(Handoff, due.id)
    session.add(StaffAudit(at=now, action="escalate", case_ref=handoff.case_ref, handoff_id=handoff.id,
                           sender_id=handoff.sender_id, detail=f"→ {desk.name}"[:200]))
    return True


WAITING_SINCE = sa.func.coalesce(_ROWS.waiting_since, _ROWS.created_at)


def _waiting(session: Session, *conditions: sa.sql.ColumnElement) -> List[Row]:
    """Waiting handoffs (id, custody, observatory_id, since), as they are at this moment."""
    query = sa.select(_ROWS.id, _ROWS.custody, _ROWS.observatory_id, WAITING_SINCE.label("since")).where(
        _ROWS.status == "waiting", *conditions)
    return list(session.execute(query.order_by(_ROWS.id)))


def _each(due: List[Row], step: Callable[[Row], bool]) -> int:
    """How many of `due` the step was taken for: one that fails does not stop the others."""
    done = 0
    for row in due:
        try:
            done += step(row)
        except Exception as error:
            logger.warning("A waiting handoff could not be alerted or escalated: %s", type(error).__name__)
    return done


class WaitingSweep:
    """Alerts staff of new handoffs and escalates the ones left waiting."""

    def __init__(self, engine: Engine, sealer: Sealer, mailer: Optional[Mailer], after: timedelta,
                 texter: Optional[Texter] = None, limits: Limits = Limits()) -> None:
        self.engine, self.sealer, self.mailer, self.after, self.texter = engine, sealer, mailer, after, texter
        self.limits = limits
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
        """Alerts and escalates what is due at `now` (each handoff at most one step)."""
        sends = Round(self.limits)
        alerted = 0
        if self.mailer is not None or self.texter is not None:
            with session_scope(self.engine) as session:
                due = _waiting(session, _UNALERTED)
            alerted = _each(due, lambda row: self._alert(row.id, sends))
        with session_scope(self.engine) as session:
            due = _waiting(session, _ROWS.escalated_at.is_(None), WAITING_SINCE <= now - self.after)
        escalated = _each(due, lambda row: self._escalate(row, now, sends))
        sends.finish()
        if alerted or escalated:
            logger.info("Waiting handoffs: %d alerted, %d escalated.", alerted, escalated)
        return Swept(alerted, escalated)

    def _alert(self, handoff_id: int, sends: Round) -> bool:
        """The alert of one handoff to its observatory, at most once (not sent again if the server failed)."""
        with session_scope(self.engine) as session:
            if not _claim_alert(session, handoff_id):
                return False
            recipients, notice = self._staff_and_notice(session, handoff_id, escalated=False)
        self._notify(sends, recipients, notice)
        return True

    def _notify(self, sends: Round, recipients: Recipients, notice: Notice) -> None:
        """E-mails and SMS to staff, each on its own: nothing of the person in either. An SMS
        Twilio took is recorded for its delivery status and its deletion from Twilio."""
        if self.mailer is not None and recipients.emails:
            sends.send("e-mail", partial(alerts.alert, self.mailer, recipients.emails, notice))
        if self.texter is not None:
            text = alerts.sms_text(notice)
            for number in recipients.phones:
                sends.send("SMS", partial(staff_texts.text_recorded, self.texter, self.engine, number, text))

    def _escalate(self, due: Row, now: datetime, sends: Round) -> bool:
        """One step, if it is due (bot/handoff/due.py) and the handoff is still as selected:
        to the desk, else the lines. Tells the person (in the step's transaction), and
        alerts staff and administrators when it comes to the lines."""
        lines = lines_parts(self.directory.index().unlocated(["national_line"]))
        with session_scope(self.engine) as session:
            observatory, desk = session.get(Organisation, due.observatory_id), routing.staffed_desk(session)
            step = next_step(observatory, desk, due.since, now, self.after)
            if step == TO_DESK:
                if not _move_to_desk(session, due, desk, now):
                    return False
                handoff_step(session, "to_desk", desk.id)
                self._tell(session, due.id, "utter_handoff_to_desk", {"observatory": observatory.name,
                                                                      "desk": desk.name}, about(desk), now)
                return True
            if step is None or not _claim_lines(session, due, now):
                return False
            handoff_step(session, "escalated", observatory.id)
            self._tell(session, due.id, "utter_handoff_escalated", {"observatory": observatory.name}, lines, now)
            recipients, notice = self._staff_and_notice(session, due.id, escalated=True)
        self._notify(sends, recipients, notice)
        return True

    @staticmethod
    def _staff_and_notice(session: Session, handoff_id: int, escalated: bool) -> tuple[Recipients, Notice]:
        """Who hears of the handoff (administrators too for the second alert), and what they hear."""
        handoff = session.get(Handoff, handoff_id)
        interpreter = language(handoff.interpreter_language) if handoff.interpreter_language else ""
        notice = Notice(session.get(Organisation, handoff.observatory_id).name, escalated, interpreter)
        return alerts.staff_recipients(session, handoff.observatory_id, escalated), notice

    def _tell(self, session: Session, handoff_id: int, key: str, values: Dict[str, Any],
              parts: List[Dict[str, Any]], now: datetime) -> None:
        """Tells the person, through the outbox, in the caller's transaction."""
        handoff = session.get(Handoff, handoff_id)
        contact = contacts.find(session, self.sealer, handoff.sender_id)
        if contact is None:  # the web chat: nothing to send through the outbox
            return
        text = render(key, handoff.language, CATALOGUES, values, parts=parts)["text"]
        outbox.enqueue(session, self.sealer, handoff.sender_id, contact, [Reply(text)], outbox.ASSISTANT, now)
