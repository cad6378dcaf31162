"""Browser journey of the participation analytics: the Ufficio di Piano opens them from the
ambito's page, narrows the period, reads the chart and the numbers, downloads the XLSX and reads
a cell back; axe on every page, the CSP enforced (tests/conftest.py)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tables.models import Invitation, Meeting
from tests.factories.tables import InvitationFactory, MeetingFactory, TableFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meetings(ambito, entity, other_entity):
    """Two meetings of the "Anziani" table: 200 days ago (both present) and 20 days ago (one of
    two present)."""
    table = TableFactory(ambito=ambito, name="Anziani")
    present, absent = Invitation.Attendance.PRESENT, Invitation.Attendance.ABSENT
    for days, attendance in ((200, (present, present)), (20, (present, absent))):
        meeting = MeetingFactory(
            table=table,
            starts_at=timezone.now() - timedelta(days=days),
            status=Meeting.Status.CONVENED,
        )
        for who, how in zip((entity, other_entity), attendance, strict=True):
            InvitationFactory(meeting=meeting, entity=who, attendance=how)
    return table


def test_staff_read_and_download_the_participation_figures(
    page, live_server, axe, browser_login, staff_user, ambito, meetings
):
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{ambito.get_absolute_url()}")
    expect(
        page.get_by_role("link", name="Regolamento e principi della partecipazione")
    ).to_be_visible()
    page.get_by_role("link", name="Dati della partecipazione").click()
    page.wait_for_url(re.compile(r"/analisi/$"))
    expect(page.locator('[data-figure="meetings"]')).to_have_text("2")
    expect(page.locator('[data-figure="attendance"]')).to_have_text("3 / 4 (75,0%)")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    axe(page)

    since = (timezone.localdate() - timedelta(days=60)).isoformat()
    page.get_by_label("Dal").fill(since)
    page.get_by_role("button", name="Aggiorna").click()
    page.wait_for_url(re.compile(rf"dal={since}"))
    expect(page.locator('[data-figure="meetings"]')).to_have_text("1")
    expect(page.locator('[data-figure="attendance"]')).to_have_text("1 / 2 (50,0%)")
    expect(page.get_by_role("row", name=re.compile(r"^Anziani 1 2 1 50,0%"))).to_be_visible()
    axe(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    cells = {(r[0], r[1], r[2]): r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[("Sintesi", None, "Sedute")] == 1
    assert cells[("Tavoli", "Anziani", "Tasso di presenza (%)")] == 50.0
