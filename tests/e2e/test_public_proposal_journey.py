"""Browser journey of a citizen's public proposal: the Ufficio di Piano opens its ambito to
citizens' proposals, a citizen proposes publicly, another person supports and comments, the staff
hide the comment with a reason and answer officially, the citizen reads the answer; anonymous
visitors read the page with the comment hidden. axe on every page, the CSP enforced."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.models import AuditEvent, Notification
from entities.models import TargetGroup
from participation.models import ParticipationSettings, Proposal
from tests.factories.core import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_proposal_with_moderation_and_answer(
    page, live_server, axe, browser_login, ambito, staff_user, no_role_user
):
    supporter = UserFactory(email="sostenitrice@example.org", first_name="Lucia", last_name="Verdi")
    area, _created = TargetGroup.objects.get_or_create(code="anziani", defaults={"name": "Anziani"})
    ambito_page = f"{live_server.url}{reverse('ambito:detail', args=[ambito.code])}"

    # 1. the Ufficio di Piano opens the ambito to citizens' proposals
    browser_login(page, staff_user)
    page.goto(ambito_page)
    axe(page)
    page.get_by_role("link", name="Impostazioni della partecipazione").click()
    axe(page)
    page.locator("label", has_text="i cittadini possono presentare proposte").click()
    page.get_by_role("button", name="Salva le impostazioni").click()
    expect(page.get_by_text("Impostazioni salvate.")).to_be_visible()
    axe(page)
    assert ParticipationSettings.objects.get(ambito=ambito).citizen_proposals
    page.context.clear_cookies()

    # 2. a citizen proposes publicly, from the ambito's page
    browser_login(page, no_role_user)
    page.goto(ambito_page)
    page.get_by_role("link", name="Presenta una proposta").click()
    axe(page)
    page.get_by_label("Titolo").fill("Un centro diurno per gli anziani soli")
    page.get_by_role("button", name="Presenta la proposta").click()
    expect(page.locator("#id_text-error")).to_be_visible()
    axe(page)
    page.get_by_label("Testo").fill("Aperto tutti i giorni, con il trasporto da casa.")
    page.locator("#id_area").select_option(str(area.pk))
    expect(page.get_by_label("Rendi pubblica la proposta")).to_be_checked()
    page.get_by_role("button", name="Presenta la proposta").click()
    page.wait_for_url(re.compile(r"/partecipazione/proposte/\d+/$"))
    expect(page.get_by_text("Proposta presentata.")).to_be_visible()
    axe(page)
    proposal = Proposal.objects.get()
    assert proposal.is_public and proposal.by_citizen and proposal.author == no_role_user
    page.context.clear_cookies()

    # 3. another registered person finds it in the public list, supports and comments
    browser_login(page, supporter)
    page.goto(f"{live_server.url}{reverse('participation:public_proposals', args=[ambito.code])}")
    axe(page)
    page.get_by_role("link", name="Un centro diurno per gli anziani soli").click()
    page.get_by_role("button", name="Sostieni la proposta").click()
    expect(page.get_by_text("Hai sostenuto la proposta.")).to_be_visible()
    page.get_by_label("Il tuo commento").fill(
        "Mia madre ci andrebbe: numero di telefono 333 1234567"
    )
    page.get_by_role("button", name="Pubblica il commento").click()
    expect(page.get_by_text("Commento pubblicato.")).to_be_visible()
    axe(page)
    assert proposal.supports.count() == 1
    page.context.clear_cookies()

    # 4. the staff hide the comment with a reason, then answer officially
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    axe(page)
    page.get_by_label("Motivo per nascondere il commento").fill("Contiene dati personali")
    page.get_by_role("button", name="Nascondi il commento").click()
    expect(page.get_by_text("Commento nascosto: l'autore riceve una notifica.")).to_be_visible()
    expect(
        page.get_by_text("Commento nascosto dalla moderazione: Contiene dati personali")
    ).to_be_visible()
    axe(page)
    page.get_by_label("Accolta (entra nel piano o nel procedimento)").check(force=True)
    page.get_by_label("Risposta ufficiale e motivazione").fill(
        "Il centro diurno entra nel Piano di Zona 2026."
    )
    page.get_by_role("button", name="Invia la risposta").click()
    expect(
        page.get_by_role("heading", name="Risposta ufficiale dell'Ufficio di Piano")
    ).to_be_visible()
    axe(page)
    assert AuditEvent.objects.filter(action="participation.proposal.comment_hidden").exists()
    assert Notification.objects.filter(user=supporter, kind="participation.comment_hidden").exists()
    page.context.clear_cookies()

    # 5. an anonymous visitor reads the proposal with the comment hidden
    page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    expect(
        page.get_by_text("Commento nascosto dalla moderazione: Contiene dati personali")
    ).to_be_visible()
    expect(page.get_by_text("333 1234567")).to_have_count(0)
    axe(page)

    # 6. the citizen reads the official answer
    browser_login(page, no_role_user)
    page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
    expect(page.get_by_text("Il centro diurno entra nel Piano di Zona 2026.")).to_be_visible()
    expect(page.locator(".callout").get_by_text("Accolta", exact=True)).to_be_visible()
    axe(page)
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.answered_at is not None
    assert Notification.objects.filter(
        user=no_role_user, kind="participation.proposal_answered"
    ).exists()
