"""Who may see and change procedures and applications (see core.permissions for the pattern).

- Procedures: the public sees those whose avviso is out (or that were cancelled); staff of the
  ambito see all of theirs; the Ufficio di Piano changes them.
- Applications: an entity's people see their own; staff of the ambito see all; commission
  members see the submitted ones of their procedure once they have declared no conflict of
  interest; only the entity's administrators edit a draft."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ambito.permissions import is_ufficio_di_piano, managed_ambito_ids, staff_ambito_ids
from core.permissions import Policy
from entities.permissions import administered_entity_ids, member_entity_ids
from processes.models import Application, ApplicationStatus, CommissionMember, Procedure, Report

PRIVATE_STATES = ("draft", "started")


class ProcedurePolicy(Policy[Procedure]):
    model = Procedure

    def visible(self, user) -> QuerySet[Procedure]:
        q = ~Q(status__in=PRIVATE_STATES)
        if getattr(user, "is_authenticated", False):
            q |= Q(ambito_id__in=staff_ambito_ids(user))
        return Procedure.objects.filter(q)

    def can_change(self, user, obj: Procedure) -> bool:
        return is_ufficio_di_piano(user, obj.ambito_id)

    def is_staff(self, user, obj: Procedure) -> bool:
        return (
            obj.ambito_id in staff_ambito_ids(user)
            if getattr(user, "is_authenticated", False)
            else False
        )

    def is_participant(self, user, obj: Procedure) -> bool:
        """Staff, entities that applied, commission members: they see the full audit trail."""
        if not getattr(user, "is_authenticated", False):
            return False
        if self.is_staff(user, obj):
            return True
        if (
            obj.applications.filter(entity_id__in=member_entity_ids(user))
            .exclude(status=ApplicationStatus.DRAFT)
            .exists()
        ):
            return True
        return obj.commission.filter(user=user).exists()


def declared_member(user, procedure: Procedure) -> CommissionMember | None:
    """The user's seat on the procedure's commission, once the declaration is signed; read once
    per procedure object (a page asks both for the seat and whether scores may be seen)."""
    if not getattr(user, "is_authenticated", False):
        return None
    seats = procedure.__dict__.setdefault("_declared_members", {})
    if user.pk not in seats:
        seats[user.pk] = procedure.commission.filter(user=user, declared_at__isnull=False).first()
    return seats[user.pk]


class ApplicationPolicy(Policy[Application]):
    model = Application

    def visible(self, user) -> QuerySet[Application]:
        if not getattr(user, "is_authenticated", False):
            return Application.objects.none()
        q = Q(entity_id__in=member_entity_ids(user)) | Q(
            procedure__ambito_id__in=staff_ambito_ids(user)
        )
        # A subquery, not a join: no duplicate rows to remove, and a query the database plans in
        # a fraction of the time (it was most of the cost of opening an application).
        commissions = CommissionMember.objects.filter(user=user, declared_at__isnull=False)
        q |= Q(procedure_id__in=commissions.values("procedure_id")) & ~Q(
            status=ApplicationStatus.DRAFT
        )
        return Application.objects.filter(q)

    def can_change(self, user, obj: Application) -> bool:
        return obj.entity_id in administered_entity_ids(user) and obj.status in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.INTEGRATION,
        )

    def can_decide(self, user, obj: Application) -> bool:
        return obj.procedure.ambito_id in managed_ambito_ids(user)

    def sees_scores(self, user, obj: Application) -> bool:
        """Staff and commission see scores; the entity sees its own once the ranking is out."""
        from processes import workflow

        if obj.procedure.ambito_id in staff_ambito_ids(user) or declared_member(
            user, obj.procedure
        ):
            return True
        return obj.entity_id in member_entity_ids(user) and workflow.has_reached(
            obj.procedure, workflow.RANKING_PUBLISHED
        )


class ReportPolicy(Policy[Report]):
    model = Report

    def visible(self, user) -> QuerySet[Report]:
        if not getattr(user, "is_authenticated", False):
            return Report.objects.none()
        return Report.objects.filter(
            Q(entity_id__in=member_entity_ids(user))
            | Q(agreement__procedure__ambito_id__in=staff_ambito_ids(user))
        )

    def can_change(self, user, obj: Report) -> bool:
        return obj.agreement.procedure.ambito_id in managed_ambito_ids(user)


procedure_policy = ProcedurePolicy()
application_policy = ApplicationPolicy()
report_policy = ReportPolicy()
