"""Benchmark data, layer 1: comuni, ambiti (ctx["shape"]: 23 x scale of 10 comuni each, or the
regional 10 of 30) and staff roles.

ctx keys added:
- "ambiti": list[Ambito]; ctx["ambiti"][0] is the personas' ambito.
- "comuni_by_ambito": list (parallel to ambiti) of list[Comune].
Personas: "coordinator" and "operator" of ambito 0 (Ufficio di Piano), "comune" staff of its
first comune. Every other ambito gets a coordinator of its own.
"""

from __future__ import annotations

from ambito.models import Ambito, Comune, StaffRole
from ambito.routing import forget_codes

BATCH = 2000


def seed(ctx: dict, scale: float) -> None:
    shape = ctx["shape"]
    n_ambiti, per_ambito = shape.ambiti, shape.comuni_per_ambito
    comuni = Comune.objects.bulk_create(
        [
            Comune(
                istat_code=f"9{i:05d}",
                name=f"Bench Comune {i:05d}",
                province=f"Bench Provincia {i // 100:03d}",
                province_code="BX",
                region="Bench",
                population=1000 + (i * 7919) % 90000,
            )
            for i in range(n_ambiti * per_ambito)
        ],
        batch_size=BATCH,
    )
    by_ambito = [comuni[a * per_ambito : (a + 1) * per_ambito] for a in range(n_ambiti)]
    ambiti = Ambito.objects.bulk_create(
        [
            Ambito(
                name=f"Bench ATS {a:04d}",
                code=f"bench-ats-{a:04d}",
                region="Bench",
                lead_comune=by_ambito[a][0],
                description="Ambito sintetico per il benchmark.",
                email=f"udp-{a}@bench.invalid",
            )
            for a in range(n_ambiti)
        ],
        batch_size=BATCH,
    )
    forget_codes()  # bulk_create sends no post_save: ambito.routing's cached codes go by hand
    Through = Ambito.comuni.through
    Through.objects.bulk_create(
        [
            Through(ambito_id=ambito.pk, comune_id=comune.pk)
            for ambito, members in zip(ambiti, by_ambito, strict=True)
            for comune in members
        ],
        batch_size=BATCH,
    )
    personas = ctx["personas"]
    coordinators = ctx["make_users"]("coordinator", n_ambiti - 1)
    roles = [
        StaffRole(user=personas["coordinator"], ambito=ambiti[0], role="coordinator"),
        StaffRole(user=personas["operator"], ambito=ambiti[0], role="operator"),
        StaffRole(user=personas["comune"], ambito=ambiti[0], role="comune", comune=by_ambito[0][0]),
    ]
    roles += [
        StaffRole(user=user, ambito=ambito, role="coordinator")
        for user, ambito in zip(coordinators, ambiti[1:], strict=True)
    ]
    StaffRole.objects.bulk_create(roles, batch_size=BATCH)
    ctx["ambiti"] = ambiti
    ctx["comuni_by_ambito"] = by_ambito
