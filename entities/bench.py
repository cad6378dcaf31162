"""Benchmark data, layer 2: Third Sector entities with their people and M2M rows.

ctx keys added:
- "entities_by_ambito": list (parallel to ctx["ambiti"]) of list[Entity];
  ctx["entities_by_ambito"][0][0] is the personas' entity.
- "entity_admins": dict entity pk -> User (each entity has one administrator).
Personas: "entity_admin" and "entity_delegate" of the personas' entity.
"""

from __future__ import annotations

from ambito.bench import BATCH, count
from entities.models import Activity, Entity, EntityMembership, TargetGroup

LEGAL_FORMS = [c for c, _ in Entity.LegalForm.choices]
WORDS = (
    "Solidarietà Comunità Insieme Famiglie Anziani Giovani Inclusione Cammino Sorriso Rete "
    "Accoglienza Futuro Mani Aperte Ponte Sociale Volontari Speranza Quartiere Cultura"
).split()


def entity_name(i: int) -> str:
    return f"Bench {WORDS[i % len(WORDS)]} {WORDS[(i // 7) % len(WORDS)]} {i:06d}"


def seed(ctx: dict, scale: float) -> None:
    ambiti, comuni_by_ambito = ctx["ambiti"], ctx["comuni_by_ambito"]
    n = count(5000, scale, minimum=30 * len(ambiti))
    activities = list(Activity.objects.values_list("pk", flat=True))
    groups = list(TargetGroup.objects.values_list("pk", flat=True))
    rows = []
    for i in range(n):
        a = i % len(ambiti)
        comuni = comuni_by_ambito[a]
        verified = i % 10 != 9
        rows.append(
            Entity(
                ambito=ambiti[a],
                name=entity_name(i),
                tax_code=f"9{i:010d}",
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
