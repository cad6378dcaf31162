"""Browser journey of a comune's concertation table (issue 20): the comune's staff create it,
seat an entity that asked to join, call a meeting (the convocation e-mail is read back), record
attendance, write and publish the minutes (the PDF's text is read back); the staff of another
comune are refused its edit page. axe-core runs on every page, with the CSP enforced."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ambito.models import StaffRole
from tables.models import Invitation, Meeting, Minutes, Table, TableMembership
from tests.conftest import download_pdf_text
from tests.factories.ambito import StaffRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _soon(hours: int) -> str:
    return (timezone.localtime() + timedelta(days=1, hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_comune_staff_run_their_concertation_table_to_published_minutes(
    page,
    live_server,
    axe,
    browser_login,
    ambito,
    comune_user,
    entity,
    entity_admin,
    entity_delegate,
):
    comune = comune_user.staff_roles.get().comune
    # the comune's staff create the table from their area
    browser_login(page, comune_user)
    page.goto(f"{live_server.url}/la-mia-area/")
    axe(page)
    page.get_by_role("link", name=f"Nuovo tavolo di concertazione di {comune.name}").click()
    page.wait_for_url(re.compile(r"/tavoli/nuovo/"))
    axe(page)
    page.get_by_label("Nome").fill("Tavolo di concertazione del Piano sociale di zona")
    page.get_by_label("Indirizzo breve").fill("concertazione-psz")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(r"/tavoli/\d+/$"))
    expect(
        page.get_by_role("heading", name="Tavolo di concertazione del Piano sociale di zona")
    ).to_be_visible()
    axe(page)
    table = Table.objects.get(ambito=ambito, slug="concertazione-psz")
    assert (table.kind, table.comune) == (Table.Kind.CONCERTATION, comune)
    page.context.clear_cookies()

    # an entity asks to join; the comune's staff seat it
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    page.get_by_role("link", name="Chiedi di partecipare").click()
    axe(page)
    page.get_by_label("Delegato").select_option(str(entity_delegate.pk))
    page.get_by_label("Motivazione").fill("Gestiamo il centro di ascolto del comune.")
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_text("Richiesta in attesa")).to_be_visible()
    page.context.clear_cookies()
    browser_login(page, comune_user)
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    page.get_by_role("link", name=re.compile("Gestisci i membri")).click()
    axe(page)
    page.get_by_role("button", name=f"Accogli {entity.name}").click()
    expect(page.get_by_text("Richiesta accolta.")).to_be_visible()
    axe(page)
    assert TableMembership.objects.get(table=table, entity=entity).status == "active"

    # a meeting called, and its convocation sent to the entity's delegate
    page.goto(f"{live_server.url}/tavoli/{table.pk}/")
    page.get_by_role("link", name="Convoca una seduta").click()
    axe(page)
    page.get_by_label("Titolo").fill("Prima seduta di concertazione")
    page.get_by_label("Inizio (ora italiana)").fill(_soon(0))
    page.get_by_label("Fine (ora italiana)").fill(_soon(2))
    page.get_by_label("Luogo").fill(f"{comune.name}, Sala consiliare")
    page.get_by_label("Punto 1", exact=True).fill("Proposte per il Piano sociale di zona")
    page.get_by_role("button", name="Salva la seduta").click()
    page.wait_for_url(re.compile(r"/tavoli/sedute/\d+/$"))
    axe(page)
    meeting = Meeting.objects.get(table=table)
    page.get_by_role("link", name="Invia la convocazione").click()
    axe(page)
    page.get_by_role("button", name="Invia la convocazione").click()
    page.wait_for_url(re.compile(r"/tavoli/sedute/\d+/$"))
    page.wait_for_selector("#invitations-panel .badge.bg-success")
    axe(page)
    (message,) = [m for m in mail.outbox if m.to == [entity_delegate.email] and m.attachments]
    assert message.attachments[0][0] == "convocazione.ics"
    assert "Prima seduta di concertazione" in message.subject + message.body
    assert f"{comune.name}, Sala consiliare" in message.body
    assert "Proposte per il Piano sociale di zona" in message.body

    # attendance, minutes written, shared and approved; the PDF read back
    invitation = Invitation.objects.get(meeting=meeting, email=entity_delegate.email)
    page.get_by_role("link", name="Registro presenze").click()
    axe(page)
    page.get_by_label(f"Presenza di {invitation.name}").select_option("present")
    page.get_by_role("button", name="Salva il registro").click()
    expect(page.get_by_text("Registro delle presenze salvato")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Verbale", exact=True).click()
    page.wait_for_url(re.compile(r"/verbale/modifica/$"))
    axe(page)
    page.get_by_label("Presidente della seduta").fill("Marco Bianchi")
    page.get_by_label("Segretario verbalizzante").fill("Paolo Neri")
    page.get_by_label("Sintesi della discussione").fill("Gli enti presentano i bisogni del comune.")
    page.get_by_label("Decisioni").fill("Si propone un punto di ascolto nel comune.")
    page.get_by_role("button", name="Salva il verbale").click()
    axe(page)
    page.get_by_role("button", name="Condividi con i membri per osservazioni").click()
    expect(page.get_by_text("Bozza condivisa")).to_be_visible()
    page.get_by_role("button", name="Approva il verbale").click()
    download = page.get_by_role("link", name=re.compile("Scarica il verbale"))
    download.wait_for()
    axe(page)
    text = " ".join(download_pdf_text(page, download).split())
    assert "Prima seduta di concertazione" in text
    assert "Si propone un punto di ascolto nel comune." in text
    assert invitation.name in text and "Marco Bianchi" in text
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.status, minutes.approved_by) == ("approved", comune_user)

    # the staff of another comune of the ambito may not edit it
    other = ambito.comuni.exclude(pk__in=[comune.pk, ambito.lead_comune_id]).first()
    stranger = StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.COMUNE, comune=other, user__email="altro@comune.it"
    ).user
    page.context.clear_cookies()
    browser_login(page, stranger)
    response = page.goto(f"{live_server.url}/tavoli/{table.pk}/modifica/")
    assert response is not None and response.status == 403
    axe(page)
    assert (
        Table.objects.get(pk=table.pk).name == "Tavolo di concertazione del Piano sociale di zona"
    )
