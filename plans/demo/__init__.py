"""Demo: the ATS 6 Piano di Zona 2025-2027, in consultation, with its fund map, about twenty
interventions from the demo tables (and the processes demo's procedures, when present), and a
mapping of needs and services.

Adds to ctx: "plan" (the Plan)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from entities.models import Entity, TargetGroup
from plans.demo.data import (
    FUNDS,
    INTERVENTIONS,
    NEEDS,
    RUNNERS,
    SECOND_FUNDS,
    SECOND_INTERVENTIONS,
    SERVICES,
)
from plans.models import (
    BudgetLine,
    FundAvailability,
    FundingSource,
    Indicator,
    Intervention,
    Need,
    Plan,
    Section,
    Service,
)
from plans.reference import STANDARD_SECTIONS
from processes.models import Procedure


def seed(ctx: dict) -> None:
    _second_ambito(ctx)
    ambito, coordinator = ctx["ambito"], ctx["coordinator"]
    plan, created = Plan.objects.get_or_create(
        ambito=ambito,
        start_year=2025,
        end_year=2027,
        defaults={
            "title": "Piano sociale di zona",
            "status": Plan.Status.CONSULTATION,
            "created_by": coordinator,
        },
    )
    ctx["plan"] = plan
    if not created:
        return
    bodies = {
        "Analisi del contesto e dei bisogni": "<p>L'ATS 6 conta circa 100.000 abitanti in nove comuni, con Fano come ente capofila. "
        "L'indice di vecchiaia cresce nei comuni dell'entroterra; aumentano le famiglie con lavoro povero.</p>",
        "Obiettivi strategici e priorità": "<ul><li>Rafforzare il servizio sociale professionale e i punti di accesso.</li>"
        "<li>Sostenere la domiciliarità e i caregiver.</li><li>Contrastare la povertà con progetti personalizzati.</li></ul>",
        "Collaborazione con il Terzo settore e la comunità": "<p>Il piano nasce dai quattro tavoli tematici dell'ambito "
        "(Inclusione, Salute mentale, Non autosufficienza, Famiglia), secondo l'art. 55 del Codice del Terzo settore.</p>",
    }
    Section.objects.bulk_create(
        Section(
            plan=plan,
            kind=kind,
            title=title,
            guidance=guidance,
            body=bodies.get(title, ""),
            order=(i + 1) * 10,
        )
        for i, (kind, title, guidance) in enumerate(STANDARD_SECTIONS)
    )
    sources = {s.code: s for s in FundingSource.objects.filter(ambito=None)}
    FundAvailability.objects.bulk_create(
        FundAvailability(
            plan=plan,
            source=sources[code],
            year=year,
            amount=Decimal(amount) * (1 + Decimal("0.02") * (year - 2025)),
        )
        for code, amount in FUNDS.items()
        for year in plan.years
    )
    areas = {a.code: a for a in TargetGroup.objects.all()}
    tables = ctx.get("tables", {})
    procedures = list(Procedure.objects.filter(ambito=ambito).order_by("pk"))
    lead = ambito.lead_comune
    runners = {e.name: e for e in Entity.objects.filter(ambito=ambito, name__in=RUNNERS.values())}
    for n, (code, title, area, table, runner, objective, lines) in enumerate(
        INTERVENTIONS, start=1
    ):
        entity = runners.get(RUNNERS.get(code, ""), ctx.get("entity"))
        if runner == "entity" and entity is None:
            runner = "ambito"
        item = Intervention.objects.create(
            plan=plan,
            code=code,
            title=title,
            area=areas[area],
            objective=objective,
            order=n,
            description=f"<p>{objective} L'intervento è stato proposto e discusso nel tavolo tematico.</p>",
            runner=runner,
            runner_comune=lead if runner == "comune" else None,
            runner_entity=entity if runner == "entity" else None,
            source_table=tables.get(table),
            source_procedure=procedures[n % len(procedures)] if procedures and n % 4 == 0 else None,
        )
        item.target_groups.add(areas[area])
        Indicator.objects.create(
            intervention=item, name="Persone raggiunte", unit="persone", target=Decimal(20 + n * 5)
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(intervention=item, source=sources[src], year=year, amount=Decimal(amount))
            for src, amount in lines
            for year in plan.years
        )
    for title, area, target, table in NEEDS:
        need = Need.objects.create(
            ambito=ambito,
            title=title,
            area=areas[area],
            target=target,
            source_table=tables.get(table),
            recorded_by=coordinator,
        )
        need.comuni.add(lead)
    for name, area, target, run_by, place in SERVICES:
        Service.objects.create(
            ambito=ambito,
            name=name,
            area=areas[area],
            target=target,
            run_by=run_by,
            place=place,
            recorded_by=coordinator,
        )


# ATS 1 Pesaro's plan: its fund map, and two interventions (yearly amounts).


def _second_ambito(ctx: dict) -> None:
    """ATS 1 Pesaro's Piano di Zona 2025-2027, in consultation, so that the regional Mappafondo adds two
    ambiti up."""
    ambito, coordinator = ctx.get("second_ambito"), ctx.get("second_coordinator")
    if ambito is None:
        return
    plan, created = Plan.objects.get_or_create(
        ambito=ambito,
        start_year=2025,
        end_year=2027,
        defaults={
            "title": "Piano sociale di zona",
            "status": Plan.Status.CONSULTATION,
            "consultation_until": timezone.localdate() + timedelta(days=30),
            "created_by": coordinator,
        },
    )
    if not created:
        return
    Section.objects.bulk_create(
        Section(plan=plan, kind=kind, title=title, guidance=guidance, order=(i + 1) * 10)
        for i, (kind, title, guidance) in enumerate(STANDARD_SECTIONS)
    )
    sources = {s.code: s for s in FundingSource.objects.filter(ambito=None)}
    FundAvailability.objects.bulk_create(
        FundAvailability(plan=plan, source=sources[code], year=year, amount=Decimal(amount))
        for code, amount in SECOND_FUNDS.items()
        for year in plan.years
    )
    areas = {a.code: a for a in TargetGroup.objects.all()}
    for n, (code, title, area, lines) in enumerate(SECOND_INTERVENTIONS, start=1):
        item = Intervention.objects.create(
            plan=plan,
            code=code,
            title=title,
            area=areas[area],
            objective=f"{title}: in tutti i sette comuni dell'ambito.",
            order=n,
            runner=Intervention.Runner.AMBITO,
            source_table=ctx.get("second_table"),
        )
        item.target_groups.add(areas[area])
        BudgetLine.objects.bulk_create(
            BudgetLine(intervention=item, source=sources[src], year=year, amount=Decimal(amount))
            for src, amount in lines
            for year in plan.years
        )
