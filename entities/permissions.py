"""Who may see and change entities (see core.permissions for the pattern)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core.permissions import Policy
from entities.models import Entity, EntityMembership


def active_memberships(user) -> QuerySet[EntityMembership]:
    if not getattr(user, "is_authenticated", False):
        return EntityMembership.objects.none()
    return EntityMembership.objects.filter(user=user, ended_at__isnull=True)


def administered_entity_ids(user) -> set[int]:
    return set(
        active_memberships(user)
        .filter(role=EntityMembership.Role.ADMIN)
        .values_list("entity_id", flat=True)
    )


def member_entity_ids(user) -> set[int]:
    return set(active_memberships(user).values_list("entity_id", flat=True))


class EntityPolicy(Policy[Entity]):
    """Verified entities are public. Pending, rejected and suspended ones are seen by their own
    people and by the staff of their ambito. Only the entity's administrators change its data;
    the Ufficio di Piano of its ambito changes its status (see can_verify)."""

    model = Entity

    def visible(self, user) -> QuerySet[Entity]:
        q = Q(status=Entity.Status.VERIFIED)
        if getattr(user, "is_authenticated", False):
            q |= Q(pk__in=member_entity_ids(user)) | Q(ambito_id__in=staff_ambito_ids(user))
        return Entity.objects.filter(q)

    def can_change(self, user, obj: Entity) -> bool:
        return obj.pk in administered_entity_ids(user)

    def can_verify(self, user, obj: Entity) -> bool:
        return obj.ambito_id in managed_ambito_ids(user)


entity_policy = EntityPolicy()
