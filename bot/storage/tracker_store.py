"""Rasa's SQL tracker store, with conversations sealed at rest and erasable on request.

Every event's JSON (message text, metadata) is stored encrypted with the Fernet keys of
ORIENTA_DATA_KEYS; the `intent_name` and `action_name` columns, which Rasa fills only for
analytics, stay empty, since an intent such as "danger" is itself sensitive.

A turn's save is also where it is finished (bot/delivery/turn_replies.py): in the same
transaction as its events, a Twilio message is marked answered and its replies are stored
in the outbox — all or nothing.

Rasa's SQLTrackerStore appends the tracker's new events on every save, so rows deleted
during a turn would be written back when the turn is saved. Erasure therefore happens
here, in `save`: when the turn set the `erasure_requested` slot (the quick exit), the
turn's reply is put in the outbox (with its own copy of the address), its message ids
become tombstones, and every stored event of that sender is deleted, with everything
Orienta's own tables hold about it (contacts, media, message ids, handoffs, replies not
yet sent), in one transaction; nothing of the turn is written.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import os
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.turn_replies import record_turn
from bot.statistics import marks, record
from bot.storage.crypto import Sealer
from bot.storage.erasure import ERASURE_SLOT, erase_conversation

logger = logging.getLogger(__name__)



class EventQueries:
    """Rasa's event queries (SQLTrackerStore._event_query and its count), built once as
    statements with a bound sender: on every turn Rasa rebuilds them as ORM queries, which
    costs more than running them. The current session starts at the latest SessionStarted
    (every event, without one), as in Rasa."""

    def __init__(self, events: sa.Table) -> None:
        sender = sa.bindparam("sender")
        of_sender = events.c.sender_id == sender
        start = (sa.select(sa.func.max(events.c.timestamp))
                 .where(of_sender, events.c.type_name == SessionStarted.type_name).scalar_subquery())
        in_session = sa.or_(events.c.timestamp >= start, start.is_(None))
        self.all_sessions = sa.select(events.c.data).where(of_sender).order_by(events.c.id)
        self.current_session = sa.select(events.c.data).where(of_sender, in_session).order_by(events.c.id)
        self.count_current = sa.select(sa.func.count()).select_from(events).where(of_sender, in_session)


def _connection(url: str) -> Dict[str, Any]:
    """SQLTrackerStore's arguments for a database URL: ORIENTA_DATABASE_URL, when set,
    places Rasa's events beside Orienta's own tables (endpoints.yml's SQLite otherwise)."""
    parsed = make_url(url)
    return {"dialect": parsed.get_backend_name(), "host": parsed.host, "port": parsed.port,
            "db": parsed.database, "username": parsed.username, "password": parsed.password}


class ErasableSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose events are sealed and whose conversations can be wiped."""

    def __init__(self, *args: Any, data_keys: Optional[Sequence[str]] = None, **kwargs: Any) -> None:
        keys = data_keys or [k.strip() for k in os.environ.get("ORIENTA_DATA_KEYS", "").split(",") if k.strip()]
        self.sealer = Sealer(keys)
        self.tombstone_key = os.environ.get("ORIENTA_SENDER_KEY", "").encode()
        if os.environ.get("ORIENTA_DATABASE_URL"):
            kwargs.update(_connection(os.environ["ORIENTA_DATABASE_URL"]))
        super().__init__(*args, **kwargs)
        self.queries = EventQueries(self.SQLEvent.__table__)

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        """SQLTrackerStore.session_scope, rolling back and raising where Rasa exits: it turns
        any ValueError inside a session (a conversation id the database cannot take, such as
        a lone surrogate or, on PostgreSQL, a NUL) into an exit of the whole engine."""
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(ERASURE_SLOT):
            deleted = await asyncio.to_thread(self._erase_after_reply, tracker)
            logger.info("Erased a conversation at its sender's request (%d rows).", deleted)
            return
        await self.stream_events(tracker)
        await asyncio.to_thread(self._append_new_events, tracker)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        events = await asyncio.to_thread(self._stored_events, sender_id, fetch_events_from_all_sessions)
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def erase(self, sender_id: str) -> None:
        """Deletes every stored event and record of one conversation."""
        deleted = await asyncio.to_thread(self._delete_conversation, sender_id)
        logger.info("Erased a conversation at its sender's request (%d rows).", deleted)

    # The blocking database work runs in worker threads: while one conversation waits for
    # the database, the engine's event loop serves the others.

    def _append_new_events(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            rows = [{"sender_id": tracker.sender_id, "type_name": event.type_name, "timestamp": event.timestamp,
                     "intent_name": None, "action_name": None, "data": self.sealer.seal(json.dumps(event.as_dict()))}
                    for event in new_events]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            record_turn(session, self.sealer, tracker.sender_id, new_events)
            session.commit()

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not stored yet (those after the stored ones of its session)."""
        stored = session.execute(self.queries.count_current, {"sender": tracker.sender_id}).scalar_one()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def _stored_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> List[Dict[str, Any]]:
        query = self.queries.all_sessions if fetch_events_from_all_sessions else self.queries.current_session
        with self.session_scope() as session:
            sealed = session.execute(query, {"sender": sender_id}).scalars()
            return [json.loads(self.sealer.open(data)) for data in sealed]

    def _erase_after_reply(self, tracker: DialogueStateTracker) -> int:
        """The erasing turn's reply goes to the outbox, then everything of the conversation goes."""
        day = record.today()
        key = record.day_key(self.engine, day)
        with self.session_scope() as session:
            message_sid = record_turn(session, self.sealer, tracker.sender_id,
                                      list(self._additional_events(session, tracker)), queue_id=outbox.orphan_id())
            if key is not None:  # once a day, however often the person erases
                of = marks.subject(tracker.sender_id, tracker.latest_message.metadata if tracker.latest_message else {})
                record.once(session, key, of, "exit", record.exit_kind(tracker.events), tracker.get_slot("place_key"), day)
            deleted = erase_conversation(session, self.sealer, tracker.sender_id, self.tombstone_key,
                                         datetime.now(timezone.utc), message_sid)
            session.commit()
        return deleted

    def _delete_conversation(self, sender_id: str) -> int:
        with self.session_scope() as session:
            deleted = erase_conversation(session, self.sealer, sender_id, self.tombstone_key,
                                         datetime.now(timezone.utc))
            session.commit()
        return deleted
