"""Staff accounts over their life: deactivated, reactivated, reset, given another role or
observatory, from the administrators' pages (in Chromium and over HTTP) and from the command
line, on SQLite and PostgreSQL; every change in the staff audit, which administrators read
as a table in Spanish; the sessions of a deactivated or reset account end at once."""

import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from bot.directory import seed
from bot.directory.models import Organisation
from bot.handoff import service
from bot.handoff.models import Handoff
from bot.run import free_port
from bot.settings import Settings
from bot.storage.contacts import remember
from bot.storage.crypto import Sealer, new_key
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.web import account_changes, accounts
from bot.web.app import create_app
from bot.web.models import User
from tests.conftest import PHONE_SCREEN, ROOT, STAFF_PASSWORD, fresh_postgresql_database
from tests.test_inbox_isolation import Staff
from tests.test_web_authorization import Visitor

NEW_PASSWORD = "otra-contraseña-larga"
ROUNDS = 5
DATA_KEY = new_key()
LEON = "Observatorio Ciudadano de León A.C."
DURANGO = "Observatorio Ciudadano de Durango"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the directory's seed, on SQLite or the machine's PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'staff.db'}"
        upgrade(url)
        seed.load(engine_for(url))
        yield url
        return
    with fresh_postgresql_database() as url:
        upgrade(url)
        seed.load(engine_for(url))
        yield url


@dataclass
class StaffPages:
    """The staff web application served over HTTP on a real database."""

    web_port: int
    database_url: str

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_for(self.database_url)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def observatory_id(self, name: str) -> int:
        with session_scope(self.engine) as db:
            return db.scalar(sa.select(Organisation.id).where(Organisation.name == name))

    def account(self, role: str, observatory: str = "") -> Tuple[str, int]:
        username = f"{role}-{os.urandom(4).hex()}"
        user_id = accounts.create(self.engine, username, STAFF_PASSWORD, role,
                                  self.observatory_id(observatory) if observatory else None)
        return username, user_id

    def user(self, user_id: int) -> User:
        with session_scope(self.engine) as db:
            user = db.get(User, user_id)
            db.expunge(user)
            return user

    def audit(self, user_id: int) -> List[Tuple[str, object, str]]:
        """(action, author id, detail) of the audit rows about an account, oldest first."""
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(
                "SELECT action, user_id, detail FROM staff_audit WHERE target_user_id = :id ORDER BY id"),
                {"id": user_id})]


@pytest.fixture
def pages(database: str) -> Iterator[StaffPages]:
    settings = Settings(database, (DATA_KEY,), b"k", "AC" + "0" * 32, "token", None, None, None)
    server = make_server("127.0.0.1", free_port(), create_app(settings, secret_key=new_key()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield StaffPages(server.server_port, database)
    server.shutdown()


def _post(admin: Visitor, path: str, **form: str) -> str:
    """Posts an administrator's form; the page it leads to."""
    form["csrf_token"] = admin.token("/admin/staff/")
    return admin.http.post(admin.base + path, data=form).text


def test_a_deactivated_account_is_signed_out_at_once_and_stays_out(pages: StaffPages) -> None:
    admin = Visitor(pages, pages.account("admin")[0])
    username, user_id = pages.account("staff", LEON)
    phone, laptop = Visitor(pages, username), Visitor(pages, username)
    assert [phone.status("GET", "/inbox/"), laptop.status("GET", "/inbox/")] == [200, 200]

    assert "Cuenta desactivada" in _post(admin, f"/admin/staff/{user_id}/active", active="no")
    assert [phone.status("GET", "/inbox/"), laptop.status("GET", "/inbox/")] == [302, 302]
    assert Visitor(pages, username).status("GET", "/inbox/") == 302  # cannot sign in again

    assert "Cuenta reactivada" in _post(admin, f"/admin/staff/{user_id}/active", active="sí")
    assert phone.status("GET", "/inbox/") == 302  # an old cookie does not come back to life
    assert Visitor(pages, username).status("GET", "/inbox/") == 200
    assert [action for action, _, _ in pages.audit(user_id)] == ["create", "deactivate", "reactivate"]


def test_a_reset_password_ends_every_session_and_lifts_a_lock(pages: StaffPages) -> None:
    admin = Visitor(pages, pages.account("admin")[0])
    username, user_id = pages.account("staff", LEON)
    signed_in = Visitor(pages, username)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        Visitor(pages, username, "not the password")
    assert pages.user(user_id).locked_until is not None

    assert "Contraseña restablecida" in _post(admin, f"/admin/staff/{user_id}/password", password=NEW_PASSWORD)
    assert signed_in.status("GET", "/inbox/") == 302
    assert Visitor(pages, username).status("GET", "/inbox/") == 302  # the old password
    assert Visitor(pages, username, NEW_PASSWORD).status("GET", "/inbox/") == 200
    assert "12 caracteres" in _post(admin, f"/admin/staff/{user_id}/password", password="corta")
    assert pages.audit(user_id)[-1][0] == "reset_password" and len(pages.audit(user_id)) == 2


def _queue(visitor: Visitor) -> List[Tuple[int, bool]]:
    """The handoffs a staff member's queue lists: id, and whether they hold it."""
    return [(row["id"], row["mine"]) for row in visitor.http.get(visitor.base + "/inbox/queue.json").json()]


def test_a_new_role_or_observatory_applies_at_the_next_request(pages: StaffPages) -> None:
    admin_name, admin_id = pages.account("admin")
    admin = Visitor(pages, admin_name)
    username, user_id = pages.account("staff", LEON)
    staff = Visitor(pages, username)
    with session_scope(pages.engine) as db:
        handoff, _ = service.start(db, "someone", pages.observatory_id(LEON), "asked", "es")
        handoff.status, handoff.claimed_by, handoff_id = "active", user_id, handoff.id
    assert _queue(staff) == [(handoff_id, True)]

    durango = pages.observatory_id(DURANGO)
    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/role", role="staff",
                                        observatory_id=str(durango))
    assert _queue(staff) == []  # León's conversation is no longer theirs
    with session_scope(pages.engine) as db:
        released = db.get(Handoff, handoff_id)
        assert (released.status, released.claimed_by) == ("waiting", None)  # back in León's queue
    assert staff.status("GET", "/admin/staff/") == 403

    assert "Cambios guardados" in _post(admin, f"/admin/staff/{user_id}/role", role="admin")
    assert staff.status("GET", "/admin/staff/") == 200
    assert pages.user(user_id).observatory_id is None
    assert pages.audit(user_id)[1:] == [
        ("release", admin_id, None), ("change_observatory", admin_id, f"de {LEON} a {DURANGO}"),
        ("change_role", admin_id, "de Equipo de observatorio a Administración")]
    with session_scope(pages.engine) as db:
        case_ref = db.get(Handoff, handoff_id).case_ref
    audit_page = admin.http.get(admin.base + "/admin/audit/").text
    assert f'Devolvió la conversación a la cola</td><td data-label="Sobre">caso {case_ref}, cuenta {username}</td>' \
        in audit_page


def test_the_last_administrator_cannot_be_deactivated_nor_demoted(pages: StaffPages) -> None:
    admin_name, admin_id = pages.account("admin")
    admin = Visitor(pages, admin_name)
    assert "única cuenta de administración activa" in _post(admin, f"/admin/staff/{admin_id}/active", active="no")
    assert "única cuenta de administración activa" in _post(
        admin, f"/admin/staff/{admin_id}/role", role="staff", observatory_id=str(pages.observatory_id(LEON)))
    assert pages.user(admin_id).active and pages.user(admin_id).role == "admin"
    assert admin.status("GET", "/admin/staff/") == 200
    assert [action for action, _, _ in pages.audit(admin_id)] == ["create"]


def test_an_account_created_in_the_page_is_audited_with_its_author(pages: StaffPages) -> None:
    admin_name, admin_id = pages.account("admin")
    admin = Visitor(pages, admin_name)
    assert "Cuenta creada." in _post(admin, "/admin/staff/", username="nueva", password=STAFF_PASSWORD, role="staff",
                                     observatory_id=str(pages.observatory_id(LEON)))
    with session_scope(pages.engine) as db:
        created = db.scalar(sa.select(User.id).where(User.username == "nueva"))
    assert pages.audit(created) == [("create", admin_id, f"Equipo de observatorio, {LEON}")]


def test_two_administrators_removed_at_the_same_moment_leave_one(pages: StaffPages) -> None:
    if not pages.database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time: the second change fails instead")
    survivor, _ = pages.account("admin")
    for _ in range(ROUNDS):
        newcomer, _ = pages.account("admin")
        start = threading.Barrier(2)

        def deactivate(username: str) -> str:
            start.wait()
            try:
                account_changes.set_active(pages.engine, username, False)
                return "deactivated"
            except ValueError:
                return "refused"

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(deactivate, (survivor, newcomer)))
        assert sorted(outcomes) == ["deactivated", "refused"]
        survivor = newcomer if outcomes[0] == "deactivated" else survivor
        with session_scope(pages.engine) as db:
            assert db.scalars(sa.select(User.username).where(User.role == "admin", User.active.is_(True))).all() \
                == [survivor]


def _sign_in(open_page: Callable[[str], Page], pages: StaffPages, username: str) -> Page:
    page = open_page(f"{pages.base}/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    return page


def test_an_administrator_changes_an_account_and_reads_the_audit_in_chromium(
        open_page: Callable[[str], Page], pages: StaffPages) -> None:
    admin_name, _ = pages.account("admin")
    username, _ = pages.account("staff", LEON)
    page = _sign_in(open_page, pages, admin_name)
    page.get_by_role("link", name="Cuentas", exact=True).click()
    expect(page.locator("#accounts")).to_contain_text("Equipo de observatorio")
    page.get_by_role("link", name=username).click()

    page.get_by_role("button", name="Desactivar la cuenta").click()
    expect(page.get_by_role("status")).to_contain_text("Cuenta desactivada")
    expect(page.locator("#summary strong")).to_have_text("desactivada")
    page.get_by_role("button", name="Reactivar la cuenta").click()
    expect(page.locator("#summary strong")).to_have_text("activa")
    page.get_by_label("Nueva contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Restablecer").click()
    expect(page.get_by_role("status")).to_contain_text("Contraseña restablecida")
    page.get_by_label("Observatorio (para el equipo)").select_option(label=DURANGO)
    page.get_by_role("button", name="Guardar rol y observatorio").click()
    expect(page.locator("#summary")).to_contain_text(DURANGO)

    page.get_by_role("link", name="Registro", exact=True).click()
    rows = page.locator("#audit tbody tr")
    expect(rows.first).to_contain_text("Cambió el observatorio")
    table = page.locator("#audit").inner_text()
    for shown in ("Creó la cuenta", "Desactivó la cuenta", "Reactivó la cuenta", "Restableció la contraseña",
                  f"de {LEON} a {DURANGO}", f"cuenta {username}", admin_name):
        assert shown in table, shown
    assert not re.search(r"[{}\[\]]|deactivate|reset_password|change_observatory", table)  # no JSON, no codes
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]  # no sideways scroll


def _command_line(database: str, *arguments: str, password: str = NEW_PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.web.accounts", *arguments], cwd=ROOT, text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, "ORIENTA_DATABASE_URL": database, "ORIENTA_NEW_PASSWORD": password})


def test_the_command_line_changes_accounts_and_audits_each_change(database: str) -> None:
    engine = engine_for(database)
    with session_scope(engine) as db:
        leon, durango = (db.scalar(sa.select(Organisation.id).where(Organisation.name == name))
                         for name in (LEON, DURANGO))
    accounts.create(engine, "admin", STAFF_PASSWORD, "admin")
    user = accounts.create(engine, "ana", STAFF_PASSWORD, "staff", leon)
    generation = _generation(engine, user)
    for arguments in (("deactivate", "ana"), ("reactivate", "ana"), ("reset", "ana"),
                      ("observatory", "ana", str(durango)), ("role", "ana", "admin")):
        done = _command_line(database, *arguments)
        assert done.returncode == 0, done.stderr
    assert _generation(engine, user) == generation + 3  # deactivated, reactivated, reset
    assert accounts.sign_in(engine, "ana", NEW_PASSWORD) == user
    with engine.connect() as connection:
        audit = [tuple(row) for row in connection.execute(sa.text(
            "SELECT action, user_id, detail FROM staff_audit WHERE target_user_id = :id ORDER BY id"), {"id": user})]
    assert audit == [("create", None, f"Equipo de observatorio, {LEON}"), ("deactivate", None, None),
                     ("reactivate", None, None), ("reset_password", None, None),
                     ("change_observatory", None, f"de {LEON} a {DURANGO}"),
                     ("change_role", None, "de Equipo de observatorio a Administración")]

    for arguments, message in ((("deactivate", "nadie"), "no existe la cuenta «nadie»"),
                               (("observatory", "ana", "999999"), "solo las cuentas del equipo"),
                               (("role", "ana", "staff"), "necesita su observatorio"),
                               (("role", "ana", "staff", "--observatory", "999999"), "no existe ese observatorio")):
        refused = _command_line(database, *arguments)
        assert refused.returncode == 1 and message in refused.stderr and "Traceback" not in refused.stderr, refused
    assert _command_line(database, "deactivate", "admin").returncode == 0  # ana is an administrator now
    last = _command_line(database, "deactivate", "ana")
    assert last.returncode == 1 and "única cuenta de administración activa" in last.stderr
    assert _command_line(database, "reset", "ana", password="corta").returncode == 1
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM staff_audit")).scalar_one()
    assert rows == len(audit) + 2  # the administrator's creation and deactivation, nothing refused


def _generation(engine: sa.engine.Engine, user_id: int) -> int:
    with session_scope(engine) as db:
        return db.get(User, user_id).session_generation


def _waiting_handoff(pages: StaffPages, observatory: str) -> int:
    with session_scope(pages.engine) as db:
        handoff = Handoff(sender_id=f"person-{new_key()[:8]}", observatory_id=pages.observatory_id(observatory),
                          status="waiting", reason="asked", language="es", created_at=datetime.now(timezone.utc))
        db.add(handoff)
        db.flush()
        return handoff.id


def _held_by(pages: StaffPages, handoff_id: int) -> Tuple[str, object]:
    with session_scope(pages.engine) as db:
        handoff = db.get(Handoff, handoff_id)
        return handoff.status, handoff.claimed_by


def test_a_role_change_hands_back_what_the_account_held(pages: StaffPages) -> None:
    """Promoted, a staff member no longer holds nor reads the conversation they had taken:
    it waits for the observatory's staff again (and does not strand when they move back)."""
    pages.account("admin")  # another administrator, so that the promoted one may be demoted
    name, user_id = pages.account("staff", LEON)
    handoff = _waiting_handoff(pages, LEON)
    holder = Staff(pages, name, STAFF_PASSWORD)
    assert holder.post(f"/inbox/{handoff}/claim") == 302
    account_changes.change_role(pages.engine, name, "admin")
    assert _held_by(pages, handoff) == ("waiting", None)
    assert "release" in [action for action, _, _ in pages.audit(user_id)]
    assert holder.http.get(f"{holder.base}/inbox/{handoff}/lines").status_code == 409
    assert holder.post(f"/inbox/{handoff}/claim") != 302 and _held_by(pages, handoff) == ("waiting", None)
    colleague = Staff(pages, pages.account("staff", LEON)[0], STAFF_PASSWORD)
    assert colleague.post(f"/inbox/{handoff}/claim") == 302
    assert _held_by(pages, handoff)[0] == "active"


def test_an_administrator_belongs_to_no_observatory(pages: StaffPages) -> None:
    """Refused at creation; and an administrator row that names one neither staffs it nor
    takes its conversations."""
    with pytest.raises(ValueError):
        accounts.create(pages.engine, "jefa", STAFF_PASSWORD, "admin", pages.observatory_id(DURANGO))
    name, user_id = pages.account("admin")
    with session_scope(pages.engine) as db:
        db.get(User, user_id).observatory_id = pages.observatory_id(DURANGO)
        assert pages.observatory_id(DURANGO) not in {o.id for o in service.staffed_observatories(db)}
    handoff = _waiting_handoff(pages, DURANGO)
    admin = Staff(pages, name, STAFF_PASSWORD)
    assert admin.post(f"/inbox/{handoff}/claim") != 302 and _held_by(pages, handoff) == ("waiting", None)
    assert admin.http.get(f"{admin.base}/inbox/{handoff}/lines").status_code == 409


def test_the_close_says_nobody_answered_when_every_reply_was_given_up(pages: StaffPages) -> None:
    """A reply Twilio refused for good did not reach the person: the close tells them nobody
    could answer, not that the person who attended them closed the conversation."""
    handoff = _waiting_handoff(pages, LEON)
    with session_scope(pages.engine) as db:
        sender = db.get(Handoff, handoff).sender_id
        remember(db, Sealer([DATA_KEY]), sender, "whatsapp:+5215512345678", "whatsapp:+14155238886", "whatsapp",
                 datetime.now(timezone.utc))
    holder = Staff(pages, pages.account("staff", LEON)[0], STAFF_PASSWORD)
    assert holder.post(f"/inbox/{handoff}/claim") == 302
    assert holder.post(f"/inbox/{handoff}/reply", text="Hola, aquí estamos.") == 302
    assert "sin haber podido contestarte" not in holder.page(f"/inbox/{handoff}/close")  # still being sent
    with pages.engine.begin() as connection:  # the courier gave it up
        given_up = connection.execute(sa.text("UPDATE outbox SET failed_at = :at WHERE handoff_message_id IS NOT NULL"),
                                      {"at": datetime.now(timezone.utc)}).rowcount
    assert given_up == 1
    assert "sin haber podido contestarte" in holder.page(f"/inbox/{handoff}/close")
