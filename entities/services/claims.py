"""Claims of a disputed tax code (EntityClaim).

Anyone may register an entity under any tax code, so someone may register one that is not
theirs and block the body it belongs to. Whoever represents that body legally then claims it:
a request with a document proving legal representation, decided by the Ufficio di Piano of the
entity's ambito. Accepted, the claimant becomes an administrator and the earlier administrators
are kept, made delegates or removed, as the Ufficio di Piano chooses. Every step is audited on
the entity (in its ambito); the claimant and the earlier administrators receive the decision by
e-mail.

SPID/CIE hook: an entity may record its legal representative's fiscal code
(`Entity.legal_representative_fiscal_code`). A person whose session proved that very fiscal code
with SPID or CIE (core.identity.proven_fiscal_code: the account's `User.fiscal_code`, proven in
this session) is the legal representative: a claim of theirs is accepted at once
(`claim_create`, the earlier administrators kept), and from "La mia area" they take the
administrator role without a claim (`legal_representative_take_over`). Both are audited and
the entity's administrators are told by e-mail, the Ufficio di Piano in the portal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import audit, mail
from core.models import User
from core.storage import sha256_of
from entities.models import Entity, EntityClaim, EntityMembership
from entities.permissions import administered_entity_ids, claim_policy, forget_memberships
from entities.services.registration import notify_verifiers
from entities.validators import normalise_code

AUTOMATIC_REASON = _lazy(
    "Accolta subito: con SPID o CIE il richiedente ha dimostrato di avere il codice fiscale del legale rappresentante registrato per l'ente."
)


def is_legal_representative(entity: Entity, user: User, proven_fiscal_code: str) -> bool:
    """Whether `user` is the legal representative on `entity`'s record, as proven by SPID/CIE
    in the current session. A rejected registration names nobody."""
    return bool(
        proven_fiscal_code
        and proven_fiscal_code == user.fiscal_code
        and proven_fiscal_code == entity.legal_representative_fiscal_code
        and entity.status != Entity.Status.REJECTED
    )


@transaction.atomic
def claim_create(
    *,
    user: User,
    tax_code: str,
    role: str,
    statement: str,
    document,
    proven_fiscal_code: str = "",
) -> EntityClaim:
    """`user` claims the entity registered under `tax_code`; the Ufficio di Piano is told. When
    `proven_fiscal_code` (proven by SPID/CIE in the user's session) is the legal representative's
    on the entity's record, the claim is accepted at once, the earlier administrators kept."""
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
        raise ValidationError({"tax_code": _("Amministri già questo ente.")})
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
        action="entities.claim.submitted",
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
    if is_legal_representative(entity, user, proven_fiscal_code):
        return _accept_automatically(claim)
    notify_verifiers(
        entity,
        _("Richiesta di amministrazione per %(name)s") % {"name": entity.name},
        body=f"{user.display_name} ({claim.role})",
        kind="entity_claim",
        url=claim.get_absolute_url(),
    )
    return claim


def _accept_automatically(claim: EntityClaim) -> EntityClaim:
    claim = _lock_pending(claim)
    reason = str(AUTOMATIC_REASON)
    reviewed = _review_admins(claim, EntityClaim.PreviousAdmins.KEEP)
    claim.previous_admins = EntityClaim.PreviousAdmins.KEEP
    claim.status = EntityClaim.Status.ACCEPTED
    claim.decided_at = timezone.now()
    claim.decision_reason = reason
    claim.save(update_fields=["status", "decided_at", "decision_reason", "previous_admins"])
    audit.record(
        actor=claim.claimant,
        action="entities.claim.accepted",
        obj=claim.entity,
        changes={
            "claim": claim.pk,
            "claimant": claim.claimant.email,
            "previous_admins": reviewed,
            "proof": "SPID/CIE",
        },
        reason=reason,
        ambito_id=claim.entity.ambito_id,
    )
    _tell_decision(claim, reviewed, reason, automatic=True)
    notify_verifiers(
        claim.entity,
        _("%(name)s: nuovo amministratore, legale rappresentante verificato con SPID o CIE")
        % {"name": claim.entity.name},
        body=claim.claimant.display_name,
        kind="entity_claim",
        url=claim.get_absolute_url(),
    )
    return claim


def _tell_decision(
    claim: EntityClaim, reviewed: dict[str, str], reason: str, *, automatic: bool = False
) -> None:
    """The decision by e-mail to the claimant and to the earlier administrators reviewed."""
    entity = claim.entity
    url = reverse("entities:detail", kwargs={"pk": entity.pk})
    context = {
        "claim": claim,
        "entity": entity,
        "reason": reason,
        "url": url,
        "automatic": automatic,
    }
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


@transaction.atomic
def legal_representative_take_over(
    *, user: User, entity: Entity, proven_fiscal_code: str
) -> EntityMembership:
    """The legal representative on the entity's record, proven by SPID/CIE in this session,
    becomes its administrator without the Ufficio di Piano; the administrators keep their
    role and are told by e-mail, the Ufficio di Piano in the portal."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if not is_legal_representative(entity, user, proven_fiscal_code):
        raise PermissionDenied
    if entity.pk in administered_entity_ids(user):
        raise ValidationError(_("Amministri già questo ente."))
    admins = list(
        User.objects.filter(
            EntityMembership.current_q("entity_memberships__"),
            entity_memberships__entity=entity,
            entity_memberships__role=EntityMembership.Role.ADMIN,
        ).exclude(pk=user.pk)
    )
    membership = EntityMembership.objects.current().filter(entity=entity, user=user).first()
    before = membership.role if membership else ""
    if membership is None:
        membership = EntityMembership.objects.create(
            entity=entity, user=user, role=EntityMembership.Role.ADMIN
        )
    else:
        membership.role = EntityMembership.Role.ADMIN
        membership.save(update_fields=["role"])
    forget_memberships(user)
    audit.record(
        actor=user,
        action="entities.legal_representative.made_admin",
        obj=entity,
        changes={"user": user.email, "role": {"before": before, "after": "admin"}},
        reason=_("Legale rappresentante registrato per l'ente, verificato con SPID o CIE."),
        ambito_id=entity.ambito_id,
    )
    url = reverse("entities:detail", kwargs={"pk": entity.pk})
    for admin in admins:
        mail.enqueue(
            "entities_legal_representative",
            {"entity": entity, "person": user, "url": url},
            to=admin.email,
            ambito_id=entity.ambito_id,
        )
    notify_verifiers(
        entity,
        _("%(name)s: nuovo amministratore, legale rappresentante verificato con SPID o CIE")
        % {"name": entity.name},
        body=user.display_name,
        kind="entity_legal_representative",
    )
    return membership


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
        .filter(EntityMembership.current_q(), entity=entity, role=EntityMembership.Role.ADMIN)
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
    mine = EntityMembership.objects.current().filter(entity=entity, user=claimant)
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
        action=f"entities.claim.{claim.status}",
        obj=entity,
        changes=changes,
        reason=reason,
        ambito_id=entity.ambito_id,
    )
    _tell_decision(claim, reviewed, reason)
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
        action="entities.claim.withdrawn",
        obj=claim.entity,
        changes={"claim": claim.pk, "claimant": user.email},
        ambito_id=claim.entity.ambito_id,
    )
    return claim
