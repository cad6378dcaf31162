"""Who is staff of which ambito. Every app asks these questions through here.

- Ufficio di Piano (coordinator, operator): manages everything of its ambito.
- Comune staff: takes part; sees its comune's data and the ambito's non-public work.
- Superusers: everything."""

from __future__ import annotations

from django.db.models import QuerySet

from ambito.models import Ambito, StaffRole
from core.queries import select_related_only

UFFICIO_DI_PIANO = (StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR)


def _roles(user) -> list[StaffRole]:
    """The user's roles, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_staff_roles_cache", None)
    if cached is None:
        cached = list(
            select_related_only(
                StaffRole.objects.filter(user=user), ambito=("name",), comune=("name",)
            )
        )
        user._staff_roles_cache = cached
    return cached


def managed_ambito_ids(user) -> set[int]:
    """Ambiti whose Ufficio di Piano the user belongs to (all of them for superusers)."""
    if getattr(user, "is_superuser", False):
        return set(Ambito.objects.values_list("pk", flat=True))
    return {r.ambito_id for r in _roles(user) if r.role in UFFICIO_DI_PIANO}


def staff_ambito_ids(user) -> set[int]:
    """Ambiti where the user has any staff role (Ufficio di Piano or comune)."""
    if getattr(user, "is_superuser", False):
        return set(Ambito.objects.values_list("pk", flat=True))
    return {r.ambito_id for r in _roles(user)}


def comune_ids(user) -> set[int]:
    """Comuni whose social services the user works for."""
    return {r.comune_id for r in _roles(user) if r.role == StaffRole.Role.COMUNE and r.comune_id}


def is_ufficio_di_piano(user, ambito: Ambito | int | None = None) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    ids = managed_ambito_ids(user)
    if ambito is None:
        return bool(ids)
    return (ambito if isinstance(ambito, int) else ambito.pk) in ids


def is_staff_of(user, ambito: Ambito | int | None = None) -> bool:
    """Ufficio di Piano or comune staff (of `ambito`, or of any ambito when None)."""
    if getattr(user, "is_superuser", False):
        return True
    ids = staff_ambito_ids(user)
    if ambito is None:
        return bool(ids)
    return (ambito if isinstance(ambito, int) else ambito.pk) in ids


def managed_ambiti(user) -> QuerySet[Ambito]:
    return Ambito.objects.filter(pk__in=managed_ambito_ids(user)).select_related("lead_comune")


def roles_of(user) -> list[StaffRole]:
    return _roles(user)
