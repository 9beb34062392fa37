"""Where a handoff goes and what option 4 promises, against the seeded directory on SQLite:
the staffed observatory of the person's state nearest to their place or their latest
WhatsApp pin, else the national desk an administrator designated, else an honest answer;
the menus offer a person only when someone can answer, or say from when."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from actions.handoff import ActionHumanHandoff
from actions.location import where
from actions.menu import ActionMainMenu
from bot.directory.models import Organisation
from bot.handoff import desk as national_desk
from bot.handoff.hours import DAYS
from bot.handoff.models import StaffAudit
from bot.handoff.routing import state_of_point
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.database import engine_for, session_scope
from bot.web import accounts
from tests.conftest import ROOT, STAFF_PASSWORD
from tests.test_actions import run, tracker
from tests.test_inbox_isolation import Staff
from tests.test_staff_lifecycle import StaffPages
from tests.test_staff_lifecycle import pages  # noqa: F401 (the fixture, on this module's database)

LEON, JALISCO, MORELOS = "Observatorio Ciudadano de León A.C.", "Jalisco Cómo Vamos", "Observatorio de Seguridad Ciudadana UAEM"
GUADALAJARA_PIN = {"latitude": 20.6767, "longitude": -103.3475}
LEON_KEY, OAXACA_KEY, GUADALAJARA_KEY = "11020", "20067", "14039"
CATALOGUES = Catalogues.load()


def observatory(url: str, name: str) -> int:
    with session_scope(engine_for(url)) as session:
        return session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def staff(url: str, name: str, hours: str | None = None) -> int:
    """A staff account at the named observatory (answering at `hours`); its id."""
    observatory_id = observatory(url, name)
    with session_scope(engine_for(url)) as session:
        session.get(Organisation, observatory_id).handoff_hours = hours
    accounts.create(engine_for(url), f"staff-{observatory_id}", STAFF_PASSWORD, "staff", observatory_id)
    return observatory_id


def closed_now() -> str:
    """Staffed hours that are not now: one hour, on another day of the week."""
    today = datetime.now(ZoneInfo("America/Mexico_City")).weekday()
    return f"{DAYS[(today + 3) % 7]} 09:00-10:00"


def offered_to(current: object) -> str | None:
    """The observatory the handoff offer names, or None when it says nobody can answer."""
    replies, _, messages = run(ActionHumanHandoff(), current)
    return messages[0]["observatory"] if replies == ["utter_handoff_offer"] else None


def option_four(current: object) -> str:
    """Option 4 of the main menu as the person reads it."""
    _, _, messages = run(ActionMainMenu(), current)
    relabel = messages[0].get("relabel") or {}
    return render("utter_main_menu", "es", CATALOGUES, {}, relabel=relabel)["text"].splitlines()[-1]


def pin_then_place(place_first: bool) -> list:
    pin = [{"event": "slot", "name": name, "value": value} for name, value in GUADALAJARA_PIN.items()]
    place = [{"event": "slot", "name": "place_key", "value": LEON_KEY}]
    return place + pin if place_first else pin + place


def test_without_anyone_to_answer_option_four_leads_to_the_lines_and_refuses_nobody(seeded: str) -> None:
    assert option_four(tracker("menu")) == "4. Líneas que atienden ahora"
    replies, _, _ = run(ActionHumanHandoff(), tracker("human_handoff"))
    assert replies == ["utter_human_handoff"]  # what option 4 said: the lines that answer now
    assert "911" in render("utter_human_handoff", "es", CATALOGUES, {})["text"]


def test_option_four_offers_a_person_who_answers_now_or_says_from_when(seeded: str) -> None:
    staff(seeded, LEON)
    assert option_four(tracker("menu", slots={"place_key": LEON_KEY})) == "4. Hablar con una persona"
    with session_scope(engine_for(seeded)) as session:
        session.scalars(sa.select(Organisation).where(Organisation.name == LEON)).one().handoff_hours = closed_now()
    later = option_four(tracker("menu", slots={"place_key": LEON_KEY}))
    assert later.startswith("4. Escribir a una persona (responde a partir del ") and "09:00" in later


def test_a_state_without_staff_goes_to_the_national_desk_else_nobody(seeded: str) -> None:
    staff(seeded, LEON)
    in_oaxaca = tracker("human_handoff", slots={"place_key": OAXACA_KEY})
    assert offered_to(in_oaxaca) is None  # León is not Oaxaca's: no promise of a person there
    assert option_four(tracker("menu", slots={"place_key": OAXACA_KEY})) == "4. Líneas que atienden ahora"

    desk = observatory(seeded, MORELOS)
    assert national_desk.designate(engine_for(seeded), desk)
    assert offered_to(in_oaxaca) is None  # a desk without staff answers nobody
    staff(seeded, MORELOS)
    assert offered_to(in_oaxaca) == MORELOS
    assert offered_to(tracker("human_handoff", slots={"place_key": LEON_KEY})) == LEON  # its own state first
    assert offered_to(tracker("human_handoff")) == MORELOS  # nowhere known: the desk


def test_a_closed_observatory_gives_way_to_a_desk_that_answers_now(seeded: str) -> None:
    staff(seeded, LEON, hours=closed_now())
    staff(seeded, MORELOS)
    national_desk.designate(engine_for(seeded), observatory(seeded, MORELOS))
    assert offered_to(tracker("human_handoff", slots={"place_key": LEON_KEY})) == MORELOS


@pytest.mark.parametrize("place_first,expected", [(True, JALISCO), (False, LEON)])
def test_the_latest_of_the_pin_and_the_place_named_routes_the_handoff(seeded: str, place_first: bool,
                                                                      expected: str) -> None:
    staff(seeded, LEON)
    staff(seeded, JALISCO)
    slots = {"place_key": LEON_KEY, **GUADALAJARA_PIN}
    # The pin came in an earlier turn: the latest intent is the request for a person.
    current = tracker("human_handoff", "quiero hablar con una persona", slots=slots, events=pin_then_place(place_first))
    assert offered_to(current) == expected


PIN = (GUADALAJARA_PIN["latitude"], GUADALAJARA_PIN["longitude"])
ASK = "quiero hablar con una persona"


def pin_then(place_key: str) -> object:
    """A pin in Guadalajara, then `place_key` typed in a later turn; now the request for a person."""
    events = [*pin_then_place(False)[:2], {"event": "slot", "name": "place_key", "value": place_key}]
    return tracker("human_handoff", ASK, slots={"place_key": place_key, **GUADALAJARA_PIN}, events=events)


@pytest.mark.parametrize("typed", [GUADALAJARA_KEY, "14"])  # Guadalajara, or Jalisco
def test_the_place_the_pin_is_in_typed_after_it_keeps_the_pin(typed: str) -> None:
    assert where(pin_then(typed)) == (PIN, "14")  # the pin is more precise
    in_this_message = tracker("human_handoff", "estoy en guadalajara jalisco", slots=GUADALAJARA_PIN,
                              events=pin_then_place(False)[:2])
    assert where(in_this_message) == (PIN, "14")


def test_another_place_typed_after_the_pin_wins() -> None:
    origin, state_key = where(pin_then(LEON_KEY))
    assert state_key == "11" and origin != PIN


def test_a_pin_belongs_to_its_state() -> None:
    assert state_of_point((GUADALAJARA_PIN["latitude"], GUADALAJARA_PIN["longitude"])) == "14"
    assert state_of_point((21.1218, -101.6825)) == "11"  # León


def test_designating_the_desk_is_audited_and_refuses_what_is_no_observatory(seeded: str) -> None:
    engine = engine_for(seeded)
    morelos, jalisco = observatory(seeded, MORELOS), observatory(seeded, JALISCO)
    assert national_desk.designate(engine, morelos) and not national_desk.designate(engine, morelos)
    assert national_desk.designate(engine, jalisco) and national_desk.designate(engine, None)
    with session_scope(engine) as session:
        line = session.scalar(sa.select(Organisation.id).where(Organisation.kind == "national_line"))
        rows = session.execute(sa.select(StaffAudit.action, StaffAudit.detail)
                               .where(StaffAudit.action == "national_desk").order_by(StaffAudit.id)).all()
    with pytest.raises(ValueError):
        national_desk.designate(engine, line)
    assert rows == [("national_desk", f"ninguna → {MORELOS}"), ("national_desk", f"{MORELOS} → {JALISCO}"),
                    ("national_desk", f"{JALISCO} → ninguna")]


def test_the_command_line_designates_the_desk(seeded: str) -> None:
    def desk(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.handoff.desk", *arguments], cwd=ROOT, text=True,
                              capture_output=True, env={"ORIENTA_DATABASE_URL": seeded, "PATH": "/usr/bin"})

    done = desk(str(observatory(seeded, MORELOS)))
    assert done.returncode == 0, done.stderr
    assert desk("999999").returncode == 1
    with session_scope(engine_for(seeded)) as session:
        assert session.execute(sa.select(StaffAudit.user_id, StaffAudit.detail)
                               .where(StaffAudit.action == "national_desk")).all() == [
            (None, f"ninguna → {MORELOS}")]  # the command line: no author


@pytest.fixture()
def database(seeded: str) -> str:
    """The staff pages' database (tests.test_staff_lifecycle.pages): this module's SQLite."""
    return seeded


def test_an_administrator_designates_the_desk_in_the_page(pages: StaffPages) -> None:  # noqa: F811
    admin_name, admin_id = pages.account("admin")
    admin, staff_member = Staff(pages, admin_name), Staff(pages, pages.account("staff", LEON)[0])
    assert "No hay mesa nacional" in admin.page("/admin/desk/")
    assert staff_member.post("/admin/desk/", observatory_id=observatory(pages.database_url, MORELOS)) == 403

    assert admin.post("/admin/desk/", observatory_id=observatory(pages.database_url, MORELOS)) == 302
    shown = admin.page("/admin/desk/")
    assert "Mesa nacional guardada" in shown and f"Mesa nacional: <strong>{MORELOS}</strong>" in shown
    assert "no tiene cuentas de equipo activas" in shown  # said plainly: a desk without staff answers nobody
    assert "Cambió la mesa nacional" in admin.page("/admin/audit/")
    for bad in ("14abc", "  ", "1e3", "+5", "١٢"):  # nothing but "ninguno" (empty) clears the desk
        assert admin.post("/admin/desk/", observatory_id=bad) == 302
        assert "No se cambió nada" in admin.page("/admin/desk/")
    assert f"Mesa nacional: <strong>{MORELOS}</strong>" in admin.page("/admin/desk/")
    with session_scope(pages.engine) as session:
        assert session.execute(sa.select(StaffAudit.user_id).where(StaffAudit.action == "national_desk")).all() == [
            (admin_id,)]
