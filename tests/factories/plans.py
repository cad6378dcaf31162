from __future__ import annotations

from decimal import Decimal

import factory

from entities.models import TargetGroup
from plans import services
from plans.models import BudgetLine, FundAvailability, FundingSource, Indicator, Intervention, Plan


def make_plan(
    ambito,
    *,
    user=None,
    start_year: int = 2025,
    end_year: int = 2027,
    status: str = Plan.Status.DRAFT,
    **kw,
) -> Plan:
    """A plan with its standard sections, as staff create it."""
    plan = services.plan_create(
        ambito=ambito,
        title=kw.pop("title", "Piano sociale di zona"),
        start_year=start_year,
        end_year=end_year,
        created_by=user,
    )
    if status != Plan.Status.DRAFT or kw:
        Plan.objects.filter(pk=plan.pk).update(status=status, **kw)
        plan.refresh_from_db()
    return plan


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(ambito=None, code=code)


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    title = factory.Sequence(lambda n: f"Intervento {n}")
    code = factory.Sequence(lambda n: f"INT-{n:03d}")
    area = factory.LazyFunction(lambda: TargetGroup.objects.order_by("order").first())
    objective = "Raggiungere 100 persone."
    description = "<p>Descrizione dell'intervento.</p>"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    source = factory.LazyFunction(lambda: source("fnps"))
    year = 2025
    amount = Decimal("1000.00")


class FundAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundAvailability

    source = factory.LazyFunction(lambda: source("fnps"))
    year = 2025
    amount = Decimal("10000.00")


def fill_plan(plan: Plan, n: int, *, amount: Decimal = Decimal("1000.00")) -> list[Intervention]:
    """n interventions spread over the areas, each with an indicator and a line per year."""
    areas = list(TargetGroup.objects.order_by("order"))
    fnps, comuni = source("fnps"), source("comuni")
    items = [
        Intervention(
            plan=plan,
            title=f"Intervento numero {i}",
            code=f"INT-{i:03d}",
            area=areas[i % len(areas)],
            objective=f"Obiettivo {i}",
            description=f"<p>Descrizione dell'intervento {i}, con le attività previste e i risultati attesi.</p>",
            order=i,
        )
        for i in range(1, n + 1)
    ]
    Intervention.objects.bulk_create(items)
    Indicator.objects.bulk_create(
        Indicator(intervention=it, name="Persone raggiunte", unit="persone", target=Decimal(50))
        for it in items
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(intervention=it, source=fnps if i % 2 else comuni, year=y, amount=amount)
        for i, it in enumerate(items)
        for y in plan.years
    )
    return items
