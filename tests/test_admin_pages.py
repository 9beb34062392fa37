"""The directory administration in a real browser (Debian's Chromium driven by Playwright),
against the staff web process started by `python -m bot.run`."""

import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page, expect

from bot.dev_secrets import load_or_create
from bot.web import accounts
from bot.web.app import create_app
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.conftest import RunningAssistant
from tests.test_web_settings import settings


def web(assistant: RunningAssistant, path: str = "") -> str:
    return f"http://127.0.0.1:{assistant.web_port}{path}"


def sign_in(page: Page, assistant: RunningAssistant, username: str, password: str = PASSWORD) -> None:
    page.goto(web(assistant, "/login"))
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Entrar").click()


def count(assistant: RunningAssistant, sql: str) -> int:
    return assistant.query(sql)[0][0]


def add_organisation(page: Page, kind: str, name: str, state: str, **labelled: str) -> None:
    """Fills the new-organisation form (other fields by their label) and saves it."""
    page.get_by_role("link", name="+ Agregar organización").click()
    page.get_by_label("Tipo").select_option(kind)
    page.get_by_label("Nombre").fill(name)
    page.get_by_label("Estado").select_option(state)
    page.get_by_label("Fecha de verificación").fill("2026-11-21")
    for label, value in labelled.items():
        page.get_by_label(label.replace("_", " "), exact=False).first.fill(value)
    page.get_by_role("button", name="Guardar").click()


@pytest.fixture()
def admin_page(open_page: Callable[[str], Page], assistant: RunningAssistant) -> Page:
    page = open_page(web(assistant, "/login"))
    sign_in(page, assistant, "admin", assistant.admin_password)
    expect(page.get_by_role("heading", name="Directorio de ayuda")).to_be_visible()
    return page


def test_without_signing_in_every_admin_page_leads_to_the_login(assistant: RunningAssistant) -> None:
    for path in ("/admin/directory/", "/admin/directory/new", "/admin/directory/1", "/admin/directory/export.csv",
                 "/admin/directory/import", "/admin/directory/changes"):
        request = urllib.request.Request(web(assistant, path))
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(request)
        assert answer.value.code == 302 and "/login" in answer.value.headers["Location"], path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_a_post_without_csrf_token_is_refused(assistant: RunningAssistant) -> None:
    request = urllib.request.Request(web(assistant, "/login"), data=b"username=admin&password=x")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    assert answer.value.code == 400


def test_staff_cannot_administer_the_directory(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    page = open_page(web(assistant, "/login"))
    sign_in(page, assistant, assistant.new_account("staff"))
    response = page.goto(web(assistant, "/admin/directory/"))
    assert response.status == 403
    assert page.goto(web(assistant, "/admin/directory/export.csv")).status == 403


def test_wrong_passwords_lock_the_account(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    username = assistant.new_account("admin")
    page = open_page(web(assistant, "/login"))
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        sign_in(page, assistant, username, "wrong password!")
        expect(page.get_by_text("Usuario o contraseña incorrectos")).to_be_visible()
    sign_in(page, assistant, username)
    expect(page.get_by_text("cuenta bloqueada")).to_be_visible()


def test_session_cookie_flags_and_security_headers(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    page = open_page(web(assistant, "/login"))
    response = page.goto(web(assistant, "/login"))
    headers = response.headers
    assert headers["x-frame-options"] == "DENY" and "default-src 'self'" in headers["content-security-policy"]
    sign_in(page, assistant, assistant.new_account("staff"))
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax"


def test_add_with_validation_edit_deactivate_and_audit(admin_page: Page, assistant: RunningAssistant) -> None:
    page = admin_page
    name = f"Centro de Justicia para las Mujeres de prueba {secrets.token_hex(3)}"
    add_organisation(page, "women_justice_centre", name, "11", Latitud="40.4", Longitud="-3.7", Teléfono="12345")
    expect(page.get_by_text("Las coordenadas no están en México.")).to_be_visible()
    expect(page.get_by_text("Teléfono mexicano de 10 dígitos")).to_be_visible()
    expect(page.get_by_text("La fuente es obligatoria")).to_be_visible()
    assert count(assistant, f"SELECT count(*) FROM organisations WHERE name = '{name}'") == 0

    page.get_by_label("Latitud").fill("21.12")
    page.get_by_label("Longitud").fill("-101.68")
    page.get_by_label("Teléfono").fill("477 123 4567")
    page.get_by_label("Fuente (de dónde sale cada dato)").fill("Página oficial del centro (prueba)")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text(f"Se agregó «{name}».")).to_be_visible()

    page.get_by_role("link", name=name).click()
    page.get_by_label("Horario", exact=True).fill("Lunes a viernes de 9 a 17 h")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Cambios guardados.")).to_be_visible()

    row = page.locator("tr", has_text=name)
    row.get_by_role("button", name="Desactivar").click()
    expect(page.get_by_text(f"«{name}» desactivada.")).to_be_visible()

    page.get_by_role("link", name="Historial de cambios").click()
    table = page.locator("#changes")
    expect(table).to_contain_text("deactivate")
    expect(table).to_contain_text("Lunes a viernes de 9 a 17 h")
    expect(table.locator("tr", has_text="create").first).to_contain_text("admin")


def test_a_change_shows_in_the_next_answer(admin_page: Page, assistant: RunningAssistant) -> None:
    name = f"Fiscalía de prueba en Torreón {secrets.token_hex(3)}"
    page = admin_page
    add_organisation(page, "prosecutor", name, "05", Municipio="05035", Teléfono="871 000 0000",
                     Fuente="Prueba de cambio en vivo")
    expect(page.get_by_text(f"Se agregó «{name}».")).to_be_visible()

    chat = assistant.conversation()
    chat.start()
    chat.say("quiero denunciar")
    chat.say("torreon coahuila")
    assert name in "\n".join(chat.say("ayuda cerca de mi"))  # the place is known: not asked again


def test_csv_with_a_bad_row_changes_nothing_and_an_export_reimports_as_is(
    admin_page: Page, assistant: RunningAssistant, tmp_path: Path
) -> None:
    page = admin_page
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportar CSV").click()
    exported = tmp_path / "export.csv"
    download.value.save_as(exported)
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,kind,name,")

    broken = tmp_path / "broken.csv"
    bad = lines[1].replace(",observatory,", ",observatorio,", 1)
    broken.write_text("\n".join([lines[0], bad, *lines[2:], ",other,Nueva,11,11020,,,,,,,,,,Fuente,2026-11-01,sí"]) + "\n",
                      encoding="utf-8")
    organisations, changes = (count(assistant, "SELECT count(*) FROM organisations"),
                              count(assistant, "SELECT count(*) FROM directory_changes"))
    page.get_by_role("link", name="Importar CSV").click()
    page.get_by_label("Archivo CSV").set_input_files(str(broken))
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_text("No se importó nada.")).to_be_visible()
    expect(page.locator("#import-errors")).to_contain_text("Tipo desconocido")
    assert count(assistant, "SELECT count(*) FROM organisations") == organisations
    assert count(assistant, "SELECT count(*) FROM directory_changes") == changes

    page.get_by_label("Archivo CSV").set_input_files(str(exported))
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_text("0 nuevas, 0 modificadas")).to_be_visible()
    assert count(assistant, "SELECT count(*) FROM directory_changes") == changes


def test_names_with_markup_are_shown_as_text(admin_page: Page, assistant: RunningAssistant) -> None:
    page = admin_page
    name = '<img src=x onerror="document.body.dataset.pwned=1">'
    add_organisation(page, "other", name, "09", Fuente="Prueba de escape")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.locator("main img").count() == 0


def test_signing_in_starts_a_new_session(open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    """A validly signed session planted before sign-in (an attacker's own, whose CSRF token they
    know) is not the one the account then uses: nothing of it is left."""
    app = create_app(settings(), secret_key=load_or_create(assistant.sqlite_path.parent)["ORIENTA_WEB_SECRET"])
    signer = app.session_interface.get_signing_serializer(app)
    planted = {"csrf_token": secrets.token_hex(20), "revealed": [1, 2, 3]}
    page = open_page(web(assistant, "/login"))
    page.context.add_cookies([{"name": "session", "value": signer.dumps(planted), "url": web(assistant)}])
    sign_in(page, assistant, "admin", assistant.admin_password)
    expect(page.get_by_role("heading", name="Directorio de ayuda")).to_be_visible()
    session = signer.loads(next(c["value"] for c in page.context.cookies() if c["name"] == "session"))
    assert session["_user_id"] and session["csrf_token"] != planted["csrf_token"] and "revealed" not in session


def test_sql_in_admin_forms_is_stored_as_text(admin_page: Page, assistant: RunningAssistant) -> None:
    name = f"x'); DROP TABLE organisations; -- {secrets.token_hex(3)}"
    add_organisation(admin_page, "other", name, "09", Fuente="' OR '1'='1")
    expect(admin_page.get_by_role("link", name=name)).to_be_visible()
    assert count(assistant, "SELECT count(*) FROM organisations") > 1
