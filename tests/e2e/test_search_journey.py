"""Browser journey of the global search: a visitor types in the header's box, reads the results
grouped by kind and opens one, with the portal's Content-Security-Policy enforced; the results
page and its messages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tables.models import Meeting
from tests.e2e.test_opendata_journeys import strict_page  # noqa: F401 - fixture
from tests.factories.entities import EntityFactory
from tests.factories.participation import NewsFactory
from tests.factories.tables import MeetingFactory, TableFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rows(ambito):
    table = TableFactory(ambito=ambito, name="Tavolo delle cooperative sociali")
    MeetingFactory(table=table, title="Seduta sulle cooperative", status=Meeting.Status.CONVENED)
    EntityFactory(ambito=ambito, name="Cooperativa sociale Il Girasole")
    NewsFactory(ambito=ambito, title="Nuovo albo delle cooperative")
    return table


def test_visitor_searches_from_the_header_and_opens_a_result(strict_page, live_server, rows):  # noqa: F811
    page = strict_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("searchbox", name="Cerca nel portale").fill("cooperativa")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cerca/\?q=cooperativa$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cerca nel portale")
    expect(page.get_by_role("status")).to_contain_text("risultati per «cooperativa»")
    results = page.get_by_role("navigation", name="Risultati per tipo")
    expect(results.get_by_role("link", name="Enti (1)", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Tavoli (1)", exact=True)).to_be_visible()
    tables = page.get_by_role("region", name=re.compile(r"^Tavoli"))
    link = tables.get_by_role("link", name="Tavolo delle cooperative sociali")
    expect(link.locator("mark")).to_have_text("cooperative")
    link.click()
    page.wait_for_url(re.compile(rf"/tavoli/{rows.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tavolo delle cooperative")
    assert page.evaluate("window.__cspViolations") == []
    assert page.console_errors == []


def test_results_and_messages_are_accessible(page, live_server, axe, rows):
    page.goto(f"{live_server.url}/cerca/?q=cooperative")
    expect(page.get_by_role("region", name=re.compile(r"^Sedute"))).to_be_visible()
    axe(page)
    page.goto(f"{live_server.url}/cerca/?q=ab")
    expect(page.get_by_text("Scrivi almeno 3 caratteri per cercare.")).to_be_visible()
    axe(page)
    page.get_by_label("Parole da cercare").fill("zzzqqq")
    page.get_by_role("button", name="Cerca", exact=True).click()
    expect(page.get_by_text("Nessun risultato per «zzzqqq»")).to_be_visible()
    axe(page)
