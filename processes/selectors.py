"""Reads used by views and exports: scoped to the user, pre-fetched, constant query counts."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queries import LatestOf, count_of, first_per_group, select_related_only
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
from processes.permissions import (
    application_policy,
    procedure_policy,
    results_public_q,
    tie_memberships,
)
from tables.models import Meeting
from tables.permissions import meeting_policy

TWO = Decimal("0.01")


def procedures_for_list(user) -> QuerySet[Procedure]:
    """Visible procedures; `application_count` is None where the number of applications is not
    the user's to know yet (before the results, only the RUP knows how many applied)."""
    count = count_of(Application.objects.exclude(status=ApplicationStatus.DRAFT), "procedure")
    knows = results_public_q()
    if getattr(user, "is_authenticated", False):
        knows |= Q(rup=user)
    published = Notice.objects.filter(
        procedure=OuterRef("pk"), published_at__isnull=False
    ).order_by("-version")
    return select_related_only(procedure_policy.visible(user), ambito=("name",)).annotate(
        application_count=Case(When(knows, then=count), default=None),
        # whether a notice is published, and the latest one's deadline (an open list may have
        # none): the notices' texts are not read
        has_published_notice=Exists(published),
        notice_deadline=Subquery(published.values("deadline")[:1]),
    )


def activity_codes(procedure_ids: list[int]) -> dict[int, list[str]]:
    """{procedure pk: its activities' codes, in order}, for a page of procedures: one query of
    plain values instead of prefetching the activities as model instances."""
    codes: dict[int, list[str]] = defaultdict(list)
    if procedure_ids:
        rows = (
            Procedure.activities.through.objects.filter(procedure_id__in=procedure_ids)
            .order_by("activity__code")
            .values_list("procedure_id", "activity__code")
        )
        for pk, code in rows:
            codes[pk].append(code)
    return codes


def open_procedures(user, limit: int = 6, *, ambito_id: int | None = None) -> list[Procedure]:
    """Procedures accepting applications now (of one ambito, if given), soonest deadline first,
    each with `open_until`."""
    qs = _open_procedures(user)
    if ambito_id is not None:
        qs = qs.filter(ambito_id=ambito_id)
    return list(qs.order_by(F("open_until").asc(nulls_last=True), "pk")[:limit])


def open_procedures_by_ambito(user, ambito_ids: list[int], per_ambito: int = 3) -> dict:
    """{ambito pk: (first `per_ambito` open procedures, how many are open)}: one query for all
    the ambiti (the region's home)."""
    rows = first_per_group(
        _open_procedures(user).filter(ambito_id__in=ambito_ids),
        group="ambito",
        order=[F("open_until").asc(nulls_last=True), F("pk").asc()],
        n=per_ambito,
        count_as="open_in_ambito",
    )
    found: dict[int, tuple[list[Procedure], int]] = {}
    for p in rows:
        found.setdefault(p.ambito_id, ([], p.open_in_ambito))[0].append(p)
    return found


def _open_procedures(user) -> QuerySet[Procedure]:
    """Procedure.effective_deadline computed in SQL (`open_until`: the latest published notice's
    deadline, or a later reopening's), open ones only."""
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
    return (
        procedure_policy.visible(user)
        .filter(status=workflow.NOTICE_PUBLISHED)
        .select_related("ambito")
        # the later of the two, where a missing one (no reopening) does not count (LatestOf:
        # each subquery written once on PostgreSQL, whose GREATEST ignores NULLs)
        .annotate(open_until=LatestOf(Subquery(notice_deadline), Subquery(reopened_until)))
        # An open list without a closing date (accreditamento) is open as long as it is published.
        .filter(
            Q(open_until__gte=timezone.now())
            | Q(open_until__isnull=True, kind=Procedure.Kind.ACCREDITATION)
        )
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


def scoring_members(procedure: Procedure):
    return [m for m in procedure.commission.select_related("user") if m.scores_applications]


def missing_scores(procedure: Procedure) -> int:
    """Marks still to give: each scoring member, on each criterion, for each admitted application
    the member is not tied to (a tied member never scores it)."""
    notice = procedure.current_notice
    if notice is None:
        return 0
    members = scoring_members(procedure)
    criteria = notice.criteria.count()
    apps = list(
        procedure.applications.filter(status=ApplicationStatus.ADMITTED).values_list(
            "pk", flat=True
        )
    )
    tied = commission_ties(procedure)
    pairs = {(m.pk, a) for m in members for a in apps if a not in tied.get(m.pk, {})}
    given = Score.objects.filter(
        application__procedure=procedure,
        application__status=ApplicationStatus.ADMITTED,
        criterion__notice=notice,
        member__in=members,
    ).values_list("member_id", "application_id")
    return max(0, len(pairs) * criteria - sum(1 for pair in given if pair in pairs))


def ties(user_ids, applications) -> dict[tuple[int, int], str]:
    """(user id, application id) -> why that person may not evaluate that application: they are,
    or were in the last years, among the people of an entity that presents it, leads it or joins
    it as a partner (processes.permissions.tie_memberships). `applications` come with entity,
    lead_entity and partners loaded."""
    memberships = defaultdict(list)
    for m in tie_memberships(list(user_ids)).select_related("entity"):
        memberships[m.user_id].append(m)
    found: dict[tuple[int, int], str] = {}
    for application in applications:
        parts = [(application.entity, _("che presenta la domanda"))]
        if application.lead_entity_id:
            parts.append((application.lead_entity, _("capofila della domanda")))
        parts += [(p, _("partner della domanda")) for p in application.partners.all()]
        for user_id, rows in memberships.items():
            for m in rows:
                part = next((how for e, how in parts if e.pk == m.entity_id), None)
                if part is None or (user_id, application.pk) in found:
                    continue
                role = m.get_role_display()
                if m.ended_at:
                    role = _("%(role)s fino al %(date)s") % {
                        "role": role,
                        "date": timezone.localtime(m.ended_at).strftime("%d/%m/%Y"),
                    }
                found[(user_id, application.pk)] = _("%(role)s di «%(entity)s», %(part)s") % {
                    "role": role,
                    "entity": m.entity.name,
                    "part": part,
                }
    return found


def submitted_applications(procedure: Procedure) -> QuerySet[Application]:
    return (
        procedure.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("entity", "lead_entity")
        .prefetch_related("partners")
    )


def commission_ties(procedure: Procedure) -> dict[int, dict[int, str]]:
    """Commission member id -> {application id: reason} for the applications the member is
    excluded from (conflict of interest)."""
    members = {m.user_id: m.pk for m in procedure.commission.all()}
    if not members:
        return {}
    result: dict[int, dict[int, str]] = defaultdict(dict)
    for (user_id, application_id), reason in ties(
        members, submitted_applications(procedure)
    ).items():
        result[members[user_id]][application_id] = reason
    return dict(result)


def score_table(procedure: Procedure) -> dict:
    """Per application: average score per criterion (over the members who scored) and the
    weighted total out of 100 = sum(average / 10 × weight)."""
    notice = procedure.current_notice
    criteria = list(notice.criteria.all()) if notice else []
    tied = commission_ties(procedure)  # marks of a tied member never count
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for s in Score.objects.filter(application__procedure=procedure, criterion__in=criteria).only(
        "application_id", "criterion_id", "member_id", "value"
    ):
        if s.application_id not in tied.get(s.member_id, {}):
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
    # How many applications wait is the RUP's to know (before the results it reveals how many
    # applied), so it is counted on the procedures the user is the RUP of.
    qs = (
        Procedure.objects.filter(ambito_id__in=ids)
        .exclude(status__in=[workflow.CLOSED, workflow.CANCELLED])
        .annotate(
            pending=Count(
                "applications",
                filter=Q(
                    applications__status__in=["submitted", "integration", "pre_rejection"],
                    rup=user,
                ),
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
