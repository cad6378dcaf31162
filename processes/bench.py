"""Benchmark data, layer 4: procedures (30 applications each).

ctx keys added:
- "procedures_by_ambito": list (parallel to ctx["ambiti"]) of list[Procedure]; the first
  procedure of ambito 0 has an application from the personas' entity.

HOOK (after the merge, feat/processes): notices, documents, scores. Add them below from the
procedures and applications created here, with bulk_create.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ambito.bench import BATCH, count
from processes.models import Application, Procedure

APPLICATIONS_PER_PROCEDURE = 30
KINDS = [c for c, _ in Procedure.Kind.choices]


def seed(ctx: dict, scale: float) -> None:
    ambiti, entities_by_ambito = ctx["ambiti"], ctx["entities_by_ambito"]
    admins, personas = ctx["entity_admins"], ctx["personas"]
    n = count(100, scale, minimum=len(ambiti))
    procedures = Procedure.objects.bulk_create(
        [
            Procedure(
                ambito=ambiti[p % len(ambiti)],
                kind=KINDS[p % len(KINDS)],
                title=f"Bench Procedimento {p:05d}",
                subject="Procedimento sintetico per il benchmark.",
                # Every ambito's first procedure is open, so that pages look the same at any scale.
                status="closed" if (p // len(ambiti)) % 4 == 3 else "notice_published",
                rup=personas["coordinator"] if p % len(ambiti) == 0 else None,
                budget=Decimal(100_000 + p * 1000),
                duration_months=24,
                created_by=personas["coordinator"],
            )
            for p in range(n)
        ],
        batch_size=BATCH,
    )
    submitted = timezone.now() - timedelta(days=10)
    applications = []
    for p, procedure in enumerate(procedures):
        a, k = p % len(ambiti), p // len(ambiti)
        pool = entities_by_ambito[a]
        for j in range(min(APPLICATIONS_PER_PROCEDURE, len(pool))):
            entity = pool[(k * APPLICATIONS_PER_PROCEDURE + j) % len(pool)]
            applications.append(
                Application(
                    procedure=procedure,
                    entity=entity,
                    status="submitted",
                    protocol_number=f"BENCH/{p:05d}/{j:03d}",
                    submitted_at=submitted,
                    submitted_by=admins[entity.pk],
                )
            )
    Application.objects.bulk_create(applications, batch_size=BATCH)
    by_ambito: list[list[Procedure]] = [[] for _ in ambiti]
    for p, procedure in enumerate(procedures):
        by_ambito[p % len(ambiti)].append(procedure)
    ctx["procedures_by_ambito"] = by_ambito
