"""Demo: the ATS 6 Piano di Zona 2025-2027, in consultation, with its fund map, about twenty
interventions from the demo tables (and the processes demo's procedures, when present), and a
mapping of needs and services.

Adds to ctx: "plan" (the Plan)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from entities.models import TargetGroup
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

FUNDS = {  # source code -> yearly amount (same each year, with a small growth)
    "fnps": 820_000,
    "poverta-servizi": 610_000,
    "poverta-estrema": 45_000,
    "fna": 940_000,
    "pn-inclusione": 180_000,
    "dopo-di-noi": 95_000,
    "fondo-famiglia": 60_000,
    "regionale": 400_000,
    "comuni": 1_250_000,
    "asl": 300_000,
    "terzo-settore": 70_000,
}

# (code, title, area code, table slug, runner, objective, [(source, yearly amount)])
INTERVENTIONS = [
    (
        "INC-01",
        "Servizio sociale professionale di ambito",
        "poverta",
        "inclusione",
        "ambito",
        "Garantire in ogni comune un assistente sociale ogni 5.000 abitanti.",
        [("fnps", 210_000), ("poverta-servizi", 90_000)],
    ),
    (
        "INC-02",
        "Punti unici di accesso e segretariato sociale",
        "multiutenza",
        "inclusione",
        "ambito",
        "Un punto di accesso in ogni comune, aperto almeno due giorni a settimana.",
        [("fnps", 120_000), ("comuni", 60_000)],
    ),
    (
        "INC-03",
        "Progetti personalizzati per i beneficiari dell'Assegno di inclusione",
        "poverta",
        "inclusione",
        "ambito",
        "Prendere in carico tutti i nuclei beneficiari con un progetto personalizzato.",
        [("poverta-servizi", 320_000)],
    ),
    (
        "INC-04",
        "Tirocini di inclusione sociale",
        "poverta",
        "inclusione",
        "entity",
        "Attivare 60 tirocini l'anno con le imprese del territorio.",
        [("poverta-servizi", 150_000), ("pn-inclusione", 60_000)],
    ),
    (
        "INC-05",
        "Pronto intervento sociale e povertà estrema",
        "poverta",
        "inclusione",
        "entity",
        "Un servizio di pronto intervento attivo 24 ore su 24.",
        [("poverta-estrema", 45_000), ("comuni", 30_000)],
    ),
    (
        "INC-06",
        "Emporio solidale di Fano",
        "poverta",
        "inclusione",
        "entity",
        "Sostenere 300 famiglie con la spesa solidale e l'accompagnamento.",
        [("terzo-settore", 40_000), ("comuni", 25_000)],
    ),
    (
        "INC-07",
        "Housing first e accoglienza abitativa",
        "poverta",
        "inclusione",
        "ambito",
        "Dieci alloggi per persone senza dimora con accompagnamento.",
        [("pn-inclusione", 120_000)],
    ),
    (
        "SM-01",
        "Inserimento lavorativo di persone con disagio psichico",
        "multiutenza",
        "salute-mentale",
        "entity",
        "Borse lavoro e tutoraggio per 30 persone in carico al DSM.",
        [("asl", 110_000), ("regionale", 60_000)],
    ),
    (
        "SM-02",
        "Gruppi di auto-mutuo aiuto per familiari",
        "multiutenza",
        "salute-mentale",
        "entity",
        "Quattro gruppi attivi nei comuni dell'ambito.",
        [("terzo-settore", 15_000), ("asl", 20_000)],
    ),
    (
        "SM-03",
        "Abitare supportato per la salute mentale",
        "multiutenza",
        "salute-mentale",
        "ambito",
        "Due appartamenti di abitare supportato con l'ASL.",
        [("asl", 140_000), ("regionale", 50_000)],
    ),
    (
        "NA-01",
        "Assistenza domiciliare per anziani non autosufficienti",
        "anziani",
        "non-autosufficienza",
        "ambito",
        "Raggiungere 400 anziani con l'assistenza domiciliare.",
        [("fna", 520_000), ("comuni", 380_000)],
    ),
    (
        "NA-02",
        "Assegni di cura e sostegno ai caregiver familiari",
        "anziani",
        "non-autosufficienza",
        "ambito",
        "Sostenere i caregiver con contributi e sollievo.",
        [("fna", 300_000), ("regionale", 120_000)],
    ),
    (
        "NA-03",
        "Centri diurni Alzheimer",
        "anziani",
        "non-autosufficienza",
        "entity",
        "Due centri diurni con 40 posti complessivi.",
        [("fna", 120_000), ("asl", 30_000), ("comuni", 80_000)],
    ),
    (
        "NA-04",
        "Progetti di vita indipendente",
        "disabili",
        "non-autosufficienza",
        "ambito",
        "Venti progetti di vita indipendente per persone con disabilità.",
        [("regionale", 90_000), ("fnps", 40_000)],
    ),
    (
        "NA-05",
        "Dopo di noi: percorsi di autonomia abitativa",
        "disabili",
        "non-autosufficienza",
        "entity",
        "Tre gruppi appartamento per l'autonomia di persone con disabilità grave.",
        [("dopo-di-noi", 95_000)],
    ),
    (
        "NA-06",
        "Trasporto sociale",
        "disabili",
        "non-autosufficienza",
        "comune",
        "Garantire il trasporto verso servizi sanitari e centri diurni.",
        [("comuni", 140_000)],
    ),
    (
        "FAM-01",
        "Centro per le famiglie di ambito",
        "famiglia-minori",
        "famiglia",
        "ambito",
        "Sostegno alla genitorialità, mediazione familiare, consulenza.",
        [("fondo-famiglia", 60_000), ("fnps", 80_000)],
    ),
    (
        "FAM-02",
        "Educativa domiciliare per minori",
        "famiglia-minori",
        "famiglia",
        "entity",
        "Interventi educativi per 80 minori e le loro famiglie.",
        [("fnps", 230_000), ("comuni", 150_000)],
    ),
    (
        "FAM-03",
        "Affido familiare e reti di famiglie solidali",
        "famiglia-minori",
        "famiglia",
        "ambito",
        "Promuovere l'affido e sostenere 30 famiglie affidatarie.",
        [("fnps", 90_000), ("comuni", 60_000)],
    ),
    (
        "FAM-04",
        "Centri di aggregazione giovanile",
        "famiglia-minori",
        "famiglia",
        "comune",
        "Cinque centri di aggregazione aperti nei comuni dell'ambito.",
        [("comuni", 180_000), ("regionale", 40_000)],
    ),
]

NEEDS = [
    (
        "Solitudine degli anziani che vivono soli nei comuni dell'entroterra",
        "anziani",
        "over 75 soli",
        "non-autosufficienza",
    ),
    (
        "Caregiver familiari senza momenti di sollievo",
        "anziani",
        "famiglie con un anziano non autosufficiente",
        "non-autosufficienza",
    ),
    ("Nuove povertà e lavoro povero", "poverta", "famiglie con lavoro discontinuo", "inclusione"),
    (
        "Difficoltà abitative per le persone senza dimora",
        "poverta",
        "adulti senza dimora",
        "inclusione",
    ),
    (
        "Disagio psicologico degli adolescenti dopo la pandemia",
        "famiglia-minori",
        "ragazzi 12-18 anni",
        "famiglia",
    ),
    (
        "Isolamento delle famiglie di persone con disagio psichico",
        "multiutenza",
        "familiari di utenti del DSM",
        "salute-mentale",
    ),
]

SERVICES = [
    (
        "Centro di ascolto Caritas",
        "poverta",
        "persone e famiglie in difficoltà",
        "Caritas diocesana",
        "Fano, via Roma",
    ),
    (
        "Servizio di assistenza domiciliare (SAD)",
        "anziani",
        "anziani non autosufficienti",
        "Ambito (in appalto a cooperativa)",
        "",
    ),
    (
        "Centro diurno per persone con disabilità",
        "disabili",
        "adulti con disabilità",
        "Cooperativa sociale",
        "Mondolfo",
    ),
    (
        "Consultorio familiare",
        "famiglia-minori",
        "famiglie, coppie, adolescenti",
        "ASL AST Pesaro Urbino",
        "Fano",
    ),
]


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
    lead, entity = ambito.lead_comune, ctx.get("entity")
    for n, (code, title, area, table, runner, objective, lines) in enumerate(
        INTERVENTIONS, start=1
    ):
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
SECOND_FUNDS = {"fnps": 760_000, "fna": 880_000, "poverta-servizi": 540_000, "comuni": 1_400_000}
SECOND_INTERVENTIONS = [
    (
        "FAM-01",
        "Centri per le famiglie",
        "famiglia-minori",
        [("fnps", 180_000), ("comuni", 90_000)],
    ),
    (
        "ANZ-01",
        "Assistenza domiciliare integrata",
        "anziani",
        [("fna", 620_000), ("comuni", 150_000)],
    ),
]


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
