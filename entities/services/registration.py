"""Registration, edits and verification of an entity. Each function is atomic and leaves an
audit record; e-mails go through core.mail after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Ambito, Comune, StaffRole
from ambito.selectors import default_ambito
from core import audit, mail
from core.models import User
from core.notifications import notify
from core.uploads import reencode_image, safe_filename
from entities import selectors
from entities.models import Entity, EntityMembership
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
        action="entities.entity.registered",
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
            action="entities.entity.updated",
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


def _back_to_verification(
    entity: Entity, user: User, *, reason: str, status_reason: str, changes: dict | None = None
) -> None:
    """The entity waits for the Ufficio di Piano's verification again (PENDING), recorded with
    `reason`; `status_reason` is what its page says."""
    before = entity.status
    entity.status = Entity.Status.PENDING
    entity.status_reason = status_reason
    entity.status_changed_at = timezone.now()
    entity.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    audit.record(
        actor=user,
        action="entities.entity.pending",
        obj=entity,
        changes={"status": {"before": before, "after": entity.status}} | (changes or {}),
        reason=reason,
        ambito_id=entity.ambito_id,
    )


def _identity_changed(entity: Entity, user: User, identity: dict) -> None:
    """The entity's people changed data that identify it (Entity.IDENTIFYING_FIELDS): a
    verified entity goes back to the verification queue (a suspended one stays suspended), and
    the Ufficio di Piano is told what changed; its page shows the change until it verifies."""
    labels = ", ".join(str(Entity._meta.get_field(f).verbose_name) for f in identity)
    if entity.status == Entity.Status.VERIFIED:
        reason = _(
            "Sono cambiati dati che identificano l'ente (%(fields)s): l'Ufficio di Piano deve verificarli di nuovo."
        ) % {"fields": labels}
        _back_to_verification(entity, user, reason=reason, status_reason=reason, changes=identity)
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
    _back_to_verification(
        entity, user, reason=_("Dati corretti dall'ente dopo il respingimento."), status_reason=""
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
        action=f"entities.entity.{status}",
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
