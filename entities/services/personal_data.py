"""The personal data entities/ keeps of a person: exported on request, erased (or kept under the
pseudonym) when the account is deleted. Registered by entities.contributions."""

from __future__ import annotations

from django.utils import timezone

from entities import selectors
from entities.models import EntityClaim, EntityInvitation, EntityMembership
from entities.services.claims import claim_withdraw


def export_memberships(user):
    return [
        {
            "entity": m.entity.name,
            "role": m.role,
            "since": m.created_at.isoformat(),
            "ended": m.ended_at.isoformat() if m.ended_at else None,
        }
        for m in user.entity_memberships.select_related("entity")
    ]


def export_claims(user):
    return [
        {
            "entity_tax_code": c.entity.tax_code,
            "role": c.role,
            "statement": c.statement,
            "document_sha256": c.document_sha256,
            "status": c.status,
            "submitted": c.created_at.isoformat(),
            "decided": c.decided_at.isoformat() if c.decided_at else None,
            "decision_reason": c.decision_reason,
        }
        for c in selectors.claims_of(user)
    ]


def export_invitations(user):

    return [
        {
            "entity": i.entity.name,
            "role": i.role,
            "invited_at": i.created_at.isoformat(),
            "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
        }
        for i in EntityInvitation.objects.filter(email__iexact=user.email).select_related("entity")
    ]


def erase_personal_data(user):
    """Account deletion: the person stops acting for every entity (memberships end, kept as the
    entity's history; pending claims are withdrawn, decided ones kept); invitations still open to the address go, the others keep the
    pseudonymous address (an accepted one records how the person joined)."""

    # a claim on a disputed tax code can no longer be decided once its author is gone
    for claim in EntityClaim.objects.filter(claimant=user, status=EntityClaim.Status.PENDING):
        claim_withdraw(user=user, claim=claim)
    memberships = list(EntityMembership.objects.filter(user=user))
    EntityMembership.objects.current().filter(user=user).update(ended_at=timezone.now())
    to_them = EntityInvitation.objects.filter(email__iexact=user.email)
    to_them.filter(accepted_at__isnull=True, revoked_at__isnull=True).delete()
    to_them.update(email=user.pseudonymous_email)
    return memberships
