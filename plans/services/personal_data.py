"""The personal data plans/ keeps of a person: exported on request, kept under the pseudonym when
the account is deleted. Registered by plans.contributions."""

from __future__ import annotations

from plans.models import Need, PlanComment, Service


def export_comments(user):

    return [
        {"plan": str(c.plan), "created_at": c.created_at.isoformat(), "body": c.body}
        for c in PlanComment.objects.filter(author=user).select_related("plan")
    ]


def export_mapping(user):

    return {
        "needs": list(
            Need.objects.filter(recorded_by=user).values("title", "ambito__name", "created_at")
        ),
        "services": list(
            Service.objects.filter(recorded_by=user).values("name", "ambito__name", "created_at")
        ),
    }


def erase_personal_data(user):
    """Account deletion keeps the observations made in a plan's consultation and the needs and
    services recorded: they are part of the plan's procedure, by the pseudonymous row. The
    observations, whose description names the person, are returned for the audit trail."""

    return list(PlanComment.objects.filter(author=user))
