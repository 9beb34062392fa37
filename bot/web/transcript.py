"""A conversation as staff read it: the assistant's turns and the handoff messages, in order."""

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.handoff.models import HandoffMessage
from bot.handoff.redaction import redact
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


def transcript(session: Session, sealer: Sealer, sender_id: str, reveal: bool) -> List[Line]:
    """Everything said in the conversation; personal data hidden unless `reveal`."""
    lines: List[Line] = []
    rows = session.execute(
        sa.select(EVENTS.c.timestamp, EVENTS.c.type_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(("user", "bot")))
        .order_by(EVENTS.c.id)
    )
    for timestamp, type_name, data in rows:
        event = json.loads(sealer.open(data))
        # A message longer than the dialogue reads keeps its whole text for staff.
        text = ((event.get("metadata") or {}).get("full_text") or event.get("text") or "").strip()
        if text and not text.startswith("/"):
            lines.append(Line(datetime.fromtimestamp(timestamp, timezone.utc),
                              "person" if type_name == "user" else "assistant", text))
    for message in session.scalars(sa.select(HandoffMessage).where(HandoffMessage.sender_id == sender_id)):
        lines.append(Line(message.at, message.kind, sealer.open(message.sealed_text)))
    for item in session.scalars(sa.select(ReceivedMedia).where(ReceivedMedia.sender_id == sender_id)):
        lines.append(Line(item.received_at, "media", item.content_type, item.id))
    lines.sort(key=lambda line: line.at)
    if reveal:
        return lines
    return [Line(l.at, l.who, redact(l.text) if l.who == "person" else l.text, l.media_id) for l in lines]
