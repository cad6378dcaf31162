"""One object of each kind, for the permission matrix: every URL kwarg can be filled from here.

Add the objects of a feature app here after it is merged (prefer the app's factories)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core import audit
from core.models import FileJob, Notification, OutgoingEmail
from tests.factories.core import PASSWORD


def build_world(personas: dict, ambito, other_ambito, entity, other_entity) -> SimpleNamespace:
    from participation.models import Proposal
    from processes.models import Application, Procedure
    from tables.models import Meeting, Table

    udp = personas["udp"]
    now = timezone.now()
    table = Table.objects.create(ambito=ambito, name="Tavolo anziani", slug="anziani")
    meeting = Meeting.objects.create(
        table=table,
        title="Prima seduta",
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
    )
    procedure = Procedure.objects.create(
        ambito=ambito, kind="coprogettazione", title="Avviso", subject="Servizi"
    )
    application = Application.objects.create(procedure=procedure, entity=entity)
    proposal = Proposal.objects.create(
        ambito=ambito,
        table=table,
        author=personas["entity_admin"],
        entity=entity,
        title="Proposta",
        text="Testo",
    )
    failed_email = OutgoingEmail.objects.create(
        to="destinatario@example.org",
        subject="Convocazione",
        body_text="...",
        status=OutgoingEmail.Status.FAILED,
        attempts=7,
        last_error="Connection refused",
        ambito_id=ambito.pk,
    )
    notification = Notification.objects.create(user=personas["no_role"], kind="test", title="Ciao")
    for user in personas.values():
        if user is not None:
            Notification.objects.create(user=user, kind="test", title="Benvenuto")
    audit.record(
        actor=udp,
        action="ambito.ambito.updated",
        obj=ambito,
        changes={"name": {"before": "A", "after": "B"}},
        ambito_id=ambito.pk,
    )
    file_job = FileJob.objects.create(
        kind="test",
        content_type=ContentType.objects.get_for_model(ambito),
        object_id=str(ambito.pk),
    )
    from tests.factories.plans import fill_plan, make_plan

    plan = make_plan(ambito, user=udp)  # a draft: only the ambito's staff see it
    intervention = fill_plan(plan, 1)[0]
    section = plan.sections.first()
    from plans import services as plan_services
    from plans.models import PlanVersion

    PlanVersion.objects.create(
        plan=plan, number=1, approval_act_number="12", approval_act_date=now.date()
    )
    plan_job = FileJob.objects.create(
        kind=plan_services.PDF_KIND,
        content_type=ContentType.objects.get_for_model(plan),
        object_id=str(plan.pk),
    )
    world = SimpleNamespace(
        plan=plan,
        intervention=intervention,
        section=section,
        plan_job=plan_job,
        password=PASSWORD,
        personas=personas,
        ambito=ambito,
        other_ambito=other_ambito,
        entity=entity,
        other_entity=other_entity,
        table=table,
        meeting=meeting,
        procedure=procedure,
        application=application,
        proposal=proposal,
        failed_email=failed_email,
        notification=notification,
        file_job=file_job,
    )
    vars(world).update(staff_roles_world(personas, ambito))
    vars(world).update(processes_world(personas, ambito, entity, other_entity))
    vars(world).update(participation_world(personas, ambito, entity))
    vars(world).update(
        entities_and_tables_world(
            personas, ambito, other_ambito, entity, other_entity, table, meeting
        )
    )
    vars(world).update(opendata_world(personas, ambito, other_ambito))
    vars(world).update(concertation_world(personas, ambito))
    return world


def concertation_world(personas: dict, ambito) -> dict:
    """Two comuni's concertation tables: `own_concertation` of the `comune` persona's comune,
    `other_concertation` of another comune of `ambito`."""
    from tables.models import Table

    own = personas["comune"].staff_roles.get().comune
    other = ambito.comuni.exclude(pk=own.pk).first()
    tables = {
        key: Table.objects.create(
            ambito=ambito,
            name=f"Concertazione {comune.name}",
            slug=f"concertazione-{comune.pk}",
            kind=Table.Kind.CONCERTATION,
            comune=comune,
        )
        for key, comune in (("own_concertation", own), ("other_concertation", other))
    }
    return tables


# --- staff roles -----------------------------------------------------------------------------
def staff_roles_world(personas: dict, ambito) -> dict:
    """An operator of `ambito`'s Ufficio di Piano (a colleague the `comune` persona may not
    manage) and an open invitation to the same role, sent by `udp`."""
    from ambito import services as ambito_services
    from ambito.models import StaffRole
    from tests.factories.ambito import StaffRoleFactory

    colleague = StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.OPERATOR, user__email="operatrice-udp@example.org"
    )
    invitation = ambito_services.staff_invitation_create(
        ambito=ambito, email="invitata@example.org", role="operator", invited_by=personas["udp"]
    )
    return {"staff_colleague_role": colleague, "staff_invitation": invitation}


# --- processes and participation ----------------------------------------------------------------
def _file(name: str = "documento.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.processes import PDF_BYTES

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def processes_world(personas: dict, ambito, entity, other_entity) -> dict:
    """Procedures of `ambito` in the states their pages need, all public (so that a persona who
    may not act gets 403, not 404), the `udp` persona their RUP: one open for applications (a
    draft of `entity`, a submitted application of `other_entity` with its budget), one in
    admission (an integration request to `entity`, a submitted application of `other_entity`, an
    undeclared commissioner), one in evaluation (both entities admitted and fully scored by a
    commissioner who is no persona, a draft correction of the avviso, an outcome document, the
    history the services would have written; and a commissioner tied to a third applicant:
    conflicted_commission), one with its ranking published and one approved (ranked_world), one
    in execution (a signed agreement with `entity`, its report and cost). The extra personas of
    matrix.EXTRA_PERSONAS are in `extra_personas`."""
    from processes.models import (
        Agreement,
        ApplicationDocument,
        ApplicationStatus,
        BudgetLine,
        CommissionMember,
        IntegrationRequest,
        OutcomeDocument,
        Report,
        ReportCost,
        Score,
    )
    from tables.models import Table
    from tests.factories.core import UserFactory
    from tests.factories.processes import (
        ApplicationFactory,
        CriterionFactory,
        NoticeFactory,
        ProcedureFactory,
    )

    udp = personas["udp"]
    now = timezone.now()
    table = Table.objects.create(ambito=ambito, name="Tavolo domiciliarità", slug="domiciliarita")

    def procedure(status, deadline, **extra):
        p = ProcedureFactory(ambito=ambito, status=status, rup=udp, **extra)
        p.tables.add(table)
        notice = NoticeFactory(
            procedure=p, deadline=deadline, published_at=now - timedelta(days=30)
        )
        return p, notice

    def application(procedure, owner, status, **extra):
        submitted = status != ApplicationStatus.DRAFT
        return ApplicationFactory(
            procedure=procedure,
            entity=owner,
            status=status,
            submitted_at=now - timedelta(days=20) if submitted else None,
            protocol_number=f"P-{procedure.pk}-{owner.pk}" if submitted else "",
            **extra,
        )

    def document(app):
        return ApplicationDocument.objects.create(
            application=app, title="Statuto", file=_file(), uploaded_by=personas["entity_admin"]
        )

    # open for applications: `entity` has a draft with an attachment, `other_entity` submitted
    open_procedure, _notice = procedure("notice_published", now + timedelta(days=20))
    draft_application = application(open_procedure, entity, ApplicationStatus.DRAFT)
    draft_document = document(draft_application)
    open_submitted = application(open_procedure, other_entity, ApplicationStatus.SUBMITTED)
    BudgetLine.objects.create(
        application=open_submitted, description="Spesa riservata della Rete", amount=9000
    )

    # admission
    admission, _notice = procedure("admission", now - timedelta(days=1))
    integration_application = application(admission, entity, ApplicationStatus.INTEGRATION)
    integration = IntegrationRequest.objects.create(
        application=integration_application,
        message="Manca lo statuto",
        deadline=now + timedelta(days=5),
        requested_by=udp,
    )
    submitted_application = application(admission, other_entity, ApplicationStatus.SUBMITTED)
    undeclared_member = CommissionMember.objects.create(
        procedure=admission, user=UserFactory(email="commissario-nuovo@example.org")
    )

    # evaluation, complete: the ranking can be approved
    evaluation, evaluation_notice = procedure(
        "evaluation",
        now - timedelta(days=10),
        origin="entity_request",
        requesting_entity=entity,
        request_document=_file("istanza.pdf"),
    )
    criteria = [
        CriterionFactory(notice=evaluation_notice, name="Qualità", weight=60),
        CriterionFactory(notice=evaluation_notice, name="Esperienza", weight=40),
    ]
    draft_notice = NoticeFactory(
        procedure=evaluation,
        version=2,
        subject="Rettifica in bozza: nuovo termine",
        deadline=now + timedelta(days=45),
    )
    admitted_application = application(
        evaluation, entity, ApplicationStatus.ADMITTED, receipt=_file("ricevuta.pdf")
    )
    admitted_document = document(admitted_application)
    other_admitted = application(evaluation, other_entity, ApplicationStatus.ADMITTED)
    commissioner = CommissionMember.objects.create(
        procedure=evaluation,
        user=UserFactory(
            email="commissario@example.org", first_name="Ciro", last_name="Valutatore"
        ),
        role=CommissionMember.Role.PRESIDENT,
        declared_at=now - timedelta(days=2),
    )
    Score.objects.bulk_create(
        Score(application=a, criterion=c, member=commissioner, value=7)
        for a in (admitted_application, other_admitted)
        for c in criteria
    )
    confidential_records(
        personas,
        evaluation,
        commissioner,
        draft_notice,
        admitted_application,
        other_admitted,
        open_submitted,
        draft_application,
    )
    outcome_document = OutcomeDocument.objects.create(
        procedure=evaluation,
        kind=OutcomeDocument.Kind.OTHER,
        title="Nomina della commissione",
        file=_file("nomina.pdf"),
        created_by=udp,
    )

    # execution: agreement with `entity`, one report with a documented cost
    execution, _notice = procedure("execution", now - timedelta(days=200))
    application(execution, entity, ApplicationStatus.ADMITTED)
    agreement = Agreement.objects.create(
        procedure=execution,
        signed_on=now.date() - timedelta(days=100),
        starts_on=now.date() - timedelta(days=90),
        duration_months=12,
        resources=50000,
        reporting_schedule=Agreement.Schedule.QUARTERLY,
        file=_file("convenzione.pdf"),
        signed_file=_file("convenzione-firmata.pdf"),
        # the test PKI's signer (tests/core/test_signatures.py) signs for the ambito
        ambito_signer_name="Mario Rossi",
        ambito_signer_fiscal_code="RSSMRA80A01H501U",
        created_by=udp,
    )
    agreement.parties.add(entity)
    report = Report.objects.create(
        agreement=agreement,
        entity=entity,
        period_start=now.date() - timedelta(days=90),
        period_end=now.date() - timedelta(days=1),
        activities="Assistenza a 20 persone",
        submitted_by=personas["entity_admin"],
    )
    report_cost = ReportCost.objects.create(
        report=report, description="Personale", amount=1000, document=_file("fattura.pdf")
    )
    fair = fair_procedures_world(personas, ambito, entity, other_entity, table)
    return {
        **fair,
        "process_table": table,
        "open_procedure": open_procedure,
        "draft_application": draft_application,
        "draft_document": draft_document,
        "admission": admission,
        "integration": integration,
        "submitted_application": submitted_application,
        "undeclared_member": undeclared_member,
        "evaluation": evaluation,
        "criteria": criteria,
        "draft_notice": draft_notice,
        "admitted_application": admitted_application,
        "admitted_document": admitted_document,
        "outcome_document": outcome_document,
        "execution": execution,
        "report": report,
        "report_cost": report_cost,
        "open_submitted": open_submitted,
        "commissioner": commissioner,
        **conflicted_commission(personas, ambito, evaluation, criteria, commissioner),
        **ranked_world(personas, ambito, entity, other_entity, table),
    }


def confidential_records(
    personas,
    evaluation,
    commissioner,
    draft_notice,
    admitted,
    other_admitted,
    open_submitted,
    draft,
) -> None:
    """The audit events the services would have written for the world's procedures: the
    commission and its marks, a draft correction of the avviso, applications started and submitted
    (what a procedure's history shows, each event to whom may see it)."""
    udp, member = personas["udp"], commissioner.user
    ambito_id = evaluation.ambito_id

    def rec(actor, action, obj, changes=None, reason=""):
        audit.record(
            actor=actor, action=action, obj=obj, changes=changes, reason=reason, ambito_id=ambito_id
        )

    rec(
        udp,
        "processes.commission_member.added",
        evaluation,
        {"member": str(member), "role": "president"},
    )
    rec(
        member, "processes.commission_member.conflict_declared", evaluation, {"member": str(member)}
    )
    for application in (admitted, other_admitted):
        rec(member, "processes.scores.saved", application, {"Qualità": "7", "Esperienza": "7"})
    rec(
        udp,
        "processes.notice.saved",
        draft_notice,
        {
            "subject": {"before": "", "after": draft_notice.subject},
            "deadline": {"before": "", "after": str(draft_notice.deadline)},
            "criteria": ["Qualità (70)", "Esperienza (30)"],
        },
    )
    rec(personas["entity_admin"], "processes.application.submitted", admitted)
    rec(personas["other_entity_admin"], "processes.application.submitted", other_admitted)
    rec(personas["entity_admin"], "processes.application.started", draft)
    rec(personas["other_entity_admin"], "processes.application.submitted", open_submitted)


def conflicted_commission(personas, ambito, evaluation, criteria, commissioner) -> dict:
    """A commissioner seated on `evaluation` before the cooperative she administers applied to
    it (the tie arose later): she is excluded from that application, scores the others. And a
    colleague of the RUP in the Ufficio di Piano, who is not the RUP."""
    from ambito.models import StaffRole
    from entities.models import EntityMembership
    from processes.models import (
        ApplicationDocument,
        ApplicationStatus,
        CommissionMember,
        Score,
    )
    from tests.factories.ambito import StaffRoleFactory
    from tests.factories.core import UserFactory
    from tests.factories.entities import EntityFactory, EntityMembershipFactory
    from tests.factories.processes import ApplicationFactory

    now = timezone.now()
    tied_user = UserFactory(
        email="commissaria-ente@example.org", first_name="Tina", last_name="Legata"
    )
    applicant_entity = EntityFactory(ambito=ambito, name="Cooperativa Il Conflitto")
    EntityMembershipFactory(
        entity=applicant_entity, user=tied_user, role=EntityMembership.Role.ADMIN
    )
    tied_member = CommissionMember.objects.create(
        procedure=evaluation,
        user=tied_user,
        role=CommissionMember.Role.MEMBER,
        appointed_at=now - timedelta(days=40),
        declared_at=now - timedelta(days=39),
    )
    applicant_application = ApplicationFactory(
        procedure=evaluation,
        entity=applicant_entity,
        status=ApplicationStatus.ADMITTED,
        submitted_at=now - timedelta(days=20),
        protocol_number=f"P-{evaluation.pk}-{applicant_entity.pk}",
        receipt=_file("ricevuta-conflitto.pdf"),
    )
    applicant_document = ApplicationDocument.objects.create(
        application=applicant_application, title="Statuto", file=_file(), uploaded_by=tied_user
    )
    others = evaluation.applications.exclude(pk=applicant_application.pk)
    Score.objects.bulk_create(
        [
            Score(application=applicant_application, criterion=c, member=commissioner, value=8)
            for c in criteria
        ]
        + [
            Score(application=a, criterion=c, member=tied_member, value=6)
            for a in others
            for c in criteria
        ]
    )
    audit.record(
        actor=None,
        action="processes.commission_member.excluded",
        obj=tied_member,
        changes={"application": applicant_application.pk, "entity": applicant_entity.name},
        reason=f"Amministratrice di «{applicant_entity.name}», che presenta la domanda.",
        ambito_id=ambito.pk,
    )
    rup_colleague = StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.OPERATOR, user__email="collega-udp@example.org"
    ).user
    return {
        "applicant_entity": applicant_entity,
        "applicant_application": applicant_application,
        "applicant_document": applicant_document,
        "tied_member": tied_member,
        "extra_personas": {
            "commissioner": commissioner.user,
            "tied_commissioner": tied_user,
            "rup_colleague": rup_colleague,
        },
    }


def ranked_world(personas, ambito, entity, other_entity, table) -> dict:
    """A co-design whose ranking is published (`entity` admitted with 70 points, `other_entity`
    under the threshold), with its ranking act; and one approved, whose agreement is still to be
    recorded."""
    from processes.models import (
        ApplicationDocument,
        ApplicationStatus,
        CommissionMember,
        OutcomeDocument,
        Score,
    )
    from tests.factories.core import UserFactory
    from tests.factories.processes import (
        ApplicationFactory,
        CriterionFactory,
        NoticeFactory,
        ProcedureFactory,
    )

    udp = personas["udp"]
    now = timezone.now()
    ranked = ProcedureFactory(ambito=ambito, status="ranking_published", rup=udp)
    ranked.tables.add(table)
    notice = NoticeFactory(
        procedure=ranked, deadline=now - timedelta(days=30), published_at=now - timedelta(days=60)
    )
    criteria = [
        CriterionFactory(notice=notice, name="Qualità", weight=60),
        CriterionFactory(notice=notice, name="Esperienza", weight=40),
    ]

    def applicant(owner, status, total, rank, **extra):
        return ApplicationFactory(
            procedure=ranked,
            entity=owner,
            status=status,
            submitted_at=now - timedelta(days=35),
            protocol_number=f"P-{ranked.pk}-{owner.pk}",
            total_score=total,
            rank=rank,
            **extra,
        )

    ranked_application = applicant(
        entity, ApplicationStatus.ADMITTED, 70, 1, receipt=_file("ricevuta-graduatoria.pdf")
    )
    ranked_document = ApplicationDocument.objects.create(
        application=ranked_application,
        title="Statuto",
        file=_file(),
        uploaded_by=personas["entity_admin"],
    )
    ranked_other = applicant(
        other_entity,
        ApplicationStatus.NOT_ADMITTED,
        40,
        2,
        decision_reason="Punteggio 40 inferiore alla soglia di ammissione (60).",
    )
    judge = CommissionMember.objects.create(
        procedure=ranked,
        user=UserFactory(email="giudice@example.org", first_name="Ugo", last_name="Giudice"),
        role=CommissionMember.Role.PRESIDENT,
        declared_at=now - timedelta(days=25),
    )
    Score.objects.bulk_create(
        Score(application=a, criterion=c, member=judge, value=v)
        for a, v in ((ranked_application, 7), (ranked_other, 4))
        for c in criteria
    )
    audit.record(
        actor=udp,
        action="processes.commission_member.added",
        obj=ranked,
        changes={"member": str(judge.user), "role": "president"},
        ambito_id=ambito.pk,
    )
    for application, mark in ((ranked_application, "7"), (ranked_other, "4")):
        audit.record(
            actor=judge.user,
            action="processes.scores.saved",
            obj=application,
            changes={"Qualità": mark, "Esperienza": mark},
            ambito_id=ambito.pk,
        )
    ranking_act = OutcomeDocument.objects.create(
        procedure=ranked,
        kind=OutcomeDocument.Kind.RANKING_ACT,
        title="Approvazione della graduatoria",
        file=_file("graduatoria.pdf"),
        created_by=udp,
    )
    approved = ProcedureFactory(ambito=ambito, status="approved", rup=udp)
    NoticeFactory(
        procedure=approved,
        deadline=now - timedelta(days=90),
        published_at=now - timedelta(days=120),
    )
    ApplicationFactory(
        procedure=approved,
        entity=entity,
        status=ApplicationStatus.ADMITTED,
        submitted_at=now - timedelta(days=100),
        protocol_number=f"P-{approved.pk}-{entity.pk}",
    )
    return {
        "ranked": ranked,
        "ranked_application": ranked_application,
        "ranked_document": ranked_document,
        "ranked_other": ranked_other,
        "ranking_act": ranking_act,
        "approved": approved,
    }


def fair_procedures_world(personas: dict, ambito, entity, other_entity, thematic) -> dict:
    """Art. 10-bis notices in istruttoria: `entity`'s open, within its term (the entity may
    answer), `other_entity`'s past its term (staff may decide); an accreditamento (open list)
    with `entity` accredited; a co-progettazione whose admitted `entity` works at a reserved
    table (delegate and entity_admin seated; the excluded `other_entity` sits at the open
    `thematic` table) with a past meeting whose approved minutes have their PDF, and an upcoming
    one with an attachment and minutes shared with the members."""
    from django.core.files.base import ContentFile

    from processes.models import (
        Accreditation,
        AccreditationEvent,
        ApplicationStatus,
        ExclusionNotice,
    )
    from tables import services as table_services
    from tables.models import Meeting, MeetingAttachment, Minutes, TableMembership
    from tests.factories.processes import ApplicationFactory, NoticeFactory, ProcedureFactory
    from tests.factories.tables import MeetingFactory, MinutesFactory

    udp = personas["udp"]
    now = timezone.now()

    def submitted(procedure, owner, status, by):
        return ApplicationFactory(
            procedure=procedure,
            entity=owner,
            status=status,
            submitted_at=now - timedelta(days=20),
            submitted_by=by,
            protocol_number=f"P-{procedure.pk}-{owner.pk}",
        )

    objection = ProcedureFactory(
        ambito=ambito, status="admission", rup=udp, kind="coprogrammazione"
    )
    NoticeFactory(
        procedure=objection, deadline=now - timedelta(days=5), published_at=now - timedelta(days=30)
    )
    notices = {}
    for owner, by, sent in (
        (entity, personas["entity_admin"], now - timedelta(days=2)),
        (other_entity, personas["other_entity_admin"], now - timedelta(days=12)),
    ):
        app = submitted(objection, owner, ApplicationStatus.PRE_REJECTION, by)
        notices[owner.pk] = ExclusionNotice.objects.create(
            application=app,
            reasons="Manca l'iscrizione al RUNTS",
            sent_at=sent,
            sent_by=udp,
            deadline=ExclusionNotice.deadline_for(sent, ExclusionNotice.TERM_DAYS),
            previous_status=ApplicationStatus.SUBMITTED,
        )

    open_list = ProcedureFactory(
        ambito=ambito, status="notice_published", rup=udp, kind="accreditamento"
    )
    NoticeFactory(procedure=open_list, deadline=None, published_at=now - timedelta(days=30))
    listed = submitted(open_list, entity, ApplicationStatus.ADMITTED, personas["entity_admin"])
    accreditation = Accreditation.objects.create(
        procedure=open_list, entity=entity, application=listed, admitted_at=now - timedelta(days=10)
    )
    AccreditationEvent.objects.create(
        accreditation=accreditation, kind="admitted", occurred_at=accreditation.admitted_at
    )

    codesign = ProcedureFactory(ambito=ambito, status="codesign", rup=udp)
    codesign.tables.add(thematic)
    NoticeFactory(
        procedure=codesign, deadline=now - timedelta(days=60), published_at=now - timedelta(days=90)
    )
    submitted(codesign, entity, ApplicationStatus.ADMITTED, personas["delegate"])
    submitted(
        codesign, other_entity, ApplicationStatus.NOT_ADMITTED, personas["other_entity_admin"]
    )
    reserved = table_services.reserved_table_create(
        ambito=ambito,
        name="Tavolo di co-progettazione riservato",
        slug="coprogettazione-riservata",
        coordinators=[udp],
        actor=udp,
    )
    codesign.reserved_table = reserved
    codesign.save(update_fields=["reserved_table"])
    TableMembership.objects.create(
        table=reserved,
        kind=TableMembership.Kind.ENTITY,
        entity=entity,
        delegate=personas["delegate"],
        substitute=personas["entity_admin"],
        status=TableMembership.Status.ACTIVE,
    )
    TableMembership.objects.create(
        table=thematic,
        kind=TableMembership.Kind.ENTITY,
        entity=other_entity,
        delegate=personas["other_entity_admin"],
        status=TableMembership.Status.ACTIVE,
    )
    start = now - timedelta(days=10)
    past = MeetingFactory(
        table=reserved,
        title="Sessione riservata",
        status=Meeting.Status.CONVENED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    # approved through the service, so that its record is frozen as version 1 with its PDF
    job = table_services.minutes_approve(minutes=MinutesFactory(meeting=past), actor=udp)
    job.file.save("verbale-riservato.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    FileJob.objects.filter(pk=job.pk).update(
        file=job.file.name, status=FileJob.Status.DONE, finished_at=now
    )
    upcoming = MeetingFactory(
        table=reserved, title="Prossima sessione", status=Meeting.Status.CONVENED
    )
    MinutesFactory(meeting=upcoming, status=Minutes.Status.SHARED)
    attachment = MeetingAttachment.objects.create(
        meeting=upcoming, title="Bozza di progetto", file=_file("bozza.pdf")
    )
    return {
        "open_exclusion": notices[entity.pk],
        "expired_exclusion": notices[other_entity.pk],
        "accreditation": accreditation,
        "reserved_procedure": codesign,
        "reserved_table": reserved,
        "reserved_past": past,
        "reserved_upcoming": upcoming,
        "reserved_attachment": attachment,
    }


def participation_world(personas: dict, ambito, entity) -> dict:
    """A table of `ambito` where `entity` holds a seat (delegate: the delegate persona, substitute:
    the entity admin, who also writes a proposal with an attachment); a published event with a
    session and a confirmed booking, a draft event; news and library items, published and draft."""
    from participation.models import Booking, Event, ProposalAttachment
    from participation.services.events import registration_token
    from tables.models import TableMembership
    from tests.factories.participation import (
        BookingFactory,
        EventFactory,
        EventSessionFactory,
        LibraryItemFactory,
        NewsFactory,
        ProposalFactory,
        TableFactory,
    )

    entity_admin, udp = personas["entity_admin"], personas["udp"]
    table = TableFactory(ambito=ambito, name="Tavolo inclusione", slug="inclusione")
    TableMembership.objects.create(
        table=table,
        kind=TableMembership.Kind.ENTITY,
        entity=entity,
        delegate=personas["delegate"],
        substitute=entity_admin,
        status=TableMembership.Status.ACTIVE,
    )
    proposal = ProposalFactory(table=table, author=entity_admin, entity=entity)
    attachment = ProposalAttachment.objects.create(
        proposal=proposal, file=_file("proposta.pdf"), name="proposta.pdf", size=50
    )
    event = EventFactory(ambito=ambito, title="Stati generali")
    session = EventSessionFactory(event=event, title="Governance")
    booking = BookingFactory(
        registration__event=event,
        registration__name="Mario Rossi",
        registration__email="mario.rossi@example.org",
        session=session,
        status=Booking.Status.CONFIRMED,
    )
    draft_event = EventFactory(ambito=ambito, title="Evento in bozza", status=Event.Status.DRAFT)
    from tests.factories.surveys import QuestionFactory, SurveyFactory

    survey = SurveyFactory(ambito=ambito, title="Questionario aperto")
    draft_survey = SurveyFactory(ambito=ambito, title="Questionario in bozza", status="draft")
    QuestionFactory(survey=draft_survey)
    draft_session = EventSessionFactory(event=draft_event)
    citizen_proposals = citizen_proposals_world(personas, ambito)
    return {
        **citizen_proposals,
        "proposal_table": table,
        "table_proposal": proposal,
        "proposal_attachment": attachment,
        "event": event,
        "event_session": session,
        "booking": booking,
        "registration_token": registration_token(booking.registration),
        "draft_event": draft_event,
        "survey": survey,
        "survey_question": QuestionFactory(survey=survey, text="Conosci i servizi?"),
        "draft_survey": draft_survey,
        "draft_event_session": draft_session,
        "news": NewsFactory(ambito=ambito, author=udp),
        "draft_news": NewsFactory(ambito=ambito, author=udp, published_at=None),
        "library_item": LibraryItemFactory(ambito=ambito, created_by=udp),
        "draft_library_item": LibraryItemFactory(ambito=ambito, created_by=udp, published_at=None),
    }


def citizen_proposals_world(personas: dict, ambito) -> dict:
    """`ambito` takes citizens' proposals: the citizen (no_role) made one public, the delegate
    commented on it; another public proposal and another comment are hidden by the moderation."""
    from participation.models import ParticipationSettings, ProposalComment
    from tests.factories.participation import ProposalFactory

    ParticipationSettings.objects.create(ambito=ambito, citizen_proposals=True)
    citizen, udp, now = personas["no_role"], personas["udp"], timezone.now()
    public = ProposalFactory(
        table=None, ambito=ambito, author=citizen, by_citizen=True, is_public=True
    )
    hidden = ProposalFactory(
        table=None,
        ambito=ambito,
        author=citizen,
        by_citizen=True,
        is_public=True,
        hidden_at=now,
        hidden_by=udp,
        hidden_reason="Offensiva",
    )
    comment = ProposalComment.objects.create(
        proposal=public, author=personas["delegate"], text="D'accordo"
    )
    hidden_comment = ProposalComment.objects.create(
        proposal=public,
        author=personas["delegate"],
        text="Fuori tema",
        hidden_at=now,
        hidden_by=udp,
        hidden_reason="Fuori tema",
    )
    return {
        "public_proposal": public,
        "hidden_proposal": hidden,
        "public_comment": comment,
        "hidden_comment": hidden_comment,
    }


# --- entities and tables ----------------------------------------------------------------------
def entities_and_tables_world(
    personas: dict, ambito, other_ambito, entity, other_entity, table, meeting
) -> dict:
    """`entity` sits at `table` (delegate + entity_admin as substitute), `other_entity` asks to join
    it. `meeting` is a draft (managers only) with draft minutes; `convened` is public, invites the
    delegate, has an attachment and minutes shared with the members; `past_meeting` has approved
    minutes with their PDF (a correction is being written), `draft_minutes_meeting` was held
    and has draft minutes. `pending_entity` waits for verification (no members)."""
    from django.core.files.base import ContentFile

    from entities.models import EntityInvitation
    from tables import services as table_services
    from tables.models import Meeting, MeetingAttachment, Minutes, TableMembership
    from tests.factories.entities import EntityFactory
    from tests.factories.tables import (
        AgendaItemFactory,
        InvitationFactory,
        MeetingFactory,
        MembershipFactory,
        MinutesFactory,
        TableFactory,
    )

    delegate, entity_admin = personas["delegate"], personas["entity_admin"]
    pending_entity = EntityFactory(ambito=ambito, name="Ente in attesa", status="pending")
    from entities.models import EntityClaim

    # no_role claims `entity` (of `ambito`): its Ufficio di Piano decides
    entity_claim = EntityClaim.objects.create(
        entity=entity,
        claimant=personas["no_role"],
        role="Presidente",
        statement="Sono il legale rappresentante.",
        document=_file("nomina.pdf"),
    )
    entity_membership = entity.memberships.get(user=delegate)
    entity_invitation = EntityInvitation.objects.create(
        entity=entity, email=personas["no_role"].email, role="delegate", invited_by=entity_admin
    )
    seat = MembershipFactory(table=table, entity=entity, delegate=delegate, substitute=entity_admin)
    join_request = MembershipFactory(
        table=table,
        entity=other_entity,
        delegate=personas["other_entity_admin"],
        status=TableMembership.Status.REQUESTED,
    )
    open_table = TableFactory(ambito=ambito, name="Tavolo minori", slug="minori")
    other_table = TableFactory(ambito=other_ambito, name="Tavolo altrove", slug="altrove")
    AgendaItemFactory(meeting=meeting, order=1, title="Analisi dei bisogni")
    MinutesFactory(meeting=meeting)
    convened = MeetingFactory(table=table, title="Seduta convocata", status=Meeting.Status.CONVENED)
    AgendaItemFactory(meeting=convened, order=1, title="Calendario")
    invitation = InvitationFactory(meeting=convened, user=delegate, email=delegate.email)
    attachment = MeetingAttachment.objects.create(
        meeting=convened, title="Relazione", file=_file("relazione.pdf")
    )
    MinutesFactory(meeting=convened, status=Minutes.Status.SHARED)
    start = timezone.now() - timedelta(days=30)
    past_meeting = MeetingFactory(
        table=table,
        title="Seduta passata",
        status=Meeting.Status.CONVENED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    # `past_meeting`'s record is frozen: its minutes are approved (version 1, with its PDF) and
    # a correction (version 2) is being written.
    item = AgendaItemFactory(meeting=past_meeting, order=1, title="Bilancio", decisions="Approvato")
    frozen_invitation = InvitationFactory(
        meeting=past_meeting, user=delegate, email=delegate.email, attendance="present"
    )
    frozen_attachment = MeetingAttachment.objects.create(
        meeting=past_meeting, title="Bilancio sociale", file=_file("bilancio.pdf")
    )
    approved = MinutesFactory(meeting=past_meeting)
    minutes_job = table_services.minutes_approve(minutes=approved, actor=personas["udp"])
    minutes_job.file.save("verbale.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    FileJob.objects.filter(pk=minutes_job.pk).update(
        file=minutes_job.file.name,
        sha256="0" * 64,
        status=FileJob.Status.DONE,
        finished_at=timezone.now(),
    )
    table_services.minutes_correction_save(
        minutes=approved,
        reason="Decisione trascritta male",
        data={"chair": approved.chair, "secretary": approved.secretary},
        items=[{"id": item.pk, "summary": "", "decisions": "Approvato all'unanimità"}],
        attendance=[],
        actor=personas["udp"],
    )
    # a meeting held, whose minutes are still a draft: the managers' only
    draft_minutes_meeting = MeetingFactory(
        table=table,
        title="Seduta da verbalizzare",
        status=Meeting.Status.CONVENED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    MinutesFactory(meeting=draft_minutes_meeting, introduction="Bozza")
    # `udp`'s dry run of an entity file, without errors: only `udp` sees it and may confirm it
    udp = personas["udp"]
    entity_import_job = FileJob.objects.create(
        kind="entity_import",
        content_type=ContentType.objects.get_for_model(udp),
        object_id=str(udp.pk),
        created_by=udp,
        status=FileJob.Status.DONE,
        progress=100,
        upload="jobs/uploads/2026/12/enti.csv",
        params={"format": "csv", "dry_run": True, "file_name": "enti.csv", "ambito": ambito.pk},
        result={"ok": True, "dry_run": True, "row_count": 1, "totals": {"new": 1}, "rows": []},
    )
    return {
        "entity_import_job": entity_import_job,
        "pending_entity": pending_entity,
        "entity_claim": entity_claim,
        "entity_membership": entity_membership,
        "entity_invitation": entity_invitation,
        "seat": seat,
        "join_request": join_request,
        "open_table": open_table,
        "other_table": other_table,
        "convened": convened,
        "invitation": invitation,
        "attachment": attachment,
        "past_meeting": past_meeting,
        "frozen_invitation": frozen_invitation,
        "frozen_attachment": frozen_attachment,
        "draft_minutes_meeting": draft_minutes_meeting,
        "rsvp_token": table_services.rsvp_token(invitation),
        "feed_token": table_services.feed_token(delegate),
    }


# --- open data and the API --------------------------------------------------------------------
def opendata_world(personas: dict, ambito, other_ambito) -> dict:
    """A plan of `ambito` approved, with two interventions and its fund map (public, where the
    world's `plan` is a draft); a draft plan of `other_ambito` (its staff's only); a news item
    whose publication time has not come (the staff's until then)."""
    from datetime import date
    from decimal import Decimal

    from plans.models import FundAvailability, Plan
    from tests.factories.participation import NewsFactory
    from tests.factories.plans import fill_plan, make_plan, source

    approved_plan = make_plan(
        ambito,
        user=personas["udp"],
        title="Piano approvato",
        status=Plan.Status.APPROVED,
        approval_act_number="7",
        approval_act_date=date(2025, 3, 1),
        version=1,
    )
    public_interventions = fill_plan(approved_plan, 2)
    FundAvailability.objects.create(
        plan=approved_plan, source=source("fnps"), year=2025, amount=Decimal("50000.00")
    )
    other_plan = make_plan(other_ambito, title="Piano di un altro ambito")
    scheduled_news = NewsFactory(
        ambito=ambito,
        author=personas["udp"],
        title="Notizia programmata",
        published_at=timezone.now() + timedelta(days=3),
    )
    return {
        "approved_plan": approved_plan,
        "public_intervention": public_interventions[0],
        "other_plan": other_plan,
        "scheduled_news": scheduled_news,
    }
