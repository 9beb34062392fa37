"""The whole loop, in Chromium on a phone-sized page, on SQLite and on PostgreSQL (the
`assistant` fixture runs on both): consent, an SMS alert to the staff member's own number,
claim, reply, transfer, escalation of the transferred handoff to the national desk, close,
and the assistant answering again."""

import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, List

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from bot.handoff.models import Handoff
from bot.storage.database import session_scope
from bot.web import account_changes
from tests.conftest import NATIONAL_DESK, RunningAssistant
from tests.test_handoff import LEON, close_conversation, handed_off, handoff_of, signed_in, text

DURANGO = "Observatorio Ciudadano de Durango"
ESCALATE_AFTER = timedelta(minutes=15)  # the default: the shared assistant does not set it


def staff_with_phone(assistant: RunningAssistant, observatory: str) -> tuple[str, str]:
    """A staff account of the observatory whose SMS alerts go to a number of its own."""
    username, number = assistant.new_account("staff", observatory), "+52477" + secrets.token_hex(4)[:7].translate(
        str.maketrans("abcdef", "123456"))
    assert account_changes.change_alert_phone(assistant.engine, username, number)
    return username, number


def sms_alerts(assistant: RunningAssistant, number: str, count: int, timeout: float = 30) -> List[str]:
    """The SMS sent to a staff number, once `count` have arrived (the sweep runs every 5 s)."""
    deadline = time.monotonic() + timeout
    while len(sent := assistant.sent_to(number)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return [message["body"] for message in sent]


def open_conversation(page: Page, assistant: RunningAssistant, handoff: int) -> None:
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/")
    page.get_by_role("link", name=f"#{handoff}").click()
    page.get_by_role("button", name="Tomar la conversación").click()


def test_the_whole_loop_on_a_phone(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    leon, leon_phone = staff_with_phone(assistant, LEON)
    durango, durango_phone = staff_with_phone(assistant, DURANGO)
    desk, desk_phone = staff_with_phone(assistant, NATIONAL_DESK)

    phone = handed_off(assistant)  # consent: named, where it is, ONC membership, when it answers
    handoff = handoff_of(assistant, phone)
    [alert] = sms_alerts(assistant, leon_phone, 1)
    assert alert.startswith(f"Orienta: una conversación espera en la fila de {LEON}") and "/inbox/" in alert
    assert phone.number[-8:] not in alert and "Ana" not in alert
    assert phone.say("me llamo Ana Pérez, mi número es 55 8765 4321") == [text("utter_handoff_waiting")]

    page = signed_in(open_page, assistant, leon)
    open_conversation(page, assistant, handoff)
    expect(page.locator("#transcript")).to_contain_text("[nombre]")
    page.get_by_label("Mensaje para la persona").fill("Hola, soy del observatorio de León.")
    page.get_by_role("button", name="Enviar").click()
    assert phone.delivered(1) == ["Hola, soy del observatorio de León."]
    assert phone.say("gracias, sigo aquí") == []  # staff have it: the assistant is silent

    page.get_by_label("Transferir a otro observatorio").select_option(label=DURANGO)
    page.get_by_role("button", name="Transferir").click()
    expect(page.get_by_text(f"Conversación transferida a {DURANGO}.")).to_be_visible()
    assert DURANGO in phone.delivered(1)[0]
    assert sms_alerts(assistant, durango_phone, 1)[0].startswith(f"Orienta: una conversación espera en la fila de {DURANGO}")

    # Nobody at Durango takes it: once it has waited there as long as the limit, it goes to the desk.
    with session_scope(assistant.engine) as session:
        session.execute(sa.update(Handoff).where(Handoff.id == handoff).values(
            waiting_since=datetime.now(timezone.utc) - ESCALATE_AFTER))
    told = phone.delivered(1, timeout=30)
    assert told and told[0].startswith(f"Seguimos aquí.\nNadie de {DURANGO} ha podido tomar tu conversación")
    assert NATIONAL_DESK in told[0]
    assert sms_alerts(assistant, desk_phone, 1)[0].startswith(
        f"Orienta: una conversación espera en la fila de {NATIONAL_DESK}")
    assert assistant.query("SELECT observatory_id, status FROM handoffs WHERE id = ?", handoff) == [
        (assistant.observatory_id(NATIONAL_DESK), "waiting")]
    assert signed_in(open_page, assistant, durango).goto(
        f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}").status == 404  # no longer Durango's

    desk_page = signed_in(open_page, assistant, desk)
    open_conversation(desk_page, assistant, handoff)
    expect(desk_page.locator("#transcript")).to_contain_text("gracias, sigo aquí")
    assert desk_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    desk_page.get_by_label("Mensaje para la persona").fill("Hola, te escribe la mesa nacional.")
    desk_page.get_by_role("button", name="Enviar").click()
    assert phone.delivered(1) == ["Hola, te escribe la mesa nacional."]
    close_conversation(desk_page, text("utter_handoff_closed"))
    assert phone.delivered(1) == [text("utter_handoff_closed")]
    assert phone.say("menú") == [text("utter_main_menu")]  # the assistant answers again
    actions = [a for (a,) in assistant.query("SELECT action FROM staff_audit WHERE handoff_id = ? ORDER BY id", handoff)]
    assert actions == ["claim", "reply", "transfer", "escalate", "claim", "reply", "close"]


def test_after_a_pin_in_guadalajara_the_handoff_goes_to_jalisco(assistant: RunningAssistant) -> None:
    assistant.new_account("staff", "Jalisco Cómo Vamos")
    phone = assistant.phone("whatsapp")
    for message in ("hola", "1", "1", "3", "leon gto"):  # León named first
        phone.say(message)
    phone.say(location=(20.6767, -103.3475))  # then a pin in Guadalajara
    offer = phone.say("quiero hablar con una persona")  # the latest intent is no longer the pin
    assert offer[0].startswith(text("utter_handoff_offer", observatory="Jalisco Cómo Vamos").splitlines()[0])
    assert "Está en Guadalajara, Jalisco." in offer[0]
