"""Browser journeys of tables and meetings; axe runs on every page visited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tables.models import Invitation, Meeting, Minutes, Table, TableMembership
from tests.conftest import WATCH_VIOLATIONS, download_pdf_text, login
from tests.factories.tables import (
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    MembershipFactory,
    TableFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(days: int, hour: int) -> str:
    return (
        (timezone.localtime() + timedelta(days=days))
        .replace(hour=hour, minute=0)
        .strftime("%Y-%m-%dT%H:%M")
    )


def test_staff_create_a_table(page, live_server, axe, browser_login, staff_user, ambito):
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/tavoli/")
    axe(page)
    page.get_by_role("link", name="Nuovo tavolo").click()
    axe(page)
    page.get_by_label("Nome").fill("Disabilità")
    page.get_by_label("Indirizzo breve").fill("disabilita")
    page.get_by_label("Tipo").select_option("concertation")
    page.get_by_role("button", name="Salva").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # concertation needs a comune
    axe(page)
    page.get_by_label("Tipo").select_option("thematic")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(r"/tavoli/\d+/$"))
    expect(page.get_by_role("heading", name="Disabilità")).to_be_visible()
    axe(page)
    assert Table.objects.filter(ambito=ambito, slug="disabilita").exists()


def test_entity_asks_to_join_and_staff_approve(
    page, live_server, axe, browser_login, staff_user, entity, entity_admin, entity_delegate
):
    table = TableFactory(ambito=entity.ambito, name="Inclusione")
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    axe(page)
    page.get_by_role("link", name="Chiedi di partecipare").click()
    axe(page)
    page.get_by_label("Delegato").select_option(str(entity_delegate.pk))
    page.get_by_label("Sostituto").select_option(str(entity_admin.pk))
    page.get_by_label("Motivazione").fill("Gestiamo l'emporio solidale.")
    page.get_by_role("button", name="Invia la richiesta").click()
    page.wait_for_url(re.compile(rf"/tavoli/{table.pk}/$"))
    expect(page.get_by_text("Richiesta in attesa")).to_be_visible()
    axe(page)
    page.context.clear_cookies()

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    page.get_by_role("link", name=re.compile("Gestisci i membri")).click()
    axe(page)
    page.get_by_label("Motivazione (inviata all'ente)").fill("Benvenuti al tavolo")
    page.get_by_role("button", name=f"Accogli {entity.name}").click()
    expect(page.get_by_text("Richiesta accolta.")).to_be_visible()
    axe(page)
    assert TableMembership.objects.get(table=table, entity=entity).status == "active"
    assert any(entity.email in m.to and "accolta" in m.subject for m in mail.outbox)


def test_staff_call_meeting_send_invitations_and_invitee_answers(
    page, live_server, axe, browser_login, staff_user, entity, entity_delegate
):
    table = TableFactory(ambito=entity.ambito, name="Inclusione")
    MembershipFactory(table=table, entity=entity, delegate=entity_delegate)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    page.get_by_role("link", name="Convoca una seduta").click()
    axe(page)
    page.get_by_label("Titolo").fill("Seduta di programmazione")
    page.get_by_label("Inizio (ora italiana)").fill(_local(6, 15))
    page.get_by_label("Fine (ora italiana)").fill(_local(6, 14))
    page.get_by_label("Luogo").fill("Sala Verdi, via San Francesco 76")
    page.get_by_label("Punto 1", exact=True).fill("Analisi dei bisogni")
    page.get_by_label("Punto 2", exact=True).fill("Proposte degli enti")
    page.get_by_role("button", name="Salva la seduta").click()
    expect(page.locator("#id_ends_at-error")).to_have_text(
        "La fine deve essere successiva all'inizio."
    )
    axe(page)
    page.get_by_label("Fine (ora italiana)").fill(_local(6, 17))
    page.get_by_role("button", name="Salva la seduta").click()
    page.wait_for_url(re.compile(r"/tavoli/sedute/\d+/$"))
    axe(page)
    meeting = Meeting.objects.get(title="Seduta di programmazione")
    assert timezone.localtime(meeting.starts_at).hour == 15
    page.get_by_role("link", name="Invia la convocazione").click()
    axe(page)
    page.get_by_label("Altri invitati (facoltativo)").fill("Ospite Esterno <ospite@example.org>")
    page.get_by_role("button", name="Invia la convocazione").click()
    page.wait_for_url(re.compile(r"/tavoli/sedute/\d+/$"))
    expect(page.get_by_text("Convocazione in invio a 2 persone")).to_be_visible()
    page.wait_for_selector("#invitations-panel .badge.bg-success")
    axe(page)

    message = next(m for m in mail.outbox if m.to == ["ospite@example.org"])
    assert message.attachments[0][0] == "convocazione.ics"
    cal = Calendar.from_ical(message.attachments[0][1])
    assert str(cal["method"]) == "REQUEST"
    link = re.search(r"https?://\S+/tavoli/risposta/\S+\?risposta=yes", message.body).group(0)
    page.context.clear_cookies()
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    axe(page)
    page.get_by_role("button", name="Conferma la risposta").click()
    expect(page.get_by_text("la tua risposta è stata registrata")).to_be_visible()
    axe(page)
    assert Invitation.objects.get(meeting=meeting, email="ospite@example.org").response == "yes"

    # staff see the answer in the live panel
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/tavoli/sedute/{meeting.pk}/")
    expect(page.locator("#invitations-panel").get_by_text("Partecipano: 1")).to_be_visible()
    axe(page)


def _past_meeting(entity, entity_delegate):
    table = TableFactory(ambito=entity.ambito, name="Inclusione")
    MembershipFactory(table=table, entity=entity, delegate=entity_delegate)
    start = timezone.now() - timedelta(days=2)
    meeting = MeetingFactory(
        table=table,
        title="Seduta di ottobre",
        status="convened",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    AgendaItemFactory(meeting=meeting, order=1, title="Analisi dei bisogni")
    InvitationFactory(
        meeting=meeting,
        user=entity_delegate,
        email=entity_delegate.email,
        name="Dario Delegato",
        entity=entity,
    )
    return meeting


@pytest.fixture
def strict_page(browser, browser_context_args):
    """A page with the portal's CSP enforced, recording any violation (the shared `page` lets
    axe-core in by bypassing the CSP: check_page runs axe there on the same address)."""
    context = browser.new_context(**browser_context_args)
    context.add_init_script(WATCH_VIOLATIONS)
    strict = context.new_page()
    yield strict
    context.close()


@pytest.fixture
def check_page(page, axe):
    """The page shown in `strict` raised no CSP violation, and passes axe (loaded with the same
    session in the context that lets axe in)."""

    def check(strict) -> None:
        strict.wait_for_load_state("networkidle")
        assert strict.evaluate("window.__cspViolations || []") == [], strict.url
        page.context.clear_cookies()
        page.context.add_cookies(strict.context.cookies())
        page.goto(strict.url)
        axe(page)

    return check


def test_staff_record_attendance_approve_and_correct_minutes(
    strict_page, check_page, live_server, staff_user, entity, entity_delegate
):
    """With the CSP enforced: attendance, minutes written, shared and approved; the record is
    then frozen (no edit actions, the register refused); a correction (rettifica) with its
    reason is approved and published as version 2, version 1 stays downloadable."""
    page = strict_page
    meeting = _past_meeting(entity, entity_delegate)
    login(page, live_server, staff_user.email)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    page.goto(f"{live_server.url}/tavoli/sedute/{meeting.pk}/")
    check_page(page)
    page.get_by_role("link", name="Registro presenze").click()
    check_page(page)
    page.get_by_label("Presenza di Dario Delegato").select_option("present")
    page.get_by_role("button", name="Salva il registro").click()
    expect(page.get_by_text("Registro delle presenze salvato")).to_be_visible()
    assert Invitation.objects.get(meeting=meeting).attendance == "present"

    page.get_by_role("link", name="Verbale", exact=True).click()
    page.wait_for_url(re.compile(r"/verbale/modifica/$"))
    check_page(page)
    page.get_by_label("Presidente della seduta").fill("Giulia Rossi")
    page.get_by_label("Segretario verbalizzante").fill("Paolo Neri")
    page.get_by_label("Sintesi della discussione").fill("Si discute dei dati 2025.")
    page.get_by_label("Decisioni").fill("Si costituisce un gruppo di lavoro.")
    page.get_by_role("button", name="Salva il verbale").click()
    check_page(page)
    page.get_by_role("button", name="Condividi con i membri per osservazioni").click()
    expect(page.get_by_text("Bozza condivisa")).to_be_visible()
    page.get_by_role("button", name="Approva il verbale").click()
    download = page.get_by_role("link", name=re.compile("Scarica il verbale"))
    download.wait_for()  # the PDF's progress, polled with the CSP enforced
    check_page(page)
    text = download_pdf_text(page, download)
    assert "Si costituisce un gruppo di lavoro." in text and "Dario Delegato" in text
    assert Minutes.objects.get(meeting=meeting).status == "approved"

    # the record is frozen: no edit actions, and the register's address is refused
    page.goto(f"{live_server.url}/tavoli/sedute/{meeting.pk}/")
    expect(page.get_by_text("Il verbale è approvato")).to_be_visible()
    expect(page.get_by_role("link", name="Registro presenze")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifica", exact=True)).to_have_count(0)
    check_page(page)
    response = page.goto(f"{live_server.url}/tavoli/sedute/{meeting.pk}/presenze/")
    assert response.status == 409
    expect(page.get_by_text("Il verbale di questa seduta è approvato")).to_be_visible()
    check_page(page)

    # a correction, with its reason, approved and published as version 2
    page.get_by_role("link", name="Scrivi una rettifica").click()
    page.wait_for_url(re.compile(r"/verbale/rettifica/$"))
    check_page(page)
    page.get_by_role("button", name="Salva la rettifica").click()
    expect(page.locator("#id_reason-error")).to_have_text("Indica il motivo della rettifica.")
    check_page(page)
    page.get_by_label("Motivo della rettifica").fill("Errore materiale nella decisione")
    page.get_by_label("Decisioni").fill("Si costituiscono due gruppi di lavoro.")
    page.get_by_role("button", name="Salva la rettifica").click()
    expect(page.get_by_text("Rettifica salvata, non ancora pubblicata")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Approva e pubblica la rettifica").click()
    expect(page.get_by_text("Rettifica approvata e pubblicata")).to_be_visible()
    download = page.get_by_role("link", name=re.compile("Scarica il verbale"))
    download.wait_for()
    check_page(page)
    text = download_pdf_text(page, download)
    assert "Si costituiscono due gruppi di lavoro." in text
    assert "Errore materiale nella decisione" in text
    first = download_pdf_text(
        page, page.get_by_role("link", name="Scarica il PDF della versione 1")
    )
    assert "Si costituisce un gruppo di lavoro." in first and "due gruppi" not in first

    # published on the table's page: the public reads version 2 and finds version 1
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/tavoli/{meeting.table_id}/")
    page.get_by_role("link", name="Verbale approvato").click()
    expect(page.get_by_text("Si costituiscono due gruppi di lavoro.")).to_be_visible()
    expect(page.get_by_text("Impronta SHA-256").first).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Leggi la versione 1").click()
    expect(page.get_by_text("sostituita dalla versione 2")).to_be_visible()
    expect(page.get_by_text("Si costituisce un gruppo di lavoro.")).to_be_visible()
    check_page(page)


def test_subscribe_to_calendars(page, live_server, axe, browser_login, entity, entity_delegate):
    meeting = _past_meeting(entity, entity_delegate)
    page.goto(f"{live_server.url}/tavoli/{meeting.table_id}/")
    feed = page.get_by_label("Indirizzo del calendario").input_value()
    assert feed.endswith(f"/tavoli/{meeting.table_id}/calendario.ics")
    response = page.request.get(feed)
    assert [str(e["summary"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")] == [
        "Inclusione: Seduta di ottobre"
    ]
    browser_login(page, entity_delegate)
    page.goto(f"{live_server.url}/la-mia-area/")
    axe(page)
    page.get_by_role("link", name="Aggiungi le tue sedute al tuo calendario").click()
    axe(page)
    personal = page.get_by_label("Indirizzo del tuo calendario").input_value()
    page.context.clear_cookies()
    response = page.request.get(personal)
    assert [str(e["uid"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")] == [
        meeting.uid
    ]
