"""The plan's content: sections, interventions with their totals, the needs and services
mapping, comments. A fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.urls import reverse

from core.queries import select_related_only
from entities.models import TargetGroup
from participation.models import Proposal
from plans.models import (
    BudgetLine,
    Intervention,
    Need,
    Plan,
    PlanComment,
    Section,
    Service,
)
from plans.selectors.budget import ZERO
from processes.models import Procedure
from tables.models import Table


def sections_of(plan: Plan) -> list[Section]:
    return list(plan.sections.order_by("order", "pk"))


def interventions_of(plan: Plan) -> QuerySet[Intervention]:
    return (
        plan.interventions.select_related(
            "area",
            "runner_comune",
            "runner_entity",
            "source_table",
            "source_procedure",
            "source_proposal",
        )
        .prefetch_related(
            "target_groups",
            "comuni",
            "indicators",
            Prefetch(
                "budget_lines",
                queryset=BudgetLine.objects.select_related("source").order_by(
                    "year", "source__order"
                ),
            ),
        )
        .order_by("area__order", "order", "pk")
    )


def interventions_summary(plan: Plan) -> QuerySet[Intervention]:
    """For lists: each intervention with its total budget, one query that reads only the fields
    the lists show (an entity's or a comune's whole row is not needed for its name)."""
    return (
        plan.interventions.select_related("area", "runner_comune", "runner_entity")
        .only(
            *("plan", "code", "title", "objective", "order", "runner", "area"),
            *("area__name", "area__order", "runner_comune__name", "runner_entity__name"),
        )
        .annotate(total=Sum("budget_lines__amount"))
        .order_by("area__order", "order", "pk")
    )


def with_urls(plan: Plan, interventions) -> list[Intervention]:
    """The interventions as a list, each with its page's `url`: one reverse() for the list
    instead of one per row (the URLs differ only in the intervention's pk, at the end)."""
    sample = reverse("plans:intervention", kwargs={"pk": plan.pk, "intervention_pk": 0})
    head = sample.removesuffix("0/")
    items = list(interventions)
    for item in items:
        item.url = f"{head}{item.pk}/"
    return items


def interventions_with_totals(plan: Plan, *, detailed: bool = False) -> list[Intervention]:
    """For the budget tables: each intervention (with its area and `url`) and its allocations
    per year of the plan (`year_totals`) and in all (`total`), summed in SQL (one query).
    `detailed` adds who runs it, its target groups and comuni (the export: two more queries)."""
    years = plan.years
    sums = {f"year_{y}": Sum("budget_lines__amount", filter=Q(budget_lines__year=y)) for y in years}
    queryset = plan.interventions.select_related("area")
    if detailed:
        queryset = queryset.select_related("runner_comune", "runner_entity").prefetch_related(
            "target_groups", "comuni"
        )
    items = with_urls(plan, queryset.annotate(**sums).order_by("area__order", "order", "pk"))
    for item in items:
        item.year_totals = [getattr(item, f"year_{y}") or ZERO for y in years]
        item.total = sum(item.year_totals, ZERO)
    return items


def intervention_year_totals(intervention: Intervention, years: list[int]) -> list[Decimal]:
    """Per-year totals of an intervention whose budget_lines are prefetched."""
    per_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in intervention.budget_lines.all():
        per_year[line.year] += line.amount
    return [per_year[y] for y in years]


def needs_by_area(ambito_id: int) -> list[tuple[TargetGroup, list[Need], list[Service]]]:
    """Needs and active services of the ambito grouped by area (3 queries + 2 prefetches)."""
    # of the joined rows, only the names the page and the PDF show
    needs = list(
        select_related_only(
            Need.objects.filter(ambito_id=ambito_id),
            area=("name", "order"),
            source_table=("name",),
            source_procedure=("title",),
        ).prefetch_related("comuni")
    )
    services = list(
        select_related_only(
            Service.objects.filter(ambito_id=ambito_id), area=("name", "order")
        ).prefetch_related("comuni")
    )
    groups: dict[int, tuple[TargetGroup, list[Need], list[Service]]] = {}
    for n in needs:
        groups.setdefault(n.area_id, (n.area, [], []))[1].append(n)
    for s in services:
        groups.setdefault(s.area_id, (s.area, [], []))[2].append(s)
    return sorted(groups.values(), key=lambda g: (g[0].order, g[0].name))


# The plan page lists at most this many tables, procedures and entities of its participation


def comments_of(plan: Plan) -> QuerySet[PlanComment]:
    return plan.comments.select_related("author", "section").order_by("created_at", "pk")


def interventions_from(
    *,
    table: Table | None = None,
    procedure: Procedure | None = None,
    proposal: Proposal | None = None,
    plans: QuerySet[Plan],
) -> list[Intervention]:
    """Interventions of the visible plans that come from a table, a procedure or a proposal."""
    qs = select_related_only(
        Intervention.objects.filter(plan__in=plans),
        plan=("title", "start_year", "end_year"),
        area=("name",),
    )
    if table is not None:
        qs = qs.filter(source_table=table)
    elif procedure is not None:
        qs = qs.filter(source_procedure=procedure)
    else:
        qs = qs.filter(source_proposal=proposal)
    return list(qs.order_by("-plan__start_year", "order", "pk")[:50])
