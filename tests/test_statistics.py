"""The observatories' statistics on SQLite and PostgreSQL: counts recorded as things happen
(once per person and kind a day, nothing of the person, kept through erasure, never in the
way of a reply), and published through the pages' CSV and JSON with no suppressed count
given away — by a table's totals, by the country beside its states, or by a state's staff
asking for another."""

import asyncio
import csv
import io
import logging
import re
import threading
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions import counted as counting
from actions.guidance import PROTECTION, REPORT
from actions.help_nearby import FIND_HELP
from actions.safety import ActionDanger
from bot.directory.models import Organisation
from bot.handoff import service
from bot.settings import Settings
from bot.statistics import record
from bot.statistics.values import columns as columns_of
from bot.statistics.models import DailyCount, DayKey, Mark, PendingCount, Published
from bot.storage.crypto import new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.erasure import erase_sender
from bot.storage.migrate import upgrade
from bot.storage.tracker_store import ERASURE_SLOT
from bot.web import accounts
from bot.web.app import create_app
from bot.web.statistics_page import value_label
from tests.conftest import STAFF_PASSWORD, fresh_postgresql_database
from tests.statistics_attack import bounds
from tests.test_tracker_store import store_for

THRESHOLD = 10
GUANAJUATO, JALISCO = "11", "14"
MONDAY = date(2026, 11, 23)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database, which the actions use too."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stats.db'}"
        upgrade(url)
        monkeypatch.setenv("ORIENTA_DATABASE_URL", url)
        yield url
        return
    with fresh_postgresql_database() as url:
        upgrade(url)
        monkeypatch.setenv("ORIENTA_DATABASE_URL", url)
        yield url


def tracker(sender: str = "web-ana", slots: Optional[Dict[str, Any]] = None, text: str = "hola") -> Tracker:
    return Tracker(sender_id=sender, slots={"welcomed": True, "language": "es", **(slots or {})},
                   latest_message={"intent": {"name": "danger"}, "text": text, "entities": []}, events=[],
                   paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")


def stored(url: str) -> Dict[tuple, int]:
    """Every cell's people, folded or pending."""
    cells: Dict[tuple, int] = defaultdict(int)
    with engine_for(url).connect() as connection:
        for row in connection.execute(sa.select(DailyCount.__table__)):
            cells[(row.day, row.state, row.kind, row.value)] += row.people
        for row in connection.execute(sa.select(PendingCount.__table__)):
            cells[(row.day, row.state, row.kind, row.value)] += 1
    return dict(cells)


def settle() -> None:
    """Waits for the counts running beside the replies."""
    for thread in threading.enumerate():
        if thread.name == "statistics":
            thread.join(30)


def count(tracker: Tracker, *seen: Tuple[str, Optional[str]]) -> None:
    """Counts as an action does, and waits for the count (it runs beside the reply)."""
    thread = counting.counted(tracker, *seen)
    assert thread is not None
    thread.join(30)


def test_a_person_counts_once_per_kind_a_day_with_channel_and_language_and_nothing_of_them(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    today = record.today()
    count(tracker(slots={"place_key": "11020"}), ("topic", "report_crime"), ("crime", "robbery"))
    count(tracker(slots={"place_key": "11020"}), ("topic", "protection"), ("danger", "self_harm"))
    assert stored(database) == {(today, GUANAJUATO, "topic", "report_crime"): 1, (today, GUANAJUATO, "crime", "robbery"): 1,
                                (today, GUANAJUATO, "channel", "web"): 1, (today, GUANAJUATO, "language", "es"): 1,
                                (today, GUANAJUATO, "danger", "self_harm"): 1}
    monkeypatch.setattr(record, "today", lambda: today + timedelta(days=1))  # the next day counts afresh
    count(tracker(), ("topic", "protection"))
    count(tracker("web-otra"), ("topic", "protection"))
    assert stored(database)[(today + timedelta(days=1), "", "topic", "protection")] == 2
    with engine_for(database).connect() as connection:  # no pseudonym, no text, no time of day
        inspector = sa.inspect(connection)
        columns = {table: {column["name"]: str(column["type"]) for column in inspector.get_columns(table)}
                   for table in ("stat_counts", "stat_pending")}
        assert connection.execute(sa.select(DayKey.day)).scalars().all() == [today + timedelta(days=1)]
        assert {day for (day,) in connection.execute(sa.select(Mark.day))} == {today + timedelta(days=1)}
    assert set(columns["stat_counts"]) == {"id", "day", "state", "kind", "value", "people"}
    assert set(columns["stat_pending"]) == {"id", "day", "state", "kind", "value"}
    assert not any("TIME" in types["day"].upper() for types in columns.values())


def test_what_one_count_recorded_is_not_counted_again_when_another_failed(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pending = record._pending

    def failing_for_crime(session: Any, kind: str, *rest: Any) -> bool:
        if kind == "crime":
            raise OperationalError("INSERT", {}, Exception("disk full"))
        return pending(session, kind, *rest)

    monkeypatch.setattr(record, "_pending", failing_for_crime)
    count(tracker(), ("topic", "report_crime"), ("crime", "robbery"))
    monkeypatch.setattr(record, "_pending", pending)
    count(tracker(), ("topic", "report_crime"), ("crime", "robbery"))
    assert {key[2:]: people for key, people in stored(database).items()} == {
        ("topic", "report_crime"): 1, ("crime", "robbery"): 1, ("channel", "web"): 1, ("language", "es"): 1}


def test_handoff_steps_are_counted_in_the_observatorys_state_with_the_wait_bucketed(database: str) -> None:
    with session_scope(engine_for(database)) as db:
        observatory = Organisation(name="Observatorio de prueba", kind="observatory", state_key=JALISCO,
                                   onc_network="", source="prueba", verified_on=MONDAY, active=True,
                                   updated_at=datetime.now(timezone.utc))
        db.add(observatory)
        db.flush()
        handoff, _ = service.start(db, "sender", observatory.id, "asked", "es")
        record.handoff_claimed(db, observatory.id, datetime.now(timezone.utc) - timedelta(minutes=20))
        erase_sender(db, "sender")  # the counts stay
    today = record.today()
    assert stored(database) == {(today, JALISCO, "handoff", "requested"): 1, (today, JALISCO, "claim_time", "under_1h"): 1}
    assert [record.claim_bucket(timedelta(minutes=m)) for m in (1, 59, 61, 500)] == \
        ["under_15m", "under_1h", "under_4h", "over_4h"]


def test_a_failing_database_never_stops_the_danger_reply_and_logs_nothing_of_the_person(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("ORIENTA_DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.WARNING):
        asyncio.run(ActionDanger().run(dispatcher, tracker("web-ana-lopez", text="me quiero morir"), {}))
    assert dispatcher.messages[0]["response"] == "utter_danger_self_harm"
    settle()
    assert "Statistics not recorded" in caplog.text and "ana" not in caplog.text and "morir" not in caplog.text


def test_the_quick_exit_is_told_from_delete_my_data() -> None:
    class Ran:
        def __init__(self, name: str) -> None:
            self.action_name = name

    assert record.exit_kind([Ran("action_listen"), Ran("action_quick_exit")]) == "quick_exit"
    assert record.exit_kind([Ran("action_quick_exit"), Ran("action_delete_my_data")]) == "delete_data"


# Through the pages: people of several states over three weeks, each counted in every kind as
# actions/counted.py counts them (channel and language always, with what they asked), many
# counts small: (state, week, people, {kind: value}).
PEOPLE = [
    (GUANAJUATO, 0, 9, {"topic": "report_crime", "crime": "robbery", "channel": "whatsapp", "language": "es"}),
    (GUANAJUATO, 0, 4, {"topic": "report_crime", "crime": "family_violence", "channel": "whatsapp", "language": "es"}),
    (GUANAJUATO, 0, 1, {"topic": "report_crime", "crime": "trafficking", "danger": "trafficking", "channel": "sms",
                        "language": "nah"}),
    (GUANAJUATO, 0, 3, {"topic": "protection", "danger": "danger", "channel": "sms", "language": "es", "exit": "quick_exit"}),
    (GUANAJUATO, 1, 12, {"topic": "report_crime", "crime": "robbery", "channel": "web", "language": "es"}),
    (GUANAJUATO, 1, 8, {"topic": "protection", "channel": "whatsapp", "language": "es"}),
    (GUANAJUATO, 1, 3, {"topic": "protection", "help": "not_found", "channel": "whatsapp", "language": "es"}),
    (GUANAJUATO, 2, 1, {"topic": "report_crime", "channel": "whatsapp", "language": "nah"}),
    (GUANAJUATO, 2, 9, {"danger": "danger", "channel": "whatsapp", "language": "es"}),  # the reviewer's case
    (JALISCO, 0, 25, {"topic": "report_crime", "crime": "robbery", "channel": "whatsapp", "language": "es"}),
    (JALISCO, 0, 12, {"topic": "protection", "channel": "web", "language": "es", "exit": "quick_exit"}),
    (JALISCO, 1, 2, {"topic": "protection", "danger": "self_harm", "channel": "sms", "language": "tzh"}),
    (JALISCO, 1, 11, {"danger": "danger", "channel": "whatsapp", "language": "es"}),
    (JALISCO, 2, 30, {"topic": "report_crime", "crime": "extortion", "channel": "whatsapp", "language": "es"}),
    (JALISCO, 2, 10, {"topic": "find_help", "help": "not_found", "channel": "web", "language": "es"}),
    (JALISCO, 2, 3, {"topic": "find_help", "help": "prosecutor", "channel": "web", "language": "yua"}),
    ("", 0, 4, {"topic": "find_help", "help": "not_found", "channel": "web", "language": "es", "exit": "delete_data"}),
    ("", 2, 16, {"topic": "report_crime", "channel": "whatsapp", "language": "es"}),
]
EVENTS = {(JALISCO, 0, "handoff", "requested"): 11, (JALISCO, 0, "claim_time", "under_15m"): 9,
          (JALISCO, 0, "claim_time", "over_4h"): 2, (GUANAJUATO, 1, "handoff", "requested"): 2}


def seeded() -> Dict[Tuple[str, int, str, str], int]:
    """People by (state, week, kind, value)."""
    cells: Dict[Tuple[str, int, str, str], int] = defaultdict(int, EVENTS)
    for state, week, people, kinds in PEOPLE:
        for kind, value in kinds.items():
            cells[(state, week, kind, value)] += people
    return dict(cells)


@pytest.fixture
def pages(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, Any]]:
    monkeypatch.setattr(record, "today", lambda: MONDAY + timedelta(days=23))
    engine = engine_for(database)
    with session_scope(engine) as db:
        db.add(Published(id=1, until=MONDAY + timedelta(weeks=3)))  # three whole weeks
        for (state, week, kind, value), people in seeded().items():
            db.add(DailyCount(day=MONDAY + timedelta(weeks=week, days=2), state=state, kind=kind, value=value,
                              people=people))
        leon = Organisation(name="Observatorio de León", kind="observatory", state_key=GUANAJUATO, onc_network="",
                            source="prueba", verified_on=MONDAY, active=True, updated_at=datetime.now(timezone.utc))
        db.add(leon)
        db.flush()
        leon_id = leon.id
    accounts.create(engine, "admin-stats", STAFF_PASSWORD, "admin")
    accounts.create(engine, "staff-leon", STAFF_PASSWORD, "staff", leon_id)
    with session_scope(engine) as db:  # a national desk of no state
        desk = Organisation(name="Mesa nacional", kind="observatory", state_key=None, onc_network="",
                            source="prueba", verified_on=MONDAY, active=True, updated_at=datetime.now(timezone.utc))
        db.add(desk)
        db.flush()
        desk_id = desk.id
    accounts.create(engine, "staff-desk", STAFF_PASSWORD, "staff", desk_id)
    app = create_app(Settings(database, (new_key(),), b"k", "AC", "token", None, None, None), secret_key="stats")
    yield {"app": app, "engine": engine}


def signed_in(app: Any, username: str) -> FlaskClient:
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": username, "password": STAFF_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def as_grid(rows: List[Dict[str, Any]]) -> List[List[Optional[int]]]:
    weeks = list(dict.fromkeys(row["semana"] for row in rows))
    values = list(dict.fromkeys(row["valor"] for row in rows))
    cells = {(row["semana"], row["valor"]): row["personas"] for row in rows}
    return [[cells[(week, value)] for value in values] for week in weeks]


def csv_grid(text: str) -> List[List[Optional[int]]]:
    return as_grid([{"semana": row["semana"], "valor": row["valor"],
                     "personas": None if row["personas"] == "" else int(row["personas"])}
                    for row in csv.DictReader(io.StringIO(text))])


PLACES = ("", GUANAJUATO, JALISCO, "nd")


def test_nothing_suppressed_can_be_worked_out_from_every_export_together(pages: Dict[str, Any]) -> None:
    """Every kind's CSV and JSON of every place, played against each other: each table's
    totals, the country as the sum of the places, the kinds counted of the same people as
    having equal totals, the zeros shown. No count under the threshold is shown, nor known
    to be under it (or worked out) from the rest."""
    admin = signed_in(pages["app"], "admin-stats")
    grids: Dict[str, List[List[Optional[int]]]] = {}
    columns: Dict[str, List[str]] = {}
    for kind in record.KINDS:
        for place in PLACES:
            body = admin.get(f"/estadisticas/datos.json?medida={kind}&estado={place}").json
            assert body["minimo_personas"] == THRESHOLD
            grids[f"{kind}/{place}"] = as_grid(body["filas"])
            assert csv_grid(admin.get(f"/estadisticas/datos.csv?medida={kind}&estado={place}").text) == \
                grids[f"{kind}/{place}"]
            columns[kind] = list(dict.fromkeys(row["valor"] for row in body["filas"]))
            for row in body["filas"]:  # every cell under the threshold is suppressed, and flagged
                assert row["suprimido"] == (row["personas"] is None)
                assert row["personas"] is None or row["personas"] == 0 or row["personas"] >= THRESHOLD
    people = seeded()

    def real(name: str, week: int, column: int) -> int:
        kind, place = name.split("/")
        value = columns[kind][column]
        return sum(count for (state, w, k, v), count in people.items()
                   if w == week and k == kind and (value == "total" or v == value)
                   and (place == "" or (state or "nd") == place))

    assert grids[f"topic/{JALISCO}"][0] == [25, 12, 0, 0, 37]
    zeros = {name: [[real(name, i, j) == 0 for j in range(len(row))] for i, row in enumerate(grid)]
             for name, grid in grids.items()}
    sums = {f"{kind}/": [f"{kind}/{place}" for place in PLACES[1:]] for kind in record.KINDS}
    equal = [((f"{one}/{place}", week, len(columns[one]) - 1), (f"{other}/{place}", week, len(columns[other]) - 1))
             for one, other in record.SAME_PEOPLE for place in PLACES for week in range(3)]
    worked_out = bounds(grids, column_totals=False, zeros=zeros, sums=sums, equal=equal)
    assert worked_out
    for (name, i, j), (least, greatest) in worked_out.items():
        value = real(name, i, j)
        assert least - 1e-6 <= value <= greatest + 1e-6, (name, i, j)
        if 0 < value < THRESHOLD:
            assert greatest >= THRESHOLD - 1e-6 and greatest - least > 0.5, \
                f"{name} week {i} {columns[name.split('/')[0]][j]} = {value} is told by {least}..{greatest}"


def test_a_states_columns_do_not_tell_what_other_states_counted(pages: Dict[str, Any]) -> None:
    staff = signed_in(pages["app"], "staff-leon")
    before = {kind: staff.get(f"/estadisticas/datos.json?medida={kind}").json["filas"] for kind in record.KINDS}
    for kind, values in before.items():
        assert list(dict.fromkeys(row["valor"] for row in values)) == [*columns_of(kind), "total"], kind
    with session_scope(pages["engine"]) as db:  # elsewhere, a rare language and a value no longer offered
        db.add(DailyCount(day=MONDAY, state=JALISCO, kind="language", value="ote", people=1))
        db.add(DailyCount(day=MONDAY, state=JALISCO, kind="language", value="xx", people=1))
    assert {kind: [row["valor"] for row in staff.get(f"/estadisticas/datos.json?medida={kind}").json["filas"]]
            for kind in record.KINDS} == {kind: [row["valor"] for row in rows] for kind, rows in before.items()}
    admin = signed_in(pages["app"], "admin-stats")
    jalisco = {row["valor"]: row["personas"] for row in admin.get(
        f"/estadisticas/datos.json?medida=language&estado={JALISCO}").json["filas"] if row["semana"] == "2026-11-23"}
    assert jalisco["other"] is None and jalisco["ote"] is None  # counted, under the threshold


def test_the_csv_holds_what_the_json_holds_suppressed_cells_empty(pages: Dict[str, Any]) -> None:
    admin = signed_in(pages["app"], "admin-stats")
    rows = admin.get("/estadisticas/datos.json?medida=topic&estado=11").json["filas"]
    exported = admin.get("/estadisticas/datos.csv?medida=topic&estado=11")
    assert exported.mimetype == "text/csv"
    read = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["semana"], r["valor"], r["personas"], r["suprimido"]) for r in read] == \
        [(r["semana"], r["valor"], "" if r["personas"] is None else str(r["personas"]), "sí" if r["suprimido"] else "no")
         for r in rows]
    assert read[0]["nombre"] == "cómo denunciar" and any(r["personas"] == "" for r in read)


def test_staff_see_their_own_state_whatever_they_ask(pages: Dict[str, Any]) -> None:
    staff = signed_in(pages["app"], "staff-leon")
    own = staff.get("/estadisticas/datos.json?medida=topic").json
    assert staff.get("/estadisticas/datos.json?medida=topic&estado=14").json == own == \
        staff.get("/estadisticas/datos.json?medida=topic&estado=").json
    assert own["estado"] == GUANAJUATO
    assert staff.get("/estadisticas/datos.json?medida=nada").status_code == 404
    assert pages["app"].test_client().get("/estadisticas/").status_code == 302  # signed out: to the login
    page = staff.get("/estadisticas/")
    assert page.status_code == 200 and "Guanajuato" in page.text and 'name="estado"' not in page.text
    desk = signed_in(pages["app"], "staff-desk")  # a national desk: the people who named no state
    assert desk.get("/estadisticas/datos.json?medida=topic&estado=14").json["estado"] == "nd"
    assert "None" not in desk.get("/estadisticas/").text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_quick_exit_is_counted_as_it_erases_in_the_place_named(backend: str, tmp_path: Path) -> None:
    store = store_for(backend, tmp_path)
    url = str(store.engine.url)

    def exits() -> int:
        return stored(url).get((record.today(), GUANAJUATO, "exit", "quick_exit"), 0)

    before, sender = exits(), f"exit-{uuid.uuid4().hex}"
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    for event in (UserUttered("salir", {"name": "quick_exit"}), SlotSet("place_key", "11020"),
                  ActionExecuted("action_quick_exit"), SlotSet(ERASURE_SLOT, True)):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert exits() == before + 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the pages' words: the database is no matter
def test_every_kind_has_its_page_with_its_values_named_in_spanish(pages: Dict[str, Any]) -> None:
    seen = {"crime": "robbery", "danger": "self_harm", "help": "prosecutor", "handoff": "to_desk",
            "claim_time": "under_1h", "exit": "quick_exit", "channel": "whatsapp", "language": "nah"}
    with session_scope(pages["engine"]) as db:
        for kind, value in seen.items():
            db.add(DailyCount(day=MONDAY, state=GUANAJUATO, kind=kind, value=value, people=12))
        db.add(DailyCount(day=MONDAY, state=GUANAJUATO, kind="help", value="not_found", people=3))
    admin = signed_in(pages["app"], "admin-stats")
    for kind, value in seen.items():
        assert admin.get(f"/estadisticas/?medida={kind}&estado=11").status_code == 200, kind
        named = {row["valor"]: row["nombre"] for row in admin.get(f"/estadisticas/datos.json?medida={kind}").json["filas"]}
        assert named[value] != value and named["total"] == "Total", kind
    assert admin.get("/estadisticas/datos.json?medida=help").json["filas"][0]["semana"] == MONDAY.isoformat()
    assert admin.get("/estadisticas/?medida=help").text.count("<svg") == 3  # with the unmet needs


def test_the_week_under_way_is_not_published_so_no_day_tells_on_the_next(pages: Dict[str, Any]) -> None:
    admin = signed_in(pages["app"], "admin-stats")
    before = admin.get("/estadisticas/datos.csv?medida=topic&estado=11").text
    with session_scope(pages["engine"]) as db:  # someone asks today, in a value never seen before
        record.add(db, "topic", "new_topic", GUANAJUATO)
    assert admin.get("/estadisticas/datos.csv?medida=topic&estado=11").text == before
    assert "2026-12-14" not in before and "2026-12-07" in before


def test_every_column_is_a_value_the_product_counts_and_is_named_in_spanish() -> None:
    assert set(record.TOPICS) == {REPORT, PROTECTION, FIND_HELP}
    for kind in record.KINDS:
        assert "other" in columns_of(kind), kind
        for value in (*columns_of(kind), "total"):
            assert value_label(kind, value) != value, (kind, value)
