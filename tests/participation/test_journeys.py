"""Real-browser journeys of issue 9; axe-core checks every page visited."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Notification, User
from entities.models import TargetGroup
from participation.models import Booking, LibraryItem, News, Proposal
from participation.services import events as event_services
from participation.services import proposals as proposal_services
from tables.models import TableMembership
from tests.factories.participation import (
    EventFactory,
    EventSessionFactory,
    NewsFactory,
    ProcedureFactory,
    TableFactory,
    TableMembershipFactory,
)
from tests.factories.processes import NoticeFactory
from tests.readback import xlsx_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_proposes_another_supports_staff_answers(
    page, live_server, axe, browser_login, ambito, entity, entity_admin, staff_user
):
    table = TableFactory(ambito=ambito, name="Inclusione")
    TableMembershipFactory(
        table=table, kind=TableMembership.Kind.ENTITY, entity=entity, delegate=entity_admin
    )
    supporter = TableMembershipFactory(
        table=table, delegate__email="sostenitore@example.org"
    ).delegate
    area, _created = TargetGroup.objects.get_or_create(
        code="poverta", defaults={"name": "Povertà e disagio adulti"}
    )

    # 1. a member of the table submits a proposal; a missing title is shown next to the field
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/partecipazione/proposte/nuova/?table={table.pk}")
    axe(page)
    page.get_by_label("Testo").fill("Tre punti di distribuzione di beni di prima necessità.")
    page.get_by_role("button", name="Presenta la proposta").click()
    expect(page.locator("#id_title-error")).to_be_visible()
    axe(page)
    page.get_by_label("Titolo").fill("Emporio solidale diffuso")
    page.locator("#id_area").select_option(str(area.pk))
    page.get_by_role("button", name="Presenta la proposta").click()
    page.wait_for_url(re.compile(r"/partecipazione/proposte/\d+/$"))
    expect(page.get_by_role("heading", name="Emporio solidale diffuso")).to_be_visible()
    axe(page)
    proposal = Proposal.objects.get()

    # 2. another member supports it
    page.context.clear_cookies()
    browser_login(page, supporter)
    page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    page.get_by_role("button", name="Sostieni la proposta").click()
    expect(page.get_by_text("Hai sostenuto la proposta.")).to_be_visible()
    axe(page)
    assert proposal.supports.count() == 1

    # 3. staff give the official answer; the author is notified
    page.context.clear_cookies()
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/partecipazione/proposte/")
    axe(page)
    page.get_by_role("link", name="Emporio solidale diffuso").click()
    page.get_by_label("Accolta (entra nel piano o nel procedimento)").check(force=True)
    page.get_by_label("Risposta ufficiale e motivazione").fill(
        "Diventa un intervento del Piano di Zona."
    )
    page.get_by_role("button", name="Invia la risposta").click()
    expect(
        page.get_by_role("heading", name="Risposta ufficiale dell'Ufficio di Piano")
    ).to_be_visible()
    axe(page)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert Notification.objects.filter(
        user=entity_admin, kind="participation.proposal_answered"
    ).exists()


def test_citizen_registers_cancels_and_the_waiting_list_moves(page, live_server, axe, ambito):
    event = EventFactory(ambito=ambito, title="Stati generali dell'innovazione sociale")
    session = EventSessionFactory(event=event, title="Governance partecipata", capacity=1)
    EventSessionFactory(event=event, title="Sostenibilità dei servizi", capacity=30)

    page.goto(f"{live_server.url}/partecipazione/eventi/")
    axe(page)
    page.get_by_role("link", name="Stati generali dell'innovazione sociale").click()
    axe(page)
    page.get_by_label("Nome e cognome").fill("Anna Neri")
    page.get_by_label("E-mail").fill("anna@example.org")
    page.get_by_label(re.compile("Governance partecipata")).check(force=True)
    page.get_by_role("button", name="Iscriviti").click()
    expect(page.locator("#id_privacy-error")).to_be_visible()  # the privacy notice must be accepted
    axe(page)
    page.get_by_label(re.compile("Ho letto l'informativa")).check(force=True)
    page.get_by_role("button", name="Iscriviti").click()
    # the same answer for every address: the e-mail says what happened
    page.wait_for_url(re.compile(r"/richiesta-inviata/"))
    expect(page.get_by_role("heading", name="Controlla la tua casella di posta")).to_be_visible()
    axe(page)
    request = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert request.subject == "Conferma l'iscrizione a «Stati generali dell'innovazione sociale»"
    assert not request.attachments, "no calendar before the address is confirmed"
    manage = re.search(r"https?://\S+(/partecipazione/iscrizione/\S+/)", request.body).group(1)
    assert Booking.objects.get(session=session).status == Booking.Status.HELD  # the seat is kept

    # the link from the e-mail: opening it changes nothing, the button confirms
    page.goto(f"{live_server.url}{manage}")
    expect(page.get_by_text("Posto trattenuto")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Conferma l'iscrizione").click()
    expect(page.get_by_text("Posto confermato")).to_be_visible()
    axe(page)
    confirmation = next(m for m in mail.outbox if m.to == ["anna@example.org"] and m.attachments)
    assert confirmation.attachments[0][0] == "evento.ics"
    assert "/partecipazione/iscrizione/" in confirmation.body

    # the session is now full: the next person goes to the waiting list
    bruno = event_services.registration_create(
        event=event,
        name="Bruno Verdi",
        email="bruno@example.org",
        sessions=[session],
        privacy_accepted=True,
        confirmed=True,
    )
    assert bruno.bookings.get().status == Booking.Status.WAITING
    page.goto(f"{live_server.url}/partecipazione/eventi/{event.pk}/")
    expect(page.locator(".badge", has_text="completa")).to_be_visible()

    # Anna cancels from the link in her e-mail; Bruno gets the seat and an e-mail
    page.goto(f"{live_server.url}{manage}")
    page.get_by_role("button", name="Annulla tutta l'iscrizione").click()
    expect(page.get_by_text("La tua iscrizione è stata annullata")).to_be_visible()
    axe(page)
    assert bruno.bookings.get().status == Booking.Status.CONFIRMED
    assert any(
        m.to == ["bruno@example.org"] and "Si è liberato un posto" in m.subject for m in mail.outbox
    )


def test_staff_check_people_in_on_a_phone(
    page, live_server, axe, browser_login, ambito, staff_user
):
    event = EventFactory(ambito=ambito, title="Stati generali")
    session = EventSessionFactory(event=event, title="Competenze del Terzo settore", capacity=10)
    for name in ("Anna Neri", "Bruno Verdi", "Carla Blu"):
        event_services.registration_create(
            event=event,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            sessions=[session],
            privacy_accepted=True,
            confirmed=True,
        )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/partecipazione/eventi/{event.pk}/accoglienza/")
    axe(page)
    page.get_by_label("Cerca per nome o e-mail").fill("bruno")
    page.get_by_role("button", name="Mostra", exact=True).click()
    page.wait_for_url(re.compile(r"q=bruno"))
    axe(page)
    page.get_by_role("button", name=re.compile("Segna presente")).click()
    page.locator(".btn-success", has_text="Presente").wait_for()
    axe(page)
    booking = Booking.objects.get(registration__name="Bruno Verdi")
    assert booking.attended_at is not None
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(f"{live_server.url}/partecipazione/eventi/{event.pk}/iscrizioni/")
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX", exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    (rows,) = xlsx_rows(download.value.path().read_bytes()).values()
    header = rows[0]
    bruno = dict(zip(header, next(row for row in rows if "Bruno Verdi" in row), strict=True))
    assert bruno["E-mail"] == "bruno@example.org"
    assert bruno["Presente"]  # checked in at the door a moment ago


def test_staff_publish_news_and_library_item_citizen_finds_it(
    page, live_server, axe, browser_login, ambito, staff_user
):
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/partecipazione/notizie/")
    axe(page)
    page.get_by_role("link", name="Nuova notizia").click()
    axe(page)
    page.get_by_label("Titolo").fill("Al via i tavoli del Piano di Zona")
    page.get_by_label("Sintesi").fill("Quattro tavoli, quaranta enti.")
    page.locator("#id_body").fill(
        "<p>Si parte <strong>lunedì</strong>.</p><script>alert(1)</script>"
    )
    page.get_by_label("Pubblica ora").check(force=True)
    page.get_by_role("button", name="Salva", exact=True).click()
    page.wait_for_url(re.compile(r"/partecipazione/notizie/\d+/$"))
    axe(page)
    assert "<script" not in News.objects.get().body

    page.goto(f"{live_server.url}/partecipazione/biblioteca/nuovo/")
    axe(page)
    page.locator("#id_kind").select_option(label="Buona pratica")
    page.get_by_label("Titolo").fill("Emporio solidale di Putignano")
    page.get_by_label("Descrizione").fill("Come i volontari gestiscono tre punti di distribuzione.")
    page.get_by_label("Collegamento").fill("https://example.org/emporio")
    page.get_by_label("Etichette").fill("povertà, volontariato")
    page.get_by_label("Pubblica ora").check(force=True)
    page.get_by_role("button", name="Salva", exact=True).click()
    page.wait_for_url(re.compile(r"/partecipazione/biblioteca/\d+/$"))
    axe(page)
    assert LibraryItem.objects.get().tags.count() == 2

    # a citizen (anonymous) finds it with the filters
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/partecipazione/biblioteca/")
    axe(page)
    page.locator("#id_kind").select_option(label="Buona pratica")
    page.get_by_label("Etichetta").select_option(label="volontariato")
    page.get_by_role("button", name="Cerca", exact=True).click()
    expect(page.get_by_role("link", name="Emporio solidale di Putignano")).to_be_visible()
    axe(page)
    page.locator("#id_kind").select_option(label="Normativa")
    page.get_by_role("button", name="Cerca", exact=True).click()
    expect(page.get_by_text("Nessun documento corrisponde alla ricerca.")).to_be_visible()


def test_user_reads_notifications_and_switches_to_daily_digest(
    page, live_server, axe, browser_login, ambito, entity_admin, staff_user
):
    table = TableFactory(ambito=ambito)
    TableMembershipFactory(table=table, kind=TableMembership.Kind.ENTITY, delegate=entity_admin)
    proposal = proposal_services.proposal_submit(
        author=entity_admin, table=table, title="Centro estivo inclusivo", text="Per tutti"
    )
    proposal_services.proposal_answer(
        proposal=proposal, by=staff_user, status="under_study", answer="Ne parliamo al tavolo."
    )
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/notifiche/")
    axe(page)
    page.get_by_role("link", name=re.compile("Risposta alla tua proposta")).click()
    page.wait_for_url(re.compile(r"/partecipazione/proposte/\d+/$"))
    axe(page)
    page.goto(f"{live_server.url}/notifiche/")
    page.get_by_label(re.compile("e-mail per le notifiche", re.I)).select_option("daily")
    page.get_by_role("button", name="Salva", exact=True).click()
    expect(page.get_by_text("Preferenze salvate.")).to_be_visible()
    axe(page)
    entity_admin.refresh_from_db()
    assert entity_admin.notification_email == User.EmailFrequency.DAILY


def test_feeds_validate_as_xml(page, live_server, ambito):
    NewsFactory(ambito=ambito, title="Risultati del primo anno")
    procedure = ProcedureFactory(
        ambito=ambito, title="Centro per le famiglie", status="notice_published"
    )
    NoticeFactory(procedure=procedure, published_at=timezone.now())
    for path, tag in (
        ("/partecipazione/feed/notizie.rss", "rss"),
        ("/partecipazione/feed/notizie.atom", "{http://www.w3.org/2005/Atom}feed"),
        ("/partecipazione/feed/avvisi.rss", "rss"),
        ("/partecipazione/feed/avvisi.atom", "{http://www.w3.org/2005/Atom}feed"),
    ):
        response = page.request.get(f"{live_server.url}{path}")
        assert response.ok
        root = ElementTree.fromstring(response.body())
        assert root.tag == tag
        assert (
            "Risultati del primo anno" in response.text()
            or "Centro per le famiglie" in response.text()
        )
