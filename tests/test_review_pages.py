"""Reviewing translations in the staff pages, in a real browser (Chromium driven by
Playwright) and over HTTP, against the processes `python -m bot.run` starts: a reviewer
publishes a Tseltal text and the next message to a Tseltal-speaking person carries it."""

import io
import secrets
import time
from typing import Callable

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from bot.replies.catalogue_tools import source_entries
from bot.replies.live import CHECK_INTERVAL_S
from bot.web import accounts
from bot.web.reviewers import INALI_CATALOGUE
from tests.conftest import ON_SQLITE_ONLY, STAFF_PASSWORD as PASSWORD
from tests.conftest import RunningAssistant
from tests.test_admin_pages import sign_in, web
from tests.test_web_authorization import Visitor

MENU = "[tzh] Bin ya jk'an? (menú de prueba)\nJak'o ta numero (0):"  # test texts, only in the test's database
HOW = "[tzh] Jich ya apas ta k'op (cómo denunciar, de prueba)"
VARIANT, TSOTSIL = "tseltal del norte", "tsotsil de los Altos"


def reviewer(assistant: RunningAssistant, language: str = "tzh", variant: str = VARIANT) -> str:
    username = f"revisora-{secrets.token_hex(4)}"
    accounts.create(assistant.engine, username, PASSWORD, "reviewer", review_language=language,
                    review_variant=variant)
    return username


def open_reviewer_account(admin: Page, username: str) -> None:
    """On the Cuentas page, as an administrator: a new Tseltal reviewer of VARIANT."""
    admin.get_by_label("Usuario").fill(username)
    admin.get_by_label("Contraseña (12 caracteres o más)").fill(PASSWORD)
    admin.get_by_label("Rol").select_option("reviewer")
    admin.get_by_label("Idioma que revisa").select_option("tzh")
    admin.get_by_label("Variante, como la nombra").select_option(VARIANT)
    admin.get_by_role("button", name="Crear").click()
    expect(admin.get_by_text("Cuenta creada.")).to_be_visible()


@ON_SQLITE_ONLY
def test_a_reviewer_publishes_a_tseltal_answer_and_the_next_message_carries_it(
        open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    username = f"revisora-{secrets.token_hex(4)}"
    admin = open_page(web(assistant, "/login"))
    sign_in(admin, assistant, "admin", assistant.admin_password)
    admin.get_by_role("link", name="Cuentas").click()
    expect(admin.get_by_role("link", name="catálogo de variantes del INALI")).to_have_attribute("href", INALI_CATALOGUE)
    open_reviewer_account(admin, username)
    expect(admin.locator("#accounts")).to_contain_text(f"Tseltal: {VARIANT}")

    page = open_page(web(assistant, "/login"))
    sign_in(page, assistant, username)
    expect(page.get_by_role("heading", name="Revisión: Tseltal")).to_be_visible()
    expect(page.locator("#variant")).to_contain_text(VARIANT)
    expect(page.get_by_role("link", name="Conversaciones")).to_have_count(0)
    page.get_by_role("link", name="utter_main_menu", exact=True).click()
    expect(page.locator("#spanish")).to_contain_text("¿En qué te puedo orientar?")
    expect(page.locator("#served")).to_have_text("— (se envía el español)")
    page.get_by_label("Texto en Tseltal").fill(MENU)
    page.get_by_role("button", name="Publicar revisado").click()
    expect(page.get_by_text("Publicado: se envía desde el próximo mensaje.")).to_be_visible()
    expect(page.locator("#served")).to_have_text(MENU)
    expect(page.locator("#status")).to_contain_text(f"Revisado y publicado · revisó {username}, 20")
    page.get_by_role("link", name="← Todas las entradas").click()
    page.get_by_role("link", name="item.report.how", exact=True).click()
    page.get_by_label("Texto en Tseltal").fill(HOW)
    page.get_by_role("button", name="Publicar revisado").click()
    expect(page.locator("#served")).to_have_text(HOW)
    time.sleep(CHECK_INTERVAL_S)  # how often each process looks for a change

    phone = assistant.phone("whatsapp")
    phone.say("Hola")
    phone.say("sí")
    menu = phone.say("4")  # Tseltal, the fourth language of the menu
    assert menu[-1].startswith(MENU + "\n1. "), menu
    answer = "\n".join(phone.say("1"))
    assert HOW in answer and source_entries()["item.report.where_any"].split(":")[0] in answer  # the rest: Spanish

    page.get_by_role("button", name="Retirar lo que se envía").click()  # a text found wrong
    expect(page.get_by_text("Retirado: desde el próximo mensaje se envía el español.")).to_be_visible()
    expect(page.locator("#served")).to_have_text("— (se envía el español)")
    expect(page.locator("#status")).to_have_text("Retirado: se envía el español")
    expect(page.locator("#draft")).to_have_text(HOW)  # kept to correct and publish again
    time.sleep(CHECK_INTERVAL_S)  # the action server last looked a moment ago, before the withdrawal
    assert phone.say("0")[-1].startswith(MENU + "\n1. ")
    answer = "\n".join(phone.say("1"))
    assert HOW not in answer and source_entries()["item.report.how"] in answer


@ON_SQLITE_ONLY
def test_what_a_reviewer_may_do_and_what_is_refused(assistant: RunningAssistant) -> None:
    visitor = Visitor(assistant, reviewer(assistant))
    for path in ("/inbox/", "/estadisticas/", "/admin/staff/", "/admin/audit/"):
        assert visitor.status("GET", path) == 403, path
    assert visitor.http.get(f"{visitor.base}/").url.endswith("/review/")
    assert visitor.status("GET", "/review/no_such_entry") == 404
    for role in ("staff", "admin"):
        other = Visitor(assistant, *((assistant.new_account("staff", "Observatorio Ciudadano de Durango"),) if role == "staff"
                                     else ("admin", assistant.admin_password)))
        assert other.status("GET", "/review/") == 403 and other.status("POST", "/review/utter_welcome") == 403

    def post(key: str, text: str, action: str = "publish", token: bool = True) -> tuple:
        form = {"text": text, "action": action, **({"csrf_token": visitor.token("/review/")} if token else {})}
        answer = visitor.http.post(f"{visitor.base}/review/{key}", data=form)
        return answer.status_code, answer.text

    status, page = post("utter_option_out_of_range", "[tzh] 1 - 7")
    assert status == 400 and "faltan {highest}" in page
    status, page = post("utter_option_out_of_range", "[tzh] {highest} {__class__}")
    assert status == 400 and "sobran {__class__}" in page
    assert post("utter_welcome", "[tzh] sin token", token=False)[0] == 400
    status, page = post("utter_welcome", "<script>alert(1)</script> [tzh]", action="draft")
    assert status == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert assistant.query("SELECT count(*) FROM translations WHERE reviewed IS NOT NULL AND key IN "
                           "('utter_option_out_of_range', 'utter_welcome')")[0][0] == 0
    chat = assistant.conversation()
    chat.say("Hola")
    chat.say("sí")
    assert "<script>" not in "\n".join(chat.say("4"))  # a draft is never served


@ON_SQLITE_ONLY
def test_publishing_is_in_the_staff_audit(assistant: RunningAssistant) -> None:
    username = reviewer(assistant, "tzo", TSOTSIL)
    visitor = Visitor(assistant, username)
    form = {"text": "[tzo] Jich, MENÚ (de prueba)", "action": "publish", "csrf_token": visitor.token("/review/")}
    assert visitor.http.post(f"{visitor.base}/review/utter_acknowledge", data=form).status_code == 200
    audit = Visitor(assistant, "admin", assistant.admin_password).http.get(f"{visitor.base}/admin/audit/").text
    assert "Publicó una traducción revisada" in audit and "tzo · utter_acknowledge" in audit and username in audit
    downloaded = visitor.http.get(f"{visitor.base}/review/catalogue.po")
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="tzo.po"'
    catalog = read_po(io.BytesIO(downloaded.content))
    assert catalog["utter_acknowledge"].string == "[tzo] Jich, MENÚ (de prueba)" and not catalog["utter_acknowledge"].fuzzy
    assert " ".join(catalog["utter_acknowledge"].user_comments).startswith(f"Revisó: {username}, {TSOTSIL}, 20")
    assert catalog["item.report.how"].string == ""  # every entry of the source, translated or not
