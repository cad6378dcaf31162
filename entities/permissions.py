"""Who may see and change entities (see core.permissions for the pattern)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core import usercache
from core.permissions import Policy
from entities.models import Entity, EntityClaim, EntityMembership


def active_memberships(user) -> QuerySet[EntityMembership]:
    if not getattr(user, "is_authenticated", False):
        return EntityMembership.objects.none()
    return EntityMembership.objects.current().filter(user=user)


@usercache.per_user("entities.active_membership_by_entity", anonymous=dict)
def active_membership_by_entity(user) -> dict[int, EntityMembership]:
    """The user's active memberships by entity id, read once per request (core.usercache): a
    page asks several questions of them."""
    return {m.entity_id: m for m in active_memberships(user)}


def remember_memberships(user, memberships) -> None:
    """The rows of active_memberships(user), read by the caller (with their entities, for a
    page that shows them): the questions asked of them later need no query of their own."""
    if getattr(user, "is_authenticated", False):
        usercache.remember(
            user, active_membership_by_entity.cache_key, {m.entity_id: m for m in memberships}
        )


def forget_memberships(user) -> None:
    """After a change of the user's memberships within the same request or test."""
    usercache.forget(user, active_membership_by_entity.cache_key)


def administered_entity_ids(user) -> set[int]:
    return {
        pk
        for pk, membership in active_membership_by_entity(user).items()
        if membership.role == EntityMembership.Role.ADMIN
    }


def member_entity_ids(user) -> set[int]:
    return set(active_membership_by_entity(user))


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

    def can_see_members(self, user, obj: Entity) -> bool:
        """The people page: the entity's own people and the staff of its ambito."""
        return obj.pk in member_entity_ids(user) or obj.ambito_id in staff_ambito_ids(user)

    def get_for_people(self, user, pk: int, *, manage: bool) -> Entity:
        """The entity whose people `user` reads, or manages (`manage`: its administrators):
        404 if the entity is not visible, 403 if they may not."""
        entity = self.get(user, pk=pk)
        allowed = self.can_change(user, entity) if manage else self.can_see_members(user, entity)
        if not allowed:
            raise PermissionDenied
        return entity


entity_policy = EntityPolicy()


class ClaimPolicy(Policy[EntityClaim]):
    """A claim is seen by its claimant and by the Ufficio di Piano of the entity's ambito (who
    decides it); nobody else learns that it exists, not even the entity's administrators until
    the decision, which they receive by e-mail."""

    model = EntityClaim

    def visible(self, user) -> QuerySet[EntityClaim]:
        if not getattr(user, "is_authenticated", False):
            return EntityClaim.objects.none()
        return EntityClaim.objects.filter(
            Q(claimant=user) | Q(entity__ambito_id__in=managed_ambito_ids(user))
        )

    def can_decide(self, user, obj: EntityClaim) -> bool:
        return entity_policy.can_verify(user, obj.entity)

    def can_withdraw(self, user, obj: EntityClaim) -> bool:
        return getattr(user, "is_authenticated", False) and obj.claimant_id == user.pk


claim_policy = ClaimPolicy()


def chosen_import_ambito(ambiti: list[Ambito], value: str | None) -> Ambito | None:
    """The ambito new imported entities go to: the one named (`value`), which must be among
    `ambiti`, those the importer manages (403 otherwise), or the first when none is named."""
    if not value:
        return ambiti[0] if ambiti else None
    ambito = next((a for a in ambiti if str(a.pk) == value), None)
    if ambito is None:
        raise PermissionDenied
    return ambito
