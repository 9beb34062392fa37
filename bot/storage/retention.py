"""Deletes conversations nobody has touched for ORIENTA_RETENTION_DAYS (default 90).

`python -m bot.storage.retention --every 3600` runs it hourly (`make run` starts it). A
conversation whose last event is older than the limit goes entirely (events, contact,
media, message ids, handoffs), unless a person from an observatory still holds it, and
its messages are queued for deletion from Twilio (bot/delivery/purge.py). Sent replies
leave the outbox after OUTBOX_DAYS (their Twilio messages queued for deletion, if they
were not yet); a danger reply held for its delivery status keeps its content a day at most.
Each run also folds the statistics' pending counts and publishes the weeks over
(bot/statistics/fold.py).
"""

import argparse
import logging
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.delivery import purge as twilio_purge, statuses
from bot.handoff.models import Handoff
from bot.handoff.service import OPEN
from bot.settings import Settings
from bot.storage.crypto import Sealer
from bot.statistics.fold import fold
from bot.storage.database import engine_for, session_scope
from bot.storage.erasure import erase_sender
from bot.storage.models import Contact, MessageTombstone, OutgoingMessage

logger = logging.getLogger(__name__)
DEFAULT_DAYS = 90
OUTBOX_DAYS = 30  # delivered or given-up replies (no content left): kept this long for the report
EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))


def purge(engine: Engine, sealer: Sealer, days: int, now: Optional[datetime] = None) -> int:
    """Erases every conversation idle for more than `days`, queueing its Twilio messages
    for deletion from Twilio; returns how many."""
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=days)
    has_events = sa.inspect(engine).has_table("events")  # Rasa creates it on its first start
    with session_scope(engine) as session:
        held = {s for (s,) in session.execute(sa.select(Handoff.sender_id).where(Handoff.status.in_(OPEN)))}
        idle = {s for (s,) in session.execute(sa.select(Contact.sender_id).where(Contact.last_message_at < cutoff))}
        if has_events:
            idle |= {s for (s,) in session.execute(
                sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
                .having(sa.func.max(EVENTS.c.timestamp) < cutoff.timestamp()))}
        senders: List[str] = sorted(idle - held)
        for sender_id in senders:
            if has_events:
                session.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id))
            twilio_purge.enqueue_conversation(session, sealer, sender_id, now)
            erase_sender(session, sender_id)
        statuses.release_unreported(session, now)
        statuses.forget_unclaimed(session, now)
        done_before = now - timedelta(days=OUTBOX_DAYS)
        twilio_purge.enqueue_old_replies(session, sealer, done_before, now)
        session.execute(sa.delete(OutgoingMessage).where(
            sa.or_(OutgoingMessage.sent_at < done_before, OutgoingMessage.failed_at < done_before)))
        session.execute(sa.delete(MessageTombstone).where(MessageTombstone.erased_at < cutoff))  # replays long over
    return len(senders)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=0, help="seconds between runs; 0 runs once")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    days = int(os.environ.get("ORIENTA_RETENTION_DAYS", DEFAULT_DAYS))
    settings = Settings.from_env()
    engine, sealer = engine_for(settings.database_url), Sealer(settings.data_keys)
    while True:
        logger.info("Retention (%d days): %d idle conversations erased.", days, purge(engine, sealer, days))
        fold(engine)
        if not arguments.every:
            return 0
        time.sleep(arguments.every)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
