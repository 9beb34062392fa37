"""The web chat page in a real browser (Debian's Chromium driven by Playwright)."""

from typing import Callable

import pytest
from playwright.sync_api import Page, expect

from bot.channels.rate_limit import parse_rate
from bot.channels.twilio_channel import DEFAULT_SENDER_RATE
from tests.conftest import PHONE_SCREEN, RunningAssistant, type_message

SENDER_LIMIT, _ = parse_rate(DEFAULT_SENDER_RATE)


@pytest.fixture()
def page(open_page: Callable[[str], Page], assistant: RunningAssistant) -> Page:
    return open_page(f"{assistant.base_url}/webhooks/webchat/")


def test_a_conversation_with_typed_text_and_option_buttons(page: Page) -> None:
    bot = page.locator(".msg.bot")
    type_message(page, "hola")
    expect(bot.last).to_contain_text("¿Puedes escribir con calma ahora?")
    expect(bot.last).to_contain_text("1. Sí")
    page.get_by_role("button", name="Sí", exact=True).click()
    expect(bot.last).to_contain_text("¿En qué idioma")
    page.get_by_role("button", name="Español").click()
    expect(bot.last).to_contain_text("4. Hablar con una persona")
    page.get_by_role("button", name="Protección sin denunciar").last.click()
    expect(bot.last).to_contain_text("¿En qué estado")
    type_message(page, "Oaxaca")
    expect(page.locator("#log")).to_contain_text("puedes pedir una orden de protección")
    type_message(page, "me está siguiendo")
    expect(bot.last).to_contain_text("llama al 911")


def test_the_page_fits_a_phone_screen(page: Page) -> None:
    box = page.locator(".phone").bounding_box()
    assert box and box["width"] <= PHONE_SCREEN["width"] and box["height"] <= PHONE_SCREEN["height"]


def test_markup_typed_by_the_person_stays_text(page: Page) -> None:
    payload = '<img src=x onerror="document.body.dataset.pwned=1">'
    type_message(page, payload)
    expect(page.locator(".msg.user").last).to_have_text(payload)
    expect(page.locator(".msg.bot").first).to_be_visible()
    assert page.locator("#log img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None


def test_new_conversation_starts_over(page: Page) -> None:
    type_message(page, "hola")
    expect(page.locator(".msg.bot").last).to_contain_text("¿Puedes escribir")
    type_message(page, "1")
    expect(page.locator(".msg.bot").last).to_contain_text("¿En qué idioma")
    page.get_by_role("button", name="Nueva conversación").click()
    expect(page.locator(".msg")).to_have_count(0)
    type_message(page, "hola")
    expect(page.locator(".msg.bot").last).to_contain_text("¿Puedes escribir")


def test_over_the_limit_the_page_says_so_and_danger_still_gets_through(page: Page) -> None:
    for n in range(SENDER_LIMIT + 1):
        type_message(page, f"hola {n}")
    expect(page.locator(".msg.error")).to_have_text(
        "Tu mensaje no se envió: espera un momento y vuelve a escribirlo. Si estás en peligro, llama al 911.",
        timeout=90_000)
    type_message(page, "me está siguiendo")  # 911 first, then what protects, over the limit too
    expect(page.locator(".msg.bot", has_text="Lee esto ahora, por favor.").last).to_contain_text("llama al 911",
                                                                                             timeout=30_000)
