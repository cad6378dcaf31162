"""Browser journey of a survey: the Ufficio di Piano builds and publishes it, a citizen answers
once, the staff read the results (chart) and download the answers, read back; axe on every page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participation.models import Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_survey_from_creation_to_export(
    page, live_server, axe, browser_login, staff_user, no_role_user, ambito
):
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/partecipazione/questionari/")
    axe(page)
    page.get_by_role("link", name="Nuovo questionario").click()
    axe(page)
    page.get_by_label("Titolo").fill("Bisogni delle famiglie")
    page.get_by_label("Apertura (ora italiana)").fill(_local(-1))
    page.get_by_label("Chiusura (ora italiana)").fill(_local(10))
    first = page.get_by_role("group", name="Domanda 1")
    first.get_by_label(re.compile(r"^Domanda")).fill("Quali servizi usi?")
    first.get_by_label("Tipo").select_option("multiple")
    first.get_by_label("Opzioni").fill("Asilo nido")
    page.get_by_role("button", name="Salva il questionario").click()
    expect(page.locator("#id_domande-0-options-error")).to_have_text(
        "Una domanda a scelta ha almeno due opzioni."
    )
    axe(page)
    first = page.get_by_role("group", name="Domanda 1")
    first.get_by_label("Opzioni").fill("Asilo nido\nCentro per le famiglie")
    second = page.get_by_role("group", name="Domanda 2")
    second.get_by_label(re.compile(r"^Domanda")).fill("Quanto sei soddisfatto?")
    second.get_by_label("Tipo").select_option("scale")
    page.get_by_role("button", name="Salva il questionario").click()
    page.wait_for_url(re.compile(r"/questionari/\d+/$"))
    axe(page)
    page.get_by_role("button", name="Pubblica il questionario").click()
    expect(page.get_by_text("Questionario pubblicato")).to_be_visible()
    axe(page)
    survey = Survey.objects.get(title="Bisogni delle famiglie")
    assert survey.status == "published"
    assert list(survey.questions.values_list("position", "kind")) == [(1, "multiple"), (2, "scale")]
    page.context.clear_cookies()

    browser_login(page, no_role_user)
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    axe(page)
    page.locator(
        "label", has_text="Asilo nido"
    ).click()  # Bootstrap Italia: the label covers the box
    page.locator("label", has_text="Centro per le famiglie").click()
    page.get_by_role("button", name="Invia le risposte").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # the scale is required
    axe(page)
    page.locator("label", has_text=re.compile(r"^4$")).click()
    page.get_by_role("button", name="Invia le risposte").click()
    expect(page.get_by_text("Grazie: la risposta è stata registrata.")).to_be_visible()
    expect(page.get_by_text("Hai già risposto a questo questionario")).to_be_visible()
    axe(page)
    assert Response.objects.filter(survey=survey, user=no_role_user).count() == 1
    page.context.clear_cookies()

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    page.get_by_role("link", name="Risultati e risposte").click()
    expect(page.get_by_text("1 risposta", exact=True)).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    axe(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (Excel)").click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][2:] == ["1. Quali servizi usi?", "2. Quanto sei soddisfatto?"]
    assert rows[1][2:] == ["Asilo nido | Centro per le famiglie", "4"]
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert list(sheet.iter_rows(min_row=2, values_only=True))[0][2:] == (
        "Asilo nido | Centro per le famiglie",
        "4",
    )
