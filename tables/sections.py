"""Blocks that tables/ adds to the home page, "my area" and an entity's profile."""

from __future__ import annotations

from django.utils import timezone

from ambito import selectors as ambito_selectors
from core import registry
from tables import selectors
from tables.models import Meeting, Table, TableMembership
from tables.permissions import table_policy


def _home(request):
    ambito = ambito_selectors.default_ambito(request)
    if ambito is None:
        return None
    tables = list(selectors.tables_list(ambito=ambito, members_shown=0)[:12])
    upcoming = list(
        selectors.public_meetings()
        .filter(
            table__in=Table.objects.public(),
            table__ambito=ambito,
            status=Meeting.Status.CONVENED,
            starts_at__gte=timezone.now(),
        )
        .select_related("table")
        .order_by("starts_at")[:5]
    )
    return "tables/sections/home.html", {"ambito": ambito, "tables": tables, "upcoming": upcoming}


def _my_area(request):
    user = request.user
    seats = list(selectors.tables_of_user(user))
    managed = list(selectors.managed_tables(user).order_by("name"))
    upcoming = selectors.upcoming_for_user(user, seats=seats)
    if not seats and not managed and not upcoming:
        return None
    return "tables/sections/my_area.html", {
        "seats": seats,
        "managed": managed,
        "upcoming": upcoming,
    }


def _entity_profile(request, entity):
    seats = list(
        TableMembership.objects.filter(
            entity=entity,
            status=TableMembership.Status.ACTIVE,
            table__in=table_policy.visible(request.user),
        )
        .select_related("table", "delegate")
        .order_by("table__name")
    )
    if not seats:
        return None
    return "tables/sections/entity_profile.html", {"entity": entity, "seats": seats}


def register() -> None:
    registry.home_section("tables", 20, _home)
    registry.my_area_section("tables", 20, _my_area)
    registry.add("entity_profile", "tables", 20, _entity_profile)


def export_personal_data(user) -> dict:
    from tables.models import Invitation

    return {
        "seats": [
            {
                "table": m.table.name,
                "kind": m.kind,
                "status": m.status,
                "requested_at": m.requested_at.isoformat(),
            }
            for m in TableMembership.objects.filter(delegate=user).select_related("table")
        ],
        "invitations": [
            {"meeting": str(i.meeting), "response": i.response, "attendance": i.attendance}
            for i in Invitation.objects.filter(user=user).select_related("meeting")
        ],
    }


def erase_personal_data(user) -> None:
    """Account deletion: upcoming invitations go; past ones stay in the attendance register and in
    approved minutes (official records, GDPR art. 17(3)(b)) under a pseudonymous address; the
    person leaves every table (an entity's substitute, if any, becomes its delegate)."""
    from tables.models import Invitation

    now = timezone.now()
    Invitation.objects.filter(user=user, meeting__ends_at__gte=now).delete()
    Invitation.objects.filter(user=user).update(email=f"cancellato-{user.pk}@invalid.example")
    open_seats = TableMembership.objects.filter(delegate=user, status__in=["requested", "active"])
    # An entity keeps its seat when a substitute can take over as delegate.
    for seat in open_seats.filter(substitute__isnull=False).exclude(substitute=user):
        TableMembership.objects.filter(pk=seat.pk).update(
            delegate_id=seat.substitute_id, substitute=None
        )
    open_seats.update(
        status=TableMembership.Status.LEFT, left_at=now, status_reason="Account cancellato"
    )
    TableMembership.objects.filter(substitute=user).update(substitute=None)
    Table.coordinators.through.objects.filter(user_id=user.pk).delete()
