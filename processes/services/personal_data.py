"""Personal data that processes/ holds about a user: the export (GDPR art. 15/20) and what
account deletion does (art. 17), registered in core.registry by processes.contributions."""

from __future__ import annotations

from processes.models import (
    Application,
    ApplicationDocument,
    CommissionMember,
    ExclusionNotice,
    Procedure,
)


def personal_data_export(user) -> dict:
    """What processes/ holds about the user (GDPR art. 15/20)."""
    return {
        "exclusion_observations": list(
            ExclusionNotice.objects.filter(observations_by=user).values(
                "application__procedure__title",
                "application__entity__name",
                "observations_at",
                "observations",
            )
        ),
        "applications_submitted": list(
            Application.objects.filter(submitted_by=user).values(
                "procedure__title", "entity__name", "protocol_number", "submitted_at", "status"
            )
        ),
        "commission_seats": list(
            CommissionMember.objects.filter(user=user).values(
                "procedure__title", "role", "declared_at"
            )
        ),
        "documents_uploaded": list(
            ApplicationDocument.objects.filter(uploaded_by=user).values(
                "title", "application__procedure__title", "application__entity__name", "uploaded_at"
            )
        ),
        "rup_of": list(Procedure.objects.filter(rup=user).values("title", "status")),
    }


def personal_data_erase(user) -> list:
    """Account deletion keeps every row of a procedure: applications, documents, commission
    seats, the RUP are its acts (GDPR art. 17(3)(b)); they point at the pseudonymous row. The
    commission seats, whose description names the person, are returned for the audit trail."""
    return list(CommissionMember.objects.filter(user=user))
