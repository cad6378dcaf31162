"""Who is staff of which ambito. Every app asks these questions through here.

- Ufficio di Piano (coordinator, operator): manages everything of its ambito.
- Comune staff: takes part; sees its comune's data and the ambito's non-public work.
- Superusers: everything."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ambito.models import Ambito, StaffInvitation, StaffRole
from core import usercache
from core.permissions import Policy
from core.queries import select_related_only

STAFF_ROLES_KEY = "ambito.staff_roles"

UFFICIO_DI_PIANO = (StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR)


@usercache.per_user(STAFF_ROLES_KEY, anonymous=list)
def _roles(user) -> list[StaffRole]:
    """The user's roles, read once per request (core.usercache)."""
    return list(
        select_related_only(
            StaffRole.objects.filter(user=user), ambito=("name", "code"), comune=("name",)
        )
    )


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


def comune_staff_pairs(user) -> set[tuple[int, int]]:
    """(ambito, comune) of each of the user's comune staff roles: what they run in their own
    comune (its concertation tables, for instance) is scoped by both."""
    return {
        (r.ambito_id, r.comune_id)
        for r in _roles(user)
        if r.role == StaffRole.Role.COMUNE and r.comune_id
    }


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


# --- staff roles managed in the portal ---------------------------------------------------------
# The coordinator of the Ufficio di Piano manages every role of its ambito; the other members
# of the Ufficio di Piano see them; comune staff see and manage the comune staff of their own
# comune(s) only. Superusers manage everything.
def coordinated_ambito_ids(user) -> set[int]:
    if getattr(user, "is_superuser", False):
        return set(Ambito.objects.values_list("pk", flat=True))
    return {r.ambito_id for r in _roles(user) if r.role == StaffRole.Role.COORDINATOR}


def colleague_comuni(user, ambito: Ambito | int) -> set[int]:
    """Comuni of `ambito` whose staff `user` is: their colleagues are theirs to manage."""
    pk = ambito if isinstance(ambito, int) else ambito.pk
    return {
        r.comune_id
        for r in _roles(user)
        if r.role == StaffRole.Role.COMUNE and r.ambito_id == pk and r.comune_id
    }


def may_manage_roles(user, ambito: Ambito | int, *, role: str, comune_id: int | None) -> bool:
    """May `user` give (or change, or take away) the role `role` (in comune `comune_id`) of
    `ambito`?"""
    pk = ambito if isinstance(ambito, int) else ambito.pk
    if pk in coordinated_ambito_ids(user):
        return True
    return role == StaffRole.Role.COMUNE and comune_id in colleague_comuni(user, pk)


def _roles_visible_q(user) -> Q:
    """Roles (or invitations to roles) `user` may see: every one of the ambiti of their Ufficio di
    Piano, and those of their comuni."""
    q = Q(ambito_id__in=managed_ambito_ids(user))
    mine = [(r.ambito_id, r.comune_id) for r in _roles(user) if r.role == StaffRole.Role.COMUNE]
    for ambito_id, comune_id in mine:
        q |= Q(ambito_id=ambito_id, role=StaffRole.Role.COMUNE, comune_id=comune_id)
    return q


class StaffRolePolicy(Policy[StaffRole]):
    model = StaffRole

    def visible(self, user) -> QuerySet[StaffRole]:
        if not getattr(user, "is_authenticated", False):
            return StaffRole.objects.none()
        return StaffRole.objects.filter(_roles_visible_q(user))

    def can_change(self, user, obj: StaffRole) -> bool:
        return may_manage_roles(user, obj.ambito_id, role=obj.role, comune_id=obj.comune_id)


class StaffInvitationPolicy(Policy[StaffInvitation]):
    model = StaffInvitation

    def visible(self, user) -> QuerySet[StaffInvitation]:
        if not getattr(user, "is_authenticated", False):
            return StaffInvitation.objects.none()
        return StaffInvitation.objects.filter(_roles_visible_q(user))

    def can_change(self, user, obj: StaffInvitation) -> bool:
        return may_manage_roles(user, obj.ambito_id, role=obj.role, comune_id=obj.comune_id)


staff_role_policy = StaffRolePolicy()
staff_invitation_policy = StaffInvitationPolicy()


def roles_ambito(user, code: str) -> Ambito:
    """The ambito whose roles page `user` opens: 404 unless they are its staff."""
    ambito = Ambito.objects.select_related("lead_comune").filter(code=code).first()
    if ambito is None or not is_staff_of(user, ambito):
        raise Http404
    return ambito


def role_choices_for(user, ambito: Ambito) -> list[str]:
    """The roles `user` may give in `ambito` (none: they only read the page)."""
    if ambito.pk in coordinated_ambito_ids(user):
        return list(StaffRole.Role.values)
    return [StaffRole.Role.COMUNE] if colleague_comuni(user, ambito) else []
