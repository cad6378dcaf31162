"""Who may see and manage tables, meetings and minutes (see core.permissions for the pattern).

- Tables are public; their Ufficio di Piano (coordinators and operators of the ambito) and the
  table's own coordinators manage them. A comune's concertation table (Table.Kind.CONCERTATION,
  the Piano Sociale di Zona's Tavolo di Concertazione) is managed by that comune's staff too, and
  by no other comune's. A reserved table (Table.reserved) not yet disclosed is
  seen, with its meetings and minutes, only by its members, its managers and the ambito's staff.
- Meetings in preparation are seen by managers only; convened and cancelled ones are public.
- Minutes: drafts are the managers' only; once shared for comments the table's members read
  them too; approved minutes are public for RETENTION_MINUTES_ONLINE_YEARS (they name the
  people present), and always readable by the table's members and managers."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from ambito.permissions import (
    colleague_comuni,
    comune_ids,
    comune_staff_pairs,
    managed_ambito_ids,
    staff_ambito_ids,
)
from core import usercache
from core.permissions import Policy
from core.retention import online_since
from entities.models import EntityMembership
from entities.permissions import active_memberships, administered_entity_ids, member_entity_ids
from tables.models import Meeting, Minutes, Table, TableMembership


def _authenticated(user) -> bool:
    return getattr(user, "is_authenticated", False)


@usercache.per_user("tables.coordinated_table_ids", anonymous=set)
def coordinated_table_ids(user) -> set[int]:
    return set(
        Table.coordinators.through.objects.filter(user_id=user.pk).values_list(
            "table_id", flat=True
        )
    )


def runs_as_comune(user, table: Table) -> bool:
    """`table` is a concertation table of a comune whose staff `user` is (in its ambito)."""
    return table.kind == Table.Kind.CONCERTATION and (
        table.ambito_id,
        table.comune_id,
    ) in comune_staff_pairs(user)


def can_manage_table(user, table: Table) -> bool:
    if not _authenticated(user):
        return False
    return (
        table.ambito_id in managed_ambito_ids(user)
        or table.pk in coordinated_table_ids(user)
        or runs_as_comune(user, table)
    )


def concertation_tables_q(user, prefix: str = "") -> Q | None:
    """The concertation tables of the user's own comuni (comune staff), None when they have none."""
    q = None
    for ambito_id, comune_id in sorted(comune_staff_pairs(user)):
        one = Q(
            **{
                f"{prefix}kind": Table.Kind.CONCERTATION,
                f"{prefix}ambito_id": ambito_id,
                f"{prefix}comune_id": comune_id,
            }
        )
        q = one if q is None else q | one
    return q


def managed_tables_q(user, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}ambito_id__in": managed_ambito_ids(user)}) | Q(
        **{f"{prefix}pk__in": coordinated_table_ids(user)}
    )
    concertation = concertation_tables_q(user, prefix)
    return q if concertation is None else q | concertation


def creatable_comuni(user, ambito) -> set[int] | None:
    """What `user` may create or edit in `ambito`: any table (None, the Ufficio di Piano) or
    only concertation tables of these comuni (their comune staff; empty: nothing)."""
    if ambito.pk in managed_ambito_ids(user):
        return None
    return colleague_comuni(user, ambito)


def table_form_comuni(user, table: Table) -> set[int] | None:
    """The restriction of the table's edit form for `user` (see creatable_comuni): its
    coordinators keep the whole form, as the Ufficio di Piano."""
    if table.pk in coordinated_table_ids(user):
        return None
    return creatable_comuni(user, table.ambito)


def active_seats(user) -> QuerySet[TableMembership]:
    """The active memberships through which `user` sits at tables: as delegate or substitute, as a
    person of a member entity, or as staff of a member comune."""
    if not _authenticated(user):
        return TableMembership.objects.none()
    q = Q(delegate=user) | Q(substitute=user) | Q(entity_id__in=member_entity_ids(user))
    comuni = comune_ids(user)
    if comuni:
        q |= Q(kind=TableMembership.Kind.COMUNE, comune_id__in=comuni)
    return TableMembership.objects.current().filter(q)


@usercache.per_user("tables.member_table_ids", anonymous=set)
def member_table_ids(user) -> set[int]:
    """Tables where the user has an active seat by any route: as delegate or substitute, through
    one of their entities or their comune (active_seats). Participation's narrower set, the seats
    the user holds in person, is participation.permissions.seat_holder_table_ids."""
    return set(active_seats(user).values_list("table_id", flat=True))


def remember_seats(user, seats) -> None:
    """The rows of active_seats(user), read by the caller: member_table_ids needs no query."""
    if _authenticated(user):
        usercache.remember(user, member_table_ids.cache_key, {seat.table_id for seat in seats})


def visible_tables_q(user, prefix: str = "") -> Q:
    """Tables `user` may see: every public one; a reserved one not yet disclosed only as its
    member, its manager or staff of its ambito."""
    q = ~Q(**{f"{prefix}reserved": True, f"{prefix}disclosed_at__isnull": True})
    if _authenticated(user):
        q |= (
            managed_tables_q(user, prefix)
            | Q(**{f"{prefix}pk__in": member_table_ids(user)})
            | Q(**{f"{prefix}ambito_id__in": staff_ambito_ids(user)})
        )
    return q


def can_see_table(user, table: Table) -> bool:
    if not table.is_private:
        return True
    return _authenticated(user) and (
        can_manage_table(user, table)
        or is_member(user, table)
        or table.ambito_id in staff_ambito_ids(user)
    )


def is_member(user, table: Table) -> bool:
    return table.pk in member_table_ids(user)


def can_join(user, table: Table) -> bool:
    """Entity administrators may ask to join an open table of their entity's ambito."""
    if not (
        _authenticated(user) and table.is_open and table.archived_at is None and not table.reserved
    ):
        return False
    return (
        active_memberships(user)
        .filter(role=EntityMembership.Role.ADMIN, entity__ambito_id=table.ambito_id)
        .exists()
    )


class TablePolicy(Policy[Table]):
    model = Table

    def visible(self, user) -> QuerySet[Table]:
        return Table.objects.filter(visible_tables_q(user))

    def can_change(self, user, obj: Table) -> bool:
        return can_manage_table(user, obj)


class MeetingPolicy(Policy[Meeting]):
    model = Meeting

    def visible(self, user) -> QuerySet[Meeting]:
        q = ~Q(status=Meeting.Status.DRAFT) & visible_tables_q(user, "table__")
        if _authenticated(user):
            q |= managed_tables_q(user, "table__")
        return Meeting.objects.filter(q)

    def can_change(self, user, obj: Meeting) -> bool:
        return can_manage_table(user, obj.table)


class MinutesPolicy(Policy[Minutes]):
    model = Minutes

    def visible(self, user) -> QuerySet[Minutes]:
        # Approved minutes name the people present: the public reads them for the stated years
        # (core.retention.online_since), the table's members and managers always.
        q = Q(
            status=Minutes.Status.APPROVED,
            approved_at__gte=online_since(years=settings.RETENTION_MINUTES_ONLINE_YEARS),
        ) & visible_tables_q(user, "meeting__table__")
        if _authenticated(user):
            q |= managed_tables_q(user, "meeting__table__") | Q(
                status__in=[Minutes.Status.SHARED, Minutes.Status.APPROVED],
                meeting__table_id__in=member_table_ids(user),
            )
        return Minutes.objects.filter(q)

    def can_change(self, user, obj: Minutes) -> bool:
        return can_manage_table(user, obj.meeting.table)

    def can_comment(self, user, obj: Minutes) -> bool:
        return obj.status == Minutes.Status.SHARED and (
            is_member(user, obj.meeting.table) or can_manage_table(user, obj.meeting.table)
        )


class MembershipPolicy(Policy[TableMembership]):
    """Requests are seen by the table's managers and by the entity's people."""

    model = TableMembership

    def visible(self, user) -> QuerySet[TableMembership]:
        if not _authenticated(user):
            return TableMembership.objects.none()
        q = (
            managed_tables_q(user, "table__")
            | Q(entity_id__in=member_entity_ids(user))
            | Q(delegate=user)
        )
        return TableMembership.objects.filter(q)

    def can_change(self, user, obj: TableMembership) -> bool:
        return can_manage_table(user, obj.table)

    def can_leave(self, user, obj: TableMembership) -> bool:
        if obj.status not in (TableMembership.Status.ACTIVE, TableMembership.Status.REQUESTED):
            return False
        if can_manage_table(user, obj.table):
            return True
        if obj.entity_id:
            return obj.entity_id in administered_entity_ids(user)
        return obj.delegate_id == user.pk


table_policy = TablePolicy()
meeting_policy = MeetingPolicy()
minutes_policy = MinutesPolicy()
membership_policy = MembershipPolicy()


def may_read_documents(user, meeting: Meeting) -> bool:
    """The meeting's attachments: its table's managers and members, and whoever was invited."""
    if can_manage_table(user, meeting.table) or is_member(user, meeting.table):
        return True
    return user.is_authenticated and meeting.invitations.filter(user=user).exists()
