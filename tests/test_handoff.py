"""Human handoff end to end: the person over WhatsApp (signed Twilio requests), the staff
member in a real browser (Chromium driven by Playwright), replies through the Twilio fake."""

import secrets
import time
from datetime import datetime, timedelta, timezone
import urllib.error
import urllib.request
from typing import Any, Callable, Dict

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from bot.delivery import outbox
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.simulator.twilio_form import WHATSAPP_NUMBER
from bot.storage.database import session_scope
from bot.storage.models import Contact
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.conftest import WHATSAPP_TEMPLATE_SID, Phone, RunningAssistant
from tests.test_guarantees import twilio_api

CATALOGUES = Catalogues.load()
LEON = "Observatorio Ciudadano de León A.C."


def text(key: str, **values: object) -> str:
    return render(key, "es", CATALOGUES, values)["text"]


def sql(assistant: RunningAssistant, query: str, *params: Any) -> list:
    return assistant.query(query, *params)


def signed_in(open_page: Callable[[str], Page], assistant: RunningAssistant, username: str) -> Page:
    page = open_page(f"http://127.0.0.1:{assistant.web_port}/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Conversaciones en espera")).to_be_visible()
    return page


def handed_off(assistant: RunningAssistant) -> Phone:
    """A person near León who asked for a person, was told where the observatory is, that
    the ONC network counts it as a member and when it answers, and agreed: their handoff
    is waiting."""
    phone = assistant.phone("whatsapp")
    for message in ("hola", "1", "1", "3", "leon gto"):
        phone.say(message)
    offer = phone.say("quiero hablar con una persona")[0].splitlines()
    assert offer[0] == text("utter_handoff_offer", observatory=LEON).splitlines()[0]
    assert offer[1:] == ["Está en León, Guanajuato.", "Es parte de la red del Observatorio Nacional Ciudadano.",
                         "Te responderán en cuanto puedan.", "Si estás en peligro, llama al 911.",
                         "¿Estás de acuerdo?", "1. Sí, que me atienda una persona", "2. No, gracias"]
    assert phone.say("sí") == [text("utter_handoff_started", observatory=LEON)]
    return phone


def close_conversation(page: Page, closing: str) -> None:
    """Closes the open conversation page's handoff, through its confirmation, which shows
    what the person will be told."""
    page.get_by_role("link", name="Cerrar la conversación…").click()
    expect(page.locator("#closing")).to_have_text(closing)
    page.get_by_role("button", name="Sí, cerrar y devolver al asistente").click()
    expect(page.get_by_text("Conversación cerrada")).to_be_visible()


def handoff_of(assistant: RunningAssistant, phone: Phone) -> int:
    return sql(assistant, "SELECT id FROM handoffs WHERE sender_id = ? ORDER BY id DESC", phone.sender_id)[0][0]


@pytest.fixture(scope="module")
def leon_staff(assistant: RunningAssistant) -> str:
    return assistant.new_account("staff", LEON)


def test_declining_keeps_the_assistant(assistant: RunningAssistant, leon_staff: str) -> None:
    phone = assistant.phone("whatsapp")
    for message in ("hola", "1", "1"):
        phone.say(message)
    phone.say("4")
    assert phone.say("no") == [text("utter_handoff_declined")]
    assert sql(assistant, "SELECT count(*) FROM handoffs WHERE sender_id = ?", phone.sender_id) == [(0,)]


def test_the_whole_handoff(open_page: Callable[[str], Page], assistant: RunningAssistant, leon_staff: str,
                           notifications: Dict[str, Any]) -> None:
    page = signed_in(open_page, assistant, leon_staff)
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    assert {"event": "handoff_waiting", "handoff_id": handoff, "observatory": LEON}.items() <= notifications["received"][-1].items()
    assert set(notifications["received"][-1]) == {"event", "handoff_id", "observatory_id", "observatory"}

    # The new handoff appears in the open queue page without reloading it.
    expect(page.get_by_role("link", name=f"#{handoff}")).to_be_visible(timeout=10_000)

    # The person writes: one acknowledgement while nobody has claimed it, then the assistant
    # stays silent, even after the session expires.
    assert phone.say("me llamo Ana Pérez, mi número es 55 8765 4321") == [text("utter_handoff_waiting")]
    sql(assistant, "UPDATE events SET timestamp = timestamp - 7200 WHERE sender_id = ?", phone.sender_id)
    assert phone.say("¿siguen ahí?") == []

    page.get_by_role("link", name=f"#{handoff}").click()
    page.get_by_role("button", name="Tomar la conversación").click()
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("[nombre]")
    expect(transcript).to_contain_text("[teléfono]")
    expect(transcript).not_to_contain_text("55 8765 4321")
    expect(transcript).to_contain_text("¿En qué te puedo orientar?")  # the assistant's turns too
    page.get_by_role("button", name="Mostrar datos personales (queda registrado)").click()
    expect(transcript).to_contain_text("55 8765 4321")
    assert sql(assistant, "SELECT action FROM staff_audit WHERE handoff_id = ? AND action = 'reveal'", handoff)
    page.get_by_role("button", name="Ocultar datos personales").click()
    expect(transcript).to_contain_text("[teléfono]")
    expect(transcript).not_to_contain_text("55 8765 4321")

    page.get_by_label("Mensaje para la persona").fill("Hola, soy del observatorio. ¿Estás a salvo ahora?")
    page.get_by_role("button", name="Enviar").click()
    assert phone.delivered(1) == ["Hola, soy del observatorio. ¿Estás a salvo ahora?"]
    assert assistant.sent_to(phone.address)[-1]["from"] == WHATSAPP_NUMBER

    page.get_by_label("Nota (la persona no la ve)").fill("Pidió que no le llamemos.")
    page.get_by_role("button", name="Guardar nota").click()
    expect(transcript).to_contain_text("Pidió que no le llamemos.")
    assert phone.replies() == []
    page.get_by_label("Categoría").select_option("violencia familiar")
    page.get_by_role("button", name="Guardar categoría").click()
    expect(page.get_by_text("categoría: violencia familiar")).to_be_visible()

    # Danger words still get 911 from the assistant during the handoff.
    assert phone.say("me está siguiendo") == [text("utter_danger")]  # 911 alone: staff answer the rest

    close_conversation(page, text("utter_handoff_closed"))
    assert phone.delivered(1) == [text("utter_handoff_closed")]
    assert phone.say("menú") == [text("utter_main_menu")]


def test_closing_without_having_written_says_so_after_asking(open_page: Callable[[str], Page],
                                                            assistant: RunningAssistant, leon_staff: str) -> None:
    phone = handed_off(assistant)
    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff_of(assistant, phone)}")
    page.get_by_role("button", name="Tomar la conversación").click()
    # The close is apart from the reply: below the notes, not in the reply's form.
    close = page.get_by_role("link", name="Cerrar la conversación…")
    assert page.locator("form:has(textarea#reply) >> text=Cerrar").count() == 0
    assert close.bounding_box()["y"] > page.get_by_role("button", name="Guardar nota").bounding_box()["y"]
    close.click()
    page.get_by_role("link", name="No, volver a la conversación").click()
    assert sql(assistant, "SELECT status FROM handoffs WHERE sender_id = ?", phone.sender_id) == [("active",)]
    close_conversation(page, text("utter_handoff_closed_unanswered"))
    assert phone.delivered(1) == [text("utter_handoff_closed_unanswered")]
    assert text("utter_handoff_closed").splitlines()[1] not in text("utter_handoff_closed_unanswered")


def test_staff_of_another_observatory_get_404(open_page: Callable[[str], Page], assistant: RunningAssistant,
                                              leon_staff: str) -> None:
    handoff = handoff_of(assistant, handed_off(assistant))
    page = signed_in(open_page, assistant, assistant.new_account("staff", "Observatorio Ciudadano de Durango"))
    expect(page.get_by_role("link", name=f"#{handoff}")).to_have_count(0)
    for path in ("", "/media/1"):
        assert page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}{path}").status == 404
    assert page.request.post(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}/claim").status == 400  # no CSRF token


def test_without_signing_in_the_inbox_leads_to_the_login(assistant: RunningAssistant) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoRedirect).open(f"http://127.0.0.1:{assistant.web_port}/inbox/")
    assert answer.value.code == 302 and "/login" in answer.value.headers["Location"]


def test_media_opens_for_the_assigned_staff_member_only(open_page: Callable[[str], Page], assistant: RunningAssistant,
                                                        leon_staff: str) -> None:
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    phone.say(media=("audio/ogg", f"http://127.0.0.1:{assistant.simulator_port}/media/voice-note"))
    media_id = sql(assistant, "SELECT id FROM received_media WHERE sender_id = ?", phone.sender_id)[0][0]
    media_url = f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}/media/{media_id}"

    colleague = signed_in(open_page, assistant, assistant.new_account("staff", LEON))
    assert colleague.goto(media_url).status == 409  # not theirs: the conversation is not claimed by them

    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    page.get_by_role("button", name="Tomar la conversación").click()
    expect(page.get_by_role("link", name="Abrir audio/ogg")).to_be_visible()
    served = page.request.get(media_url)
    assert served.status == 200 and served.headers["content-type"] == "audio/ogg"
    assert served.headers["x-content-type-options"] == "nosniff" and "sandbox" in served.headers["content-security-policy"]

    phone.say(media=("text/html", f"http://127.0.0.1:{assistant.web_port}/login"))  # not Twilio's media host
    elsewhere = sql(assistant, "SELECT max(id) FROM received_media WHERE sender_id = ?", phone.sender_id)[0][0]
    assert page.request.get(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}/media/{elsewhere}").status == 502


def test_whatsapp_window_allows_only_the_approved_template(open_page: Callable[[str], Page],
                                                           assistant: RunningAssistant, leon_staff: str) -> None:
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    with session_scope(assistant.engine) as session:
        session.execute(sa.update(Contact).where(Contact.sender_id == phone.sender_id)
                        .values(last_message_at=datetime.now(timezone.utc) - timedelta(hours=25)))
    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    page.get_by_role("button", name="Tomar la conversación").click()
    expect(page.get_by_text("WhatsApp solo permite enviar una plantilla aprobada")).to_be_visible()
    expect(page.get_by_label("Mensaje para la persona")).to_have_count(0)
    page.get_by_role("button", name="Enviar la plantilla aprobada").click()
    phone.delivered(1)
    assert assistant.sent_to(phone.address)[-1]["content_sid"] == WHATSAPP_TEMPLATE_SID


def test_transfer_to_another_observatory(open_page: Callable[[str], Page], assistant: RunningAssistant,
                                         leon_staff: str) -> None:
    assistant.new_account("staff", "Observatorio Ciudadano de Durango")
    unstaffed = sql(assistant, "SELECT id, name FROM organisations WHERE kind = 'observatory' AND id NOT IN "
                               "(SELECT observatory_id FROM users WHERE observatory_id IS NOT NULL) ORDER BY id")
    assert unstaffed
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    targets = page.get_by_label("Transferir a otro observatorio")
    for _, name in unstaffed:  # nobody there could answer
        expect(targets.locator("option", has_text=name)).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}/transfer",
                                form={"csrf_token": token, "observatory_id": str(unstaffed[0][0])})
    assert refused.status == 400
    assert sql(assistant, "SELECT observatory_id FROM handoffs WHERE id = ?", handoff) == [
        (assistant.observatory_id(LEON),)]
    targets.select_option(label="Observatorio Ciudadano de Durango")
    page.get_by_role("button", name="Transferir").click()
    expect(page.get_by_text("Conversación transferida a Observatorio Ciudadano de Durango.")).to_be_visible()
    notice = phone.delivered(1)[0].splitlines()  # the person knows who reads them now, and where they are
    assert notice[:2] == text("utter_handoff_transferred", observatory="").splitlines()[:2]
    assert "Observatorio Ciudadano de Durango" in notice[2]
    assert notice[3:] == ["Está en Durango, Durango.", "Es parte de la red del Observatorio Nacional Ciudadano."]
    assert sql(assistant, "SELECT observatory_id, status FROM handoffs WHERE id = ?", handoff) == [
        (assistant.observatory_id("Observatorio Ciudadano de Durango"), "waiting")]
    assert page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}").status == 404
    assert sql(assistant, "SELECT action FROM staff_audit WHERE handoff_id = ?", handoff) == [("transfer",)]


def test_quick_exit_during_a_handoff_erases_it_too_and_keeps_what_staff_did(
        open_page: Callable[[str], Page], assistant: RunningAssistant, leon_staff: str) -> None:
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    page.get_by_role("button", name="Tomar la conversación").click()
    page.get_by_label("Mensaje para la persona").fill("Aquí estamos.")
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator("#transcript")).to_contain_text("Aquí estamos.")
    assert phone.delivered(1) == ["Aquí estamos."]
    case_ref = sql(assistant, "SELECT case_ref FROM handoffs WHERE id = ?", handoff)[0][0]
    assert phone.say("esto lo lee la persona del observatorio") == []
    assert phone.say("salir") == [text("utter_quick_exit")]
    for table in ("handoffs", "handoff_messages", "contacts", "events", "staff_audit"):
        assert sql(assistant, f"SELECT count(*) FROM {table} WHERE sender_id = ?", phone.sender_id) == [(0,)]
    audit = sql(assistant, "SELECT action, handoff_id, sender_id FROM staff_audit WHERE case_ref = ? ORDER BY id",
                case_ref)
    assert audit == [("claim", None, None), ("reply", None, None)]  # who did what stays; nothing leads to the person


def test_deleting_ones_data_during_a_waiting_handoff_erases_it(assistant: RunningAssistant, leon_staff: str) -> None:
    phone = handed_off(assistant)
    assert phone.say("vivo en la calle Fresno 8") == [text("utter_handoff_waiting")]  # kept for staff
    assert phone.say("borrar mis datos") == [text("utter_data_deleted")]
    for table in ("handoffs", "handoff_messages", "contacts", "events", "processed_messages"):
        assert sql(assistant, f"SELECT count(*) FROM {table} WHERE sender_id = ?", phone.sender_id) == [(0,)]


def test_the_acknowledgement_while_waiting_never_holds_the_webhook(assistant: RunningAssistant,
                                                                  leon_staff: str) -> None:
    phone = handed_off(assistant)
    with twilio_api(assistant, "hang"):
        started = time.monotonic()
        assert phone.send("¿hay alguien?") == 200
        assert time.monotonic() - started < 10.6  # as for a turn: at most 10 s (README, "How a message travels")
    assert phone.delivered(1, timeout=120) == [text("utter_handoff_waiting")]


def test_staff_reply_and_close_while_twilio_is_unreachable(open_page: Callable[[str], Page],
                                                          assistant: RunningAssistant, leon_staff: str) -> None:
    page = signed_in(open_page, assistant, leon_staff)
    phone = handed_off(assistant)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff_of(assistant, phone)}")
    page.get_by_role("button", name="Tomar la conversación").click()
    with twilio_api(assistant, "drop"):
        page.get_by_label("Mensaje para la persona").fill("Aquí estamos, te leemos.")
        page.get_by_role("button", name="Enviar").click()
        expect(page.locator("#transcript")).to_contain_text("Aquí estamos, te leemos.")
        close_conversation(page, text("utter_handoff_closed"))
        assert phone.replies() == []
    assert sql(assistant, "SELECT status FROM handoffs WHERE sender_id = ?", phone.sender_id) == [("closed",)]
    assert phone.delivered(2, timeout=40) == ["Aquí estamos, te leemos.", text("utter_handoff_closed")]


def test_administrators_see_how_replies_were_delivered(open_page: Callable[[str], Page],
                                                      assistant: RunningAssistant) -> None:
    assert assistant.phone("sms").say("hola")
    with session_scope(assistant.engine) as session:
        counts = outbox.report(session, datetime.now(timezone.utc) - timedelta(days=7))
    page = open_page(f"http://127.0.0.1:{assistant.web_port}/login")
    page.get_by_label("Usuario").fill(assistant.new_account("admin"))
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"http://127.0.0.1:{assistant.web_port}/admin/staff/")
    expect(page.locator("#delivery")).to_contain_text(f"{counts['given_up']} no entregadas")
    assert counts["delivered"] > 0 and counts["waiting"] == 0


def test_administrators_create_staff_accounts(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    page = open_page(f"http://127.0.0.1:{assistant.web_port}/login")
    page.get_by_label("Usuario").fill("admin")
    page.get_by_label("Contraseña").fill(assistant.admin_password)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("link", name="Cuentas").click()
    username = f"nuevo-{secrets.token_hex(3)}"
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña (12 caracteres o más)").fill(PASSWORD)
    page.get_by_label("Observatorio (para el equipo)").select_option(label=LEON)
    page.get_by_role("button", name="Crear").click()
    expect(page.get_by_text("Cuenta creada.")).to_be_visible()
    expect(page.locator("#accounts")).to_contain_text(username)
    page.get_by_label("Usuario").fill(f"{username}-2")
    page.get_by_label("Contraseña (12 caracteres o más)").fill(PASSWORD)
    page.get_by_role("button", name="Crear").click()
    expect(page.get_by_text("una cuenta del equipo necesita su observatorio")).to_be_visible()


def test_markup_and_sql_from_anyone_stay_text(open_page: Callable[[str], Page], assistant: RunningAssistant,
                                             leon_staff: str) -> None:
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    payloads = ['<script>document.body.dataset.pwned = 1</script>', '<img src=x onerror="document.body.dataset.pwned=2">',
                "'; DROP TABLE handoffs; --"]
    assert [phone.say(payload) for payload in payloads] == [[text("utter_handoff_waiting")], [], []]
    page = signed_in(open_page, assistant, leon_staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    page.get_by_role("button", name="Tomar la conversación").click()
    page.get_by_role("button", name="Mostrar datos personales (queda registrado)").click()
    page.get_by_label("Nota (la persona no la ve)").fill("x'); DELETE FROM users; --<b>nota</b>")
    page.get_by_role("button", name="Guardar nota").click()
    transcript = page.locator("#transcript")
    for payload in payloads:
        expect(transcript).to_contain_text(payload)
    expect(transcript).to_contain_text("--<b>nota</b>")
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.locator("#transcript img, #transcript script, #transcript b").count() == 0
    assert sql(assistant, "SELECT count(*) FROM handoffs WHERE id = ?", handoff) == [(1,)]
    assert sql(assistant, "SELECT count(*) FROM users")[0][0] > 0
