"""Who may see and change plans (see core.permissions for the pattern).

- Plans in consultation and approved plans are public; drafts are seen by the staff of their
  ambito (Ufficio di Piano and comune staff).
- Only the Ufficio di Piano of the ambito changes a plan (comune staff read it: 403 on writes).
- During consultation, members of the ambito's tables (delegates and substitutes of an active
  membership) and staff of the ambito may comment.
- Needs and services are recorded by staff of the ambito and, on a plan in consultation or
  approved, by people of its entities (the forms offer only the tables and procedures they see)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core.permissions import Policy
from entities.permissions import member_entity_ids
from plans.models import Plan
from tables.models import TableMembership


class PlanPolicy(Policy[Plan]):
    model = Plan

    def visible(self, user) -> QuerySet[Plan]:
        q = Q(status__in=[Plan.Status.CONSULTATION, Plan.Status.APPROVED])
        if getattr(user, "is_authenticated", False):
            q |= Q(ambito_id__in=staff_ambito_ids(user))
        return Plan.objects.filter(q).select_related("ambito", "ambito__lead_comune")

    def can_change(self, user, obj: Plan) -> bool:
        return obj.ambito_id in managed_ambito_ids(user)

    def can_create_in(self, user) -> bool:
        return bool(managed_ambito_ids(user))

    def can_comment(self, user, obj: Plan) -> bool:
        if obj.status != Plan.Status.CONSULTATION or not getattr(user, "is_authenticated", False):
            return False
        if obj.ambito_id in staff_ambito_ids(user):
            return True
        return is_table_member(user, obj.ambito_id)

    def can_map(self, user, obj: Plan) -> bool:
        """May record needs and services for the plan's ambito: its staff, and the people of its
        entities once the plan is public (a draft is the staff's alone)."""
        if not getattr(user, "is_authenticated", False):
            return False
        if obj.ambito_id in staff_ambito_ids(user):
            return True
        return obj.status != Plan.Status.DRAFT and bool(mapping_entity_ids(user, obj.ambito_id))

    def is_staff(self, user, obj: Plan) -> bool:
        """Staff of the plan's ambito (Ufficio di Piano and comune staff)."""
        return obj.ambito_id in staff_ambito_ids(user)

    def get_for_staff(self, user, pk: int) -> Plan:
        """A plan the staff of its ambito work on (its PDF export): 404 if not visible, 403 for
        anyone else."""
        plan = self.get(user, pk=pk)
        if not self.is_staff(user, plan):
            raise PermissionDenied
        return plan

    def get_versioned(self, user, pk: int) -> Plan:
        """A plan for its approved versions, which stay public while a revision is drafted."""
        queryset = self.visible(user) | Plan.objects.filter(version__gt=0)
        return self.get(user, pk=pk, queryset=queryset)

    def get_for_mapping(self, user, pk: int) -> Plan:
        """A plan whose needs and services `user` records (can_map): a draft is seen by the
        ambito's staff only, to anyone else its mapping forms are a 404; 403 if they may not."""
        plan = self.get(user, pk=pk)
        if not self.can_map(user, plan):
            raise PermissionDenied
        return plan

    def get_for_comment(self, user, pk: int) -> Plan:
        """A plan `user` may comment on (can_comment): 404 if not visible, 403 otherwise."""
        plan = self.get(user, pk=pk)
        if not self.can_comment(user, plan):
            raise PermissionDenied
        return plan


def is_table_member(user, ambito_id: int) -> bool:
    return TableMembership.objects.current(user).filter(table__ambito_id=ambito_id).exists()


def mapping_entity_ids(user, ambito_id: int) -> list[int]:
    """Entities of `ambito_id` the user acts for (they may record needs and services)."""
    from entities.models import Entity

    ids = member_entity_ids(user)
    if not ids:
        return []
    return list(Entity.objects.filter(pk__in=ids, ambito_id=ambito_id).values_list("pk", flat=True))


def mapping_entity_id(user, plan: Plan) -> int | None:
    """The entity a need or service recorded by `user` is reported by: none for the ambito's
    staff, else the first of the ambito's entities they act for."""
    if plan_policy.is_staff(user, plan):
        return None
    entity_ids = mapping_entity_ids(user, plan.ambito_id)
    return entity_ids[0] if entity_ids else None


plan_policy = PlanPolicy()
