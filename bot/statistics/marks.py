"""Once per person, kind and day, also after the person erased their conversation and in
every engine at once: a mark is a keyed hash of the kind and the person's subject under
the day's random key, inserted if absent in the database (one atomic INSERT … ON CONFLICT
DO NOTHING: of two engines counting the same person, one inserts it). The day's key and
its marks are deleted once the day is over — by the first count of the next day in each
process and by the hourly fold — so no mark can be tested afterwards (docs/security.md).

A person's subject is their conversation's pseudonym (a Twilio sender keeps it after
`salir`), or for the web chat, whose client chooses its own conversation ids, the origin
the channel gives each message: a keyed hash of the client's address under the day's key
and the server's sender key."""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import date
from typing import Any, Dict, Mapping, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.identity import WEB_CHAT_PREFIX
from bot.statistics.models import DayKey, Mark
from bot.storage.database import session_scope

ORIGIN = "stats_origin"  # a web chat message's metadata: its address's keyed hash for the day
_KEYS: Dict[Tuple[str, date], bytes] = {}  # this process's copy of the day's key, per database


def insert_if_absent(session: Session, table: sa.Table, values: Mapping[str, Any]) -> bool:
    """Inserts a row unless its key is taken (also by a transaction not yet committed, which
    it waits for); True if it inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return bool(session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing()).rowcount)


def day_key(engine: Engine, day: date) -> bytes:
    """The day's key, made by the first process that needs it (in a transaction of its own,
    so that every process reads the same one); earlier days' keys and marks go then."""
    cached = _KEYS.get((str(engine.url), day))
    if cached is not None:
        return cached
    with session_scope(engine) as session:
        insert_if_absent(session, DayKey.__table__, {"day": day, "key": secrets.token_bytes(32)})
        forget_before(session, day)
        key = session.scalar(sa.select(DayKey.key).where(DayKey.day == day))
    _KEYS.clear()
    _KEYS[(str(engine.url), day)] = key
    return key


def forget_before(session: Session, day: date) -> None:
    """Deletes the keys and marks of the days before `day`."""
    session.execute(sa.delete(Mark).where(Mark.day < day))
    session.execute(sa.delete(DayKey).where(DayKey.day < day))


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()


def origin(key: bytes, sender_key: bytes, address: str) -> str:
    """A web chat message's origin: its client's address (an IPv6 one by its /64, which one
    subscriber holds whole) under the server's sender key (not in the database, so that the
    database alone cannot be searched for an address) and the day's key."""
    try:
        parsed = ipaddress.ip_address(address)
        network = str(ipaddress.ip_network(f"{parsed}/64", strict=False)) if parsed.version == 6 else str(parsed)
    except ValueError:
        network = address
    return _digest(key, "address", hmac.new(sender_key, network.encode(), hashlib.sha256).hexdigest())


def subject(sender_id: str, metadata: Optional[Mapping[str, Any]]) -> str:
    """Whom a count is of: the web chat's origin, else the conversation's pseudonym."""
    given = (metadata or {}).get(ORIGIN)
    if sender_id.startswith(WEB_CHAT_PREFIX) and isinstance(given, str) and given:
        return "origin:" + given
    return sender_id


def first(session: Session, day: date, key: bytes, kind: str, of: str) -> bool:
    """Marks that `of` was counted for `kind` on `day`; False if it already was."""
    return insert_if_absent(session, Mark.__table__, {"day": day, "mark": _digest(key, kind, of)})
