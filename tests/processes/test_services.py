from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEvent, OutgoingEmail
from processes import protocol, services, workflow
from processes.models import Application, ApplicationStatus, Declaration, Procedure, ProcedureStep
from tables.models import TableMembership
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.processes.conftest import fill_and_submit, pdf, to_admission
from tests.readback import pdftotext

ROME = ZoneInfo("Europe/Rome")
pytestmark = pytest.mark.django_db


def test_procedure_create_records_first_step_and_audit(make_procedure, staff_user):
    procedure = make_procedure(publish=False)
    assert procedure.status == "started"
    assert list(procedure.steps.values_list("to_status", flat=True)) == ["started"]
    assert AuditEvent.objects.filter(
        action="processes.procedure.created", object_id=str(procedure.pk)
    ).exists()


def test_invalid_move_is_refused_with_a_reason(make_procedure, staff_user):
    procedure = make_procedure(publish=False)
    with pytest.raises(services.TransitionRefused) as exc:
        services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    assert "non si può passare" in exc.value.messages[0]
    procedure.refresh_from_db()
    assert procedure.status == "started"


def test_publishing_is_not_a_manual_move(make_procedure, staff_user):
    procedure = make_procedure(publish=False)
    with pytest.raises(services.TransitionRefused):
        services.procedure_transition(
            procedure=procedure, target="notice_published", actor=staff_user
        )


def test_applications_cannot_close_before_deadline(make_procedure, staff_user):
    procedure = make_procedure()
    with pytest.raises(services.TransitionRefused) as exc:
        services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    assert "non è ancora scaduto" in exc.value.messages[0]


@pytest.mark.parametrize("publish", [False, True])
def test_cancel_from_any_state_needs_a_public_reason(make_procedure, staff_user, client, publish):
    procedure = make_procedure(publish=publish)
    with pytest.raises(ValidationError):
        services.procedure_cancel(procedure=procedure, actor=staff_user, reason="  ")
    services.procedure_cancel(
        procedure=procedure, actor=staff_user, reason="Risorse non più disponibili"
    )
    procedure.refresh_from_db()
    assert (
        procedure.status == "cancelled" and procedure.cancel_reason == "Risorse non più disponibili"
    )
    page = client.get(procedure.get_absolute_url())
    assert page.status_code == 200 and "Risorse non più disponibili" in page.content.decode()
    with pytest.raises(services.TransitionRefused):
        services.procedure_cancel(procedure=procedure, actor=staff_user, reason="ancora")


def test_every_kind_has_an_ordered_machine():
    for kind in Procedure.Kind.values:
        states = workflow.states_of(kind)
        assert states[0] == "started" and states[-1] == "cancelled" and "closed" in states


# --- notice ---------------------------------------------------------------------------------
def test_notice_weights_must_sum_to_100(make_procedure, staff_user):
    procedure = make_procedure(publish=False)
    notice = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "A",
            "requirements": "R",
            "deadline": timezone.now() + timedelta(days=3),
            "admission_threshold": 50,
        },
        criteria=[services.CriterionData("Qualità", 70), services.CriterionData("Costi", 20)],
    )
    with pytest.raises(ValidationError) as exc:
        services.notice_publish(notice=notice, actor=staff_user)
    assert "sommare a 100" in " ".join(exc.value.messages)


def test_publication_freezes_and_corrections_are_new_versions(make_procedure, staff_user):
    procedure = make_procedure()
    first = procedure.current_notice
    assert procedure.status == "notice_published" and first.version == 1
    with pytest.raises(ValidationError):
        services.notice_publish(notice=first, actor=staff_user)
    correction = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "A",
            "requirements": "R",
            "deadline": first.deadline + timedelta(days=5),
            "admission_threshold": 60,
            "correction_note": "Termine prorogato di 5 giorni",
        },
        criteria=[services.CriterionData("Qualità", 100)],
    )
    services.notice_publish(notice=correction, actor=staff_user)
    first.refresh_from_db()
    assert first.published_at is not None and first.criteria.count() == 2  # untouched
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert (
        procedure.current_notice.version == 2
        and procedure.effective_deadline == correction.deadline
    )


def test_publication_emails_matching_verified_entities_only(ambito, make_procedure, mailoutbox):
    matching = EntityFactory(ambito=ambito, activity_codes=["a"], email="match@example.org")
    admin = EntityMembershipFactory(entity=matching).user
    EntityFactory(ambito=ambito, activity_codes=["t"], email="nomatch@example.org")
    EntityFactory(
        ambito=ambito, activity_codes=["a"], status="pending", email="pending@example.org"
    )
    procedure = make_procedure()
    recipients = {m.to[0] for m in mailoutbox}
    assert "match@example.org" in recipients
    assert "nomatch@example.org" not in recipients and "pending@example.org" not in recipients
    assert admin.notifications.filter(kind="processes.notice").exists()
    assert procedure.title in next(m for m in mailoutbox if m.to == ["match@example.org"]).subject
    notices = OutgoingEmail.objects.filter(template="processes_notice")
    assert set(notices.values_list("ambito_id", flat=True)) == {ambito.pk}
    # a second run (a retried task) sends nothing twice
    assert services.notice_notify(procedure.current_notice.pk) == 0


# --- applications ---------------------------------------------------------------------------
def test_submission_gets_gap_free_protocol_numbers_and_receipt(
    ambito,
    make_procedure,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure()
    year = timezone.localtime().year
    prefix = "".join(ambito.code.upper().split("-")[:2])
    with django_capture_on_commit_callbacks(execute=True):
        a = fill_and_submit(
            services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
            entity_admin,
        )
        b = fill_and_submit(
            services.application_start(
                procedure=procedure, entity=other_entity, actor=other_entity_admin
            ),
            other_entity_admin,
        )
    assert a.protocol_number == f"{prefix}-{year}-000001"
    assert b.protocol_number == f"{prefix}-{year}-000002"
    a.refresh_from_db()
    assert a.status == "submitted" and a.receipt.name.endswith(".pdf")
    receipts = [m for m in mailoutbox if a.protocol_number in m.subject]
    assert receipts and receipts[0].attachments[0][0] == f"ricevuta-{a.protocol_number}.pdf"
    # the receipt read back: number, entity, date and time, every declaration made
    text = pdftotext(receipts[0].attachments[0][1])
    assert f"Numero di protocollo {a.protocol_number}" in text
    assert f"Ente {entity.name} (C.F. {entity.tax_code})" in text
    submitted = timezone.localtime(a.submitted_at).strftime("%d/%m/%Y %H:%M:%S")
    assert f"Presentata il {submitted} (ora italiana)" in text
    assert procedure.title in text and entity_admin.email in text
    for declaration in Declaration:
        assert f"☑ {' '.join(str(declaration.label).split())}" in text, declaration
    with a.receipt.open("rb") as stored:
        assert pdftotext(stored.read()) == text  # the stored copy is the one sent
    assert services.application_receipt_send(a.pk) is False  # idempotent
    receipts = OutgoingEmail.objects.filter(template="processes_receipt")
    assert set(receipts.values_list("ambito_id", flat=True)) == {ambito.pk}


def test_submission_needs_every_declaration(make_procedure, entity, entity_admin):
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    services.application_update(
        application=application,
        actor=entity_admin,
        declarations=["truth"],
        proposal="x",
        budget=[("a", Decimal(1), Decimal(0))],
    )
    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, actor=entity_admin)
    assert "dichiarazioni" in " ".join(exc.value.messages)


def test_deadline_is_checked_by_the_server_clock_to_the_second(
    make_procedure, entity, entity_admin, clock
):
    deadline = datetime(2031, 3, 14, 12, 0, tzinfo=ROME)
    procedure = make_procedure(deadline=deadline)
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(application, entity_admin, submit=False)
    clock.set(datetime(2031, 3, 14, 12, 0, 1, tzinfo=ROME))
    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, actor=entity_admin)
    assert exc.value.code == "late" or "scaduto" in exc.value.messages[0]
    assert "14/03/2031 alle 12:00" in exc.value.messages[0]
    application.refresh_from_db()
    assert application.status == "draft" and application.protocol_number == ""
    clock.set(datetime(2031, 3, 14, 12, 0, 0, tzinfo=ROME))
    assert (
        services.application_submit(application=application, actor=entity_admin).status
        == "submitted"
    )


def test_staff_reopen_the_window_with_a_reason(
    make_procedure, staff_user, entity, entity_admin, clock
):
    deadline = datetime(2031, 3, 14, 12, 0, tzinfo=ROME)
    procedure = make_procedure(deadline=deadline)
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(application, entity_admin, submit=False)
    clock.set(deadline + timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.application_submit(application=application, actor=entity_admin)
    services.window_reopen(
        procedure=procedure,
        actor=staff_user,
        until=deadline + timedelta(days=2),
        reason="Guasto del portale",
    )
    procedure = Procedure.objects.get(pk=procedure.pk)
    application.procedure = procedure
    assert (
        services.application_submit(application=application, actor=entity_admin).status
        == "submitted"
    )
    assert AuditEvent.objects.filter(
        action="processes.window.reopened", reason="Guasto del portale"
    ).exists()


def test_soccorso_istruttorio_round_trip(make_procedure, staff_user, entity, entity_admin, clock):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    procedure = to_admission(procedure, staff_user, clock)
    request = services.integration_request_create(
        application=application,
        actor=staff_user,
        message="Manca il bilancio",
        deadline=clock.now + timedelta(days=5),
    )
    application.refresh_from_db()
    assert application.status == "integration"
    assert entity_admin.notifications.filter(kind="processes.integration").exists()
    with pytest.raises(services.TransitionRefused):  # not all decided
        services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    services.integration_answer(
        request=request,
        actor=entity_admin,
        answer="Ecco il bilancio",
        title="Bilancio 2025",
        file=pdf("bilancio.pdf"),
    )
    application.refresh_from_db()
    assert (
        application.status == "submitted"
        and application.documents.filter(integration_request=request).exists()
    )
    services.application_decide(application=application, actor=staff_user, admitted=True)
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application, actor=staff_user, admitted=False, reason=""
        )


def test_answer_after_the_new_deadline_is_refused(
    make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    to_admission(procedure, staff_user, clock)
    request = services.integration_request_create(
        application=application,
        actor=staff_user,
        message="x",
        deadline=clock.now + timedelta(days=1),
    )
    clock.shift(days=1, seconds=1)
    with pytest.raises(ValidationError):
        services.integration_answer(request=request, actor=entity_admin, answer="tardi")


def test_commission_ranking_threshold_and_table_seats(
    ambito,
    make_procedure,
    staff_user,
    operator_user,
    table,
    clock,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure(threshold=Decimal("60"))
    apps = []
    for name in ("Alfa", "Beta", "Gamma"):
        e = EntityFactory(ambito=ambito, name=name)
        admin = EntityMembershipFactory(entity=e).user
        apps.append(
            fill_and_submit(
                services.application_start(procedure=procedure, entity=e, actor=admin), admin
            )
        )
    procedure = to_admission(procedure, staff_user, clock)
    for a in apps:
        services.application_decide(application=a, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    procedure = Procedure.objects.get(pk=procedure.pk)
    president = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    with pytest.raises(services.TransitionRefused) as exc:
        services.procedure_transition(
            procedure=procedure, target="ranking_published", actor=staff_user
        )
    assert "conflitti" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.scores_save(member=president, application=apps[0], values={})
    services.commission_declare(member=president, actor=operator_user)
    criteria = list(procedure.current_notice.criteria.all())  # Qualità 60, Esperienza 40
    marks = {"Alfa": (9, 8), "Beta": (5, 5), "Gamma": (10, 4)}
    for a in apps:
        q, e = marks[a.entity.name]
        services.scores_save(
            member=president,
            application=a,
            values={criteria[0].pk: (Decimal(q), ""), criteria[1].pk: (Decimal(e), "")},
        )
    # Beta (50) is under the threshold: excluded only through the art. 10-bis notice
    beta = next(a for a in apps if a.entity.name == "Beta")
    notice = services.exclusion_notice_send(
        application=beta, actor=staff_user, reasons="Punteggio 50, sotto la soglia di 60."
    )
    clock.set(notice.deadline + timedelta(seconds=1))
    services.exclusion_confirm(
        notice=notice, actor=staff_user, motivation="Sotto la soglia; nessuna osservazione."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.procedure_transition(
            procedure=procedure,
            target="ranking_published",
            actor=staff_user,
            act_reference="Det. 9",
        )
    rows = {a.entity.name: a for a in Application.objects.filter(procedure=procedure)}
    assert rows["Alfa"].total_score == Decimal("86.00") and rows["Alfa"].rank == 1
    assert rows["Gamma"].total_score == Decimal("76.00") and rows["Gamma"].rank == 2
    assert rows["Beta"].status == ApplicationStatus.NOT_ADMITTED and rows["Beta"].rank is None
    assert "soglia" in rows["Beta"].decision_reason
    # the admitted sit at the table reserved to the procedure, not at the thematic one
    procedure.refresh_from_db()
    reserved = procedure.reserved_table
    assert reserved is not None and reserved.reserved and reserved != table
    assert not TableMembership.objects.filter(table=table).exists()
    seats = TableMembership.objects.filter(table=reserved, status="active")
    assert {s.entity.name for s in seats} == {"Alfa", "Gamma"}
    assert all(s.delegate_id == rows[s.entity.name].submitted_by_id for s in seats)


def test_outcome_agreement_and_reports(
    ambito, make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure(Procedure.Kind.COPROGRAMMING)
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    procedure = to_admission(procedure, staff_user, clock)
    services.application_decide(application=application, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="table", actor=staff_user)
    with pytest.raises(services.TransitionRefused) as exc:
        services.procedure_transition(procedure=procedure, target="outcome", actor=staff_user)
    assert "documento di sintesi" in exc.value.messages[0]
    services.outcome_document_add(
        procedure=procedure,
        actor=staff_user,
        data={"kind": "sintesi", "title": "Documento di sintesi"},
        file=pdf(),
    )
    services.procedure_transition(procedure=procedure, target="outcome", actor=staff_user)
    services.procedure_transition(procedure=procedure, target="closed", actor=staff_user)
    assert list(
        ProcedureStep.objects.filter(procedure=procedure).values_list("to_status", flat=True)
    ) == [
        "started",
        "notice_published",
        "admission",
        "table",
        "outcome",
        "closed",
    ]


def test_agreement_and_report_review(
    ambito, make_procedure, staff_user, entity, entity_admin, clock
):
    from processes.models import Report

    procedure = make_procedure()
    procedure.status = "approved"
    procedure.save()
    agreement = services.agreement_save(
        procedure=procedure,
        actor=staff_user,
        data={
            "signed_on": timezone.localdate(),
            "starts_on": timezone.localdate(),
            "duration_months": 24,
            "resources": Decimal("90000"),
            "reporting_schedule": "semiannual",
        },
        parties=[entity],
        file=pdf("convenzione.pdf"),
    )
    services.procedure_transition(procedure=procedure, target="execution", actor=staff_user)
    report = services.report_submit(
        agreement=agreement,
        entity=entity,
        actor=entity_admin,
        data={
            "period_start": timezone.localdate() - timedelta(days=180),
            "period_end": timezone.localdate(),
            "activities": "Visite domiciliari",
        },
        costs=[
            {"description": "Personale", "amount": Decimal("1200"), "document": pdf("fattura.pdf")}
        ],
    )
    assert report.total_cost == Decimal("1200")
    with pytest.raises(ValidationError):
        services.report_review(report=report, actor=staff_user, accept=False, note="")
    services.report_review(report=report, actor=staff_user, accept=True)
    assert Report.objects.get(pk=report.pk).status == "accepted"


def test_uploads_are_checked_by_content(make_procedure, entity, entity_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fake = SimpleUploadedFile(
        "statuto.pdf", b"MZ\x90\x00 not a pdf at all" * 10, content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        services.application_document_add(
            application=application, actor=entity_admin, title="Statuto", file=fake
        )
    assert not application.documents.exists()


def test_no_outgoing_mail_is_lost(make_procedure):
    make_procedure()
    assert not OutgoingEmail.objects.filter(status="failed").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_protocol_numbers_are_unique_and_gap_free_under_concurrency(ambito):
    """Ten submissions at once: the locked counter row hands out 1..10, no duplicates, no gaps."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def take(_i):
        try:
            from django.db import transaction

            with transaction.atomic():
                return protocol.next_number(ambito=ambito, when=timezone.now())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=5) as pool:
        numbers = list(pool.map(take, range(10)))
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 11))


def test_art56_only_odv_aps_registered_for_six_months(ambito, make_procedure, staff_user):
    from datetime import date

    procedure = make_procedure(Procedure.Kind.AGREEMENT_56)
    coop = EntityFactory(ambito=ambito, legal_form="coop_a", runts_date=date(2020, 1, 1))
    recent = EntityFactory(
        ambito=ambito, legal_form="odv", runts_date=timezone.localdate() - timedelta(days=30)
    )
    old = EntityFactory(ambito=ambito, legal_form="aps", runts_date=date(2020, 1, 1))
    admin = EntityMembershipFactory(entity=old).user
    with pytest.raises(ValidationError, match="volontariato"):
        services.application_start(procedure=procedure, entity=coop, actor=admin)
    with pytest.raises(ValidationError, match="sei mesi"):
        services.application_start(procedure=procedure, entity=recent, actor=admin)
    assert (
        services.application_start(procedure=procedure, entity=old, actor=admin).status == "draft"
    )


@pytest.mark.parametrize("form", ["sindacato", "pubblica_amministrazione", "gruppo_informale"])
def test_only_third_sector_entities_apply(ambito, make_procedure, form):
    """Art. 4 c. 2 D.Lgs. 117/2017: bodies that are not ETS sit at tables but do not apply."""
    procedure = make_procedure()
    body = EntityFactory(
        ambito=ambito, legal_form=form, runts_section="", runts_status="non_iscritto"
    )
    admin = EntityMembershipFactory(entity=body).user
    with pytest.raises(ValidationError, match="Terzo settore"):
        services.application_start(procedure=procedure, entity=body, actor=admin)
    assert not body.applications.exists()


def test_short_deadline_is_only_a_warning(make_procedure, staff_user):
    procedure = make_procedure(publish=False)
    notice = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "A",
            "requirements": "R",
            "deadline": timezone.now() + timedelta(days=5),
            "admission_threshold": 50,
        },
        criteria=[services.CriterionData("Qualità", 100)],
    )
    assert services.notice_warnings(notice) and not services.notice_problems(notice)


# --- withdrawal -----------------------------------------------------------------------------
def test_withdrawn_application_returns_to_draft_and_gets_a_new_number(
    make_procedure, entity, entity_admin, staff_user, django_capture_on_commit_callbacks
):
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        fill_and_submit(application, entity_admin)
    application.refresh_from_db()
    first_number, receipt = application.protocol_number, application.receipt.name
    assert receipt and application.receipt.storage.exists(receipt)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(
            application=application, actor=entity_admin, reason="Manca un allegato"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.protocol_number == "" and application.submitted_at is None
    assert application.declarations == [] and not application.receipt
    assert not application.receipt.storage.exists(receipt)
    event = AuditEvent.objects.get(action="processes.application.withdrawn")
    assert event.changes["protocol_number"] == first_number
    assert event.changes["reason"] == "Manca un allegato"
    email = OutgoingEmail.objects.get(template="processes_withdrawn", to=entity.email)
    assert first_number in email.subject and "Manca un allegato" in email.body_text
    assert email.ambito_id == procedure.ambito_id
    assert staff_user.notifications.filter(kind="processes.application.withdrawn").exists()

    with django_capture_on_commit_callbacks(execute=True):
        fill_and_submit(application, entity_admin)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.protocol_number and application.protocol_number != first_number


def test_withdrawal_refused_after_the_deadline_or_once_examined(
    make_procedure, entity, entity_admin, staff_user, clock
):
    deadline = datetime(2031, 3, 14, 12, 0, tzinfo=ROME)
    procedure = make_procedure(deadline=deadline)
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(application, entity_admin)
    clock.set(deadline + timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        services.application_withdraw(application=application, actor=entity_admin)
    assert "scaduto" in exc.value.messages[0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.protocol_number

    clock.set(deadline - timedelta(days=1))
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.NOT_ADMITTED)
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.application_withdraw(application=application, actor=entity_admin)
    assert not AuditEvent.objects.filter(action="processes.application.withdrawn").exists()
