"""Benchmark data, layer 0: the shape of the data, the personas the benchmark logs in as, and
bulk user creation.

ctx keys read: "shape" (a Shape: how many ambiti, comuni, entities, tables and procedures).
ctx keys added:
- "personas": role name -> User. Roles: "citizen" (no role), filled in by the layers above:
  "coordinator", "operator", "comune" (ambito), "entity_admin", "entity_delegate" (entities).
- "make_users": make_users(prefix, n) -> list[User], bulk-created with one shared password hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from core.models import User

BATCH = 2000
PASSWORD = "bench-password-not-secret"  # noqa: S105 - synthetic benchmark users only
PERSONAS = ("citizen", "coordinator", "operator", "comune", "entity_admin", "entity_delegate")


@dataclass(frozen=True)
class Shape:
    """How many rows `bench_seed` makes of the things a region is counted in. Every other row
    follows from these (25 meetings per table, 30 applications per procedure, 10 events per
    ambito: see each <app>/bench.py), or from `factor` for a seeder that only knows a scale."""

    name: str
    ambiti: int
    comuni_per_ambito: int
    entities: int
    tables: int
    procedures: int
    factor: float  # what `scale` the seeders receive

    @property
    def comuni(self) -> int:
        return self.ambiti * self.comuni_per_ambito


# A whole region's portal: 10 ambiti of 30 comuni, 20,000 entities (2,000 in each ambito's
# directory, the densest the benchmark builds), 2,000 tables (50,000 meetings), 1,000 procedures.
REGIONAL = Shape(
    name="regional",
    ambiti=10,
    comuni_per_ambito=30,
    entities=20_000,
    tables=2_000,
    procedures=1_000,
    factor=10,
)


def shape_for(scale: str | float) -> Shape:
    """`bench_seed --scale`: "regional", or a number N that multiplies scale 1 (23 ambiti of 10
    comuni, 5,000 entities, 200 tables, 100 procedures), never the size of one page's object."""
    if str(scale).strip().lower() == REGIONAL.name:
        return REGIONAL
    factor = float(scale)
    if not factor > 0:
        raise ValueError(scale)
    ambiti = max(1, round(23 * factor))
    return Shape(
        name=f"{factor:g}",
        ambiti=ambiti,
        comuni_per_ambito=10,
        entities=max(30 * ambiti, round(5000 * factor)),
        tables=max(ambiti, round(200 * factor)),
        procedures=max(ambiti, round(100 * factor)),
        factor=factor,
    )


def persona_email(role: str) -> str:
    return f"{role}@bench.invalid"


def make_users(prefix: str, n: int, *, password_hash: str | None = None) -> list[User]:
    password_hash = password_hash or make_password(PASSWORD)
    users = [
        User(
            email=f"{prefix}-{i}@bench.invalid",
            first_name=f"Bench{prefix.title()}",
            last_name=f"{i:06d}",
            password=password_hash,
        )
        for i in range(n)
    ]
    return User.objects.bulk_create(users, batch_size=BATCH)


def seed(ctx: dict, scale: float) -> None:
    password_hash = make_password(PASSWORD)
    ctx["password_hash"] = password_hash
    ctx["make_users"] = lambda prefix, n: make_users(prefix, n, password_hash=password_hash)
    personas = User.objects.bulk_create(
        [
            User(
                email=persona_email(role),
                first_name="Bench",
                last_name=role.replace("_", " ").title(),
                password=password_hash,
            )
            for role in PERSONAS
        ]
    )
    ctx["personas"] = {u.email.split("@")[0]: u for u in personas}
