"""Benchmark data, layer 2: Third Sector entities with their people and M2M rows.

ctx keys added:
- "entities_by_ambito": list (parallel to ctx["ambiti"]) of list[Entity];
  ctx["entities_by_ambito"][0][0] is the personas' entity.
- "entity_admins": dict entity pk -> User (each entity has one administrator).
Personas: "entity_admin" and "entity_delegate" of the personas' entity.
"""

from __future__ import annotations

from ambito.bench import BATCH
from entities.models import ETS_LEGAL_FORMS, Activity, Entity, EntityMembership, TargetGroup

LEGAL_FORMS = list(ETS_LEGAL_FORMS)  # with RUNTS sections: ETS only
WORDS = [
    "Solidarietà",
    "Comunità",
    "Insieme",
    "Famiglie",
    "Anziani",
    "Giovani",
    "Inclusione",
    "Cammino",
    "Sorriso",
    "Rete",
    "Accoglienza",
    "Futuro",
    "Mani",
    "Aperte",
    "Ponte",
    "Sociale",
    "Volontari",
    "Speranza",
    "Quartiere",
    "Cultura",
]


def tax_code(i: int) -> str:
    """An 11-digit numeric codice fiscale with a valid check digit (as for a partita IVA)."""
    first_ten = f"9{i:09d}"
    total = 0
    for k, ch in enumerate(first_ten):
        d = int(ch)
        if k % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return first_ten + str((10 - total % 10) % 10)


def entity_name(i: int) -> str:
    return f"Bench {WORDS[i % len(WORDS)]} {WORDS[(i // 7) % len(WORDS)]} {i:06d}"


def seed(ctx: dict, scale: float) -> None:
    ambiti, comuni_by_ambito = ctx["ambiti"], ctx["comuni_by_ambito"]
    n = ctx["shape"].entities
    activities = list(Activity.objects.values_list("pk", flat=True))
    groups = list(TargetGroup.objects.values_list("pk", flat=True))
    rows = []
    for i in range(n):
        a = i % len(ambiti)
        comuni = comuni_by_ambito[a]
        # One in ten of each ambito's entities waits for verification, at every scale (by
        # `i % 10`, an even number of ambiti left the personas' ambito without any).
        verified = (i // len(ambiti)) % 10 != 9
        rows.append(
            Entity(
                ambito=ambiti[a],
                name=entity_name(i),
                tax_code=tax_code(i),
                legal_form=LEGAL_FORMS[i % len(LEGAL_FORMS)],
                runts_section="abcdefg"[i % 7],
                runts_status="iscritto" if i % 3 else "non_iscritto",
                runts_number=f"BENCH-{i:07d}" if i % 3 else None,
                address=f"Via del Benchmark {i % 200 + 1}",
                postal_code="61032",
                seat_comune=comuni[(i // len(ambiti)) % len(comuni)],
                email=f"ente-{i}@bench.invalid",
                legal_representative=f"Rappresentante {i:06d}",
                volunteers=i % 80,
                employees=i % 25,
                description="Ente sintetico generato per il benchmark delle prestazioni. " * 3,
                status="verified" if verified else "pending",
            )
        )
    entities = Entity.objects.bulk_create(rows, batch_size=BATCH)

    def through_rows(field, targets, per_entity, target_attr):
        Through = field.through
        return Through.objects.bulk_create(
            [
                Through(entity_id=e.pk, **{target_attr: targets[(k + j * 3) % len(targets)]})
                for k, e in enumerate(entities)
                for j in range(min(per_entity, len(targets)))
            ],
            batch_size=5 * BATCH,
        )

    if activities:
        through_rows(Entity.activities, activities, 2, "activity_id")
    if groups:
        through_rows(Entity.target_groups, groups, 2, "targetgroup_id")
    Through = Entity.operating_comuni.through
    Through.objects.bulk_create(
        [
            Through(entity_id=e.pk, comune_id=comuni_by_ambito[k % len(ambiti)][j].pk)
            for k, e in enumerate(entities)
            for j in range(3)
        ],
        batch_size=5 * BATCH,
    )

    admins = ctx["make_users"]("ente", n)
    personas = ctx["personas"]
    admins[0] = personas["entity_admin"]
    EntityMembership.objects.bulk_create(
        [
            EntityMembership(entity=e, user=u, role="admin")
            for e, u in zip(entities, admins, strict=True)
        ]
        + [EntityMembership(entity=entities[0], user=personas["entity_delegate"], role="delegate")],
        batch_size=BATCH,
    )
    by_ambito: list[list[Entity]] = [[] for _ in ambiti]
    for i, e in enumerate(entities):
        by_ambito[i % len(ambiti)].append(e)
    ctx["entities_by_ambito"] = by_ambito
    ctx["entity_admins"] = {e.pk: u for e, u in zip(entities, admins, strict=True)}


# --- import benchmark (bench/run.py, section "import") ---------------------------------------
IMPORT_OFFSET = 500_000_000  # tax codes of imported rows never collide with seeded ones


def import_benchmark(rows: int) -> dict:
    """`rows` new entities written to an XLSX file and imported through the entities app's
    pipeline (entities/resources.py, as its import page does): dry run, then commit.
    Needs feat/entities (EntityResource); before the merge the runner reports "not available"."""
    import time

    import tablib

    from ambito.models import Ambito
    from core.bench import persona_email
    from core.models import User
    from core.spreadsheets import read_dataset
    from entities.resources import EntityResource

    ambito = Ambito.objects.get(code="bench-ats-0000")
    comuni = list(ambito.comuni.order_by("istat_code").values_list("istat_code", flat=True))
    groups = list(TargetGroup.objects.values_list("code", flat=True)[:2])
    actor = User.objects.get(email=persona_email("coordinator"))
    headers = [
        f.column_name for f in EntityResource(ambito=ambito, actor=actor).get_export_fields()
    ]

    def row(i: int) -> dict:
        n = IMPORT_OFFSET + i
        return {
            "denominazione": f"Bench Importato {i:06d}",
            "codice_fiscale": tax_code(n),
            "forma_giuridica": LEGAL_FORMS[i % len(LEGAL_FORMS)],
            "sezione_runts": "abcdefg"[i % 7],
            "stato_runts": "non_iscritto",
            "indirizzo": f"Via dell'Importazione {i % 300 + 1}",
            "cap": "61032",
            "comune_sede": comuni[i % len(comuni)],
            "email": f"importato-{i}@bench.invalid",
            "legale_rappresentante": f"Rappresentante {i:06d}",
            "attivita": "a,b",
            "aree_utenza": ",".join(groups),
            "comuni_operativita": ",".join(comuni[:3]),
            "volontari": i % 50,
            "dipendenti": i % 10,
            "descrizione": "Ente importato dal benchmark.",
        }

    dataset = tablib.Dataset(headers=headers)
    for i in range(rows):
        values = row(i)
        dataset.append([values.get(h, "") for h in headers])
    started = time.perf_counter()
    content = dataset.export("xlsx")
    write_s = time.perf_counter() - started

    def run(dry_run: bool):
        started = time.perf_counter()
        loaded = read_dataset(content, "xlsx", max_rows=rows)
        result = EntityResource(ambito=ambito, actor=actor).import_data(
            loaded,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        return result, round(time.perf_counter() - started, 2)

    dry, dry_s = run(True)
    invalid = len(dry.invalid_rows) + len(dry.row_errors())
    committed, commit_s = run(False)
    created = Entity.objects.filter(tax_code__in=[tax_code(IMPORT_OFFSET + i) for i in range(rows)])
    return {
        "rows": rows,
        "valid_rows": rows - invalid,
        "errors": invalid + len(committed.invalid_rows) + len(committed.row_errors()),
        "created": created.count(),
        "xlsx_write_s": round(write_s, 2),
        "xlsx_bytes": len(content),
        "dry_run_s": dry_s,
        "commit_s": commit_s,
    }
