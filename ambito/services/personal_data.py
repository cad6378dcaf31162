"""Personal data in ambito/: a person's staff roles and the invitations sent to their address,
as they download them (GDPR art. 15/20) and as the deletion of the account leaves them (art. 17)."""

from __future__ import annotations

from ambito import permissions
from ambito.models import StaffInvitation, StaffRole
from core import usercache


def export_roles(user):
    return [
        {
            "ambito": r.ambito.name,
            "role": r.get_role_display(),
            "comune": r.comune.name if r.comune else None,
            "job_title": r.job_title,
            "rup_eligible": r.rup_eligible,
        }
        for r in permissions.roles_of(user)
    ]


def export_invitations(user):
    return [
        {
            "ambito": i.ambito.name,
            "role": i.get_role_display(),
            "comune": i.comune.name if i.comune_id else None,
            "invited_at": i.created_at.isoformat(),
            "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
            "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None,
        }
        for i in StaffInvitation.objects.filter(email__iexact=user.email).select_related(
            "ambito", "comune"
        )
    ]


def erase_roles(user):
    """An erased account holds no role any more (the audit trail keeps who held it); invitations
    still open to the address go, the others keep the pseudonymous address."""
    roles = list(StaffRole.objects.filter(user=user))
    StaffRole.objects.filter(user=user).delete()
    usercache.remember(user, permissions.STAFF_ROLES_KEY, [])
    to_them = StaffInvitation.objects.filter(email__iexact=user.email)
    invitations = list(to_them)
    to_them.filter(accepted_at__isnull=True, revoked_at__isnull=True).delete()
    to_them.update(email=user.pseudonymous_email)
    return [*roles, *invitations]
