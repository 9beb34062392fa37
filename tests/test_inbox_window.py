"""WhatsApp's 24-hour window as Twilio enforces it: a staff reply Twilio refuses for being
outside it (error 63016) leads the inbox to the approved template, until the person
writes again. The person over signed Twilio requests, the staff member in Chromium."""

from typing import Callable

from playwright.sync_api import Page, expect

from tests.conftest import ON_SQLITE_ONLY, WHATSAPP_TEMPLATE_SID, RunningAssistant
from tests.test_guarantees import twilio_api
from tests.test_handoff import LEON, handed_off, handoff_of, signed_in


@ON_SQLITE_ONLY
def test_a_staff_reply_twilio_refuses_outside_the_window_leads_to_the_template(
        open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    staff = assistant.new_account("staff", LEON)
    phone = handed_off(assistant)
    handoff = handoff_of(assistant, phone)
    page = signed_in(open_page, assistant, staff)
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    page.get_by_role("button", name="Tomar la conversación").click()
    with twilio_api(assistant, "whatsapp-window"):  # Twilio's window closed before ours (error 63016)
        page.get_by_label("Mensaje para la persona").fill("Hola, aquí estamos.")
        page.get_by_role("button", name="Enviar").click()
        expect(page.locator(".delivery.failed")).to_have_text("no entregado", timeout=15000)
        page.reload()
        expect(page.get_by_text("WhatsApp solo permite enviar una plantilla aprobada")).to_be_visible()
        expect(page.get_by_label("Mensaje para la persona")).to_have_count(0)
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        refused = page.request.post(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}/reply",
                                    form={"csrf_token": token, "text": "Hola otra vez."})
        assert refused.ok
        page.get_by_role("button", name="Enviar la plantilla aprobada").click()
        assert phone.delivered(2) == ["Hola, aquí estamos.", ""]  # nothing of the refused free text
        assert assistant.sent_to(phone.address)[-1]["content_sid"] == WHATSAPP_TEMPLATE_SID
    phone.say("gracias")  # the person writes again: free text again
    page.goto(f"http://127.0.0.1:{assistant.web_port}/inbox/{handoff}")
    expect(page.get_by_label("Mensaje para la persona")).to_be_visible()
