"""Re-encrypts every sealed value under the newest data key: `python -m bot.storage.reseal`.

Rotation: put a new key first in ORIENTA_DATA_KEYS (comma-separated, newest first), restart,
run this command, then remove the old key. Until then, older keys still decrypt.
"""

import sys
from typing import List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.storage.crypto import Sealer
from bot.storage.database import engine_for, session_scope

# (table, primary key, sealed column)
SEALED: Tuple[Tuple[str, str, str], ...] = (
    ("events", "id", "data"),
    ("contacts", "sender_id", "sealed_address"),
    ("received_media", "id", "sealed_url"),
    ("received_media", "id", "sealed_content"),
    ("handoff_messages", "id", "sealed_text"),
    ("outbox", "id", "sealed_to"),
    ("outbox", "id", "sealed_body"),
    ("outbox", "id", "sealed_media_url"),
    ("outbox", "id", "sealed_options"),
    ("processed_messages", "message_sid", "sealed_message"),
    ("twilio_deletions", "id", "sealed_sid"),
)
BATCH = 500


def reseal(engine: Engine, sealer: Sealer) -> int:
    """Re-encrypts every sealed column; returns how many values were rewritten."""
    rewritten = 0
    existing = set(sa.inspect(engine).get_table_names())
    for table, key, column in SEALED:
        if table not in existing:
            continue
        rows = sa.table(table, sa.column(key), sa.column(column))
        with session_scope(engine) as session:
            for row_key, value in session.execute(
                    sa.select(rows.c[key], rows.c[column]).where(rows.c[column].isnot(None))).all():
                session.execute(sa.update(rows).where(rows.c[key] == row_key).values({column: sealer.reseal(value)}))
                rewritten += 1
    return rewritten


def main(argv: List[str]) -> int:
    settings = Settings.from_env()
    count = reseal(engine_for(settings.database_url), Sealer(settings.data_keys))
    print(f"{count} values re-encrypted under the newest key.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
