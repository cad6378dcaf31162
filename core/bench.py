"""Benchmark data, layer 0: the personas the benchmark logs in as, and bulk user creation.

ctx keys added:
- "personas": role name -> User. Roles: "citizen" (no role), filled in by the layers above:
  "coordinator", "operator", "comune" (ambito), "entity_admin", "entity_delegate" (entities).
- "make_users": make_users(prefix, n) -> list[User], bulk-created with one shared password hash.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from core.models import User

BATCH = 2000
PASSWORD = "bench-password-not-secret"  # noqa: S105 - synthetic benchmark users only
PERSONAS = ("citizen", "coordinator", "operator", "comune", "entity_admin", "entity_delegate")


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
