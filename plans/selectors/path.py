"""The participation path of a plan: the tables, procedures and entities that fed it, and the
summary of its participation in the plan's years (participation.analytics)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window

from entities.models import Entity
from participation.analytics import Period, Scope, plan_summary
from plans.models import (
    Plan,
)
from processes.models import Procedure
from tables.concertation import ComuneTables, concertation_by_comune
from tables.models import Table, TableMembership

PATH_LIMIT = 30


@dataclass
class ParticipationPath:
    tables: list[Table]
    procedures: list[Procedure]
    entities: list[Entity]
    tables_total: int = 0
    procedures_total: int = 0
    entities_total: int = 0
    # the comuni's concertation tables (Piano Sociale di Zona), with meetings and minutes
    concertation: list[ComuneTables] = field(default_factory=list)

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
    sets are computed in SQL; `limit` keeps the first rows of each list (by name or date). Then
    the comuni's concertation tables, each with its meetings and published minutes (two more)."""
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
        concertation_by_comune(plan.ambito_id),
    )


def participation_summary(plan: Plan) -> dict:
    """How many entities took part, meetings, attendance rate and proposals answered in the
    plan's years (1 January of the first to 31 December of the last): four queries."""
    return plan_summary(Scope(plan.ambito_id, Period.of_years(plan.start_year, plan.end_year)))
