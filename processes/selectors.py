"""Reads used by views and exports: scoped to the user, pre-fetched, constant query counts."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.queries import count_of
from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import workflow
from processes.models import (
    Accreditation,
    AccreditationEvent,
    Application,
    ApplicationStatus,
    Notice,
    Procedure,
    Score,
    WindowReopening,
)
from processes.permissions import application_policy, procedure_policy
from tables.models import Meeting
from tables.permissions import meeting_policy

TWO = Decimal("0.01")


def procedures_for_list(user) -> QuerySet[Procedure]:
    return (
        procedure_policy.visible(user)
        .select_related("ambito")
        .prefetch_related(
            "activities",
            Prefetch(
                "notices",
                queryset=Notice.objects.filter(published_at__isnull=False).order_by("-version"),
                to_attr="published_notices",
            ),
        )
        .annotate(
            application_count=count_of(
                Application.objects.exclude(status=ApplicationStatus.DRAFT), "procedure"
            )
        )
    )


def open_procedures(user, limit: int = 6) -> list[Procedure]:
    """Procedures accepting applications now, soonest deadline first, each with `open_until`
    (Procedure.effective_deadline computed in SQL: the latest published notice's deadline, or a
    later reopening's)."""
    notice_deadline = (
        Notice.objects.filter(procedure=OuterRef("pk"), published_at__isnull=False)
        .order_by("-version")
        .values("deadline")[:1]
    )
    reopened_until = (
        WindowReopening.objects.filter(procedure=OuterRef("pk"))
        .order_by("-until")
        .values("until")[:1]
    )
    return list(
        procedure_policy.visible(user)
        .filter(status=workflow.NOTICE_PUBLISHED)
        .select_related("ambito")
        # GREATEST of the two, where a missing one (no reopening) does not count: PostgreSQL's
        # GREATEST ignores NULLs, SQLite's returns NULL, hence the COALESCEs.
        .annotate(
            open_until=Greatest(
                Coalesce(Subquery(notice_deadline), Subquery(reopened_until)),
                Coalesce(Subquery(reopened_until), Subquery(notice_deadline)),
            )
        )
        # An open list without a closing date (accreditamento) is open as long as it is published.
        .filter(
            Q(open_until__gte=timezone.now())
            | Q(open_until__isnull=True, kind=Procedure.Kind.ACCREDITATION)
        )
        .order_by(F("open_until").asc(nulls_last=True), "pk")[:limit]
    )


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
    if procedure.is_open_list:
        return None
    public_after = workflow.RANKING_PUBLISHED if procedure.is_codesign else "table"
    if not workflow.has_reached(procedure, public_after):
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


def scoring_members(procedure: Procedure):
    return [m for m in procedure.commission.select_related("user") if m.scores_applications]


def missing_scores(procedure: Procedure) -> int:
    notice = procedure.current_notice
    if notice is None:
        return 0
    members = scoring_members(procedure)
    criteria = notice.criteria.count()
    apps = procedure.applications.filter(status=ApplicationStatus.ADMITTED).count()
    expected = len(members) * criteria * apps
    given = Score.objects.filter(
        application__procedure=procedure,
        application__status=ApplicationStatus.ADMITTED,
        criterion__notice=notice,
        member__in=members,
    ).count()
    return max(0, expected - given)


def score_table(procedure: Procedure) -> dict:
    """Per application: average score per criterion (over the members who scored) and the
    weighted total out of 100 = sum(average / 10 × weight)."""
    notice = procedure.current_notice
    criteria = list(notice.criteria.all()) if notice else []
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for s in Score.objects.filter(application__procedure=procedure, criterion__in=criteria).only(
        "application_id", "criterion_id", "value"
    ):
        sums[(s.application_id, s.criterion_id)].append(s.value)
    rows = {}
    for application in (
        procedure.applications.filter(
            status__in=[
                ApplicationStatus.ADMITTED,
                ApplicationStatus.PRE_REJECTION,
                ApplicationStatus.NOT_ADMITTED,
            ]
        )
        .exclude(submitted_at__isnull=True)
        .select_related("entity")
    ):
        averages = {}
        total = Decimal("0")
        for c in criteria:
            values = sums.get((application.pk, c.pk))
            avg = (sum(values) / len(values)) if values else None
            averages[c.pk] = avg.quantize(TWO, ROUND_HALF_UP) if avg is not None else None
            if avg is not None:
                total += avg / Decimal(10) * c.weight
        rows[application.pk] = {
            "application": application,
            "averages": averages,
            "total": total.quantize(TWO, ROUND_HALF_UP),
        }
    return {"criteria": criteria, "rows": rows}


def ranking(procedure: Procedure) -> list[tuple[Application, Decimal]]:
    """Admitted applications with their weighted totals, best first (ties: earlier submission)."""
    table = score_table(procedure)
    rows = [
        r for r in table["rows"].values() if r["application"].status == ApplicationStatus.ADMITTED
    ]
    rows.sort(key=lambda r: (-r["total"], r["application"].submitted_at))
    return [(r["application"], r["total"]) for r in rows]


def applications_for_user(user) -> QuerySet[Application]:
    entity_ids = member_entity_ids(user)
    if not entity_ids:
        return Application.objects.none()  # a plain none(): nothing to compile
    return (
        Application.objects.filter(entity_id__in=entity_ids)
        .select_related("procedure", "entity")
        .order_by("-updated_at")
    )


def procedures_to_act_on(user) -> list[Procedure]:
    """For staff: procedures of their ambiti that wait for them (applications to decide,
    deadlines passed, reports to review)."""
    from ambito.permissions import managed_ambito_ids

    ids = managed_ambito_ids(user)
    if not ids:
        return []
    qs = (
        Procedure.objects.filter(ambito_id__in=ids)
        .exclude(status__in=[workflow.CLOSED, workflow.CANCELLED])
        .annotate(
            pending=Count(
                "applications",
                filter=Q(applications__status__in=["submitted", "integration", "pre_rejection"]),
                distinct=True,
            )
        )
        .order_by("-updated_at")[:20]
    )
    return list(qs)


def administered_entities(user) -> QuerySet[Entity]:
    return Entity.objects.filter(
        pk__in=administered_entity_ids(user), status=Entity.Status.VERIFIED
    ).order_by("name")


def application_visible(user, application: Application) -> bool:
    return application_policy.visible(user).filter(pk=application.pk).exists()


def commission_seats(user):
    """The evaluation commissions the user sits on, of procedures still open."""
    from processes.models import CommissionMember

    if not getattr(user, "is_authenticated", False):
        return CommissionMember.objects.none()
    return (
        CommissionMember.objects.filter(user=user)
        .exclude(procedure__status__in=[workflow.CLOSED, workflow.CANCELLED])
        .select_related("procedure")
        .order_by("-appointed_at")
    )
