"""The rows the API and the open-data files publish, read through the same policies as the pages:
a list holds what the list page shows the user, a detail answers for what the page answers
(404 otherwise). The open-data files are the anonymous visitor's view (`PUBLIC`), whoever
downloads them: an open dataset never carries what only staff may read."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ambito.models import Ambito, Comune
from entities.models import Activity, Entity, TargetGroup
from entities.permissions import entity_policy
from participation.models import Event, EventSession, News
from participation.permissions import event_policy, news_policy
from plans import selectors as plan_selectors
from plans.models import BudgetLine, Intervention, Plan
from plans.permissions import plan_policy
from processes import selectors as process_selectors
from processes.models import (
    Accreditation,
    Application,
    ApplicationStatus,
    Criterion,
    Notice,
    OutcomeDocument,
    Procedure,
)
from processes.permissions import procedure_policy
from tables.models import AgendaItem, Meeting, Minutes, Table
from tables.permissions import can_see_table, meeting_policy, minutes_policy, table_policy

PUBLIC = AnonymousUser()


# --- ambiti and comuni -----------------------------------------------------------------------
def ambiti() -> QuerySet[Ambito]:
    return Ambito.objects.select_related("lead_comune")


def comuni() -> QuerySet[Comune]:
    """The comuni of the portal's ambiti (ISTAT's other ~7,900 are reference data, not ours)."""
    member = Ambito.comuni.through.objects.filter(comune_id=OuterRef("pk"))
    return Comune.objects.filter(Exists(member)).prefetch_related(
        Prefetch("ambiti", queryset=Ambito.objects.only("code", "name"))
    )


# --- entities --------------------------------------------------------------------------------
def entities(user) -> QuerySet[Entity]:
    """Entities whose profile page `user` may open."""
    return (
        entity_policy.visible(user)
        .select_related("seat_comune", "ambito")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("code")),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order", "name")),
            Prefetch("operating_comuni", queryset=Comune.objects.order_by("name")),
        )
    )


def directory(user) -> QuerySet[Entity]:
    """The public directory's entities: verified ones, whoever asks (as the directory page)."""
    return entities(user).filter(status=Entity.Status.VERIFIED)


# --- tables and meetings ---------------------------------------------------------------------
def tables(user) -> QuerySet[Table]:
    return (
        table_policy.visible(user)
        .select_related("ambito", "comune")
        .prefetch_related(Prefetch("themes", queryset=TargetGroup.objects.order_by("order")))
    )


def table_list(user) -> QuerySet[Table]:
    """As the tables list page: public tables not archived (a reserved table is reached from its
    procedure, by those who may see it)."""
    return tables(user).public().filter(archived_at__isnull=True)


def meetings(user) -> QuerySet[Meeting]:
    """Meetings whose page `user` may open, each with `public_minutes` (approved minutes `user`
    may read: the record and its PDF are linked)."""
    approved = minutes_policy.visible(user).filter(
        meeting=OuterRef("pk"), status=Minutes.Status.APPROVED
    )
    return (
        meeting_policy.visible(user)
        .select_related("table", "table__ambito")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order", "pk"))
        )
        .annotate(public_minutes=Exists(approved))
    )


# --- procedures ------------------------------------------------------------------------------
def procedures(user) -> QuerySet[Procedure]:
    """Procedures whose page `user` may open, with what their lists show."""
    return (
        procedure_policy.visible(user)
        .select_related("ambito")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("code")),
            Prefetch(
                "notices",
                queryset=Notice.objects.filter(published_at__isnull=False).order_by("version"),
                to_attr="published_notices",
            ),
            Prefetch("reopenings", to_attr="all_reopenings"),
        )
    )


def procedure_record(procedure: Procedure, user) -> dict:
    """The public record of a procedure, as its page shows it to everyone: the published
    versions of the avviso with their criteria, the reopenings, the results once published
    (admitted and excluded with their scores, never the reasons of an exclusion), the open list
    of an accreditamento, the outcome documents and the agreement with their SHA-256, the
    tables (a reserved one only for who may see it). Applications never appear otherwise."""
    notices = list(
        procedure.notices.filter(published_at__isnull=False)
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")))
        .order_by("version")
    )
    open_list = procedure.is_open_list and procedure.is_public
    tables_shown = list(procedure.tables.order_by("name"))
    reserved = procedure.reserved_table
    if reserved is not None and can_see_table(user, reserved):
        tables_shown.append(reserved)
    agreement = getattr(procedure, "agreement", None)
    return {
        "notices": notices,
        "reopenings": list(procedure.reopenings.order_by("created_at")),
        "results": process_selectors.public_results(procedure),
        "accredited": process_selectors.accreditation_list(procedure) if open_list else [],
        "documents": list(procedure.documents.order_by("created_at", "pk")),
        "agreement": agreement,
        "parties": list(agreement.parties.order_by("name")) if agreement else [],
        "tables": tables_shown,
        "target_groups": list(procedure.target_groups.order_by("order")),
    }


def procedure_detail(user) -> QuerySet[Procedure]:
    return procedures(user).select_related("reserved_table", "agreement")


# --- plans -----------------------------------------------------------------------------------
def plans(user) -> QuerySet[Plan]:
    """Plans whose page `user` may open: in consultation or approved for everyone, drafts for
    the staff of their ambito."""
    return plan_policy.visible(user)


def interventions(user) -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(plan__in=plan_policy.visible(user).values("pk"))
        .select_related("plan", "plan__ambito", "area", "runner_comune", "runner_entity")
        .prefetch_related(
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")),
            Prefetch("comuni", queryset=Comune.objects.order_by("name")),
            "indicators",
            Prefetch(
                "budget_lines",
                queryset=BudgetLine.objects.select_related("source").order_by(
                    "year", "source__order"
                ),
            ),
        )
    )


def fund_map(plan: Plan) -> list[SimpleNamespace]:
    """The plan's Mappafondo as its budget page shows it (plans.selectors.plan_budget): one cell
    per source and year, with what is available and what the interventions take."""
    budget = plan_selectors.plan_budget(plan)
    return [
        SimpleNamespace(source=row.source, year=year, cell=cell)
        for row in budget.rows
        for year, cell in zip(budget.years, row.cells, strict=True)
    ]


# --- events and news -------------------------------------------------------------------------
def events(user) -> QuerySet[Event]:
    return (
        event_policy.visible(user)
        .select_related("ambito")
        .prefetch_related(
            Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at", "title"))
        )
    )


def upcoming(qs: QuerySet, *, past: bool) -> QuerySet:
    """The events list's `passati` filter: those ended (past) or not yet ended."""
    now = timezone.now()
    return qs.filter(ends_at__lt=now) if past else qs.filter(ends_at__gte=now)


def news(user) -> QuerySet[News]:
    return news_policy.visible(user).select_related("ambito")


# --- what the open-data files of an ambito hold (anonymous view) ------------------------------
def results_public(procedures_qs: QuerySet[Procedure]) -> QuerySet[Application]:
    """Admitted and excluded applications of the procedures that published their results (not
    the open lists: accreditations are their own dataset)."""
    from processes.permissions import results_public_q

    return Application.objects.filter(
        results_public_q("procedure__"),
        procedure__in=procedures_qs.exclude(kind=Procedure.Kind.ACCREDITATION).values("pk"),
        status__in=[ApplicationStatus.ADMITTED, ApplicationStatus.NOT_ADMITTED],
    )


def accreditations(procedures_qs: QuerySet[Procedure]) -> QuerySet[Accreditation]:
    return Accreditation.objects.filter(
        procedure__in=procedures_qs.filter(kind=Procedure.Kind.ACCREDITATION)
        .filter(~Q(status__in=("draft", "started")))
        .values("pk")
    )


def outcome_documents(procedures_qs: QuerySet[Procedure]) -> QuerySet[OutcomeDocument]:
    return OutcomeDocument.objects.filter(procedure__in=procedures_qs.values("pk"))
