from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from ambito import routing
from ambito.models import Ambito, Comune
from ambito.permissions import is_ufficio_di_piano, staff_invitation_policy, staff_role_policy
from core.models import AuditEvent
from core.prepared import Prepared


def ambiti_list() -> QuerySet[Ambito]:
    return Ambito.objects.select_related("lead_comune").order_by("name")


def region_ambiti() -> list[Ambito]:
    """The ambiti as the region's pages list them, with the number of their comuni."""
    return _REGION_AMBITI.run()


_REGION_AMBITI = Prepared(lambda: ambiti_list().annotate(n_comuni=Count("comuni")))


def ambiti_named() -> list[Ambito]:
    """Every ambito by name, with its code and name only: a filter's choices."""
    return _AMBITI_NAMED.run()


_AMBITI_NAMED = Prepared(lambda: Ambito.objects.order_by("name").only("code", "name"))


def current_ambito(request: HttpRequest | None = None) -> Ambito | None:
    """The ambito the visitor is in (see ambito.routing): the URL prefix's, else the only one of a
    portal that has one; None on a regional portal's own pages. Given the request, it is read
    once per request (the page header and each home block ask for it)."""
    if request is not None and hasattr(request, "_current_ambito"):
        return request._current_ambito
    pk = routing.current_ambito_id(request)
    ambito = ambiti_list().filter(pk=pk).first() if pk is not None else None
    if request is not None:
        request._current_ambito = ambito
    return ambito


def default_ambito() -> Ambito | None:
    """The ambito that takes what belongs to none (an entity whose comuni are in no ambito): the
    one the visitor is in, else the first one created."""
    pk = routing.current_ambito_id()
    qs = Ambito.objects.order_by("pk")
    return (qs.filter(pk=pk) if pk is not None else qs).first()


def comuni_of(ambito: Ambito) -> QuerySet[Comune]:
    return ambito.comuni.order_by("name")


def comuni_search(term: str, limit: int = 20) -> QuerySet[Comune]:
    qs = Comune.objects.order_by("name")
    term = term.strip()
    if term.isdigit():  # an ISTAT code, or its first digits
        qs = qs.filter(istat_code__startswith=term)
    elif term:
        qs = qs.filter(name__istartswith=term)
    return qs[:limit]


def roles_page(user, ambito: Ambito) -> dict:
    """What the roles page of `ambito` shows `user`: the roles they may see (the Ufficio di
    Piano's, then each comune's), the open invitations, the history of the roles (4 queries)."""
    roles = list(
        staff_role_policy.visible(user)
        .filter(ambito=ambito)
        .select_related("user", "comune")
        .order_by("comune__name", "role", "user__last_name", "user__first_name", "pk")
    )
    for role in roles:
        role.manageable = staff_role_policy.can_change(user, role)
    invitations = list(
        staff_invitation_policy.visible(user)
        .filter(ambito=ambito, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("comune", "invited_by", "outgoing_email")
        .order_by("-created_at")
    )
    for invitation in invitations:
        invitation.manageable = staff_invitation_policy.can_change(user, invitation)
    history = (
        # ambito.staff.* and ambito.staff_invitation.*
        AuditEvent.objects.filter(ambito_id=ambito.pk, action__startswith="ambito.staff")
        .order_by("-created_at", "-pk")
        .select_related("actor")[:HISTORY_ROWS]
    )
    return {
        "ufficio": [r for r in roles if r.comune_id is None],
        "comune_roles": [r for r in roles if r.comune_id is not None],
        "invitations": invitations,
        "history": list(history) if is_ufficio_di_piano(user, ambito) else [],
    }


HISTORY_ROWS = 30


def rup_candidates(ambito: Ambito, *, keep: int | None = None):
    """People who may be named RUP of a procedure of `ambito`: its staff whose role says so (and
    `keep`, the one already named, whatever their role says now)."""
    from core.models import User

    q = Q(staff_roles__ambito=ambito, staff_roles__rup_eligible=True)
    if keep is not None:
        q |= Q(pk=keep)
    return User.objects.filter(q).distinct().order_by("last_name", "first_name")
