"""Who may see and change procedures and applications (see core.permissions for the pattern).

- Procedures: the public sees those whose avviso is out (or that were cancelled); staff of the
  ambito see all of theirs; the Ufficio di Piano changes them.
- Applications are confidential until the procedure publishes its results (the ranking of a
  co-design, the admitted of a co-programming, the list of the accredited): until then an
  application, its budget, partners, documents and receipt are read by the applicant entity's
  people, the procedure's RUP and the members of its commission who declared no conflict of
  interest and are tied to no applicant of it; never by the other staff of the ambito. Once the
  results are public the staff of the ambito read them too; the public reads the results only
  (who was admitted or excluded, with the scores). A draft is its entity's alone. Only the
  entity's administrators edit a draft; the RUP decides on admission.
- Conflicts of interest: a person is tied to the entities whose people they are (administrator
  or delegate) or were in the last TIE_YEARS years (art. 6-bis L. 241/1990; D.P.R. 62/2013
  arts. 6-7 look back three years), and so to every application those entities present, lead
  or join as partners. A tied commissioner never reads or scores those applications.
- The history of a procedure shows each viewer only the events of what that viewer may see at
  that moment, decided per kind of event (ProcedurePolicy.history)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from ambito.permissions import is_ufficio_di_piano, managed_ambito_ids, staff_ambito_ids
from core.models import AuditEvent
from core.permissions import Policy
from entities.models import EntityMembership
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import workflow
from processes.models import (
    Application,
    ApplicationStatus,
    CommissionMember,
    Notice,
    Procedure,
    Report,
)

PRIVATE_STATES = ("draft", "started")
TIE_YEARS = 3


def _authenticated(user) -> bool:
    return getattr(user, "is_authenticated", False)


# --- ties between people and applicants -----------------------------------------------------
def tie_memberships(user_ids) -> QuerySet[EntityMembership]:
    """The memberships that tie these users to entities: current, or ended less than TIE_YEARS
    years ago."""
    since = timezone.now() - timedelta(days=365 * TIE_YEARS)
    return EntityMembership.objects.filter(user_id__in=user_ids).filter(
        EntityMembership.current_q() | Q(ended_at__gte=since)
    )


def tied_to(user, prefix: str = "") -> Q:
    """Applications (or rows reaching them through `prefix`) presented, led or joined as a
    partner by an entity `user` is tied to. Subqueries only: no query of its own."""
    entities = tie_memberships([user.pk]).values("entity_id")
    partnered = Application.partners.through.objects.filter(entity_id__in=entities).values(
        "application_id"
    )
    return (
        Q(**{f"{prefix}entity_id__in": entities})
        | Q(**{f"{prefix}lead_entity_id__in": entities})
        | Q(**{f"{prefix}pk__in": partnered})
    )


def results_public_q(prefix: str = "") -> Q:
    """Procedures (through `prefix`) that published their results: SQL for
    workflow.results_public."""
    q = Q(
        status=workflow.CANCELLED, steps__to_status__in=sorted(set(workflow.RESULTS_STATE.values()))
    )
    for kind in workflow.RESULTS_STATE:
        q |= Q(kind=kind, status__in=workflow.states_with_results(kind))
    return Q(**{f"{prefix}pk__in": Procedure.objects.filter(q).values("pk")})


# --- procedures -----------------------------------------------------------------------------
class ProcedurePolicy(Policy[Procedure]):
    model = Procedure

    def visible(self, user) -> QuerySet[Procedure]:
        q = ~Q(status__in=PRIVATE_STATES)
        if _authenticated(user):
            q |= Q(ambito_id__in=staff_ambito_ids(user))
        return Procedure.objects.filter(q)

    def can_change(self, user, obj: Procedure) -> bool:
        return is_ufficio_di_piano(user, obj.ambito_id)

    def is_staff(self, user, obj: Procedure) -> bool:
        return obj.ambito_id in staff_ambito_ids(user) if _authenticated(user) else False

    def is_rup(self, user, obj: Procedure) -> bool:
        return _authenticated(user) and obj.rup_id == user.pk

    def can_start(self, user) -> bool:
        """Start a procedure: the Ufficio di Piano of some ambito."""
        return bool(managed_ambito_ids(user))

    def can_read_request(self, user, obj: Procedure) -> bool:
        """The entity's request that started the procedure: the staff and the requesting entity."""
        return self.is_staff(user, obj) or obj.requesting_entity_id in member_entity_ids(user)

    def can_open_commission(self, user, obj: Procedure, *, seat) -> bool:
        """The commission's page: the Ufficio di Piano, the staff, and whoever has a `seat` on it
        (the user's CommissionMember, read by the page, or None)."""
        return self.can_change(user, obj) or bool(seat) or self.is_staff(user, obj)

    def sees_all_exclusions(self, user, obj: Procedure, *, sees_evaluation: bool) -> bool:
        """Every commissioner's exclusions for a conflict of interest (they name the applicant):
        the RUP; who sees the evaluation once the results are out."""
        return self.is_rup(user, obj) or (sees_evaluation and workflow.results_public(obj))

    def is_participant(self, user, obj: Procedure) -> bool:
        """Staff, entities that applied, commission members: they may open the history."""
        if not _authenticated(user):
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

    def sees_applications(self, user, obj: Procedure) -> bool:
        """The list of the procedure's applications: the RUP; the staff once results are out."""
        return self.is_rup(user, obj) or (self.is_staff(user, obj) and workflow.results_public(obj))

    def sees_commission(self, user, obj: Procedure) -> bool:
        """Who sits on the commission: the staff of the ambito and the commission itself; every
        participant once the results are out (before, an applicant could approach them)."""
        if not _authenticated(user):
            return False
        if self.is_staff(user, obj) or self.is_rup(user, obj):
            return True
        if obj.commission.filter(user=user).exists():
            return True
        return workflow.results_public(obj) and self.is_participant(user, obj)

    def sees_evaluation(self, user, obj: Procedure) -> bool:
        """The marks and the ranking as they stand: the RUP and the declared commissioners tied
        to no applicant; the staff too once the ranking is published."""
        if self.is_rup(user, obj):
            return True
        if workflow.results_public(obj) and self.is_staff(user, obj):
            return True
        if not declared_member(user, obj):
            return False
        return (
            not obj.applications.exclude(status=ApplicationStatus.DRAFT)
            .filter(tied_to(user))
            .exists()
        )

    def history(self, user, obj: Procedure) -> QuerySet[AuditEvent]:
        """The events of `obj`'s history that `user` may read now, decided per kind of event:
        - the procedure's own facts (start, changes, moves, reopenings, documents, agreement):
          whoever may open the history;
        - the commission (nominations, declarations): whoever sees the commission;
        - a commissioner's exclusion for a conflict of interest (it names the applicant): the
          RUP and the member concerned; whoever sees the commission once the results are out;
        - the avviso: the publication of each version to all; the saves of a draft (a new
          deadline, criteria, weights not yet public) to who may edit the avviso;
        - an application's events: whoever reads that application now; its marks (with the
          commissioner's name) only the RUP and their author until the results are out."""
        if not _authenticated(user):
            return AuditEvent.objects.none()
        content_type = ContentType.objects.get_for_model
        rup = self.is_rup(user, obj)
        public = workflow.results_public(obj)
        sees_commission = self.sees_commission(user, obj)
        actions = PROCEDURE_FACTS | (COMMISSION_EVENTS if sees_commission else set())
        q = Q(content_type=content_type(Procedure), object_id=str(obj.pk), action__in=actions)
        notice_actions = NOTICE_PUBLICATIONS | (
            {"processes.notice.saved"} if self.can_change(user, obj) else set()
        )
        q |= Q(
            content_type=content_type(Notice),
            object_id__in=_keys(obj.notices.all()),
            action__in=notice_actions,
        )
        members = obj.commission.all()
        if not (rup or (public and sees_commission)):
            members = members.filter(user=user)
        q |= Q(
            content_type=content_type(CommissionMember),
            object_id__in=_keys(members),
            action__in=EXCLUSION_EVENTS,
        )
        applications = Q(
            content_type=content_type(Application),
            object_id__in=_keys(application_policy.visible(user).filter(procedure=obj)),
        )
        if not (rup or public):
            applications &= ~Q(action__in=MARKS) | Q(actor_id=user.pk)
        q |= applications
        return AuditEvent.objects.filter(q).select_related("actor")


def _keys(queryset) -> list[str]:
    """AuditEvent.object_id holds keys as text."""
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


PROCEDURE_FACTS = {
    "processes.procedure.created",
    "processes.procedure.updated",
    "processes.procedure.moved",
    "processes.window.reopened",
    "processes.outcome_document.published",
    "processes.project_budget.saved",
    "processes.agreement.saved",
    # the lock of the avviso at the first submission, and the open list's admissions and changes
    # (the list itself is public as it grows)
    "processes.notice.locked",
    "processes.accreditation.granted",
    "processes.accreditation.changed",
}
COMMISSION_EVENTS = {
    "processes.commission_member.added",
    "processes.commission_member.removed",
    "processes.commission_member.conflict_declared",
}
NOTICE_PUBLICATIONS = {"processes.notice.published", "processes.notice.corrected"}
EXCLUSION_EVENTS = {"processes.commission_member.excluded"}
MARKS = {"processes.scores.saved"}


def declared_member(user, procedure: Procedure) -> CommissionMember | None:
    """The user's seat on the procedure's commission, once the declaration is signed; read once
    per procedure object (a page asks both for the seat and whether scores may be seen)."""
    if not _authenticated(user):
        return None
    seats = procedure.__dict__.setdefault("_declared_members", {})
    if user.pk not in seats:
        seats[user.pk] = procedure.commission.filter(user=user, declared_at__isnull=False).first()
    return seats[user.pk]


# --- applications ---------------------------------------------------------------------------
class ApplicationPolicy(Policy[Application]):
    model = Application

    def visible(self, user) -> QuerySet[Application]:
        if not _authenticated(user):
            return Application.objects.none()
        submitted = ~Q(status=ApplicationStatus.DRAFT)
        q = Q(entity_id__in=member_entity_ids(user))
        q |= submitted & Q(procedure__rup=user)
        # Subqueries, not joins: no duplicate rows to remove, and a query the database plans in
        # a fraction of the time (it was most of the cost of opening an application).
        seats = CommissionMember.objects.filter(user=user, declared_at__isnull=False)
        q |= submitted & Q(procedure_id__in=seats.values("procedure_id")) & ~tied_to(user)
        staff = staff_ambito_ids(user)
        if staff:
            q |= submitted & Q(procedure__ambito_id__in=staff) & results_public_q("procedure__")
        return Application.objects.filter(q)

    def can_change(self, user, obj: Application) -> bool:
        return obj.entity_id in administered_entity_ids(user) and obj.status in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.INTEGRATION,
        )

    def is_entity_admin(self, user, obj: Application) -> bool:
        """An administrator of the applicant entity: edits, answers, withdraws."""
        return obj.entity_id in administered_entity_ids(user)

    def can_withdraw(self, user, obj: Application) -> bool:
        """A submitted application, while the window is open, by the entity's administrators."""
        return (
            obj.status == ApplicationStatus.SUBMITTED
            and obj.procedure.accepts_applications
            and self.is_entity_admin(user, obj)
        )

    def can_decide(self, user, obj: Application) -> bool:
        """Admission and soccorso istruttorio: the RUP's."""
        return procedure_policy.is_rup(user, obj.procedure)

    def is_tied(self, user, obj: Application) -> bool:
        return (
            _authenticated(user)
            and Application.objects.filter(pk=obj.pk).filter(tied_to(user)).exists()
        )

    def can_score(self, user, obj: Application) -> bool:
        member = declared_member(user, obj.procedure)
        return bool(member and member.scores_applications) and not self.is_tied(user, obj)

    def sees_scores(self, user, obj: Application) -> bool:
        """For an application `user` reads: the RUP and the untied commission see its marks;
        everyone who reads it once the results are out."""
        procedure = obj.procedure
        if procedure_policy.is_rup(user, procedure) or workflow.results_public(procedure):
            return True
        return bool(declared_member(user, procedure)) and not self.is_tied(user, obj)


class ReportPolicy(Policy[Report]):
    model = Report

    def visible(self, user) -> QuerySet[Report]:
        if not _authenticated(user):
            return Report.objects.none()
        return Report.objects.filter(
            Q(entity_id__in=member_entity_ids(user))
            | Q(agreement__procedure__ambito_id__in=staff_ambito_ids(user))
        )

    def can_change(self, user, obj: Report) -> bool:
        return obj.agreement.procedure.ambito_id in managed_ambito_ids(user)


def hidden_audit_events(user) -> Q:
    """The audit events of applications and commissions that `user` may not read (see
    ProcedurePolicy.history), for the ambito's audit log: the events of an application they do
    not read, its marks unless theirs, the RUP's or public, an exclusion for a conflict of
    interest unless they are the RUP or it concerns them (core.registry)."""
    content_type = ContentType.objects.get_for_model
    as_text = Cast("pk", output_field=CharField())
    readable = application_policy.visible(user).annotate(key=as_text).values("key")
    opened = Procedure.objects.filter(Q(rup=user) | results_public_q())
    marks_readable = (
        Application.objects.filter(procedure__in=opened).annotate(key=as_text).values("key")
    )
    members = (
        CommissionMember.objects.filter(Q(procedure__in=opened) | Q(user=user))
        .annotate(key=as_text)
        .values("key")
    )
    return (
        (Q(content_type=content_type(Application)) & ~Q(object_id__in=readable))
        | (Q(action__in=MARKS) & ~Q(actor_id=user.pk) & ~Q(object_id__in=marks_readable))
        | (
            Q(content_type=content_type(CommissionMember), action__in=EXCLUSION_EVENTS)
            & ~Q(object_id__in=members)
        )
    )


procedure_policy = ProcedurePolicy()
application_policy = ApplicationPolicy()
report_policy = ReportPolicy()
