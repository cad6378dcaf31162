"""Reads used by the plan's pages and exports: a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, Window
from django.urls import reverse

from ambito.models import Ambito
from core.queries import select_related_only
from entities.models import Entity, TargetGroup
from participation.models import Proposal
from plans.models import (
    BudgetLine,
    FundAvailability,
    FundingSource,
    Intervention,
    Need,
    Plan,
    PlanComment,
    Section,
    Service,
)
from processes.models import Procedure
from tables.models import Table, TableMembership

ZERO = Decimal("0.00")


def sources_for(ambito_id: int) -> QuerySet[FundingSource]:
    """Standard sources plus the ambito's own, active ones."""
    return FundingSource.objects.filter(
        Q(ambito__isnull=True) | Q(ambito_id=ambito_id), is_active=True
    ).order_by("order", "name")


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


@dataclass
class Cell:
    available: Decimal = ZERO
    allocated: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.available - self.allocated

    @property
    def over(self) -> bool:
        return self.allocated > self.available

    @property
    def excess(self) -> Decimal:
        return self.allocated - self.available


@dataclass
class SourceRow:
    source: FundingSource
    cells: list[Cell]
    total: Cell


@dataclass
class AreaRow:
    area: TargetGroup
    amounts: list[Decimal]
    total: Decimal
    share: float = 0.0


@dataclass
class Budget:
    """The plan's money, in every view the pages and exports need."""

    years: list[int]
    rows: list[SourceRow]  # per source: available vs allocated per year
    year_totals: list[Cell]
    total: Cell
    areas: list[AreaRow]
    area_year_totals: list[Decimal]
    warnings: list[tuple[FundingSource, int, Cell]] = field(default_factory=list)
    unfunded: list[tuple[FundingSource, int, Cell]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.total.available > 0 or self.total.allocated > 0


@dataclass
class FundMap:
    """Available vs allocated per source and year, with totals (a plan's, or the region's)."""

    years: list[int]
    rows: list[SourceRow]
    year_totals: list[Cell]
    total: Cell
    warnings: list[tuple[FundingSource, int, Cell]]
    unfunded: list[tuple[FundingSource, int, Cell]]


Amounts = dict[tuple[int, int], Decimal]  # (source pk, year) -> amount


def fund_map(years: list[int], available: Amounts, allocated: Amounts) -> FundMap:
    """The Mappafondo's table from the amounts (one query for the sources they name)."""
    used_ids = {s for s, _ in available} | {s for s, _ in allocated}
    sources = list(FundingSource.objects.filter(pk__in=used_ids).order_by("order", "name"))
    rows, warnings, unfunded = [], [], []
    for source in sources:
        cells = [
            Cell(available.get((source.pk, y), ZERO), allocated.get((source.pk, y), ZERO))
            for y in years
        ]
        for year, cell in zip(years, cells, strict=True):
            if cell.over:
                (warnings if cell.available > 0 else unfunded).append((source, year, cell))
        rows.append(
            SourceRow(
                source,
                cells,
                Cell(
                    sum((c.available for c in cells), ZERO), sum((c.allocated for c in cells), ZERO)
                ),
            )
        )
    year_totals = [
        Cell(
            sum((r.cells[i].available for r in rows), ZERO),
            sum((r.cells[i].allocated for r in rows), ZERO),
        )
        for i in range(len(years))
    ]
    total = Cell(
        sum((c.available for c in year_totals), ZERO), sum((c.allocated for c in year_totals), ZERO)
    )
    return FundMap(years, rows, year_totals, total, warnings, unfunded)


@dataclass
class AmbitoFunds:
    ambito: Ambito
    plans: list[Plan]
    total: Cell


def region_funds(plans: QuerySet[Plan]) -> tuple[FundMap, list[AmbitoFunds]]:
    """The Mappafondo of `plans` (the public plans of every ambito) together: by source and year
    across the ambiti, and each ambito's totals (4 queries, whatever the number of ambiti)."""
    plans_list = list(plans.order_by("ambito__name", "start_year", "pk"))
    by_pk = {p.pk: p for p in plans_list}
    available: Amounts = defaultdict(lambda: ZERO)
    allocated: Amounts = defaultdict(lambda: ZERO)
    per_ambito: dict[int, Cell] = defaultdict(Cell)
    for r in (
        FundAvailability.objects.filter(plan_id__in=by_pk)
        .order_by()
        .values("plan_id", "source_id", "year")
        .annotate(amount=Sum("amount"))
    ):
        available[(r["source_id"], r["year"])] += r["amount"]
        per_ambito[by_pk[r["plan_id"]].ambito_id].available += r["amount"]
    for r in (
        BudgetLine.objects.filter(intervention__plan_id__in=by_pk)
        .order_by()
        .values("intervention__plan_id", "source_id", "year")
        .annotate(amount=Sum("amount"))
    ):
        allocated[(r["source_id"], r["year"])] += r["amount"]
        per_ambito[by_pk[r["intervention__plan_id"]].ambito_id].allocated += r["amount"]
    years = sorted({y for _, y in available} | {y for _, y in allocated})
    ambiti: dict[int, AmbitoFunds] = {}
    for plan in plans_list:
        row = ambiti.setdefault(
            plan.ambito_id, AmbitoFunds(plan.ambito, [], per_ambito[plan.ambito_id])
        )
        row.plans.append(plan)
    return fund_map(years, available, allocated), list(ambiti.values())


def plan_budget(plan: Plan) -> Budget:
    """Fund map and allocations per source and year, totals, and the split by area (4 queries)."""
    years = plan.years
    available = {
        (r["source_id"], r["year"]): r["amount"]
        for r in FundAvailability.objects.filter(plan=plan)
        .order_by()
        .values("source_id", "year", "amount")
    }
    allocated = {
        (r["source_id"], r["year"]): r["amount"]
        for r in BudgetLine.objects.filter(intervention__plan=plan)
        .order_by()  # no joins for Meta.ordering
        .values("source_id", "year")
        .annotate(amount=Sum("amount"))
    }
    funds = fund_map(years, available, allocated)

    # Every area with interventions in the plan, with its allocations per year (one query).
    lines = "plan_interventions__budget_lines"
    per_year = {
        f"year_{y}": Sum(f"{lines}__amount", filter=Q(**{f"{lines}__year": y})) for y in years
    }
    areas = []
    for area in (
        TargetGroup.objects.filter(plan_interventions__plan=plan)
        .annotate(**per_year)
        .order_by("order", "name")
    ):
        amounts = [getattr(area, f"year_{y}") or ZERO for y in years]
        areas.append(AreaRow(area, amounts, sum(amounts, ZERO)))
    grand = sum((a.total for a in areas), ZERO)
    for a in areas:
        a.share = float(a.total / grand) if grand else 0.0
    area_year_totals = [sum((a.amounts[i] for a in areas), ZERO) for i in range(len(years))]
    # Every source/year cell with allocations over what is available is a warning (unfunded
    # cells, where nothing was entered in the fund map, included).
    return Budget(
        years,
        funds.rows,
        funds.year_totals,
        funds.total,
        areas,
        area_year_totals,
        funds.warnings + funds.unfunded,
        funds.unfunded,
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
# path, with the number of the others (the PDF lists them all).
PATH_LIMIT = 30


@dataclass
class ParticipationPath:
    tables: list[Table]
    procedures: list[Procedure]
    entities: list[Entity]
    tables_total: int = 0
    procedures_total: int = 0
    entities_total: int = 0

    @property
    def tables_more(self) -> int:
        return self.tables_total - len(self.tables)

    @property
    def procedures_more(self) -> int:
        return self.procedures_total - len(self.procedures)

    @property
    def entities_more(self) -> int:
        return self.entities_total - len(self.entities)


def _first(qs: QuerySet, limit: int | None) -> tuple[list, int]:
    """The first `limit` rows (all when None) and how many there are, in one query (the count is
    a window over the whole result, computed before the LIMIT)."""
    rows = list(qs.annotate(path_total=Window(Count("pk")))[:limit])
    return rows, rows[0].path_total if rows else 0


def participation_path(plan: Plan, *, limit: int | None = None) -> ParticipationPath:
    """The tables, procedures and entities that fed the plan: the interventions' origins, the
    ambito's tables and procedures, their member entities and applicants. Three queries, the
    sets are computed in SQL; `limit` keeps the first rows of each list (by name or date)."""
    from processes.models import Application
    from processes.permissions import results_public_q

    # Every set is a UNION of plain id queries without NULLs, never an OR of conditions:
    # PostgreSQL then estimates it well and reads memberships, applications and entities by
    # index (it scanned them all at the larger scale).
    interventions = plan.interventions.order_by()
    table_ids = (
        Table.objects.filter(ambito_id=plan.ambito_id, archived_at__isnull=True)
        .order_by()
        .values("pk")
        .union(interventions.filter(source_table__isnull=False).values("source_table_id"))
    )
    procedure_ids = (
        Procedure.objects.filter(ambito_id=plan.ambito_id)
        .exclude(status__in=["draft", "cancelled"])
        .order_by()
        .values("pk")
        .union(interventions.filter(source_procedure__isnull=False).values("source_procedure_id"))
    )
    entity_ids = (
        TableMembership.objects.current()
        .filter(table__in=table_ids)
        .order_by()
        .values("entity_id")
        .union(
            # applicants are named once the procedure published its results (before, who
            # applied is confidential: processes.permissions)
            Application.objects.filter(procedure__in=procedure_ids)
            .filter(results_public_q("procedure__"))
            .exclude(status="draft")
            .order_by()
            .values("entity_id"),
            interventions.filter(runner_entity__isnull=False).values("runner_entity_id"),
        )
    )
    # what the page and the PDF show of each: names, a table's description, a procedure's kind
    tables = Table.objects.filter(pk__in=table_ids).only("name", "description")
    procedures = Procedure.objects.filter(pk__in=procedure_ids).only("title", "kind")
    entities = Entity.objects.filter(pk__in=entity_ids)
    table_rows, tables_total = _first(tables.order_by("name", "pk"), limit)
    procedure_rows, procedures_total = _first(procedures.order_by("-created_at", "-pk"), limit)
    entity_rows, entities_total = _first(entities.only("name").order_by("name", "pk"), limit)
    return ParticipationPath(
        table_rows,
        procedure_rows,
        entity_rows,
        tables_total,
        procedures_total,
        entities_total,
    )


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
