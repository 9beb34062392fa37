"""The inbox as staff use it on a phone (Chromium, 390×844): the transcript follows the
conversation without reloading, the page stays at the newest message, each reply shows how
far it got (read from the outbox), long links stay inside the screen, the reply box warns
about the lock screen, and what staff read is in Spanish, not stored codes."""

import re
from typing import Callable

from playwright.sync_api import Page, expect

from tests.conftest import PHONE_SCREEN, STAFF_PASSWORD, RunningAssistant
from tests.test_guarantees import twilio_api
from tests.test_handoff import LEON, handed_off, handoff_of, signed_in
from tests.test_inbox_isolation import Staff

LONG_LINK = "https://www.example.org/denuncia?folio=" + "A7f3Q9zK" * 40  # nowhere to break
CODES = ("waiting", "active", "asked", "whatsapp")  # as stored; never shown


def sideways(page: Page) -> bool:
    """Whether the page, or the transcript's box, scrolls sideways on the phone's screen."""
    assert page.viewport_size == PHONE_SCREEN
    return page.evaluate("[document.documentElement, document.getElementById('lines')]"
                         ".some((box) => box.scrollWidth > box.clientWidth)")


def test_the_inbox_on_a_phone(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    page = signed_in(open_page, assistant, assistant.new_account("staff", LEON))
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    for number in range(12):
        phone.say(f"mensaje {number} mientras espero")
    assert phone.say(f"lo vi aquí: {LONG_LINK}") == []

    queue = page.locator("#queue")
    expect(queue).to_contain_text("pidió hablar con una persona", timeout=10_000)
    expect(queue).to_contain_text("en espera")
    for code in CODES:
        expect(queue).not_to_contain_text(code)

    page.get_by_role("link", name=f"#{handoff}").click()
    page.get_by_role("button", name="Tomar la conversación").click()
    reply_box = page.get_by_label("Mensaje para la persona")
    expect(page.locator("#newest")).to_contain_text("lo vi aquí:")
    expect(page.locator("#newest")).to_be_in_viewport()
    expect(reply_box).to_be_in_viewport()
    expect(page.locator("#lines .line").first).not_to_be_in_viewport()  # the oldest scrolled away, in its box
    page.get_by_role("button", name="Mostrar datos personales (queda registrado)").click()
    expect(page.locator("#newest")).to_contain_text(LONG_LINK)
    expect(page.locator("#newest")).to_be_in_viewport()
    assert not sideways(page)
    expect(reply_box).to_have_accessible_description(re.compile("primera línea se ve en la pantalla bloqueada"))
    meta = page.locator("p.meta").first
    expect(meta).to_contain_text("atendida · motivo: pidió hablar con una persona · canal: WhatsApp")
    for code in CODES:
        expect(page.locator("main")).not_to_contain_text(code)

    # The person writes: the open page shows it, still at the newest message.
    assert phone.say("¿alguien me lee?") == []
    expect(page.locator("#newest")).to_contain_text("¿alguien me lee?", timeout=10_000)
    expect(page.locator("#newest")).to_be_in_viewport()

    # A reply while Twilio fails is "enviando", then "enviado" once it is delivered.
    with twilio_api(assistant, "error"):
        reply_box.fill("Hola. Aquí estamos, te leemos.")
        page.get_by_role("button", name="Enviar").click()
        newest = page.locator("#newest")
        expect(newest).to_contain_text("Aquí estamos, te leemos.")
        expect(newest.locator(".delivery")).to_have_text("enviando")
        expect(newest).to_be_in_viewport()
        expect(reply_box).to_be_in_viewport()
    expect(page.locator("#newest .delivery")).to_have_text("enviado", timeout=40_000)
    assert phone.delivered(1) == ["Hola. Aquí estamos, te leemos."]

    # A reply Twilio refuses for good is "no entregado", shown without reloading.
    with twilio_api(assistant, "refuse"):
        reply_box.fill("Hola. ¿Sigues ahí?")
        page.get_by_role("button", name="Enviar").click()
        expect(page.locator("#newest .delivery")).to_have_text("no entregado", timeout=15_000)
    assert not sideways(page)


def test_the_directory_names_kinds_in_spanish(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    page = open_page(f"http://127.0.0.1:{assistant.web_port}/login")
    page.get_by_label("Usuario").fill(assistant.new_account("admin"))
    page.get_by_label("Contraseña").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    kinds = page.get_by_label("Tipo")
    expect(kinds).to_contain_text("Centro de Justicia para las Mujeres")
    expect(page.locator("main")).not_to_contain_text("women_justice_centre")
    kinds.select_option("observatory")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("main table")).to_contain_text("observatorio ciudadano")
    expect(page.locator("main table")).not_to_contain_text("observatory")


def test_the_transcript_is_sent_again_only_when_it_changed(assistant: RunningAssistant) -> None:
    staff = Staff(assistant, assistant.new_account("staff", LEON))
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    assert staff.post(f"/inbox/{handoff}/claim") == 302
    lines = f"{staff.base}/inbox/{handoff}/lines"
    first = staff.http.get(lines)
    assert first.status_code == 200 and "quiero hablar con una persona" in first.text
    assert staff.http.get(lines, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    phone.say("otra cosa que quiero contar")
    changed = staff.http.get(lines, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "otra cosa que quiero contar" in changed.text
    assert staff.post(f"/inbox/{handoff}/reveal") == 302  # what the page shows changed too
    assert staff.http.get(lines, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 200
