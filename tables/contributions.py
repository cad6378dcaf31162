"""What tables/ contributes through core.registry: blocks on the home page, "my area" and an
entity's profile; the tables and meetings of the global search; personal data export and erasure
(tables.services.personal_data)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ambito import routing
from ambito import selectors as ambito_selectors
from core import registry
from core.queries import select_related_only
from core.search import Hit, SearchProvider, day, excerpt, matching
from tables import selectors
from tables.concertation import concertation_of_staff
from tables.models import Meeting, Table, TableMembership
from tables.permissions import meeting_policy, table_policy
from tables.services import personal_data


def _home(request):
    ambito = ambito_selectors.current_ambito(request)
    if ambito is None:
        return None
    tables = selectors.tables_list(ambito=ambito, rows=slice(0, 12))
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
    concertation = concertation_of_staff(user)  # a comune's staff: their comune's tables
    shown = {t.pk for group in concertation for t in group.tables}
    managed = [t for t in selectors.managed_tables(user).order_by("name") if t.pk not in shown]
    upcoming = selectors.upcoming_for_user(user, seats=seats)
    if not seats and not managed and not upcoming and not concertation:
        return None
    return "tables/sections/my_area.html", {
        "seats": seats,
        "managed": managed,
        "upcoming": upcoming,
        "concertation": concertation,
    }


def _entity_profile(request, entity):
    seats = list(
        select_related_only(  # the table's name, the delegate's (User.display_name)
            TableMembership.objects.current().filter(
                entity=entity,
                table__in=table_policy.visible(request.user),
            ),
            table=("name",),
            delegate=("first_name", "last_name", "email"),
        ).order_by("table__name")
    )
    if not seats:
        return None
    return "tables/sections/entity_profile.html", {"entity": entity, "seats": seats}


def _search_tables(user, term: str):
    visible = routing.scoped(table_policy.visible(user)).select_related("ambito")
    return matching(visible, term, ["name", "description"])


def _table_hit(table: Table, term: str) -> Hit:
    meta = f"{table.get_kind_display()} · {table.ambito.name}"
    if table.archived_at:
        meta = f"{meta} · {gettext_lazy('archiviato')}"
    return Hit(table.name, table.get_absolute_url(), excerpt(table.description, term), meta)


def _search_meetings(user, term: str):
    visible = routing.scoped(meeting_policy.visible(user), "table__ambito")
    return matching(visible.select_related("table"), term, ["title", "description"])


def _meeting_hit(meeting: Meeting, term: str) -> Hit:
    meta = f"{day(meeting.starts_at)} · {meeting.table.name}"
    if meeting.status == Meeting.Status.CANCELLED:
        meta = f"{meta} · {meeting.get_status_display()}"
    return Hit(meeting.title, meeting.get_absolute_url(), excerpt(meeting.description, term), meta)


def register() -> None:
    for provider in (
        SearchProvider("tavoli", gettext_lazy("Tavoli"), 20, _search_tables, _table_hit),
        SearchProvider(
            "sedute", gettext_lazy("Sedute dei tavoli"), 25, _search_meetings, _meeting_hit
        ),
    ):
        registry.add("search", provider.kind, provider.order, provider)
    registry.add("home", "tables", 20, _home)
    registry.add("my_area", "tables", 20, _my_area)
    registry.add("entity_profile", "tables", 20, _entity_profile)
    registry.add("personal_data", "tables", 0, personal_data.export_personal_data)
    registry.add("erase_personal_data", "tables", 0, personal_data.erase_personal_data)
