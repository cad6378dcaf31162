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
        action="ambito.updated",
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
    return SimpleNamespace(
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
