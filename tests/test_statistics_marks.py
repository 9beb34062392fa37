"""Once per person a day against padding, the fold that publishes weeks, and counts that
never hold up a reply — on SQLite and PostgreSQL."""

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions import counted as counting
from actions.safety import ActionDanger
from bot.statistics import marks, record, tables
from bot.statistics.fold import fold, published_until
from bot.statistics.models import DailyCount, DayKey, Mark, PendingCount
from bot.storage.crypto import new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.erasure import erase_sender
from bot.storage.migrate import upgrade
from tests.test_statistics import GUANAJUATO, THRESHOLD, count, database, settle, stored, tracker  # noqa: F401

PERSON, OTHER = "a" * 64, "b" * 64  # Twilio pseudonyms: the same after an erasure
DANGER = ("danger", "trafficking")
SENDER_KEY = b"the server's sender key"


def people(url: str, kind: str = "danger") -> int:
    return sum(n for (day, state, counted_kind, value), n in stored(url).items() if counted_kind == kind)


def web_tracker(sender: str, origin: str) -> Tracker:
    """A web chat message as the REST channel passes it: with its address's origin."""
    return Tracker(sender_id=sender, slots={"welcomed": True, "language": "es"}, paused=False,
                   latest_message={"intent": {"name": "danger"}, "text": "hola", "entities": []},
                   events=[{"event": "user", "text": "hola", "metadata": {marks.ORIGIN: origin}}],
                   followup_action=None, active_loop={}, latest_action_name="action_listen")


def test_erasing_and_writing_again_counts_the_person_once_a_day(database: str) -> None:
    for _ in range(9):  # the padding: nine fresh conversations of one person
        count(tracker(PERSON), DANGER)
        with session_scope(engine_for(database)) as db:
            erase_sender(db, PERSON)
    assert people(database) == 1
    count(tracker(OTHER), DANGER)
    assert people(database) == 2


def test_web_chat_conversations_of_one_address_count_once_a_day(database: str) -> None:
    key = marks.day_key(engine_for(database), record.today())
    padding, real = marks.origin(key, SENDER_KEY, "198.51.100.7"), marks.origin(key, SENDER_KEY, "203.0.113.9")
    for n in range(9):  # conversation ids the client chose
        count(web_tracker(f"web-pad-{n}", padding), DANGER)
    for n in range(9):  # addresses of one IPv6 subscriber's /64
        count(web_tracker(f"web-six-{n}", marks.origin(key, SENDER_KEY, f"2001:db8:1:2::{n + 1:x}")), DANGER)
    count(web_tracker("web-real", real), DANGER)
    assert people(database) == 3 and people(database, "channel") == 3
    assert marks.origin(key, SENDER_KEY, "198.51.100.7") != marks.origin(key, b"another server", "198.51.100.7")


def test_an_origin_counts_only_for_the_web_chat() -> None:
    origin = {marks.ORIGIN: "f" * 64}
    assert marks.subject("web-x", origin) == "origin:" + "f" * 64
    assert marks.subject(PERSON, origin) == PERSON  # a Twilio sender is its pseudonym, whatever it carries
    assert marks.subject("web-x", {marks.ORIGIN: ["not", "text"]}) == "web-x"


def test_simultaneous_counts_of_one_person_in_several_engines_count_once(database: str) -> None:
    marks._KEYS.clear()
    day, start, keys = record.today(), threading.Barrier(8), []

    def engine_process() -> None:  # an engine of its own, as another process has
        engine = sa.create_engine(database, future=True)
        start.wait()
        key = marks.day_key(engine, day)
        with session_scope(engine) as session:
            record.once(session, key, PERSON, *DANGER, GUANAJUATO, day)
        keys.append(key)
        engine.dispose()

    threads = [threading.Thread(target=engine_process) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(set(keys)) == 1 and len(keys) == 8
    assert people(database) == 1


@contextmanager
def hanging_database() -> Iterator[str]:
    """A PostgreSQL address whose server takes connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/orienta"
    finally:
        listener.close()  # the waiting connections are reset: the counts give up


def test_a_hanging_database_holds_up_no_danger_reply(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'dialogue.db'}"  # what the reply itself reads
    upgrade(url)
    monkeypatch.setenv("ORIENTA_DATABASE_URL", url)
    replies: List[str] = []
    with caplog.at_level(logging.WARNING), hanging_database() as hanging:
        monkeypatch.setattr(counting, "database_url", lambda: hanging)
        started = time.monotonic()
        for n in range(counting.MAX_IN_FLIGHT + 3):
            dispatcher = CollectingDispatcher()
            asyncio.run(ActionDanger().run(dispatcher, tracker(f"web-{n}", text="me quiero morir"), {}))
            replies.append(dispatcher.messages[0]["response"])
        took = time.monotonic() - started
    settle()
    assert replies == ["utter_danger_self_harm"] * (counting.MAX_IN_FLIGHT + 3) and took < 5, took
    assert "too many counts waiting" in caplog.text and stored(url) == {}


def test_a_hanging_dialogue_database_gets_the_911_reply_alone_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether staff have the conversation is asked of the database for 1.5 s at most."""
    with hanging_database() as hanging:
        monkeypatch.setenv("ORIENTA_DATABASE_URL", hanging)
        monkeypatch.setattr(counting, "database_url", lambda: hanging)
        for n in range(5):  # more than the lookups that may hang at once
            dispatcher, started = CollectingDispatcher(), time.monotonic()
            events = asyncio.run(ActionDanger().run(dispatcher, tracker(f"web-h{n}", text="me va a matar"), {}))
            took = time.monotonic() - started
            assert [m["response"] for m in dispatcher.messages] == ["utter_danger"] and events == [] and took < 3, took


def test_a_fold_leaves_no_trace_of_which_cells_one_turn_counted(database: str) -> None:
    count(tracker(PERSON, {"place_key": "11020"}), ("topic", "report_crime"), ("crime", "robbery"))
    count(tracker(OTHER, {"place_key": "14039"}), ("topic", "protection"), ("crime", "fraud"))
    before, engine = stored(database), engine_for(database)
    if engine.dialect.name == "sqlite":  # pending rows keep no order of insertion
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(sa.text("SELECT rowid FROM stat_pending"))
    fold(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(PendingCount)).scalar() == 0
        if engine.dialect.name == "postgresql":  # every cell written by the fold's one transaction
            assert connection.execute(sa.text("SELECT COUNT(DISTINCT xmin::text) FROM stat_counts")).scalar() == 1
    assert stored(database) == before and len(before) == 8  # topic, crime, channel, language each


def test_a_week_is_published_after_its_grace_and_a_late_count_changes_nothing_shown(database: str) -> None:
    engine, sunday = engine_for(database), date(2026, 11, 29)

    def at(hour: int, minute: int) -> datetime:
        return datetime(2026, 11, 30, hour, minute, tzinfo=timezone.utc)

    def shown() -> object:
        with session_scope(engine) as db:
            return tables.published(db, "topic", THRESHOLD)

    with session_scope(engine) as db:
        for _ in range(12):
            record.add(db, "topic", "report_crime", GUANAJUATO, day=sunday)
    assert fold(engine, at(0, 5)) == 0 and shown() == {}  # Monday 00:05: the week is not shown yet
    with session_scope(engine) as db:
        assert published_until(db) == date(2026, 11, 23)
    fold(engine, at(0, 20))
    published = shown()
    assert published[GUANAJUATO].cells == [[12, 0, 0, 0, 12]]  # report_crime, protection, find_help, other
    with session_scope(engine) as db:  # a turn that straddled midnight, committed after the week was shown
        record.add(db, "topic", "report_crime", GUANAJUATO, day=sunday)
    assert fold(engine, at(1, 20)) == 1 and shown() == published
    with engine.connect() as connection:
        assert connection.execute(sa.select(DailyCount.people)).scalars().all() == [12]


def test_the_hourly_job_folds_the_counts_and_forgets_the_days_over(database: str) -> None:
    count(tracker(PERSON), DANGER)
    yesterday = record.today() - timedelta(days=1)
    with session_scope(engine_for(database)) as db:
        db.add(DayKey(day=yesterday, key=b"k" * 32))
        db.add(Mark(day=yesterday, mark="m" * 64))
    before = stored(database)
    subprocess.run([sys.executable, "-m", "bot.storage.retention"], check=True, timeout=120,
                   env={**os.environ, "ORIENTA_DATABASE_URL": database, "ORIENTA_DATA_KEYS": new_key(),
                        "ORIENTA_SENDER_KEY": "k", "TWILIO_ACCOUNT_SID": "AC0", "TWILIO_AUTH_TOKEN": "t"},  # as bot.run starts it
                   capture_output=True)
    with engine_for(database).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(PendingCount)).scalar() == 0
        assert connection.execute(sa.select(DayKey.day)).scalars().all() == [record.today()]
        assert yesterday not in connection.execute(sa.select(Mark.day)).scalars().all()
    assert stored(database) == before
