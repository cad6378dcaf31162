"""The people of an entity: invitations by e-mail, their acceptance, roles and removal. Each
function is atomic and leaves an audit record; e-mails go through core.mail after commit."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail
from core.invitations import addresses_of
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
    open_invitations = EntityInvitation.objects.select_for_update().filter(
        entity=entity, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    for old in open_invitations:
        if old.is_open:
            raise ValidationError(
                {
                    "email": _(
                        "Questa persona è già stata invitata: puoi inviare di nuovo l'invito dall'elenco."
                    )
                }
            )
        old.revoked_at = timezone.now()
        old.save(update_fields=["revoked_at"])
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
    ctx = {
        "invitation": invitation,
        "entity": invitation.entity,
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
        "role_label": invitation.get_role_display(),
        "url": invitation.get_absolute_url(),
    }
    invitation.outgoing_email = mail.enqueue(
        "entities_invitation",
        ctx,
        to=invitation.email,
        ambito_id=invitation.entity.ambito_id,
    )
    invitation.save(update_fields=["outgoing_email"])


@transaction.atomic
def invitation_resend(*, invitation: EntityInvitation, user: User) -> EntityInvitation:
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("Questo invito non è più valido."))
    invitation.expires_at = timezone.now() + timedelta(days=EntityInvitation.VALID_DAYS)
    invitation.save(update_fields=["expires_at"])
    _send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: EntityInvitation, user: User) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            actor=user,
            action="entities.invitation.revoked",
            obj=invitation.entity,
            changes={"email": invitation.email},
            ambito_id=invitation.entity.ambito_id,
        )


def invitation_problem(invitation: EntityInvitation, user: User | None) -> str:
    """Why `user` cannot accept `invitation` now ("" when they can)."""
    if invitation.accepted_at:
        return _("Questo invito è già stato accettato.")
    if invitation.revoked_at:
        return _("Questo invito è stato ritirato dall'amministratore dell'ente.")
    if invitation.expires_at <= timezone.now():
        return _(
            "Questo invito è scaduto: chiedi all'amministratore dell'ente di inviarlo di nuovo."
        )
    if user is not None and invitation.email.lower() not in addresses_of(user):
        return _(
            "L'invito è stato inviato a %(email)s, ma hai effettuato l'accesso con un altro indirizzo. Esci e accedi (o registrati) con %(email)s."
        ) % {"email": invitation.email}
    return ""


@transaction.atomic
def invitation_accept(*, invitation: EntityInvitation, user: User) -> EntityMembership:
    invitation = (
        EntityInvitation.objects.select_for_update().select_related("entity").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation, user)
    if problem:
        raise ValidationError(problem)
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
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
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
