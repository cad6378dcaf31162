"""Benchmark data, layer 3: tables (20 entity members each) and their meetings (25 per table).

ctx keys added:
- "tables_by_ambito": list (parallel to ctx["ambiti"]) of list[Table]; the first table of
  ambito 0 has the personas' entity as a member and the coordinator persona as coordinator.
- "meetings": list[Meeting].

HOOK (after the merge, feat/tables): agendas (15 items), invitations and attendance (the 20
members), minutes. Add them in seed() below from ctx["meetings"], with bulk_create, e.g.
`AgendaItem.objects.bulk_create([... for m in meetings for k in range(15)], batch_size=BATCH)`.
The minutes PDF: define `pdf_documents()` here (see bench/pdfs.py) to measure the real template
"pdf/tables_minutes.html" instead of the benchmark's stand-in.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ambito.bench import BATCH, count
from tables.models import Meeting, Table, TableMembership

MEMBERS_PER_TABLE = 20
MEETINGS_PER_TABLE = 25


def seed(ctx: dict, scale: float) -> None:
    ambiti, entities_by_ambito = ctx["ambiti"], ctx["entities_by_ambito"]
    admins, personas = ctx["entity_admins"], ctx["personas"]
    n = count(200, scale, minimum=len(ambiti))
    tables = Table.objects.bulk_create(
        [
            Table(
                ambito=ambiti[t % len(ambiti)],
                name=f"Bench Tavolo {t:05d}",
                slug=f"bench-tavolo-{t:05d}",
                description="Tavolo tematico sintetico per il benchmark.",
            )
            for t in range(n)
        ],
        batch_size=BATCH,
    )
    memberships = []
    for t, table in enumerate(tables):
        a, k = t % len(ambiti), t // len(ambiti)
        pool = entities_by_ambito[a]
        for j in range(min(MEMBERS_PER_TABLE, len(pool))):
            entity = pool[(k * MEMBERS_PER_TABLE + j) % len(pool)]
            memberships.append(
                TableMembership(
                    table=table,
                    kind="entity",
                    entity=entity,
                    delegate=admins[entity.pk],
                    status="active",
                    decided_at=timezone.now(),
                )
            )
    TableMembership.objects.bulk_create(memberships, batch_size=BATCH)
    Coordinators = Table.coordinators.through
    Coordinators.objects.bulk_create(
        [Coordinators(table_id=tables[0].pk, user_id=personas["coordinator"].pk)]
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    meetings = []
    for t, table in enumerate(tables):
        for m in range(MEETINGS_PER_TABLE):
            starts = now + timedelta(days=14 * (m - MEETINGS_PER_TABLE // 2), hours=t % 8)
            meetings.append(
                Meeting(
                    table=table,
                    title=f"Seduta {m + 1} del {table.name}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place="Sala consiliare, Via del Benchmark 1",
                    description="Seduta sintetica.",
                    status="convened",
                    created_by=personas["coordinator"],
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    by_ambito: list[list[Table]] = [[] for _ in ambiti]
    for t, table in enumerate(tables):
        by_ambito[t % len(ambiti)].append(table)
    ctx["tables_by_ambito"] = by_ambito
    ctx["meetings"] = meetings
