"""Browser journeys of open data and the API's documentation: Swagger UI starts under the
portal's Content-Security-Policy (no inline script), the pages pass axe, and a visitor downloads
a CSV from the open-data page and reads it back."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.conftest import WATCH_VIOLATIONS
from tests.factories.entities import EntityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(browser, browser_context_args):
    """A page WITH the CSP enforced (the shared context bypasses it for axe)."""
    context = browser.new_context(**browser_context_args)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()


def test_swagger_ui_runs_under_the_csp(strict_page, live_server, entity):
    page = strict_page
    page.goto(f"{live_server.url}/api/")
    # Swagger UI loaded the schema and drew the operations
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/enti/" in "".join(paths)
    assert page.evaluate("window.__cspViolations") == []
    assert page.console_errors == []
    # "Try it out" on the entities' list calls the API from the page (connect-src 'self')
    page.locator(".opblock-summary-path", has_text="/api/v1/enti/").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    live = page.locator(".live-responses-table tbody .response-col_status").first
    expect(live).to_contain_text("200", timeout=10000)
    expect(page.locator(".highlight-code").first).to_contain_text(entity.name)
    assert page.evaluate("window.__cspViolations") == []


def test_docs_and_open_data_pages_are_accessible(page, live_server, axe, ambito):
    page.goto(f"{live_server.url}/api/")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15000)
    axe(page)
    page.goto(f"{live_server.url}/dati-aperti/")
    axe(page)
    page.get_by_role("link", name=ambito.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dati aperti")
    axe(page)


def test_a_visitor_downloads_a_csv_and_reads_it_back(page, live_server, ambito):
    EntityFactory(ambito=ambito, name="Società Cooperativa Città Aperta")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Dati aperti").click()
    page.get_by_role("link", name=ambito.name, exact=True).click()
    section = page.locator("section#enti")
    with page.expect_download() as info:
        section.get_by_role("link", name="Scarica in CSV").click()
    download = info.value
    assert download.suggested_filename == f"{ambito.code}-enti.csv"
    with open(download.path(), encoding="utf-8", newline="") as fh:
        text = fh.read()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "Società Cooperativa Città Aperta" in {r["denominazione"] for r in rows}
    assert text.splitlines()[0].startswith("id,denominazione,")
