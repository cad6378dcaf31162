"""Benchmark data, layer 6: one Piano di Zona per ambito, 150 interventions each (with budget
lines from the national funding sources over the plan's 3 years) and its funds.

ctx keys added:
- "plans": list[Plan] (parallel to ctx["ambiti"]); ctx["plans"][0] is the personas' ambito's.
Also `pdf_documents()`: the benchmark renders the real plan PDF (pdf/plans_plan.html) of the
personas' plan instead of the stand-in (bench/pdfs.py).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ambito.bench import BATCH
from entities.models import TargetGroup
from plans.models import BudgetLine, FundAvailability, FundingSource, Intervention, Plan, Section
from plans.reference import STANDARD_SECTIONS

INTERVENTIONS_PER_PLAN = 150
START_YEAR = 2025
YEARS = (2025, 2026, 2027)
TEXT = (
    "Rafforzare la rete dei servizi di prossimità, con la co-progettazione degli enti del Terzo "
    "settore e dei comuni dell'ambito, per raggiungere le persone più fragili. "
)


def seed(ctx: dict, scale: float) -> None:
    ambiti, personas = ctx["ambiti"], ctx["personas"]
    comuni_by_ambito = ctx["comuni_by_ambito"]
    areas = list(TargetGroup.objects.order_by("order", "pk"))
    sources = list(FundingSource.objects.filter(ambito__isnull=True).order_by("order", "pk")[:3])
    if not areas:
        return
    plans = Plan.objects.bulk_create(
        [
            Plan(
                ambito=ambito,
                title="Piano di Zona",
                start_year=YEARS[0],
                end_year=YEARS[-1],
                # In public consultation: every role sees it, as citizens will.
                status=Plan.Status.CONSULTATION,
                consultation_until=timezone.localdate() + timedelta(days=30),
                created_by=personas["coordinator"],
            )
            for ambito in ambiti
        ],
        batch_size=BATCH,
    )
    Section.objects.bulk_create(
        [
            Section(plan=plan, kind=kind, title=title, guidance=guidance, body=TEXT * 6, order=i)
            for plan in plans
            for i, (kind, title, guidance) in enumerate(STANDARD_SECTIONS)
        ],
        batch_size=BATCH,
    )
    FundAvailability.objects.bulk_create(
        [
            FundAvailability(plan=plan, source=source, year=year, amount=Decimal("2500000"))
            for plan in plans
            for source in sources
            for year in YEARS
        ],
        batch_size=BATCH,
    )
    interventions = Intervention.objects.bulk_create(
        [
            Intervention(
                plan=plan,
                code=f"INT-{k + 1:03d}",
                title=f"Intervento {k + 1}: servizio di prossimità",
                area=areas[k % len(areas)],
                objective=TEXT,
                description=TEXT * 2,
                order=k,
            )
            for plan in plans
            for k in range(INTERVENTIONS_PER_PLAN)
        ],
        batch_size=BATCH,
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                intervention=item,
                source=sources[k % len(sources)],
                year=year,
                amount=Decimal(10_000 + (k % 40) * 500),
            )
            for k, item in enumerate(interventions)
            for year in YEARS
        ]
        if sources
        else [],
        batch_size=BATCH,
    )
    Comuni = Intervention.comuni.through
    per_plan = {plan.pk: comuni_by_ambito[a] for a, plan in enumerate(plans)}
    Comuni.objects.bulk_create(
        [
            Comuni(intervention_id=item.pk, comune_id=per_plan[item.plan_id][j].pk)
            for item in interventions
            for j in range(2)
        ],
        batch_size=5 * BATCH,
    )
    ctx["plans"] = plans


def pdf_documents() -> dict:
    def plan():
        from plans.exports import PDF_TEMPLATE, pdf_context

        item = Plan.objects.select_related("ambito").get(ambito__code="bench-ats-0000")
        return PDF_TEMPLATE, pdf_context(item)

    return {"plan": plan}
