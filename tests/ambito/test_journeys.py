"""In Chromium, with the CSP enforced (axe-core runs on the same pages in the context that lets it
in): a coordinator invites a colleague by e-mail, who follows the link and signs up; the
coordinator changes the role, then revokes it; a visitor goes from the region's home into ambito
B and sees B's header."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ambito.models import StaffRole
from core.models import User
from tests.conftest import login
from tests.e2e.test_tables_journeys import check_page, strict_page  # noqa: F401 - fixtures
from tests.factories.ambito import AmbitoFactory, ComuneFactory
from tests.factories.processes import NoticeFactory, ProcedureFactory
from tests.factories.tables import TableFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_coordinator_invites_changes_and_revokes_a_role(
    strict_page,  # noqa: F811
    check_page,  # noqa: F811
    browser,
    browser_context_args,
    live_server,
    ambito,
    staff_user,
):
    page = strict_page
    login(page, live_server, staff_user.email)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    page.get_by_role("link", name=f"Ruoli del personale di {ambito.name}").click()
    page.wait_for_url(re.compile(r"/ruoli/$"))
    check_page(page)

    # a wrong address first: the message is next to the field, nothing is sent
    page.get_by_label("E-mail della persona da invitare").fill("non-una-email")
    page.get_by_label("Operatore dell'Ufficio di Piano").check(force=True)
    page.get_by_role("button", name="Invia l'invito").click()
    expect(page.locator("#id_email-error")).to_be_visible()
    check_page(page)
    assert not mail.outbox
    page.get_by_label("E-mail della persona da invitare").fill("sara.verdi@example.org")
    page.get_by_label("Qualifica").fill("Assistente sociale")
    page.get_by_role("button", name="Invia l'invito").click()
    expect(page.get_by_text("Invito inviato a sara.verdi@example.org")).to_be_visible()
    expect(
        page.get_by_text("sara.verdi@example.org — Operatore dell'Ufficio di Piano")
    ).to_be_visible()
    check_page(page)

    # the invited person reads the e-mail, follows the link and signs up, CSP enforced too
    message = mail.outbox[-1]
    assert message.to == ["sara.verdi@example.org"]
    assert f"Operatore dell'Ufficio di Piano — {ambito.name}" in message.subject
    link = re.search(r"https?://\S+/ambiti/invito/\S+/", message.body).group(0)
    context = browser.new_context(**browser_context_args)
    guest = context.new_page()
    guest.goto(live_server.url + _path(link))
    check_page(guest)
    guest.get_by_role("link", name="Crea un account e accetta").click()
    guest.wait_for_url(re.compile(r"/account/signup/"))
    check_page(guest)
    expect(guest.get_by_label(re.compile(r"^E-?mail", re.I))).to_have_value(
        "sara.verdi@example.org"
    )
    guest.locator("#id_password1").fill("una-password-robusta-2026")
    guest.locator("#id_password2").fill("una-password-robusta-2026")
    guest.get_by_role("button", name=re.compile("Registra", re.I)).click()
    guest.wait_for_url(re.compile(r"/la-mia-area/"))
    expect(
        guest.get_by_text(f"Ora sei operatore dell'ufficio di piano ({ambito.name})")
    ).to_be_visible()
    check_page(guest)
    sara = User.objects.get(email="sara.verdi@example.org")
    role = StaffRole.objects.get(user=sara, ambito=ambito)
    assert (role.role, role.job_title) == ("operator", "Assistente sociale")
    context.close()

    # the coordinator changes the role: social services of a comune, not eligible as RUP
    comune = ambito.comuni.exclude(pk=ambito.lead_comune_id).first()
    page.reload()
    expect(page.get_by_text("Nessun invito in attesa.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Modifica\s+sara\.verdi@example\.org")).click()
    page.wait_for_url(re.compile(rf"/ruoli/{role.pk}/$"))
    check_page(page)
    page.get_by_label("Servizi sociali del comune").check(force=True)
    page.get_by_label("Comune", exact=True).select_option(str(comune.pk))
    page.get_by_label("Può essere nominato RUP").uncheck(force=True)
    page.get_by_role("button", name="Salva il ruolo").click()
    expect(page.get_by_text("Ruolo di sara.verdi@example.org aggiornato.")).to_be_visible()
    check_page(page)
    role.refresh_from_db()
    assert (role.role, role.comune_id, role.rup_eligible) == ("comune", comune.pk, False)
    changed = mail.outbox[-1]
    assert changed.to == ["sara.verdi@example.org"] and "è cambiato" in changed.subject
    assert f"Servizi sociali del comune — {comune.name}" in changed.body

    # and revokes it (the page asks first)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"Revoca\s+sara\.verdi@example\.org")).click()
    expect(page.get_by_text("sara.verdi@example.org non ha più il ruolo")).to_be_visible()
    check_page(page)
    assert not StaffRole.objects.filter(user=sara).exists()
    revoked = mail.outbox[-1]
    assert revoked.to == ["sara.verdi@example.org"] and revoked.subject.endswith(
        f"Ruolo revocato: Servizi sociali del comune — {comune.name}"
    )
    # the history of the roles shows the three steps
    history = page.locator(".audit-history")
    for action in (
        "ambito.staff.invited",
        "ambito.staff.joined",
        "ambito.staff.changed",
        "ambito.staff.revoked",
    ):
        expect(history.get_by_text(action)).to_be_visible()


def test_a_visitor_goes_from_the_region_into_an_ambito(strict_page, check_page, live_server):  # noqa: F811
    fano = AmbitoFactory(
        name="ATS 6 Fano", code="ats-6-fano", member_comuni=[ComuneFactory(name="Mondolfo")]
    )
    pesaro = AmbitoFactory(
        name="ATS 1 Pesaro", code="ats-1-pesaro", member_comuni=[ComuneFactory(name="Gradara")]
    )
    TableFactory(ambito=fano, name="Tavolo Inclusione di Fano")
    TableFactory(ambito=pesaro, name="Tavolo del Regolamento")
    now = timezone.now()
    procedure = ProcedureFactory(
        ambito=pesaro, title="Co-programmazione famiglie", status="notice_published"
    )
    NoticeFactory(
        procedure=procedure, version=1, deadline=now + timedelta(days=20), published_at=now
    )

    page = strict_page
    page.goto(f"{live_server.url}/")
    check_page(page)
    brand = page.locator(".it-brand-title").first
    expect(page.get_by_role("heading", name="Gli ambiti territoriali sociali")).to_be_visible()
    expect(brand).not_to_have_text("ATS 1 Pesaro")
    card = page.locator("article", has=page.get_by_role("heading", name="ATS 1 Pesaro"))
    expect(card.get_by_text("1 avviso aperto")).to_be_visible()
    expect(card.get_by_role("link", name="Co-programmazione famiglie")).to_have_attribute(
        "href", f"/ats-1-pesaro/procedimenti/{procedure.pk}/"
    )
    card.get_by_role("link", name="ATS 1 Pesaro", exact=True).click()
    page.wait_for_url(re.compile(r"/ats-1-pesaro/$"))
    check_page(page)
    expect(brand).to_have_text("ATS 1 Pesaro")
    expect(page.get_by_text("Gradara")).to_be_visible()
    page.get_by_role("navigation", name="Menu principale").get_by_role(
        "link", name="Tavoli"
    ).click()
    page.wait_for_url(re.compile(r"/ats-1-pesaro/tavoli/$"))
    check_page(page)
    expect(brand).to_have_text("ATS 1 Pesaro")
    expect(page.get_by_text("Tavolo del Regolamento")).to_be_visible()
    expect(page.get_by_text("Tavolo Inclusione di Fano")).to_have_count(0)
    page.get_by_role("navigation", name="Menu principale").get_by_role(
        "link", name="Procedimenti"
    ).click()
    page.wait_for_url(re.compile(r"/ats-1-pesaro/procedimenti/$"))
    page.get_by_role("link", name="Co-programmazione famiglie").click()
    page.wait_for_url(re.compile(rf"/ats-1-pesaro/procedimenti/{procedure.pk}/$"))
    check_page(page)
    expect(brand).to_have_text("ATS 1 Pesaro")
    # the portal's name leads back to the region, and from there to its Mappafondo
    page.get_by_role("link", name=re.compile("tutti gli ambiti")).first.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Gli ambiti territoriali sociali")).to_be_visible()
    page.get_by_role("link", name="Mappafondo regionale").click()
    page.wait_for_url(re.compile(r"/ambiti/mappafondo/$"))
    check_page(page)
