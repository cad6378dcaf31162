"""What the commission's page shows to one user: the members with their exclusions for a
conflict of interest, the applications left to score, the score table and the ranking."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

from processes import workflow
from processes.models import Application, ApplicationStatus, CommissionMember, Procedure
from processes.permissions import procedure_policy
from processes.selectors.scoring import commission_ties, missing_scores, ranking, score_table


def commission_members(procedure: Procedure) -> list[CommissionMember]:
    return list(procedure.commission.select_related("user"))


def commission_page(procedure: Procedure, user, *, members: list[CommissionMember], member) -> dict:
    """The context of the commission's page for `user` (`member`: their seat among `members`,
    or None), without the form."""
    sees = procedure_policy.sees_evaluation(user, procedure)
    table = score_table(procedure) if sees else None
    rows: list[tuple[Application, Decimal | None]] = []
    if sees:
        if workflow.has_reached(procedure, workflow.RANKING_PUBLISHED):
            # the approved ranking, as stored
            ranked = (
                procedure.applications.filter(rank__isnull=False)
                .select_related("entity")
                .order_by("rank")
            )
            rows = [(a, a.total_score) for a in ranked]
        else:  # the ranking as it stands with the scores given so far
            rows = ranking(procedure)
    # Exclusions for a conflict of interest name the applicant: the RUP reads them all, each
    # member their own.
    ties = commission_ties(procedure)
    names = dict(
        procedure.applications.filter(
            pk__in={a for applications in ties.values() for a in applications}
        ).values_list("pk", "entity__name")
    )
    shows_all = procedure_policy.sees_all_exclusions(user, procedure, sees_evaluation=sees)
    for m in members:
        m.exclusions = [
            {"entity": names[a], "reason": reason} for a, reason in ties.get(m.pk, {}).items()
        ]
    to_score = []
    if (
        member
        and member.declared_at
        and member.scores_applications
        and not sees
        and procedure.status == workflow.EVALUATION
    ):
        to_score = [
            a
            for a in procedure.applications.filter(
                status=ApplicationStatus.ADMITTED
            ).select_related("entity")
            if a.pk not in ties.get(member.pk, {})
        ]
    notice = procedure.current_notice
    threshold = notice.admission_threshold if notice else None
    return {
        "procedure": procedure,
        "members": members,
        "member": member,
        "own_exclusions": member.exclusions if member else [],
        "shows_exclusions": shows_all,
        "to_score": to_score,
        "table": table,
        "ranking": [{"application": a, "total": t} for a, t in rows],
        "ranking_chart": [
            {
                "label": f"{position}. {a.entity.name}",
                "value": t,
                "total": 100,
                "display": number_format(t, 2),
                "highlight": threshold is not None and t < threshold,
            }
            for position, (a, t) in enumerate(rows, start=1)
        ],
        "threshold": threshold,
        "missing": missing_scores(procedure) if sees else None,
    }
