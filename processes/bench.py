"""Benchmark data, layer 4: procedures (30 applications each).

Each procedure has its published avviso (every third one also a dated correction, version 2),
4 evaluation criteria per version, and 3 documents (sintesi, progetto, atto), as the procedure
page shows them. Document files are names only: the pages list them, never read them.

ctx keys added:
- "procedures_by_ambito": list (parallel to ctx["ambiti"]) of list[Procedure]; the first
  procedure of ambito 0 has an application from the personas' entity.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ambito.bench import BATCH
from processes.models import Application, Criterion, Notice, OutcomeDocument, Procedure

APPLICATIONS_PER_PROCEDURE = 30
KINDS = [c for c, _ in Procedure.Kind.choices]
CRITERIA = [
    ("Qualità della proposta progettuale", 40),
    ("Esperienza nel territorio dell'ambito", 25),
    ("Rete di partenariato", 20),
    ("Risorse aggiuntive messe a disposizione", 15),
]
DOCUMENTS = [
    ("sintesi", "Documento di sintesi del tavolo di co-progettazione"),
    ("final_project", "Progetto definitivo condiviso"),
    ("approval", "Determinazione di approvazione degli atti"),
]
TEXT = (
    "Possono partecipare gli enti del Terzo settore iscritti al RUNTS con sede operativa "
    "nell'ambito, in forma singola o associata, con esperienza almeno biennale nel settore. "
)


def seed(ctx: dict, scale: float) -> None:
    ambiti, entities_by_ambito = ctx["ambiti"], ctx["entities_by_ambito"]
    admins, personas = ctx["entity_admins"], ctx["personas"]
    n = ctx["shape"].procedures
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
    _notices_and_documents(procedures, personas["coordinator"])


def _notices_and_documents(procedures: list[Procedure], author) -> None:
    published = timezone.now() - timedelta(days=20)
    notices = Notice.objects.bulk_create(
        [
            Notice(
                procedure=procedure,
                version=version,
                subject=f"Avviso pubblico: {procedure.title}. " + TEXT,
                requirements=TEXT * 4,
                documents_required="Domanda di partecipazione; proposta progettuale; statuto.",
                deadline=published + timedelta(days=40 + version * 10),
                admission_threshold=Decimal(60),
                correction_note="Proroga del termine e rettifica dei requisiti."
                if version > 1
                else "",
                published_at=published + timedelta(days=version - 1),
                published_by=author,
            )
            for p, procedure in enumerate(procedures)
            for version in range(1, 3 if p % 3 == 0 else 2)
        ],
        batch_size=BATCH,
    )
    Criterion.objects.bulk_create(
        [
            Criterion(notice=notice, name=name, description=TEXT, weight=weight, order=i)
            for notice in notices
            for i, (name, weight) in enumerate(CRITERIA)
        ],
        batch_size=BATCH,
    )
    OutcomeDocument.objects.bulk_create(
        [
            OutcomeDocument(
                procedure=procedure,
                kind=kind,
                title=title,
                summary=TEXT,
                act_reference=f"Determinazione n. {procedure.pk}/{i + 1}",
                act_date=published.date(),
                file=f"processes/bench/{procedure.pk}-{kind}.pdf",
                created_by=author,
            )
            for procedure in procedures
            for i, (kind, title) in enumerate(DOCUMENTS)
        ],
        batch_size=BATCH,
    )
