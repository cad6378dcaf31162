"""Real-browser journeys of the procedures, one per user story; axe runs on every page visited."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from processes import services
from processes.models import Application, Procedure
from tests.core.test_signatures import pki  # noqa: F401 (fixture)
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.factories.processes import PDF_BYTES
from tests.processes.conftest import fill_and_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_FILE = {"name": "statuto.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}


@pytest.fixture(autouse=True)
def reference_lists(db):
    """Transactional tests flush the rows the data migrations loaded: load them again."""
    from entities.models import Activity, TargetGroup
    from entities.reference import ACTIVITIES, TARGET_GROUPS

    for code, name in ACTIVITIES:
        Activity.objects.update_or_create(code=code, defaults={"name": name})
    for order, (code, name) in enumerate(TARGET_GROUPS):
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})


@pytest.fixture(autouse=True)
def short_timeouts(page):
    page.set_default_timeout(10_000)


def tick(page, text: str) -> None:
    """Tick a checkbox or radio by its label."""
    page.get_by_label(text).first.check(force=True)  # Bootstrap Italia draws the box on the label


def logout(page, live_server):
    page.context.clear_cookies()


def test_staff_start_a_procedure_and_publish_the_notice(
    page, live_server, axe, browser_login, staff_user, ambito, table
):
    matching = EntityFactory(ambito=ambito, activity_codes=["c"], email="cooperativa@example.org")
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/procedimenti/")
    axe(page)
    page.get_by_role("link", name="Avvia un procedimento").click()
    axe(page)
    page.locator("#id_kind").select_option("coprogettazione")
    page.locator("#id_title").fill("Servizi per la non autosufficienza")
    page.locator("#id_subject").fill("Assistenza domiciliare e sollievo")
    tick(page, "c) Prestazioni socio-sanitarie")
    page.locator("#id_rup").select_option(str(staff_user.pk))
    tick(page, "D'ufficio")
    page.locator("#id_legal_basis").fill("Piano di Zona 2025-2027")
    tick(page, "Non autosufficienza")
    tick(page, "Obbligatori SPID/CIE di livello 2 o dichiarazione firmata digitalmente")
    page.get_by_role("button", name="Avvia il procedimento").click()
    # the budget is required for co-progettazione: the message sits next to the field
    expect(page.locator("#id_budget-error")).to_be_visible()
    axe(page)
    page.locator("#id_budget").fill("150000")
    page.locator("#id_duration_months").fill("24")
    page.get_by_role("button", name="Avvia il procedimento").click()
    page.wait_for_url(re.compile(r"/procedimenti/\d+/$"))
    axe(page)
    page.get_by_role("link", name="Prepara l'avviso").click()
    axe(page)
    page.locator("#id_subject").fill("Avviso di co-progettazione")
    page.locator("#id_requirements").fill("Iscrizione al RUNTS")
    page.locator("#id_deadline").fill(
        (timezone.localtime() + timedelta(days=21)).strftime("%Y-%m-%dT12:00")
    )
    page.locator("#id_admission_threshold").fill("60")
    page.locator("#id_criteria-0-name").fill("Qualità della proposta")
    page.locator("#id_criteria-0-weight").fill("70")
    page.locator("#id_criteria-1-name").fill("Esperienza")
    page.locator("#id_criteria-1-weight").fill("20")
    page.get_by_role("button", name="Salva la bozza").click()
    expect(page.get_by_text("I pesi dei criteri devono sommare a 100")).to_be_visible()
    axe(page)
    page.locator("#id_criteria-1-weight").fill("30")
    page.get_by_role("button", name="Salva la bozza").click()
    page.wait_for_url(re.compile(r"/procedimenti/avvisi/\d+/$"))
    axe(page)
    page.get_by_role("button", name="Pubblica l'avviso").click()
    page.wait_for_url(re.compile(r"/procedimenti/\d+/$"))
    expect(page.get_by_text("Avviso pubblicato: domande aperte").first).to_be_visible()
    axe(page)
    expect(page.locator("#declaration-proof")).to_contain_text(
        "Le sole caselle di conferma non bastano."
    )
    procedure = Procedure.objects.get(title="Servizi per la non autosufficienza")
    assert procedure.status == "notice_published"
    assert procedure.declaration_proof == "spid_cie_or_signed"
    assert any(m.to == [matching.email] for m in mail.outbox)


def test_entity_submits_and_the_late_one_is_refused(
    page,
    live_server,
    axe,
    browser_login,
    make_procedure,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    clock,
):
    procedure = make_procedure(deadline=timezone.now() + timedelta(hours=1))
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}/")
    axe(page)
    page.get_by_role("link", name=procedure.title).click()  # the open call on the home page
    axe(page)
    page.get_by_role("button", name=f"Prepara la domanda per {entity.name}").click()
    page.wait_for_url(re.compile(r"/procedimenti/domande/\d+/$"))
    axe(page)
    page.locator("#id_title").fill("Statuto")
    page.locator("#id_file").set_input_files(PDF_FILE)
    page.get_by_role("button", name="Carica l'allegato").click()
    expect(page.get_by_role("link", name="Statuto")).to_be_visible()
    for box in (
        page.get_by_role("group", name=re.compile("Dichiarazioni sostitutive"))
        .get_by_role("checkbox")
        .all()
    ):
        box.check(force=True)
    page.locator("#id_proposal").fill("Assistenza domiciliare con volontari formati.")
    page.locator("#id_budget-0-description").fill("Operatori")
    page.locator("#id_budget-0-amount").fill("12000")
    page.get_by_role("button", name="Salva la bozza").click()
    expect(page.get_by_text("Bozza salvata.")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.get_by_text("Domanda presentata.")).to_be_visible()
    application = Application.objects.get(procedure=procedure, entity=entity)
    assert application.status == "submitted"
    expect(page.get_by_text(application.protocol_number).first).to_be_visible()
    axe(page)
    page.goto(f"{live_server.url}/la-mia-area/")
    expect(page.get_by_text(application.protocol_number).first).to_be_visible()
    axe(page)

    # a mistake: the entity withdraws the application and submits it again before the deadline
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    page.get_by_text("Ritira la domanda", exact=True).first.click()  # opens the form
    page.locator("#id_reason").fill("Proposta da correggere")
    page.locator("#id_confirm").check(force=True)
    axe(page)
    page.get_by_role("button", name="Ritira la domanda").click()
    expect(page.get_by_text("Domanda ritirata").first).to_be_visible()
    axe(page)
    for box in (
        page.get_by_role("group", name=re.compile("Dichiarazioni sostitutive"))
        .get_by_role("checkbox")
        .all()
    ):
        box.check(force=True)
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.get_by_text("Domanda presentata.")).to_be_visible()
    first_number = application.protocol_number
    application.refresh_from_db()
    assert application.status == "submitted" and application.protocol_number != first_number

    # another entity prepares its application, but presses the button one second too late
    late = services.application_start(
        procedure=procedure, entity=other_entity, actor=other_entity_admin
    )
    fill_and_submit(late, other_entity_admin, submit=False)
    logout(page, live_server)
    browser_login(page, other_entity_admin)
    page.goto(f"{live_server.url}{late.get_absolute_url()}")
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.get_by_text("non può più essere presentata").first).to_be_visible()
    axe(page)
    late.refresh_from_db()
    assert late.status == "draft" and not late.protocol_number


def test_staff_check_admission_with_soccorso_istruttorio(
    page, live_server, axe, browser_login, make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure(deadline=timezone.now() + timedelta(hours=1))
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    axe(page)
    page.get_by_role("button", name="Chiudi le domande e avvia l'istruttoria").click()
    expect(page.get_by_text("Stato aggiornato")).to_be_visible()
    page.get_by_role("link", name=entity.name).first.click()
    axe(page)
    page.locator("#id_message").fill("Manca il bilancio dell'ultimo esercizio.")
    page.locator("#id_deadline").fill(
        (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT12:00")
    )
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_text("Soccorso istruttorio in corso").first).to_be_visible()
    axe(page)

    logout(page, live_server)
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    axe(page)
    page.locator("#id_answer").fill("Alleghiamo il bilancio 2025.")
    page.locator("#id_title").fill("Bilancio 2025")
    page.locator("#id_file").set_input_files({**PDF_FILE, "name": "bilancio.pdf"})
    page.get_by_role("button", name="Invia la risposta").click()
    expect(page.get_by_text("Risposta inviata")).to_be_visible()
    axe(page)

    logout(page, live_server)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_role("link", name="Bilancio 2025")).to_be_visible()
    page.get_by_role("button", name="Ammetti la domanda").click()
    expect(page.get_by_text("Domanda ammessa.")).to_be_visible()
    axe(page)
    application.refresh_from_db()
    assert application.status == "admitted"


def test_the_10bis_notice_from_staff_to_the_entity_and_to_the_exclusion(
    page, live_server, axe, browser_login, make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure(deadline=timezone.now() + timedelta(hours=1))
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)

    # the Ufficio di Piano tells the entity why its application cannot be accepted
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    axe(page)
    page.locator("#id_reasons").fill("Lo statuto allegato non prevede attività socio-sanitarie.")
    expect(page.locator("#id_term_days")).to_have_value("10")
    page.get_by_role("button", name="Invia la comunicazione").click()
    expect(page.get_by_text("Comunicazione dei motivi ostativi inviata")).to_be_visible()
    expect(page.get_by_text("Motivi ostativi comunicati (art. 10-bis)").first).to_be_visible()
    expect(page.get_by_role("button", name="Conferma l'esclusione")).to_have_count(0)
    axe(page)
    notice_mail = next(m for m in mail.outbox if "10-bis" in m.subject)
    assert notice_mail.to == [entity.email]
    assert "non prevede attività socio-sanitarie" in notice_mail.body

    # the entity reads it on its application and answers within the term, with a document
    logout(page, live_server)
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(
        page.get_by_role(
            "heading", name="Comunicazione dei motivi ostativi (art. 10-bis L. 241/1990)"
        )
    ).to_be_visible()
    expect(page.get_by_text("non prevede attività socio-sanitarie")).to_be_visible()
    axe(page)
    page.locator("#observations_observations").fill(
        "Lo statuto modificato nel 2025 prevede le attività socio-sanitarie (art. 3)."
    )
    page.locator("#observations_title").fill("Statuto 2025")
    page.locator("#observations_file").set_input_files({**PDF_FILE, "name": "statuto-2025.pdf"})
    page.get_by_role("button", name="Invia le osservazioni").click()
    expect(page.get_by_text("Osservazioni inviate")).to_be_visible()
    expect(page.get_by_role("link", name="Statuto 2025").first).to_be_visible()
    axe(page)

    # the Ufficio di Piano examines them and confirms the exclusion, answering them
    logout(page, live_server)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_text("Lo statuto modificato nel 2025")).to_be_visible()
    axe(page)
    page.locator("#id_motivation").fill(
        "Lo statuto del 2025 è stato registrato dopo la scadenza dell'avviso: alla scadenza "
        "il requisito mancava."
    )
    page.get_by_role("button", name="Conferma l'esclusione").click()
    expect(page.get_by_text("Esclusione confermata e comunicata")).to_be_visible()
    axe(page)
    application.refresh_from_db()
    assert application.status == "not_admitted"
    decision = next(m for m in mail.outbox if m.subject.startswith("Domanda non ammessa"))
    assert "registrato dopo la scadenza" in decision.body

    logout(page, live_server)
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_text("Esclusione confermata il").first).to_be_visible()
    expect(page.get_by_text("registrato dopo la scadenza").first).to_be_visible()
    axe(page)


def _evaluation_ready(procedure, staff_user, clock, ambito):
    apps = []
    for name in ("Cooperativa Alfa", "Associazione Beta"):
        e = EntityFactory(ambito=ambito, name=name)
        admin = EntityMembershipFactory(entity=e).user
        apps.append(
            fill_and_submit(
                services.application_start(procedure=procedure, entity=e, actor=admin), admin
            )
        )
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    for a in apps:
        services.application_decide(application=a, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    return apps


def test_commission_scores_and_the_ranking_appears(
    page, live_server, axe, browser_login, make_procedure, staff_user, operator_user, ambito, clock
):
    procedure = make_procedure(deadline=timezone.now() + timedelta(hours=1))
    apps = _evaluation_ready(procedure, staff_user, clock, ambito)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/procedimenti/{procedure.pk}/commissione/")
    axe(page)
    page.locator("#id_email").fill(operator_user.email)
    page.locator("#id_role").select_option("president")
    page.get_by_role("button", name="Nomina").click()
    expect(page.get_by_text("Commissario nominato.")).to_be_visible()

    logout(page, live_server)
    browser_login(page, operator_user)
    page.goto(f"{live_server.url}/procedimenti/{procedure.pk}/commissione/")
    expect(page.get_by_text("Vedrai le domande solo dopo")).to_be_visible()
    axe(page)
    tick(page, "Dichiaro")
    page.get_by_role("button", name="Firma la dichiarazione").click()
    axe(page)
    for application, (q, e) in zip(apps, ((9, 8), (4, 5)), strict=True):
        page.get_by_role("link", name=f"Valuta {application.entity.name}").click()
        axe(page)
        inputs = page.locator("input[type=number]")
        inputs.nth(0).fill(str(q))
        inputs.nth(1).fill(str(e))
        page.get_by_role("button", name="Salva i punteggi").click()
        expect(page.get_by_text("Punteggi salvati.")).to_be_visible()

    logout(page, live_server)
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/procedimenti/{procedure.pk}/commissione/")
    ranking = page.locator("#ranking-heading + p + figure + ol")
    assert "Cooperativa Alfa" in ranking.locator("li").nth(0).inner_text()
    assert "sotto la soglia" in ranking.locator("li").nth(1).inner_text()
    axe(page)
    # under the threshold: the ranking waits for the art. 10-bis notice to be concluded
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    expect(page.get_by_text("sotto la soglia di ammissione: prima comunica")).to_be_visible()
    notice = services.exclusion_notice_send(
        application=apps[1], actor=staff_user, reasons="Punteggio sotto la soglia."
    )
    clock.set(notice.deadline + timedelta(seconds=1))
    services.exclusion_confirm(notice=notice, actor=staff_user, motivation="Nessuna osservazione.")
    browser_login(page, staff_user)  # eleven days later: a new session
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    page.get_by_role("button", name="Approva la graduatoria e pubblica gli ammessi").click()
    expect(page.get_by_text("Stato aggiornato")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Commissione e graduatoria").click()
    ranking = page.locator("#ranking-heading + p + figure + ol")
    expect(ranking.locator("li")).to_have_count(1)
    assert "Cooperativa Alfa" in ranking.locator("li").nth(0).inner_text()
    axe(page)
    assert Application.objects.get(pk=apps[1].pk).status == "not_admitted"


def test_staff_record_the_outcome_and_the_agreement(
    page, live_server, axe, browser_login, make_procedure, staff_user, operator_user, ambito, clock
):
    procedure = make_procedure(deadline=timezone.now() + timedelta(hours=1))
    apps = _evaluation_ready(procedure, staff_user, clock, ambito)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=member, actor=operator_user)
    criteria = list(Procedure.objects.get(pk=procedure.pk).current_notice.criteria.all())
    for a in apps:
        services.scores_save(
            member=member, application=a, values={c.pk: (Decimal(8), "") for c in criteria}
        )
    services.procedure_transition(procedure=procedure, target="ranking_published", actor=staff_user)
    services.procedure_transition(procedure=procedure, target="codesign", actor=staff_user)

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    axe(page)
    page.get_by_role("link", name="Pubblica un documento").click()
    axe(page)
    page.locator("#id_kind").select_option("final_project")
    page.locator("#id_title").fill("Progetto definitivo")
    page.locator("#id_file").set_input_files({**PDF_FILE, "name": "progetto.pdf"})
    page.get_by_role("button", name="Pubblica").click()
    expect(page.get_by_text("Documento pubblicato.")).to_be_visible()
    page.get_by_role("link", name="Piano economico del progetto").click()
    axe(page)
    page.locator("#id_budget-0-description").fill("Assistenza domiciliare")
    page.locator("#id_budget-0-fund").select_option("fna")
    page.locator("#id_budget-0-amount").fill("100000")
    page.locator("#id_budget-1-entity").select_option(label="Cooperativa Alfa")
    page.locator("#id_budget-1-description").fill("Volontari e mezzi")
    page.locator("#id_budget-1-fund").select_option("terzo-settore")
    page.locator("#id_budget-1-amount").fill("20000")
    page.get_by_role("button", name="Salva il piano economico").click()
    expect(page.get_by_role("img", name=re.compile("Risorse per parte"))).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Registra il progetto definitivo").click()
    page.get_by_role("link", name="Pubblica un documento").click()
    page.locator("#id_kind").select_option("approval")
    page.locator("#id_title").fill("Determina di approvazione")
    page.locator("#id_act_reference").fill("Determina n. 77")
    page.locator("#id_file").set_input_files({**PDF_FILE, "name": "determina.pdf"})
    page.get_by_role("button", name="Pubblica").click()
    page.get_by_role("button", name="Registra l'approvazione").click()
    expect(page.get_by_text("Stato aggiornato: Approvato")).to_be_visible()
    page.get_by_role("link", name="Convenzione", exact=True).click()
    axe(page)
    page.locator("#id_signed_on").fill(timezone.localdate().isoformat())
    page.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    page.locator("#id_reporting_schedule").select_option("semiannual")
    page.locator("#id_file").set_input_files({**PDF_FILE, "name": "convenzione.pdf"})
    page.get_by_role("button", name="Salva la convenzione").click()
    expect(page.get_by_text("Convenzione registrata.")).to_be_visible()
    page.get_by_role("button", name="Avvia l'esecuzione (convenzione firmata)").click()
    expect(page.get_by_role("link", name="Scarica la convenzione", exact=True)).to_be_visible()
    axe(page)
    assert Procedure.objects.get(pk=procedure.pk).status == "execution"


def test_a_citizen_reads_the_public_page(
    page, live_server, axe, make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure(
        Procedure.Kind.COPROGRAMMING, deadline=timezone.now() + timedelta(hours=1)
    )
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    services.procedure_transition(
        procedure=procedure, target="admission", actor=staff_user, act_reference="Determina n. 5"
    )
    services.application_decide(application=application, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="table", actor=staff_user)
    from tests.processes.conftest import pdf

    services.outcome_document_add(
        procedure=procedure,
        actor=staff_user,
        data={"kind": "sintesi", "title": "Documento di sintesi"},
        file=pdf(),
    )
    started = services.procedure_create(
        ambito=procedure.ambito,
        actor=staff_user,
        data={
            "kind": "coprogrammazione",
            "title": "Bozza riservata",
            "subject": "x",
            "rup": staff_user,
        },
    )

    page.goto(f"{live_server.url}/procedimenti/")
    axe(page)
    expect(page.get_by_text(started.title)).to_have_count(0)
    page.locator("#id_kind").select_option("coprogrammazione")
    page.get_by_role("button", name="Filtra").click()
    axe(page)
    page.get_by_role("link", name=procedure.title).click()
    axe(page)
    expect(page.get_by_role("heading", name="Fasi del procedimento")).to_be_visible()
    expect(page.get_by_text("Determina n. 5")).to_be_visible()
    expect(page.get_by_role("heading", name="Enti ammessi")).to_be_visible()
    expect(page.get_by_text(entity.name).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Documento di sintesi").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes() == PDF_BYTES  # the document published, unchanged
    page.get_by_role("link", name="Avviso — versione 1").click()
    axe(page)
    # private files stay private
    response = page.goto(f"{live_server.url}/procedimenti/domande/{application.pk}/")
    assert "/account/login/" in page.url and response.ok


def test_entity_must_confirm_the_declarations_with_a_signed_document(
    page,
    live_server,
    axe,
    browser_login,
    make_procedure,
    entity,
    entity_admin,
    pki,  # noqa: F811 (the fixture)
    settings,
):
    """The avviso requires SPID/CIE of level 2 or a signed declaration: ticked boxes are refused
    with how to comply, an unsigned file is refused, the declaration signed by the legal
    representative (generated here) is accepted and the submission goes through."""
    settings.SIGNATURE_TRUST_ROOTS = ""
    entity.legal_representative = "Mario Rossi"
    entity.legal_representative_fiscal_code = "RSSMRA80A01H501U"
    entity.save()
    procedure = make_procedure(Procedure.Kind.COPROGRAMMING, declaration_proof="spid_cie_or_signed")
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    expect(page.locator("#declaration-proof")).to_contain_text(
        "vanno confermate entrando con SPID o CIE di livello 2, oppure allegando la "
        "dichiarazione sostitutiva firmata digitalmente"
    )
    axe(page)
    page.get_by_role("button", name=f"Prepara la domanda per {entity.name}").click()
    page.wait_for_url(re.compile(r"/procedimenti/domande/\d+/$"))
    expect(page.locator("#declaration-proof-required")).to_be_visible()
    axe(page)
    for box in (
        page.get_by_role("group", name=re.compile("Dichiarazioni sostitutive"))
        .get_by_role("checkbox")
        .all()
    ):
        box.check(force=True)
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.locator("#id_declarations-error")).to_contain_text(
        "le caselle spuntate non bastano. Entra con SPID o CIE di livello 2 e presenta di nuovo "
        "la domanda, oppure carica tra gli allegati la dichiarazione sostitutiva firmata "
        "digitalmente dal legale rappresentante (.p7m o PDF con firma digitale)"
    )
    axe(page)
    application = Application.objects.get(procedure=procedure, entity=entity)
    assert application.status == "draft" and not application.protocol_number

    # an unsigned PDF is not a signed declaration
    page.locator("#id_title").fill("Dichiarazione sostitutiva")
    page.locator("#id_file").set_input_files(PDF_FILE)
    tick(page, "È la dichiarazione sostitutiva")
    page.get_by_role("button", name="Carica l'allegato").click()
    expect(page.get_by_text("Il file non è firmato digitalmente").first).to_be_visible()
    axe(page)
    assert not application.documents.exists()

    signed = {
        "name": "dichiarazione.pdf.p7m",
        "mimeType": "application/pkcs7-mime",
        "buffer": pki.p7m(PDF_BYTES),
    }
    page.locator("#id_title").fill("Dichiarazione sostitutiva")
    page.locator("#id_file").set_input_files(signed)
    tick(page, "È la dichiarazione sostitutiva")
    page.get_by_role("button", name="Carica l'allegato").click()
    expect(page.get_by_role("link", name="Dichiarazione sostitutiva")).to_be_visible()
    for box in (
        page.get_by_role("group", name=re.compile("Dichiarazioni sostitutive"))
        .get_by_role("checkbox")
        .all()
    ):
        box.check(force=True)
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.get_by_text("Domanda presentata.")).to_be_visible()
    expect(page.locator("#declared-with")).to_contain_text(
        "Dichiarazioni confermate con dichiarazione firmata digitalmente il"
    )
    expect(page.locator("#declared-with")).to_contain_text("dichiarante C.F. RSSMRA80A01H501U")
    axe(page)
    application.refresh_from_db()
    assert (application.status, application.declared_with) == ("submitted", "signed_document")
