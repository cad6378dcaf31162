"""The commission's scores: what is missing, conflicts of interest, the score table and the ranking."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.models import (
    Application,
    ApplicationStatus,
    Procedure,
    Score,
)
from processes.permissions import (
    tie_memberships,
)

TWO = Decimal("0.01")


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
            avg = (sum(values, Decimal(0)) / len(values)) if values else None
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
