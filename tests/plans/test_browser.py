"""Real-browser journeys of the Piano di Zona; axe runs on every page visited."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plans import services
from plans.models import FundAvailability, Intervention, Need, Plan, PlanComment, Section, Service
from tables.models import Table, TableMembership
from tests.factories.plans import fill_plan, make_plan, source
from tests.readback import pdftotext, xlsx_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_plan_and_write_a_section(
    page, live_server, axe, browser_login, staff_user, ambito
):
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/")
    axe(page)
    page.get_by_role("link", name="Nuovo piano").click()
    axe(page)
    page.get_by_label("Anno di inizio").fill("2025")
    page.get_by_label("Anno di fine").fill("2024")
    page.get_by_role("button", name="Crea il piano").click()
    expect(page.locator("#id_end_year-error")).to_be_visible()
    axe(page)
    page.get_by_label("Anno di fine").fill("2027")
    page.get_by_role("button", name="Crea il piano").click()
    page.wait_for_url(re.compile(r"/piani/\d+/$"))
    axe(page)
    plan = Plan.objects.get()
    section = plan.sections.get(title="Obiettivi strategici e priorità")
    page.get_by_role("link", name="Modifica Obiettivi strategici e priorità").click()
    axe(page)
    editor = page.get_by_role("textbox", name="Testo della sezione")
    editor.click()
    page.keyboard.type("Priorità alla domiciliarità")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Grassetto").click()
    page.get_by_role("button", name="Salva la sezione").click()
    page.wait_for_url(re.compile(rf"/piani/{plan.pk}/#sezione-{section.pk}$"))
    axe(page)
    section.refresh_from_db()
    assert "Priorità alla domiciliarità" in section.body and (
        "<b>" in section.body or "<strong>" in section.body
    )
    assert (
        page.locator(".plan-text b, .plan-text strong").first.inner_text()
        == "Priorità alla domiciliarità"
    )


def test_staff_enter_the_fund_map(page, live_server, axe, browser_login, staff_user, ambito):
    plan = make_plan(ambito, user=staff_user)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/fondi/")
    axe(page)
    page.get_by_label("FNPS - Fondo nazionale politiche sociali, anno 2025").fill("120.000,50")
    page.get_by_label("FNPS - Fondo nazionale politiche sociali, anno 2026").fill("-3")
    page.get_by_role("button", name="Salva la mappa dei fondi").click()
    assert "non può essere negativo" in page.locator(".invalid-feedback").first.inner_text()
    axe(page)
    page.get_by_label("FNPS - Fondo nazionale politiche sociali, anno 2026").fill("100000")
    page.get_by_label("Risorse proprie dei comuni, anno 2027").fill("50.000")
    page.get_by_role("button", name="Salva la mappa dei fondi").click()
    page.get_by_text("Mappa dei fondi salvata").wait_for()
    axe(page)
    assert FundAvailability.objects.filter(plan=plan).count() == 3
    totals = page.locator("table").nth(1).locator("tfoot").inner_text()
    assert "270.000,50" in totals


def test_staff_write_an_intervention_and_see_over_allocation(
    page, live_server, axe, browser_login, staff_user, ambito
):
    plan = make_plan(ambito, user=staff_user)
    FundAvailability.objects.create(
        plan=plan, source=source("fna"), year=2025, amount=Decimal("10000")
    )
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/bilancio/")
    axe(page)
    page.get_by_role("link", name="Nuova scheda intervento").click()
    axe(page)
    page.get_by_label("Codice", exact=True).fill("NA-01")
    page.locator("#id_title").fill("Assistenza domiciliare")
    page.get_by_label("Area di intervento").select_option(label="Anziani")
    page.locator("#id_objective").fill("Raggiungere 400 anziani")
    page.locator("#id_indicators-0-name").fill("Anziani assistiti")
    page.locator("#id_indicators-0-target").fill("400")
    page.locator("#id_budget-0-source").select_option(label="FNA - Fondo non autosufficienze")
    page.locator("#id_budget-0-year").fill("2031")
    page.locator("#id_budget-0-amount").fill("12.500,00")
    page.get_by_role("button", name="Salva la scheda").click()
    assert "fuori dal periodo" in page.locator("#id_budget-0-year-error").inner_text()
    axe(page)
    page.locator("#id_budget-0-year").fill("2025")
    page.get_by_role("button", name="Salva la scheda").click()
    page.wait_for_url(re.compile(r"/interventi/\d+/$"))
    axe(page)
    assert "sovra-assegnata di 2.500,00" in page.locator(".alert-warning").first.inner_text()
    item = Intervention.objects.get()
    assert item.budget_lines.get().amount == Decimal("12500.00")
    page.get_by_role("link", name=str(plan)).click()
    page.get_by_role("link", name="Bilancio e interventi").click()
    axe(page)
    expect(page.get_by_text("oltre il disponibile").first).to_be_visible()


def test_entity_records_a_need_and_staff_a_service(
    page, live_server, axe, browser_login, staff_user, entity_admin, ambito
):
    plan = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/piani/{plan.pk}/")
    axe(page)
    page.get_by_role("link", name="Segnala un bisogno").click()
    axe(page)
    page.get_by_label("Bisogno").fill("Solitudine degli anziani soli")
    page.get_by_label("Area").select_option(label="Anziani")
    page.get_by_label("Destinatari").fill("over 75")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(rf"/piani/{plan.pk}/#mappatura$"))
    axe(page)
    assert Need.objects.get().entity is not None
    page.context.clear_cookies()
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/servizi/nuovo/")
    axe(page)
    page.get_by_label("Servizio").fill("Assistenza domiciliare (SAD)")
    page.get_by_label("Area").select_option(label="Anziani")
    page.get_by_label("Per chi").fill("anziani non autosufficienti")
    page.get_by_label("Chi lo gestisce").fill("Cooperativa sociale")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(r"#mappatura$"))
    mapping = page.locator("#mappatura").inner_text()
    assert "Solitudine degli anziani soli" in mapping and "Assistenza domiciliare (SAD)" in mapping
    assert Service.objects.count() == 1


def test_consultation_comment_and_approval(
    page, live_server, axe, browser_login, staff_user, entity_admin, ambito
):
    table = Table.objects.create(ambito=ambito, name="Inclusione", slug="inclusione")
    TableMembership.objects.create(
        table=table, kind="entity", delegate=entity_admin, status="active"
    )
    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 2)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/")
    page.get_by_role("button", name="Metti in consultazione").click()
    page.get_by_text("Il piano è in consultazione").first.wait_for()
    axe(page)
    page.context.clear_cookies()

    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/piani/{plan.pk}/")
    axe(page)
    page.get_by_label("Osservazione").fill("Chiediamo più ore di assistenza domiciliare.")
    page.get_by_role("button", name="Invia osservazione").click()
    page.get_by_text("Osservazione inviata").wait_for()
    axe(page)
    assert PlanComment.objects.get().author == entity_admin
    page.context.clear_cookies()

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/")
    expect(page.get_by_text("Chiediamo più ore di assistenza domiciliare.")).to_be_visible()
    page.get_by_role("link", name="Registra l'approvazione").click()
    axe(page)
    page.get_by_label("Numero della delibera del Comitato dei Sindaci").fill("15")
    page.get_by_label("Data della delibera").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Registra l'approvazione").click()
    page.get_by_text("Piano approvato: versione 1").wait_for()
    axe(page)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED and plan.versions.get().pdf
    section = plan.sections.first()
    page.goto(f"{live_server.url}/piani/{plan.pk}/sezioni/{section.pk}/")
    assert "non si può modificare" in page.locator(".alert").first.inner_text()
    assert Section.objects.get(pk=section.pk).body == section.body


def test_export_pdf_with_progress_and_xlsx(
    page, live_server, axe, browser_login, staff_user, ambito
):
    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 5)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/piani/{plan.pk}/esporta/")
    axe(page)
    page.get_by_role("button", name="Genera il PDF").click()
    download_link = page.get_by_role("link", name=re.compile("Scarica il PDF del piano"))
    download_link.wait_for()
    axe(page)
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename.endswith(".pdf")
    text = pdftotext(info.value.path().read_bytes())  # the file itself, read back
    assert plan.title in text and "Intervento numero 5" in text and "Bilancio integrato" in text
    with page.expect_download() as info:
        page.get_by_role("link", name="Scarica il bilancio (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sheets = xlsx_rows(info.value.path().read_bytes())
    assert list(sheets) == ["Fonti e anni", "Aree", "Interventi"]
    items = sheets["Interventi"]
    assert len(items) == 1 + 5 + 1 and items[-1][0] == "Totale"
    assert items[-1][-1] == sum(row[-1] for row in items[1:-1]) > 0


def test_citizen_reads_the_approved_plan(
    page, live_server, axe, staff_user, ambito, django_capture_on_commit_callbacks
):
    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 3)
    sec = plan.sections.get(order=20)
    services.section_update(
        section=sec, title=sec.title, body="<p>Tre priorità per il triennio.</p>", user=staff_user
    )
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    services.plan_approve(plan=plan, act_number="9", act_date=date(2025, 2, 1), user=staff_user)
    page.goto(f"{live_server.url}/")
    axe(page)
    page.get_by_role("link", name="Piano sociale di zona 2025-2027").first.click()
    axe(page)
    expect(page.get_by_text("Tre priorità per il triennio.")).to_be_visible()
    expect(page.get_by_text("delibera n. 9").first).to_be_visible()
    page.get_by_role("link", name="Bilancio e interventi").click()
    axe(page)
    page.get_by_role("link", name=re.compile("Intervento numero 1")).first.click()
    axe(page)
    expect(page.get_by_role("heading", name="Intervento numero 1")).to_be_visible()
