"""What several engine processes share: conversation locks and rate limits in the machine's
Redis, message claims in PostgreSQL. Each "process" here is a thread with its own
connections, so the operations really interleave. And `make services`, which starts both
servers when they do not answer."""

import asyncio
import os
import subprocess
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List

import pytest
import redis

from bot.channels.rate_limit import RedisSlidingWindow, window
from bot.storage import processed_messages
from bot.storage.database import engine_for, session_scope
from bot.storage.lock_store import KEY_PREFIX, ConversationLockStore
from bot.storage.migrate import upgrade
from bot.storage.processed_messages import Claim
from tests.conftest import ROOT, fresh_postgresql_database

REDIS_URL = "redis://127.0.0.1:6379/0"


def hold_lock_many_times(conversation_id: str, times: int, holders: List[int], peak: List[int],
                         errors: List[BaseException]) -> None:
    """One process: takes the conversation's lock `times` times, holding it briefly."""
    store = ConversationLockStore(redis_url=REDIS_URL)

    async def turns() -> None:
        for _ in range(times):
            async with store.lock(conversation_id):
                holders[0] += 1
                peak[0] = max(peak[0], holders[0])
                await asyncio.sleep(0.005)
                holders[0] -= 1

    try:
        asyncio.run(turns())
    except BaseException as error:  # reported by the test
        errors.append(error)


@pytest.mark.parametrize("processes", [1, 6])
def test_one_conversation_is_served_by_one_process_at_a_time(processes: int) -> None:
    conversation_id = f"lock-test-{uuid.uuid4().hex}"
    holders, peak, errors = [0], [0], []
    threads = [threading.Thread(target=hold_lock_many_times, args=(conversation_id, 15, holders, peak, errors))
               for _ in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert peak == [1]
    assert not redis.Redis.from_url(REDIS_URL).exists(KEY_PREFIX + conversation_id)  # nothing left behind


def test_a_lock_held_by_a_process_that_died_expires() -> None:
    conversation_id = f"lock-test-{uuid.uuid4().hex}"

    async def after_a_dead_holder() -> float:
        dead = ConversationLockStore(redis_url=REDIS_URL).lock(conversation_id, lock_lifetime=0.5)
        await dead.__aenter__()  # taken, never given back
        began = time.monotonic()
        async with ConversationLockStore(redis_url=REDIS_URL).lock(conversation_id):
            return time.monotonic() - began

    assert 0.3 < asyncio.run(after_a_dead_holder()) < 2


def test_without_redis_the_lock_lives_in_the_process() -> None:
    store = ConversationLockStore(redis_url=None)

    async def two_at_once() -> List[str]:
        order: List[str] = []

        async def turn(name: str) -> None:
            async with store.lock("one-conversation"):
                order.append(f"{name} in")
                await asyncio.sleep(0.02)
                order.append(f"{name} out")

        await asyncio.gather(turn("a"), turn("b"))
        return order

    assert asyncio.run(two_at_once()) == ["a in", "a out", "b in", "b out"]


def test_a_rate_limit_is_shared_by_every_process() -> None:
    name = f"test-{uuid.uuid4().hex}"
    first, second = (window(name, "5/60", REDIS_URL) for _ in range(2))
    assert isinstance(first, RedisSlidingWindow)

    async def alternate() -> List[bool]:
        allowed = [await (first if n % 2 else second).allow("someone") for n in range(7)]
        return allowed + [await second.allow("someone else")]

    assert asyncio.run(alternate()) == [True] * 5 + [False] * 2 + [True]


def test_a_refused_person_is_told_once_per_window_whichever_process_refuses() -> None:
    name = f"test-{uuid.uuid4().hex}"
    first, second = (window(name, "1/0.3", REDIS_URL) for _ in range(2))

    async def notices() -> List[bool]:
        told = [await first.first_notice("p"), await second.first_notice("p")]
        await asyncio.sleep(0.35)
        return told + [await second.first_notice("p")]

    assert asyncio.run(notices()) == [True, False, True]


@pytest.fixture()
def database() -> Iterator[str]:
    with fresh_postgresql_database() as url:
        upgrade(url)
        yield url


def claim(database: str, message_sid: str, when: datetime) -> Claim:
    """A claim in its own transaction, with a 30 s turn timeout."""
    with session_scope(engine_for(database)) as session:
        return processed_messages.claim(session, message_sid, "s", "sealed copy", when, timedelta(seconds=30), b"key")[0]


def test_a_message_is_answered_once_and_taken_over_when_its_process_died(database: str) -> None:
    start = datetime.now(timezone.utc)
    assert claim(database, "SM1", start) is Claim.NEW
    # Another process receives the same message while the first answers it: retry later.
    assert claim(database, "SM1", start + timedelta(seconds=1)) is Claim.IN_PROGRESS
    # The first process died: after the turn timeout the retry runs the turn.
    assert claim(database, "SM1", start + timedelta(seconds=31)) is Claim.NEW
    with session_scope(engine_for(database)) as session:
        processed_messages.answered(session, "SM1", start + timedelta(seconds=32))
    assert claim(database, "SM1", start + timedelta(hours=1)) is Claim.ANSWERED


@pytest.mark.parametrize("first_claim", [True, False], ids=["first claims", "takeovers"])
def test_only_one_of_simultaneous_claims_wins(database: str, first_claim: bool) -> None:
    start = datetime.now(timezone.utc)
    if not first_claim:
        claim(database, "SM2", start)
    later = start + timedelta(minutes=5)
    claims: List[Claim] = []
    threads = [threading.Thread(target=lambda: claims.append(claim(database, "SM2", later))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(c.value for c in claims) == ["in progress"] * 7 + ["new"]


def test_make_services_finds_both_answering_and_touches_nothing(tmp_path: Path) -> None:
    """`make services` (a step of `make test`): PostgreSQL and Redis answer here, so nothing
    is installed or started, at once."""
    calls = tmp_path / "calls"
    for command in ("apt-get", "pg_ctlcluster", "redis-server"):  # stand-ins that say they were called
        stand_in = tmp_path / command
        stand_in.write_text(f"#!/bin/sh\necho {command} >> {calls}\nexit 1\n")
        stand_in.chmod(0o755)
    began = time.monotonic()
    make = subprocess.run(["make", "-s", "services"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert make.returncode == 0, make.stderr
    assert time.monotonic() - began < 5
    assert not calls.exists(), calls.read_text()


def test_a_second_save_of_an_answered_message_is_refused(database: str) -> None:
    start = datetime.now(timezone.utc)
    claim(database, "SM3", start)
    with session_scope(engine_for(database)) as session:
        processed_messages.finish(session, "SM3", start)
    with pytest.raises(processed_messages.AlreadyAnswered), session_scope(engine_for(database)) as session:
        processed_messages.finish(session, "SM3", start + timedelta(seconds=1))
    with session_scope(engine_for(database)) as session:
        processed_messages.finish(session, "SM-of-an-erased-conversation", start)  # nothing to mark: no error
