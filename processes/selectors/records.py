"""A procedure's records: matching and accredited entities, applications, results, sessions."""

from __future__ import annotations

from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from entities.models import Entity
from processes import workflow
from processes.models import (
    Accreditation,
    AccreditationEvent,
    Application,
    ApplicationStatus,
    Procedure,
)
from tables.models import Meeting
from tables.permissions import meeting_policy


def matching_entities(procedure: Procedure) -> QuerySet[Entity]:
    """Verified entities whose activities or target groups meet the procedure's."""
    activity_ids = list(procedure.activities.values_list("pk", flat=True))
    group_ids = list(procedure.target_groups.values_list("pk", flat=True))
    return (
        Entity.objects.filter(status=Entity.Status.VERIFIED)
        .filter(Q(activities__in=activity_ids) | Q(target_groups__in=group_ids))
        .distinct()
        .order_by("name")
    )


def accredited_entities(list_procedure: Procedure, *, at) -> QuerySet[Entity]:
    """Entities on the accreditation list `list_procedure` at the moment `at`: the last change of
    their accreditation by then admitted them or lifted a suspension."""
    last_kind = (
        AccreditationEvent.objects.filter(accreditation=OuterRef("pk"), occurred_at__lte=at)
        .order_by("-occurred_at", "-pk")
        .values("kind")[:1]
    )
    on_list = (
        Accreditation.objects.filter(procedure=list_procedure)
        .annotate(kind_then=Subquery(last_kind))
        .filter(
            kind_then__in=[
                AccreditationEvent.Kind.ADMITTED,
                AccreditationEvent.Kind.REINSTATED,
            ]
        )
    )
    return Entity.objects.filter(pk__in=on_list.values("entity_id")).order_by("name")


def applications_of_procedure(procedure: Procedure) -> QuerySet[Application]:
    return (
        procedure.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("entity", "lead_entity")
        .prefetch_related("partners")
        .order_by("rank", "submitted_at", "pk")
    )


def public_results(procedure: Procedure) -> dict[str, list[Application]] | None:
    """Admitted and excluded applicants, once the procedure made them public (an accreditamento
    publishes its list as it grows: accreditation_list)."""
    if procedure.is_open_list or not workflow.results_public(procedure):
        return None
    apps = list(applications_of_procedure(procedure))
    return {
        "admitted": [a for a in apps if a.status == ApplicationStatus.ADMITTED],
        "excluded": [a for a in apps if a.status == ApplicationStatus.NOT_ADMITTED],
    }


def accreditation_list(procedure: Procedure) -> list[Accreditation]:
    """The public list of an accreditamento: each entity with the date of its admission and
    every later change (suspension, reinstatement, removal) with its date and reason."""
    return list(
        procedure.accreditations.select_related("entity").prefetch_related(
            Prefetch(
                "events",
                queryset=AccreditationEvent.objects.exclude(
                    kind=AccreditationEvent.Kind.ADMITTED
                ).order_by("occurred_at", "pk"),
                to_attr="changes",
            )
        )
    )


def sessions_of(procedure: Procedure, user) -> list[Meeting]:
    """Meetings of the procedure's tables, and of the table reserved to it, that `user` may see
    (drafts stay with their managers; a reserved table's with its people until disclosed)."""
    tables = Q(table__in=procedure.tables.all())
    if procedure.reserved_table_id:
        tables |= Q(table_id=procedure.reserved_table_id)
    return list(
        meeting_policy.visible(user).filter(tables).select_related("table").order_by("starts_at")
    )
