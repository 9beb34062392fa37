"""`make run` (ORIENTA_DEV_STAFF=on with the simulator): a development staff account for the
directory's first observatory, printed like the administrator's, whose inbox receives the
simulator's handoff; never without the switch, nor with a Twilio account."""

from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from bot.dev_secrets import DEV_ADMIN, DEV_STAFF, DEV_STAFF_PASSWORD, DEV_STAFF_SWITCH, load_or_create
from bot.run import LaunchSettings, development_accounts
from bot.storage.database import engine_for, session_scope
from bot.web.models import User
from tests.conftest import RunningAssistant
from tests.test_handoff import LEON, handed_off, handoff_of, text


def test_the_development_staff_member_receives_the_simulators_handoff(
        newcomer: RunningAssistant, open_page: Callable[[str], Page]) -> None:
    password = load_or_create(newcomer.sqlite_path.parent)[DEV_STAFF_PASSWORD]
    assert (f"Development staff of {LEON} (the inbox): user «{DEV_STAFF}», password {DEV_STAFF_PASSWORD} in "
            f"{Path(newcomer.sqlite_path.parent) / 'dev-secrets.env'}") in newcomer.banner
    assert password not in newcomer.banner
    handoff = handoff_of(newcomer, handed_off(newcomer))

    page = open_page(f"http://127.0.0.1:{newcomer.web_port}/login")
    page.get_by_label("Usuario").fill(DEV_STAFF)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Conversaciones en espera")).to_be_visible()
    expect(page.locator(f"a[href='/inbox/{handoff}']")).to_be_visible()


def test_a_person_in_another_state_reaches_the_development_inbox_too(newcomer: RunningAssistant) -> None:
    """The development observatory is the national desk: a handoff from Oaxaca, where no
    observatory has staff, goes to it rather than to the lines."""
    phone = newcomer.phone("whatsapp")
    for message in ("hola", "1", "1", "3", "oaxaca"):
        phone.say(message)
    offer = phone.say("quiero hablar con una persona")[0]
    assert offer.startswith(text("utter_handoff_offer", observatory=LEON).splitlines()[0]), offer


def test_without_the_switch_there_is_no_development_staff(assistant: RunningAssistant) -> None:
    assert "Development staff" not in assistant.banner
    assert assistant.query("SELECT count(*) FROM users WHERE username = ?", DEV_STAFF) == [(0,)]


def test_never_with_a_twilio_account(seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEV_STAFF_SWITCH, "on")
    monkeypatch.setenv("ORIENTA_SQLITE_PATH", str(tmp_path / "orienta.db"))
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    engine = engine_for(seeded)
    assert development_accounts(LaunchSettings.from_env(), {}, engine) is None
    with session_scope(engine) as db:
        assert db.scalar(sa.select(sa.func.count(User.id))) == 0
    monkeypatch.delenv("TWILIO_ACCOUNT_SID")
    settings = LaunchSettings.from_env()
    assert development_accounts(settings, settings.environment(), engine) == LEON
    with session_scope(engine) as db:
        assert sorted(db.scalars(sa.select(User.username))) == [DEV_ADMIN, DEV_STAFF]
