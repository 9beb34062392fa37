"""A handoff as staff read it: the assistant's turns and the handoff's messages within its
own span of the conversation (bot.handoff.service.span), in order."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.handoff.models import Handoff, HandoffMessage
from bot.handoff.redaction import redact
from bot.handoff.service import Span
from bot.storage.crypto import Sealer
from bot.storage.models import ReceivedMedia

EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                  sa.column("timestamp"), sa.column("data"))


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str  # person, assistant, staff, note, media
    text: str
    media_id: int = 0
    message_id: int = 0  # of a handoff message (a staff reply's delivery is looked up by it)


def _turns_in(query: sa.sql.Select, sender_id: str, span: Span) -> sa.sql.Select:
    """`query` of the conversation's messages and replies within the span."""
    query = query.where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(("user", "bot")))
    if span.start is not None:
        query = query.where(EVENTS.c.timestamp > span.start.timestamp())
    if span.end is not None:
        query = query.where(EVENTS.c.timestamp <= span.end.timestamp())
    return query


def _turns(session: Session, sealer: Sealer, sender_id: str, span: Span) -> List[Line]:
    query = _turns_in(sa.select(EVENTS.c.timestamp, EVENTS.c.type_name, EVENTS.c.data), sender_id, span)
    lines = []
    for timestamp, type_name, data in session.execute(query.order_by(EVENTS.c.id)):
        event = json.loads(sealer.open(data))
        # A message longer than the dialogue reads keeps its whole text for staff.
        text = ((event.get("metadata") or {}).get("full_text") or event.get("text") or "").strip()
        if text and not text.startswith("/"):
            lines.append(Line(datetime.fromtimestamp(timestamp, timezone.utc),
                              "person" if type_name == "user" else "assistant", text))
    return lines


def media_in_span(session: Session, sender_id: str, span: Span) -> List[ReceivedMedia]:
    """The voice notes and photos the person sent within the span."""
    items = session.scalars(sa.select(ReceivedMedia).where(ReceivedMedia.sender_id == sender_id))
    return [item for item in items if span.contains(item.received_at)]


def version(session: Session, handoff: Handoff, span: Span, *shown: object) -> str:
    """A digest of what the transcript holds, read without opening or redacting any of it,
    and of whatever else the page shows with it (`shown`): equal while nothing changed."""
    turns = session.execute(_turns_in(sa.select(sa.func.count(), sa.func.max(EVENTS.c.id)), handoff.sender_id,
                                      span)).one()
    messages = session.execute(sa.select(sa.func.count(HandoffMessage.id), sa.func.max(HandoffMessage.id))
                               .where(HandoffMessage.handoff_id == handoff.id)).one()
    media = [item.id for item in media_in_span(session, handoff.sender_id, span)]
    held = repr((tuple(turns), tuple(messages), media, shown)).encode()
    return hashlib.sha256(held).hexdigest()[:32]


def transcript(session: Session, sealer: Sealer, handoff: Handoff, span: Span, reveal: bool) -> List[Line]:
    """Everything said within the handoff's span; personal data hidden unless `reveal`."""
    lines = _turns(session, sealer, handoff.sender_id, span)
    for message in session.scalars(sa.select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id)):
        lines.append(Line(message.at, message.kind, sealer.open(message.sealed_text), message_id=message.id))
    for item in media_in_span(session, handoff.sender_id, span):
        lines.append(Line(item.received_at, "media", item.content_type, item.id))
    lines.sort(key=lambda line: line.at)
    if reveal:
        return lines
    return [Line(l.at, l.who, redact(l.text) if l.who == "person" else l.text, l.media_id, l.message_id)
            for l in lines]
