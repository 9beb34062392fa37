"""The directory's administrators' pages over real HTTP: the coverage page shows the figures
of `make directory-coverage` (one implementation, bot/directory/coverage.py) and an
administrator's change at once; an address typed in the form is kept and listed. One seeded
SQLite database and one server for the module."""

import html
import re
import threading
from datetime import date
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from bot.directory import coverage, seed
from bot.directory.nearest import Directory
from bot.run import free_port
from bot.settings import Settings
from bot.storage.crypto import new_key
from bot.storage.database import engine_for
from bot.storage.migrate import upgrade
from bot.web import accounts
from bot.web.app import create_app
from tests.conftest import PHONE_SCREEN, STAFF_PASSWORD
from tests.test_admin_pages import sign_in
from tests.test_web_authorization import Visitor

PAGE = "/admin/directory/coverage"


class Pages:
    """The staff web application served on a seeded database (what Visitor needs of it)."""

    def __init__(self, web_port: int, database_url: str) -> None:
        self.web_port, self.database_url = web_port, database_url

    def account(self, name: str, role: str) -> str:
        observatory = None if role == "admin" else 1
        accounts.create(engine_for(self.database_url), name, STAFF_PASSWORD, role, observatory)
        return name


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('coverage')) / 'coverage.db'}"
    upgrade(url)
    seed.load(engine_for(url))
    settings = Settings(url, (new_key(),), b"k", "AC" + "0" * 32, "token", None, None, None)
    server = make_server("127.0.0.1", free_port(), create_app(settings, secret_key=new_key()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Pages(server.server_port, url)
    server.shutdown()


def rows(page: str) -> Dict[str, List[str]]:
    """The page's table: each state's name and its cells, as text."""
    table = {}
    for row in re.findall(r'<tr data-state="\d\d".*?</tr>', page, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]
        table[cells[0]] = cells[1:]
    return table


def command_line_rows(url: str) -> Dict[str, List[str]]:
    """What `python -m bot.directory.coverage` prints for each state, split into its cells."""
    report = coverage.report(Directory(engine_for(url)).index().entries)
    return {row.name: [*map(str, row.cells.values()), "-" if row.oldest_check_days is None else str(row.oldest_check_days)]
            for row in report.states}


def test_only_administrators_see_the_coverage(pages: Pages) -> None:
    assert Visitor(pages).status("GET", PAGE) == 302
    assert Visitor(pages, pages.account("staff-coverage", "staff")).status("GET", PAGE) == 403
    assert Visitor(pages, pages.account("admin-coverage", "admin")).status("GET", PAGE) == 200


def test_the_page_shows_the_command_lines_figures_and_an_administrators_change(pages: Pages) -> None:
    admin = Visitor(pages, pages.account("admin-changes", "admin"))
    page = admin.http.get(admin.base + PAGE).text
    shown = rows(page)
    assert shown == command_line_rows(pages.database_url) and len(shown) == 32
    assert shown["Oaxaca"][:2] == ["1/1", "-"]  # its Fiscalía has a website; no centre yet
    report = coverage.report(Directory(engine_for(pages.database_url)).index().entries)
    assert f"Sin ningún contacto propio: {', '.join(report.unreachable) or 'ninguno'}." in html.unescape(page)
    assert f"Líneas nacionales: {report.national.total}, {report.national.reachable} con contacto." in page

    form = {"kind": "women_justice_centre", "name": "Centro de Justicia para las Mujeres de Oaxaca (prueba)",
            "state_key": "20", "municipality_key": "20067", "phone": "951 000 0000",
            "source": "Prueba de administración", "verified_on": date.today().isoformat(), "active": "sí",
            "csrf_token": admin.token("/admin/directory/new")}
    assert admin.http.post(admin.base + "/admin/directory/new", data=form).status_code == 200
    assert rows(admin.http.get(admin.base + PAGE).text)["Oaxaca"][:2] == ["1/1", "1/1"]


def test_the_command_line_prints_the_same_report(pages: Pages) -> None:
    entries = Directory(engine_for(pages.database_url)).index().entries
    printed = coverage.table(entries)
    for row in coverage.report(entries).states:
        line = next(line for line in printed if line.startswith(row.name[:coverage.STATE_WIDTH - 1]))
        assert line.split()[-6:] == command_line_rows(pages.database_url)[row.name], row.name


def test_an_address_typed_in_the_form_is_kept_and_listed(pages: Pages) -> None:
    admin = Visitor(pages, pages.account("admin-address", "admin"))
    assert 'name="address"' in admin.http.get(admin.base + "/admin/directory/new").text
    form = {"kind": "victims_commission", "name": "Comisión de Atención a Víctimas (prueba de dirección)",
            "state_key": "20", "municipality_key": "20067", "address": "Calle Reforma 5, col. Centro",
            "source": "Prueba de administración", "verified_on": date.today().isoformat(), "active": "sí",
            "csrf_token": admin.token("/admin/directory/new")}
    admin.http.post(admin.base + "/admin/directory/new", data=form)
    listed = admin.http.get(admin.base + "/admin/directory/", params={"state": "20", "kind": "victims_commission"}).text
    assert '<small class="address">Calle Reforma 5, col. Centro</small>' in listed


def test_a_state_whose_oldest_check_is_stale_is_marked(pages: Pages) -> None:
    admin = Visitor(pages, pages.account("admin-stale", "admin"))
    form = {"kind": "human_rights_commission", "name": "Comisión de Derechos Humanos (prueba de fecha vieja)",
            "state_key": "32", "municipality_key": "32056", "source": "Prueba de administración",
            "verified_on": "2025-01-01", "active": "sí", "csrf_token": admin.token("/admin/directory/new")}
    admin.http.post(admin.base + "/admin/directory/new", data=form)
    row = re.search(r'<tr data-state="32".*?</tr>', admin.http.get(admin.base + PAGE).text, re.S)[0]
    days = (date.today() - date(2025, 1, 1)).days
    assert f'<td class="gap">{days}</td>' in row


def test_on_a_phone_the_coverage_is_one_tap_away_and_leads_to_a_states_entries(
        pages: Pages, open_page: Callable[[str], Page]) -> None:
    base = f"http://127.0.0.1:{pages.web_port}"
    page = open_page(base + "/login")
    sign_in(page, pages, pages.account("admin-phone", "admin"))  # type: ignore[arg-type]
    page.get_by_role("link", name="Cobertura").click()
    expect(page.get_by_role("heading", name="Cobertura del directorio")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]  # the table scrolls, not the page
    page.locator('tr[data-state="20"] td[data-kind="prosecutor"] a').click()
    expect(page.get_by_role("link", name="Fiscalía General del Estado de Oaxaca")).to_be_visible()
