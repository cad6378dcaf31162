"""Datasets of the Piano di Zona: piani, interventi, fondi."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from opendata import selectors
from opendata.datasets.base import C, Dataset, page, split
from opendata.selectors import PUBLIC
from opendata.sql import joined
from plans.models import BudgetLine, Intervention, Plan
from plans.permissions import plan_policy


# --- plans -----------------------------------------------------------------------------------
def _public_plans(ambito: Ambito) -> QuerySet[Plan]:
    return plan_policy.visible(PUBLIC).filter(ambito=ambito)


def _plans(ambito: Ambito) -> QuerySet:
    return (
        _public_plans(ambito)
        .order_by("start_year", "pk")
        .values(
            "pk",
            "title",
            "start_year",
            "end_year",
            "status",
            "consultation_until",
            "approval_act_number",
            "approval_act_date",
            "version",
        )
    )


_PLAN_STATES = dict(Plan.Status.choices)

PIANI = Dataset(
    slug="piani",
    title=_("Piani di zona"),
    description=_(
        "I Piani di zona dell'ambito (art. 19 L. 328/2000) in consultazione o approvati, con "
        "l'atto di approvazione."
    ),
    theme="SOCI",
    frequency="MONTHLY",
    keywords=("piano di zona", "programmazione sociale"),
    columns=(
        C("id", _("Identificativo del piano"), "integer"),
        C("titolo", _("Titolo")),
        C("anno_inizio", _("Primo anno"), "integer"),
        C("anno_fine", _("Ultimo anno"), "integer"),
        C("stato", _("Stato (codice)")),
        C("stato_etichetta", _("Stato")),
        C("osservazioni_fino_al", _("Termine delle osservazioni (consultazione)"), "date"),
        C("numero_atto_approvazione", _("Numero dell'atto di approvazione")),
        C("data_atto_approvazione", _("Data dell'atto di approvazione"), "date"),
        C("versione", _("Versione approvata corrente"), "integer"),
        C("url", _("Pagina del piano"), "anyURI"),
    ),
    queryset=_plans,
    row=lambda r: [
        r["pk"],
        r["title"],
        r["start_year"],
        r["end_year"],
        r["status"],
        str(_PLAN_STATES.get(r["status"], r["status"])),
        r["consultation_until"],
        r["approval_act_number"],
        r["approval_act_date"],
        r["version"],
        page("plans:detail", pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _interventions(ambito: Ambito) -> QuerySet:
    total = (
        BudgetLine.objects.filter(intervention=OuterRef("pk"))
        .order_by()
        .values("intervention")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Intervention.objects.filter(plan__in=_public_plans(ambito).values("pk"))
        .order_by("plan_id", "pk")
        .annotate(
            total=Subquery(total),
            comuni_codes=joined(
                Intervention.comuni.through.objects, fk="intervention", field="comune__istat_code"
            ),
            group_codes=joined(
                Intervention.target_groups.through.objects,
                fk="intervention",
                field="targetgroup__code",
            ),
        )
        .values(
            "pk",
            "plan_id",
            "code",
            "title",
            "area__code",
            "area__name",
            "objective",
            "runner",
            "runner_comune__name",
            "runner_entity__name",
            "group_codes",
            "comuni_codes",
            "total",
        )
    )


_RUNNERS = dict(Intervention.Runner.choices)

INTERVENTI = Dataset(
    slug="interventi",
    title=_("Schede intervento dei piani di zona"),
    description=_(
        "Gli interventi dei piani di zona pubblici: area, obiettivo, chi li realizza, comuni "
        "coinvolti e risorse assegnate in totale (il dettaglio per fonte e anno è nella mappa "
        "dei fondi e nell'API)."
    ),
    theme="SOCI",
    frequency="MONTHLY",
    keywords=("piano di zona", "interventi", "servizi sociali"),
    columns=(
        C("id", _("Identificativo dell'intervento"), "integer"),
        C("piano_id", _("Identificativo del piano"), "integer"),
        C("codice", _("Codice dell'intervento")),
        C("titolo", _("Titolo")),
        C("area", _("Area di intervento (codice)")),
        C("area_nome", _("Area di intervento")),
        C("obiettivo", _("Obiettivo")),
        C("realizzato_da", _("Chi lo realizza: ambito, comune o ente (codice)")),
        C("realizzato_da_nome", _("Chi lo realizza")),
        C("destinatari", _("Destinatari: codici delle aree di utenza, separati da « | »")),
        C("comuni", _("Codici ISTAT dei comuni coinvolti, separati da « | »")),
        C("risorse_totali", _("Risorse assegnate in tutti gli anni (euro)"), "decimal"),
        C("url", _("Pagina dell'intervento"), "anyURI"),
    ),
    queryset=_interventions,
    row=lambda r: [
        r["pk"],
        r["plan_id"],
        r["code"],
        r["title"],
        r["area__code"],
        r["area__name"],
        r["objective"],
        r["runner"],
        r["runner_comune__name"]
        or r["runner_entity__name"]
        or str(_RUNNERS.get(r["runner"], r["runner"])),
        split(r["group_codes"]),
        split(r["comuni_codes"]),
        r["total"],
        page("plans:intervention", pk=r["plan_id"], intervention_pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _fund_rows(ambito: Ambito) -> Iterator[list]:
    """One row per plan, source and year, as the plan's budget page computes them (a few
    queries per plan; an ambito has a few plans)."""
    for plan in list(_public_plans(ambito).order_by("start_year", "pk")):
        for cell in selectors.fund_map(plan):
            yield [
                plan.pk,
                cell.source.code,
                cell.source.name,
                cell.source.kind,
                cell.year,
                cell.cell.available,
                cell.cell.allocated,
            ]


FONDI = Dataset(
    slug="fondi",
    title=_("Mappa dei fondi dei piani di zona"),
    description=_(
        "Per ogni piano pubblico, fonte di finanziamento e anno: le risorse disponibili e quelle "
        "assegnate agli interventi (la Mappafondo del piano)."
    ),
    theme="ECON",
    frequency="MONTHLY",
    keywords=("bilancio", "fondi", "mappafondo", "piano di zona"),
    columns=(
        C("piano_id", _("Identificativo del piano"), "integer"),
        C("fonte", _("Fonte di finanziamento (codice)")),
        C("fonte_nome", _("Fonte di finanziamento")),
        C("tipo_fonte", _("Tipo di fonte: national, european, regional, local, private")),
        C("anno", _("Anno"), "integer"),
        C("disponibile", _("Risorse disponibili (euro)"), "decimal"),
        C("assegnato", _("Risorse assegnate agli interventi (euro)"), "decimal"),
    ),
    queryset=_public_plans,
    stream=_fund_rows,
    dated_by=("updated_at",),
)
