"""Start, edit, move and cancel a procedure; seat the admitted at its reserved table."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from processes import guards, workflow
from processes.models import (
    ApplicationStatus,
    Procedure,
    ProcedureStep,
)
from processes.services.commission import commission_exclusions_record, ranking_apply
from processes.services.common import (
    TransitionRefused,
    _entity_admins,
    _lock,
    send_formal_communication,
)
from tables.models import Table, TableMembership

PROCEDURE_FIELDS = [
    "kind",
    "title",
    "subject",
    "status",
    "rup",
    "origin",
    "requesting_entity",
    "budget",
    "duration_months",
    "cup",
    "legal_basis",
    "activities",
    "target_groups",
    "tables",
    "accreditation_list",
    "declaration_proof",
]


# --- procedure ------------------------------------------------------------------------------
@transaction.atomic
def procedure_create(
    *, ambito, actor, data: dict, activities=(), target_groups=(), tables=()
) -> Procedure:
    procedure = Procedure(ambito=ambito, created_by=actor, status=workflow.STARTED, **data)
    if procedure.origin == Procedure.Origin.EX_OFFICIO:
        procedure.requesting_entity = None
    procedure.full_clean()
    procedure.save()
    procedure.activities.set(activities)
    procedure.target_groups.set(target_groups)
    procedure.tables.set(tables)
    ProcedureStep.objects.create(
        procedure=procedure, from_status="", to_status=workflow.STARTED, actor=actor
    )
    audit.record(
        actor=actor,
        action="processes.procedure.created",
        obj=procedure,
        changes=audit.diff({}, audit.snapshot(procedure, PROCEDURE_FIELDS)),
        ambito_id=ambito.pk,
    )
    return procedure


@transaction.atomic
def procedure_update(
    *, procedure: Procedure, actor, data: dict, activities=None, target_groups=None, tables=None
) -> Procedure:
    before = audit.snapshot(procedure, PROCEDURE_FIELDS)
    proof = data.get("declaration_proof", procedure.declaration_proof)
    if procedure.is_public and proof != procedure.declaration_proof:  # the avviso announced it
        raise ValidationError(
            {
                "declaration_proof": _(
                    "La conferma delle dichiarazioni richiesta non si cambia dopo la "
                    "pubblicazione dell'avviso."
                )
            }
        )
    for name, value in data.items():
        setattr(procedure, name, value)
    if procedure.origin == Procedure.Origin.EX_OFFICIO:
        procedure.requesting_entity = None
    procedure.full_clean()
    procedure.save()
    if activities is not None:
        procedure.activities.set(activities)
    if target_groups is not None:
        procedure.target_groups.set(target_groups)
    if tables is not None:
        procedure.tables.set(tables)
    audit.record_changes(
        before,
        audit.snapshot(procedure, PROCEDURE_FIELDS),
        actor=actor,
        action="processes.procedure.updated",
        obj=procedure,
        ambito_id=procedure.ambito_id,
    )
    return procedure


def _apply_move(
    procedure: Procedure,
    target: str,
    *,
    actor,
    act_reference: str = "",
    act_date: date | None = None,
    note: str = "",
) -> ProcedureStep:
    source = procedure.status
    reason = guards.refusal(procedure, target)
    if reason:
        raise TransitionRefused(reason)
    procedure.status = target
    procedure.save(update_fields=["status", "updated_at"])
    step = ProcedureStep.objects.create(
        procedure=procedure,
        from_status=source,
        to_status=target,
        act_reference=act_reference,
        act_date=act_date,
        note=note,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="processes.procedure.moved",
        obj=procedure,
        changes={"status": {"before": source, "after": target}, "act": act_reference},
        reason=note,
        ambito_id=procedure.ambito_id,
    )
    return step


@transaction.atomic
def procedure_transition(
    *,
    procedure: Procedure,
    target: str,
    actor,
    act_reference: str = "",
    act_date: date | None = None,
    note: str = "",
) -> ProcedureStep:
    """Apply one move of the kind's state machine; refuse it (TransitionRefused) with the reason."""
    procedure = _lock(procedure)
    if target in (workflow.EVALUATION, workflow.RANKING_PUBLISHED):
        # ties that arose from changes of an entity's people are on record before marks count
        commission_exclusions_record(procedure=procedure)
    move = workflow.find_move(procedure.kind, procedure.status, target)
    if move is not None and not move.manual:
        raise TransitionRefused(
            _(
                "Questo passaggio avviene con un'azione dedicata (per esempio la pubblicazione dell'avviso)."
            )
        )
    step = _apply_move(
        procedure, target, actor=actor, act_reference=act_reference, act_date=act_date, note=note
    )
    if target == workflow.RANKING_PUBLISHED:
        ranking_apply(procedure=procedure, actor=actor)
    if target in (workflow.RANKING_PUBLISHED, "table"):
        _seat_admitted(procedure=procedure, actor=actor)
        _notify_decisions(procedure)
    if target == workflow.OUTCOME_OF.get(procedure.kind):
        _disclose_reserved_table(procedure, actor=actor)
    return step


@transaction.atomic
def procedure_cancel(*, procedure: Procedure, actor, reason: str) -> ProcedureStep:
    if not reason.strip():
        raise TransitionRefused(
            _("Per annullare il procedimento serve una motivazione, che sarà pubblica.")
        )
    procedure = _lock(procedure)
    step = _apply_move(procedure, workflow.CANCELLED, actor=actor, note=reason)
    Procedure.objects.filter(pk=procedure.pk).update(
        cancel_reason=reason, cancelled_at=timezone.now()
    )
    _disclose_reserved_table(procedure, actor=actor)
    people = _entity_admins(
        procedure.applications.exclude(status=ApplicationStatus.DRAFT).values_list(
            "entity_id", flat=True
        )
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(people),
        kind="processes.cancelled",
        title=_("Procedimento annullato: %(t)s") % {"t": procedure.title},
        url=procedure.get_absolute_url(),
        body=reason,
    )
    return step


def _reserved_table(procedure: Procedure, *, actor) -> Table:
    """The table where the admitted entities of a co-progettazione work: reserved to them, to the
    RUP (its coordinator) and to the ambito's staff; created the first time it is needed."""
    if procedure.reserved_table_id:
        return procedure.reserved_table
    from tables import services as table_services

    table = table_services.reserved_table_create(
        ambito=procedure.ambito,
        name=_("Tavolo di co-progettazione — %(t)s") % {"t": procedure.title},
        slug=f"coprogettazione-{procedure.pk}",
        description=_(
            "Tavolo riservato agli enti ammessi alla co-progettazione «%(t)s», al RUP e allo "
            "staff dell'ambito. Sedute e verbali diventano pubblici con l'esito del procedimento."
        )
        % {"t": procedure.title},
        coordinators=[procedure.rup] if procedure.rup_id else [],
        themes=procedure.target_groups.all(),
        actor=actor,
    )
    Procedure.objects.filter(pk=procedure.pk).update(reserved_table=table)
    procedure.reserved_table = table
    return table


def _disclose_reserved_table(procedure: Procedure, *, actor) -> None:
    """The outcome is public (or the procedure ended): so are the reserved table's records."""
    if procedure.reserved_table_id:
        from tables import services as table_services

        table_services.table_disclose(
            table=procedure.reserved_table,
            actor=actor,
            reason=_("Esito del procedimento «%(t)s» pubblicato.") % {"t": procedure.title},
        )


def _seat_admitted(*, procedure: Procedure, actor) -> int:
    """Admitted applicants become active members: in a co-progettazione, of the table reserved
    to the procedure (not of the open thematic tables, where excluded competitors sit); in the
    other kinds, of the procedure's tables."""
    admitted = list(
        procedure.applications.filter(status=ApplicationStatus.ADMITTED).select_related("entity")
    )
    if procedure.kind == Procedure.Kind.CODESIGN:
        tables = [_reserved_table(procedure, actor=actor)] if admitted else []
    else:
        tables = list(procedure.tables.all())
    now = timezone.now()
    created = 0
    for table in tables:
        open_seats = {
            m.entity_id: m
            for m in TableMembership.objects.filter(
                table=table, entity__isnull=False, status__in=["requested", "active"]
            )
        }
        for application in admitted:
            seat = open_seats.get(application.entity_id)
            delegate = application.submitted_by
            if seat is None and delegate is not None:
                seat = TableMembership.objects.create(
                    table=table,
                    kind=TableMembership.Kind.ENTITY,
                    entity=application.entity,
                    delegate=delegate,
                    status=TableMembership.Status.ACTIVE,
                    motivation=_("Ammesso al procedimento «%(t)s».") % {"t": procedure.title},
                    decided_at=now,
                    decided_by=actor,
                )
                created += 1
                audit.record(
                    actor=actor,
                    action="processes.table_membership.added",
                    obj=seat,
                    ambito_id=procedure.ambito_id,
                )
            elif seat is not None and seat.status != TableMembership.Status.ACTIVE:
                seat.status = TableMembership.Status.ACTIVE
                seat.decided_at, seat.decided_by = now, actor
                seat.save(update_fields=["status", "decided_at", "decided_by"])
                audit.record(
                    actor=actor,
                    action="processes.table_membership.added",
                    obj=seat,
                    ambito_id=procedure.ambito_id,
                )
    return created


def _notify_decisions(procedure: Procedure) -> None:
    """Each decided applicant is told the outcome: a notification, and the formal
    communication by PEC (processes_outcome), kept on the application."""
    url = procedure.get_absolute_url()
    for application in procedure.applications.filter(
        status__in=[ApplicationStatus.ADMITTED, ApplicationStatus.NOT_ADMITTED]
    ).select_related("entity"):
        if application.outcome_communication_id is None:
            application.outcome_communication = send_formal_communication(
                entity=application.entity,
                template="processes_outcome",
                context={"application": application, "procedure": procedure},
                ambito_id=procedure.ambito_id,
            )
            application.save(update_fields=["outcome_communication"])
        notify(
            ambito_id=procedure.ambito_id,
            users=list(_entity_admins([application.entity_id])),
            kind="processes.outcome",
            title=_("Esito pubblicato per «%(t)s»: %(s)s")
            % {"t": procedure.title, "s": application.status_label},
            url=url,
            body=application.decision_reason,
        )
