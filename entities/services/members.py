"""The people of an entity: invitations by e-mail, their acceptance, roles and removal. Each
function is atomic and leaves an audit record; e-mails go through core.mail after commit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, invitations
from core.models import User
from core.notifications import notify
from entities.models import Entity, EntityInvitation, EntityMembership
from entities.permissions import forget_memberships


@transaction.atomic
def invitation_create(
    *, entity: Entity, email: str, role: str, invited_by: User
) -> EntityInvitation:
    email = email.strip().lower()
    if EntityMembership.objects.current().filter(entity=entity, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Questa persona fa già parte dell'ente.")})
    invitations.make_room(
        EntityInvitation.objects.filter(entity=entity, email__iexact=email),
        EntityInvitation.ALREADY_INVITED,
    )
    invitation = EntityInvitation(entity=entity, email=email, role=role, invited_by=invited_by)
    invitation.full_clean()
    invitation.save()
    _send_invitation(invitation)
    audit.record(
        actor=invited_by,
        action="entities.invitation.sent",
        obj=entity,
        changes={"email": email, "role": role},
        ambito_id=entity.ambito_id,
    )
    return invitation


def _send_invitation(invitation: EntityInvitation) -> None:
    invitations.send(
        invitation,
        "entities_invitation",
        {"entity": invitation.entity},
        ambito_id=invitation.entity.ambito_id,
    )


@transaction.atomic
def invitation_resend(*, invitation: EntityInvitation, user: User) -> EntityInvitation:
    invitations.extend(invitation)
    _send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: EntityInvitation, user: User) -> None:
    if invitations.revoke(invitation):
        audit.record(
            actor=user,
            action="entities.invitation.revoked",
            obj=invitation.entity,
            changes={"email": invitation.email},
            ambito_id=invitation.entity.ambito_id,
        )


def invitation_problem(invitation: EntityInvitation, user: User | None) -> str:
    """Why `user` cannot accept `invitation` now ("" when they can)."""
    return invitation.problem(user)


@transaction.atomic
def invitation_accept(*, invitation: EntityInvitation, user: User) -> EntityMembership:
    invitation = invitations.lock_for_acceptance(invitation, user, "entity", "invited_by")
    entity = invitation.entity
    membership = EntityMembership.objects.current().filter(entity=entity, user=user).first()
    if membership is None:
        membership = EntityMembership.objects.create(entity=entity, user=user, role=invitation.role)
    elif (
        invitation.role == EntityMembership.Role.ADMIN
        and membership.role != EntityMembership.Role.ADMIN
    ):
        membership.role = EntityMembership.Role.ADMIN
        membership.save(update_fields=["role"])
    forget_memberships(user)
    invitations.mark_accepted(invitation, user)
    audit.record(
        actor=user,
        action="entities.member.joined",
        obj=entity,
        changes={"member": user.email, "role": membership.role},
        ambito_id=entity.ambito_id,
    )
    if invitation.invited_by_id:
        notify(
            ambito_id=entity.ambito_id,
            users=[invitation.invited_by],
            kind="entity_invitation_accepted",
            title=_("%(person)s ha accettato l'invito in %(entity)s")
            % {"person": user.display_name, "entity": entity.name},
            url=reverse("entities:members", kwargs={"pk": entity.pk}),
        )
    return membership


def _ensure_other_admin(membership: EntityMembership) -> None:
    if membership.role != EntityMembership.Role.ADMIN:
        return
    others = (
        EntityMembership.objects.current()
        .filter(entity=membership.entity, role=EntityMembership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _("L'ente deve avere almeno un amministratore: nomina prima un altro amministratore.")
        )


@transaction.atomic
def membership_set_role(*, membership: EntityMembership, role: str, user: User) -> EntityMembership:
    membership = EntityMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != EntityMembership.Role.ADMIN:
        _ensure_other_admin(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    forget_memberships(user)
    audit.record(
        actor=user,
        action="entities.member.role_changed",
        obj=membership.entity,
        changes={"member": membership.user.email, "role": {"before": before, "after": role}},
        ambito_id=membership.entity.ambito_id,
    )
    return membership


@transaction.atomic
def membership_end(*, membership: EntityMembership, user: User) -> None:
    membership = EntityMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_at:
        return
    _ensure_other_admin(membership)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    forget_memberships(user)
    audit.record(
        actor=user,
        action="entities.member.removed",
        obj=membership.entity,
        changes={"member": membership.user.email, "role": membership.role},
        ambito_id=membership.entity.ambito_id,
    )
