"""Reads of one entity's record: its detail, the verification queue, identity changes and
history, its people and invitations, and the claims of a disputed tax code."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, QuerySet
from django.utils.text import capfirst

from ambito.models import Comune
from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core import audit
from core.models import AuditEvent, User
from core.queries import select_related_only
from entities.models import (
    Entity,
    EntityClaim,
    EntityInvitation,
    EntityMembership,
)
from entities.permissions import active_membership_by_entity, active_memberships


def entity_detail(pk: int, visible: QuerySet[Entity]) -> QuerySet[Entity]:
    return visible.select_related("seat_comune", "ambito").prefetch_related(
        "activities",
        "target_groups",
        Prefetch("operating_comuni", queryset=Comune.objects.order_by("name")),
    )


def verification_queue(user, status: str = Entity.Status.PENDING) -> QuerySet[Entity]:
    return (
        Entity.objects.filter(ambito_id__in=managed_ambito_ids(user), status=status)
        .select_related("seat_comune", "ambito")
        .order_by("status_changed_at", "created_at")
    )


def queue_counts(user) -> dict[str, int]:
    rows = (
        Entity.objects.filter(ambito_id__in=managed_ambito_ids(user))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s: 0 for s in Entity.Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def _shown(field: str, value) -> str:
    """An audited value as people read it: the label of a choice, a date as dd/mm/yyyy."""
    if value in (None, ""):
        return "—"
    choices = Entity._meta.get_field(field).choices
    if choices:
        return str(dict(choices).get(value, value))
    if field == "runts_date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)


def identity_changes(entities) -> dict[int, list[tuple[str, str, str]]]:
    """For each of `entities` whose identifying data (Entity.IDENTIFYING_FIELDS) changed since the
    Ufficio di Piano last verified it: (field label, value then, value now), in the fields' order.
    Several edits merge; a field changed and changed back drops out. One query for all."""
    by_id = {str(e.pk): e for e in entities}
    if not by_id:
        return {}
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Entity),
            object_id__in=list(by_id),
            action__in=("entities.entity.updated", "entities.entity.verified"),
        )
        .order_by("created_at", "pk")
        .values_list("object_id", "action", "changes")
    )
    merged: dict[str, dict[str, dict]] = defaultdict(dict)
    for object_id, action, changes in events:
        if action == "entities.entity.verified":
            merged.pop(object_id, None)
            continue
        for field, change in (changes or {}).items():
            if field in Entity.IDENTIFYING_FIELDS and isinstance(change, dict):
                first = merged[object_id].get(field, change)
                merged[object_id][field] = {
                    "before": first.get("before"),
                    "after": change.get("after"),
                }
    result = {}
    for object_id, fields in merged.items():
        rows = [
            (
                capfirst(str(Entity._meta.get_field(f).verbose_name)),
                _shown(f, fields[f]["before"]),
                _shown(f, fields[f]["after"]),
            )
            for f in Entity.IDENTIFYING_FIELDS
            if f in fields and fields[f]["before"] != fields[f]["after"]
        ]
        if rows:
            result[by_id[object_id].pk] = rows
    return result


def status_history(entity: Entity) -> QuerySet[AuditEvent]:
    return audit.history_for(entity).order_by("-created_at")


def members_of(entity: Entity) -> QuerySet[EntityMembership]:
    return select_related_only(entity.memberships.current(), user=User.DISPLAY_FIELDS).order_by(
        "role", "user__last_name"
    )


def past_members_of(entity: Entity) -> QuerySet[EntityMembership]:
    return select_related_only(
        entity.memberships.filter(ended_at__isnull=False), user=User.DISPLAY_FIELDS
    ).order_by("-ended_at")


def open_invitations(entity: Entity) -> QuerySet[EntityInvitation]:
    return select_related_only(
        entity.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True),
        outgoing_email=("status",),
    )


def my_memberships(user) -> QuerySet[EntityMembership]:
    return (
        active_memberships(user)
        .select_related("entity", "entity__seat_comune")
        .order_by("entity__name")
    )


def my_membership(user, entity: Entity) -> EntityMembership | None:
    return active_membership_by_entity(user).get(entity.pk)


def is_staff_for(user, entity: Entity) -> bool:
    return entity.ambito_id in staff_ambito_ids(user)


# --- claims of a disputed tax code -----------------------------------------------------------
def pending_claims(user) -> QuerySet[EntityClaim]:
    """Claims waiting for the decision of the user's Ufficio di Piano, oldest first."""
    return (
        EntityClaim.objects.filter(
            status=EntityClaim.Status.PENDING, entity__ambito_id__in=managed_ambito_ids(user)
        )
        .select_related("entity", "claimant")
        .order_by("created_at", "pk")
    )


def pending_claims_of(entity: Entity) -> QuerySet[EntityClaim]:
    return select_related_only(
        entity.claims.filter(status=EntityClaim.Status.PENDING), claimant=User.DISPLAY_FIELDS
    ).order_by("created_at", "pk")


def represented_entities(user) -> QuerySet[Entity]:
    """The entities whose record names `user` as legal representative (by the fiscal code their
    account proved with SPID/CIE) and that they do not administer yet: they may take it over
    (entities.services.claims.legal_representative_take_over). Rejected registrations: none."""
    if not user.is_authenticated or not user.fiscal_code:
        return Entity.objects.none()
    return (
        Entity.objects.filter(legal_representative_fiscal_code=user.fiscal_code)
        .exclude(status=Entity.Status.REJECTED)
        .exclude(
            pk__in=EntityMembership.objects.current()
            .filter(user=user, role=EntityMembership.Role.ADMIN)
            .values("entity_id")
        )
        .order_by("name")
    )


def claims_of(user) -> QuerySet[EntityClaim]:
    """The user's own claims, newest first (with the entity's tax code and status only: a
    claimant sees nothing of a pending entity beyond the tax code they typed)."""
    return select_related_only(
        EntityClaim.objects.filter(claimant=user), entity=("tax_code", "status", "name")
    ).order_by("-created_at", "-pk")
