"""Every state change of entities: registration, edits, verification, members and invitations
(claims of a disputed tax code: entities.services.claims). Each function is atomic and leaves an
audit record; e-mails go through core.mail after commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Ambito, Comune, StaffRole
from ambito.selectors import default_ambito
from core import audit, mail
from core.invitations import addresses_of
from core.models import User
from core.notifications import notify
from core.uploads import reencode_image, safe_filename
from entities import selectors
from entities.models import Entity, EntityInvitation, EntityMembership
from entities.permissions import entity_policy, forget_memberships

M2M_FIELDS = ("activities", "target_groups", "operating_comuni")

# Which status may follow which, and whether the step needs a reason.
TRANSITIONS: dict[str, set[str]] = {
    Entity.Status.PENDING: {Entity.Status.VERIFIED, Entity.Status.REJECTED},
    Entity.Status.VERIFIED: {Entity.Status.SUSPENDED},
    Entity.Status.SUSPENDED: {Entity.Status.VERIFIED},
    Entity.Status.REJECTED: {Entity.Status.VERIFIED},
}
REASON_REQUIRED = {Entity.Status.REJECTED, Entity.Status.SUSPENDED}


def ambito_for(seat_comune: Comune, operating: Iterable[Comune] = ()) -> Ambito:
    """The ambito whose Ufficio di Piano verifies an entity: the one of its seat, else of a comune
    where it operates, else the one the visitor registers in (else the first)."""
    for comune in [seat_comune, *operating]:
        ambito = Ambito.objects.filter(comuni=comune).order_by("pk").first()
        if ambito is not None:
            return ambito
    ambito = default_ambito()
    if ambito is None:
        raise ValidationError(_("Nessun ambito territoriale è configurato nel portale."))
    return ambito


def _store_logo(entity: Entity, upload) -> None:
    content = reencode_image(upload)
    name = safe_filename(getattr(upload, "name", "logo") or "logo").rsplit(".", 1)[0] or "logo"
    ext = (getattr(content, "name", "") or "logo.png").rsplit(".", 1)[-1]
    entity.logo.save(f"{name}.{ext}", content, save=False)


def _set_m2m(entity: Entity, m2m: dict[str, Iterable]) -> None:
    for field in M2M_FIELDS:
        if field in m2m:
            getattr(entity, field).set(list(m2m[field]))


def _admin_users(entity: Entity) -> list[User]:
    return list(
        User.objects.filter(
            EntityMembership.current_q("entity_memberships__"),
            entity_memberships__entity=entity,
            entity_memberships__role=EntityMembership.Role.ADMIN,
        )
    )


def notify_verifiers(
    entity: Entity, title: str, *, body: str = "", kind: str = "entity_pending", url: str = ""
) -> None:
    """Tell the Ufficio di Piano of the entity's ambito that it has something to check."""
    staff = User.objects.filter(
        staff_roles__ambito=entity.ambito,
        staff_roles__role__in=[StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR],
    ).distinct()
    notify(
        ambito_id=entity.ambito_id,
        users=staff,
        kind=kind,
        title=title,
        url=url or reverse("entities:detail", kwargs={"pk": entity.pk}),
        body=body,
    )


@transaction.atomic
def entity_register(*, user: User, entity: Entity, m2m: dict[str, Iterable], logo=None) -> Entity:
    """A representative registers an entity: it starts pending and the user becomes its
    administrator; the Ufficio di Piano of its ambito is told."""
    entity.status = Entity.Status.PENDING
    entity.status_changed_at = timezone.now()
    entity.ambito = ambito_for(entity.seat_comune, m2m.get("operating_comuni", ()))
    if logo:
        _store_logo(entity, logo)
    entity.save()
    _set_m2m(entity, m2m)
    EntityMembership.objects.create(entity=entity, user=user, role=EntityMembership.Role.ADMIN)
    forget_memberships(user)
    audit.record(
        actor=user,
        action="entity.registered",
        obj=entity,
        changes=audit.diff({}, audit.snapshot(entity, Entity.EDITABLE_FIELDS)),
        ambito_id=entity.ambito_id,
    )
    notify_verifiers(entity, _("Nuovo ente da verificare: %(name)s") % {"name": entity.name})
    return entity


@transaction.atomic
def entity_update(
    *,
    user: User,
    entity: Entity,
    before: dict,
    m2m: dict[str, Iterable],
    logo=None,
    clear_logo: bool = False,
) -> dict:
    """Save an administrator's edit. `before` is audit.snapshot taken before the form touched the
    instance. Returns the diff recorded (empty: nothing changed, nothing recorded)."""
    if logo:
        _store_logo(entity, logo)
    elif clear_logo:
        entity.logo = ""
    entity.save()
    _set_m2m(entity, m2m)
    changes = audit.diff(before, audit.snapshot(entity, Entity.EDITABLE_FIELDS))
    if changes:
        audit.record(
            actor=user,
            action="entity.updated",
            obj=entity,
            changes=changes,
            ambito_id=entity.ambito_id,
        )
        identity = {f: c for f, c in changes.items() if f in Entity.IDENTIFYING_FIELDS}
        if entity.status == Entity.Status.REJECTED:
            _resubmit(entity, user)
        elif identity and not entity_policy.can_verify(user, entity):
            _identity_changed(entity, user, identity)
    return changes


def _identity_changed(entity: Entity, user: User, identity: dict) -> None:
    """The entity's people changed data that identify it (Entity.IDENTIFYING_FIELDS): a
    verified entity goes back to the verification queue (a suspended one stays suspended), and
    the Ufficio di Piano is told what changed; its page shows the change until it verifies."""
    labels = ", ".join(str(Entity._meta.get_field(f).verbose_name) for f in identity)
    if entity.status == Entity.Status.VERIFIED:
        reason = _(
            "Sono cambiati dati che identificano l'ente (%(fields)s): l'Ufficio di Piano deve verificarli di nuovo."
        ) % {"fields": labels}
        entity.status = Entity.Status.PENDING
        entity.status_reason = reason
        entity.status_changed_at = timezone.now()
        entity.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        audit.record(
            actor=user,
            action="entity.status.pending",
            obj=entity,
            changes={"status": {"before": Entity.Status.VERIFIED, "after": entity.status}}
            | identity,
            reason=reason,
            ambito_id=entity.ambito_id,
        )
    elif entity.status != Entity.Status.SUSPENDED:
        return  # already waiting for verification: its page shows every change
    rows = selectors.identity_changes([entity]).get(entity.pk, [])
    notify_verifiers(
        entity,
        _("Dati identificativi modificati: %(name)s") % {"name": entity.name},
        body="\n".join(f"{label}: {then} → {now}" for label, then, now in rows),
    )


def _resubmit(entity: Entity, user: User) -> None:
    """A rejected entity whose data were corrected goes back to the verification queue."""
    entity.status = Entity.Status.PENDING
    entity.status_reason = ""
    entity.status_changed_at = timezone.now()
    entity.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    audit.record(
        actor=user,
        action="entity.status.pending",
        obj=entity,
        changes={"status": {"before": Entity.Status.REJECTED, "after": Entity.Status.PENDING}},
        reason=_("Dati corretti dall'ente dopo il respingimento."),
        ambito_id=entity.ambito_id,
    )
    notify_verifiers(
        entity, _("Ente ripresentato per la verifica: %(name)s") % {"name": entity.name}
    )


@transaction.atomic
def entity_set_status(*, user: User, entity: Entity, status: str, reason: str = "") -> Entity:
    """Verify, reject, suspend or reinstate an entity (Ufficio di Piano of its ambito only). The
    entity's administrators are notified and its e-mail address receives the decision."""
    if not entity_policy.can_verify(user, entity):
        raise PermissionDenied
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if status not in TRANSITIONS.get(entity.status, set()):
        raise ValidationError(
            _("Un ente nello stato «%(current)s» non può passare allo stato «%(new)s».")
            % {"current": entity.get_status_display(), "new": Entity.Status(status).label}
        )
    reason = (reason or "").strip()
    if status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Scrivi la motivazione: sarà comunicata all'ente.")})
    previous = entity.status
    entity.status = status
    entity.status_reason = reason
    entity.status_changed_at = timezone.now()
    entity.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    audit.record(
        actor=user,
        action=f"entity.status.{status}",
        obj=entity,
        changes={"status": {"before": previous, "after": status}},
        reason=reason,
        ambito_id=entity.ambito_id,
    )
    url = reverse("entities:detail", kwargs={"pk": entity.pk})
    ctx = {
        "entity": entity,
        "status_label": entity.get_status_display(),
        "reason": reason,
        "url": url,
    }
    mail.enqueue("entities_status", ctx, to=entity.email, ambito_id=entity.ambito_id)
    notify(
        ambito_id=entity.ambito_id,
        users=_admin_users(entity),
        kind="entity_status",
        title=_("%(name)s: %(status)s")
        % {"name": entity.name, "status": entity.get_status_display()},
        url=url,
        body=reason,
    )
    return entity


# --- members and invitations ----------------------------------------------------------------
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
        action="entity.invitation.sent",
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
            action="entity.invitation.revoked",
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
        action="entity.member.joined",
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
        action="entity.member.role",
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
        action="entity.member.removed",
        obj=membership.entity,
        changes={"member": membership.user.email, "role": membership.role},
        ambito_id=membership.entity.ambito_id,
    )
