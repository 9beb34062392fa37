"""Creating staff accounts: a name and a real observatory are required, on the administrators'
page and on the command line alike."""

import os
import secrets
import subprocess
import sys

import sqlalchemy as sa

from bot.directory.models import Organisation
from bot.storage.database import engine_for, session_scope
from bot.web.models import User
from tests.conftest import ROOT, STAFF_PASSWORD as PASSWORD
from tests.conftest import RunningAssistant
from tests.test_handoff import LEON
from tests.test_web_authorization import Visitor

BLANK_NAME = "falta el nombre de usuario"
UNKNOWN_OBSERVATORY = "no existe ese observatorio"
NOT_AN_OBSERVATORY = "SELECT min(id) FROM organisations WHERE kind <> 'observatory'"


def _create_in_the_page(admin: Visitor, username: str, observatory_id: object) -> str:
    """The staff page after its form is sent."""
    form = {"username": username, "password": PASSWORD, "role": "staff", "observatory_id": str(observatory_id),
            "csrf_token": admin.token("/admin/staff/")}
    return admin.http.post(f"{admin.base}/admin/staff/", data=form).text


def test_the_staff_page_refuses_a_blank_name_and_an_unknown_observatory(assistant: RunningAssistant) -> None:
    admin = Visitor(assistant, "admin", assistant.admin_password)
    accounts_before = assistant.query("SELECT count(*) FROM users")
    username = f"nuevo-{secrets.token_hex(3)}"
    assert BLANK_NAME in _create_in_the_page(admin, " \t ", assistant.observatory_id(LEON))
    assert UNKNOWN_OBSERVATORY in _create_in_the_page(admin, username, 999_999)
    assert UNKNOWN_OBSERVATORY in _create_in_the_page(admin, username, assistant.query(NOT_AN_OBSERVATORY)[0][0])
    assert assistant.query("SELECT count(*) FROM users") == accounts_before
    assert "Cuenta creada." in _create_in_the_page(admin, username, assistant.observatory_id(LEON))


def _add_on_the_command_line(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.web.accounts", "add", *arguments], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "ORIENTA_NEW_PASSWORD": PASSWORD}, timeout=60)


def test_the_command_line_refuses_a_blank_name_and_an_unknown_observatory(seeded: str) -> None:
    with session_scope(engine_for(seeded)) as db:
        leon = db.scalar(sa.select(Organisation.id).where(Organisation.name == LEON))
    for arguments, message in ((("  ", "--role", "admin"), BLANK_NAME),
                               (("nuevo", "--observatory", "999999"), UNKNOWN_OBSERVATORY)):
        refused = _add_on_the_command_line(*arguments)
        assert refused.returncode != 0 and message in refused.stderr and "Traceback" not in refused.stderr
    with session_scope(engine_for(seeded)) as db:
        assert db.scalar(sa.select(sa.func.count(User.id))) == 0
    assert _add_on_the_command_line("nuevo", "--observatory", str(leon)).returncode == 0
