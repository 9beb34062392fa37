"""The phone simulator page in a real browser: WhatsApp and SMS through the Twilio webhook."""

from typing import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import RunningAssistant, type_message


@pytest.fixture()
def page(open_page: Callable[[str], Page], assistant: RunningAssistant) -> Page:
    return open_page(f"http://127.0.0.1:{assistant.simulator_port}/")


def use_number(page: Page, number: str) -> None:
    page.fill("#number", number)


def test_whatsapp_with_a_location_pin_and_a_voice_note(page: Page) -> None:
    use_number(page, "+5215500001111")
    bot = page.locator(".msg.bot")
    type_message(page, "hola")
    expect(bot.last).to_contain_text("¿Puedes escribir con calma ahora?")
    type_message(page, "1")
    expect(bot.last).to_contain_text("¿En qué idioma")
    type_message(page, "1")
    expect(bot.last).to_contain_text("¿En qué te puedo orientar?")
    page.get_by_role("button", name="📍 Ubicación").click()
    expect(bot.last).to_contain_text("Esto es lo más cercano a tu ubicación")
    page.get_by_role("button", name="🎤 Nota de voz").click()
    expect(bot.last).to_contain_text("No puedo escuchar notas de voz")


def test_sms_mode_shows_gsm7_text_and_segments(page: Page) -> None:
    page.get_by_label("SMS").check()
    use_number(page, "+5215500002222")
    expect(page.get_by_role("button", name="📍 Ubicación")).to_be_disabled()
    type_message(page, "hola")
    reply = page.locator(".msg.bot").last
    expect(reply).to_contain_text("Te doy informacion gratis")
    expect(reply.locator(".meta")).to_contain_text("segmento(s) SMS")


def test_whatsapp_buttons_and_a_list_are_tapped(page: Page) -> None:
    use_number(page, "+5215500003333")
    bot = page.locator(".msg.bot")
    type_message(page, "hola")
    expect(bot.last).to_contain_text("¿Puedes escribir con calma ahora?")
    bot.last.get_by_role("button", name="Sí", exact=True).click()  # a quick-reply button
    expect(bot.last).to_contain_text("¿En qué idioma")
    expect(bot.last.get_by_role("button", name="Español")).to_be_hidden()  # a list, behind its button
    bot.last.get_by_role("button", name="☰ Ver opciones").click()
    bot.last.get_by_role("button", name="Español").click()
    expect(bot.last).to_contain_text("¿En qué te puedo orientar?")
    expect(page.locator(".msg.user").last).to_have_text("Español")
