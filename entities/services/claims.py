"""Claims of a disputed tax code (EntityClaim).

Anyone may register an entity under any tax code, so someone may register one that is not
theirs and block the body it belongs to. Whoever represents that body legally then claims it:
a request with a document proving legal representation, decided by the Ufficio di Piano of the
entity's ambito. Accepted, the claimant becomes an administrator and the earlier administrators
are kept, made delegates or removed, as the Ufficio di Piano chooses. Every step is audited on
the entity (in its ambito); the claimant and the earlier administrators receive the decision by
e-mail.

SPID/CIE: once accounts carry a fiscal code proven by SPID or CIE (a future `User.fiscal_code`)
and an entity records its legal representative's fiscal code, a claim whose two codes match
proves itself and could be accepted in `claim_create` without waiting for the Ufficio di Piano.
Neither field exists yet: every claim is decided by a person."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail
from core.models import User
from core.storage import sha256_of
from entities.models import Entity, EntityClaim, EntityMembership
from entities.permissions import administered_entity_ids, claim_policy, forget_memberships
from entities.services import notify_verifiers
from entities.validators import normalise_code


@transaction.atomic
def claim_create(*, user: User, tax_code: str, role: str, statement: str, document) -> EntityClaim:
    """`user` claims the entity registered under `tax_code`; the Ufficio di Piano is told."""
    entity = Entity.objects.filter(tax_code=normalise_code(tax_code)).first()
    if entity is None:
        raise ValidationError(
            {
                "tax_code": _(
                    "Nessun ente è registrato con questo codice fiscale: puoi registrarlo tu."
                )
            }
        )
    if entity.pk in administered_entity_ids(user):
        raise ValidationError({"tax_code": _("Sei già amministratore di questo ente.")})
    if EntityClaim.objects.filter(
        entity=entity, claimant=user, status=EntityClaim.Status.PENDING
    ).exists():
        raise ValidationError(
            {
                "tax_code": _(
                    "Hai già una richiesta in attesa per questo ente: l'Ufficio di Piano la sta esaminando."
                )
            }
        )
    claim = EntityClaim(
        entity=entity,
        claimant=user,
        role=(role or "").strip(),
        statement=(statement or "").strip(),
        document=document,
    )
    claim.full_clean(exclude=["document_sha256"])
    claim.save()
    claim.document_sha256 = sha256_of(claim.document)
    claim.save(update_fields=["document_sha256"])
    audit.record(
        actor=user,
        action="entity.claim.submitted",
        obj=entity,
        changes={
            "claim": claim.pk,
            "claimant": user.email,
            "role": claim.role,
            "document_sha256": claim.document_sha256,
        },
        reason=claim.statement,
        ambito_id=entity.ambito_id,
    )
    notify_verifiers(
        entity,
        _("Richiesta di amministrazione per %(name)s") % {"name": entity.name},
        body=f"{user.display_name} ({claim.role})",
        kind="entity_claim",
        url=claim.get_absolute_url(),
    )
    return claim


def _lock_pending(claim: EntityClaim) -> EntityClaim:
    claim = (
        EntityClaim.objects.select_for_update()
        .select_related("entity", "claimant")
        .get(pk=claim.pk)
    )
    if not claim.is_pending:
        raise ValidationError(_("Questa richiesta non è più in attesa di decisione."))
    return claim


def _review_admins(claim: EntityClaim, outcome: str) -> dict[str, str]:
    """Apply `outcome` to the entity's administrators other than the claimant, make the
    claimant an administrator; returns {e-mail: outcome} of the administrators reviewed."""
    entity, claimant = claim.entity, claim.claimant
    now = timezone.now()
    reviewed = {}
    previous = (
        EntityMembership.objects.select_for_update()
        .filter(entity=entity, role=EntityMembership.Role.ADMIN, ended_at__isnull=True)
        .exclude(user=claimant)
        .select_related("user")
    )
    for membership in previous:
        if outcome == EntityClaim.PreviousAdmins.DELEGATE:
            membership.role = EntityMembership.Role.DELEGATE
            membership.save(update_fields=["role"])
        elif outcome == EntityClaim.PreviousAdmins.REMOVE:
            membership.ended_at = now
            membership.save(update_fields=["ended_at"])
        forget_memberships(membership.user)
        reviewed[membership.user.email] = outcome
    mine = EntityMembership.objects.filter(entity=entity, user=claimant, ended_at__isnull=True)
    if not mine.update(role=EntityMembership.Role.ADMIN):
        EntityMembership.objects.create(
            entity=entity, user=claimant, role=EntityMembership.Role.ADMIN
        )
    forget_memberships(claimant)
    return reviewed


@transaction.atomic
def claim_decide(
    *, user: User, claim: EntityClaim, accept: bool, previous_admins: str = "", reason: str = ""
) -> EntityClaim:
    """The Ufficio di Piano of the entity's ambito accepts or rejects a claim. Accepting needs a
    choice for the earlier administrators; rejecting needs a reason, sent to the claimant."""
    if not claim_policy.can_decide(user, claim):
        raise PermissionDenied
    claim = _lock_pending(claim)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"reason": _("Scrivi la motivazione: sarà inviata al richiedente.")})
    if accept and previous_admins not in EntityClaim.PreviousAdmins.values:
        raise ValidationError(
            {"previous_admins": _("Scegli che cosa fare degli amministratori attuali dell'ente.")}
        )
    entity = claim.entity
    changes: dict = {"claim": claim.pk, "claimant": claim.claimant.email}
    reviewed: dict[str, str] = {}
    if accept:
        reviewed = _review_admins(claim, previous_admins)
        changes["previous_admins"] = reviewed
        claim.previous_admins = previous_admins
    claim.status = EntityClaim.Status.ACCEPTED if accept else EntityClaim.Status.REJECTED
    claim.decided_at = timezone.now()
    claim.decided_by = user
    claim.decision_reason = reason
    claim.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason", "previous_admins"]
    )
    audit.record(
        actor=user,
        action=f"entity.claim.{claim.status}",
        obj=entity,
        changes=changes,
        reason=reason,
        ambito_id=entity.ambito_id,
    )
    url = reverse("entities:detail", kwargs={"pk": entity.pk})
    context = {"claim": claim, "entity": entity, "reason": reason, "url": url}
    mail.enqueue(
        "entities_claim_decision",
        context,
        to=claim.claimant.email,
        ambito_id=entity.ambito_id,
    )
    for email, outcome in reviewed.items():
        mail.enqueue(
            "entities_claim_admins",
            {**context, "outcome": outcome, "claimant": claim.claimant},
            to=email,
            ambito_id=entity.ambito_id,
        )
    return claim


@transaction.atomic
def claim_withdraw(*, user: User, claim: EntityClaim) -> EntityClaim:
    if not claim_policy.can_withdraw(user, claim):
        raise PermissionDenied
    claim = _lock_pending(claim)
    claim.status = EntityClaim.Status.WITHDRAWN
    claim.save(update_fields=["status"])
    audit.record(
        actor=user,
        action="entity.claim.withdrawn",
        obj=claim.entity,
        changes={"claim": claim.pk, "claimant": user.email},
        ambito_id=claim.entity.ambito_id,
    )
    return claim
