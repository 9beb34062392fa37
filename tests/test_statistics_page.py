"""The Estadísticas page in Chromium, on a phone's screen: charts drawn on the server as SVG,
suppressed counts named so, the table within the screen's width."""

import threading
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from bot.run import free_port
from tests.conftest import STAFF_PASSWORD
from tests.test_statistics import database, pages  # noqa: F401  (the seeded staff pages)


@pytest.fixture
def base(pages: dict) -> Iterator[str]:  # noqa: F811
    server = make_server("127.0.0.1", free_port(), pages["app"], threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_page_draws_svg_charts_and_names_suppressed_counts(base: str, open_page: Callable[[str], Page]) -> None:
    page = open_page(f"{base}/login?next=/estadisticas/")
    page.fill("input[name=username]", "admin-stats")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("h1")).to_have_text("Estadísticas: Todo el país")
    assert page.locator(".chart svg").count() == 3  # the weekly trend, the topics, the unmet needs
    page.select_option("select[name=estado]", "11")
    page.click("button:has-text('Ver')")
    expect(page.locator("h1")).to_have_text("Estadísticas: Guanajuato")
    expect(page.locator("#counts td.suppressed").first).to_have_text("suprimido")
    expect(page.locator("#counts tr").nth(1)).to_contain_text("17")  # 3 and 14 suppressed, their sum shown
    assert "suprimido" in page.locator(".chart svg").first.inner_html()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider than a phone
    assert page.evaluate("[...document.querySelectorAll('script, link[rel=stylesheet]')].length") == 0


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_an_observatorys_staff_see_their_state_alone_and_its_unmet_needs_suppressed(
        base: str, open_page: Callable[[str], Page]) -> None:
    page = open_page(f"{base}/login?next=/estadisticas/%3Festado%3D14")  # Jalisco asked for: Guanajuato shown
    page.fill("input[name=username]", "staff-leon")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("h1")).to_have_text("Estadísticas: Guanajuato")
    assert page.locator("select[name=estado]").count() == 0
    charts = page.locator(".chart svg")
    expect(charts).to_have_count(3)
    unmet = charts.nth(2).inner_html()  # 3 people found no help in the second week: suppressed
    assert "Necesidades sin atender" in unmet and "suprimido" in unmet
    page.select_option("select[name=medida]", "help")
    page.click("button:has-text('Ver')")
    expect(page.locator("h1")).to_have_text("Estadísticas: Guanajuato")
    second_week = page.locator("#counts tbody tr").nth(1)
    expect(second_week.locator("td.suppressed")).to_have_count(2)  # no encontró ayuda cerca, and the total
    assert "2026-11-30" in second_week.inner_text()
