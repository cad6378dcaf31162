"""The plan's money: the fund map (Mappafondo), the budget by area and source, the region's
funds. A fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from ambito.models import Ambito
from entities.models import TargetGroup
from plans.models import (
    BudgetLine,
    FundAvailability,
    FundingSource,
    Plan,
)

ZERO = Decimal("0.00")


def sources_for(ambito_id: int) -> QuerySet[FundingSource]:
    """Standard sources plus the ambito's own, active ones."""
    return FundingSource.objects.filter(
        Q(ambito__isnull=True) | Q(ambito_id=ambito_id), is_active=True
    ).order_by("order", "name")


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
    rows: list[SourceRow] = []
    warnings: list[tuple[FundingSource, int, Cell]] = []
    unfunded: list[tuple[FundingSource, int, Cell]] = []
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
