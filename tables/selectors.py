"""Reads used by views, feeds and blocks: scoped and pre-fetched so that the number of queries
does not grow with members or meetings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext

from ambito.permissions import comune_staff_pairs, managed_ambito_ids
from core.links import object_url
from core.models import FileJob, User
from core.prepared import Prepared, Rows
from core.queries import FirstPerGroup, select_related_only
from entities.models import EntityMembership, TargetGroup
from tables.models import Invitation, Meeting, Minutes, MinutesVersion, Table, TableMembership
from tables.permissions import (
    active_seats,
    coordinated_table_ids,
    managed_tables_q,
    member_table_ids,
    remember_seats,
)


def active_members() -> QuerySet[TableMembership]:
    return (
        TableMembership.objects.current()
        .select_related("entity", "comune", "delegate", "substitute")
        .order_by("kind", "entity__name", "comune__name", "delegate__last_name")
    )


def public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.exclude(status=Meeting.Status.DRAFT)


MEMBERS_SHOWN = 8  # members named on each card of the tables list


def _count_of(qs: QuerySet) -> Coalesce:
    """COUNT(*) of `qs` (filtered on an OuterRef) as a correlated subquery: a list counts each
    row's related objects without joining and grouping all of them."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def tables_list(*, ambito=None, rows: slice | None = None) -> list[Table]:
    """Public tables not archived (reserved ones are reached from their procedure), each with
    `member_count`, `past_meetings` and `next_meetings` (the next convened one, if any, as a
    NextMeeting). What only the list's cards show (the first members, the themes) comes from
    `with_card_details`, once the page of tables is known."""
    return _TABLES.run(ambito_id=ambito.pk if ambito else None, now=timezone.now(), rows=rows)


def tables_rows(*, ambito=None) -> Rows[Table]:
    """tables_list, a page at a time (for Paginator)."""
    return Rows(_TABLES, ambito_id=ambito.pk if ambito else None, now=timezone.now())


def _tables_query(*, ambito_id: int | None, now: datetime) -> QuerySet[Table]:
    members = TableMembership.objects.current().filter(table=OuterRef("pk"))
    past = (
        public_meetings()
        .filter(table=OuterRef("pk"), ends_at__lt=now)
        .exclude(status=Meeting.Status.CANCELLED)
    )
    upcoming = (
        public_meetings()
        .filter(table=OuterRef("pk"), starts_at__gte=now, status=Meeting.Status.CONVENED)
        .order_by("starts_at", "pk")
    )
    listed = _listed_tables(ambito_id)
    # the cards show the ambito's and comune's names only (and are memoised by what they hold)
    qs = select_related_only(listed, ambito=("name",), comune=("name",)).annotate(
        member_count=_count_of(members),
        past_meetings=_count_of(past),
        next_meeting_pk=Subquery(upcoming.values("pk")[:1]),
        next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
    )
    qs._iterable_class = _WithNextMeeting
    return qs.order_by("ambito__name", "name")


_TABLES = Prepared(_tables_query)  # built and compiled once per shape (core.prepared)


def _listed_tables(ambito_id: int | None) -> QuerySet[Table]:
    qs = Table.objects.public().filter(archived_at__isnull=True)
    return qs if ambito_id is None else qs.filter(ambito_id=ambito_id)


@dataclass(slots=True)
class NextMeeting:
    """A table's next convened meeting as its card shows it: when, and a link."""

    pk: int
    starts_at: datetime

    def get_absolute_url(self) -> str:
        return object_url("tables:meeting_detail", pk=self.pk)


class _WithNextMeeting(ModelIterable):
    """Tables with `next_meetings`: [NextMeeting] from the row's two subqueries, or [] (the
    windowed prefetch of whole meeting rows it replaces cost more than the rest of the query)."""

    def __iter__(self):
        for table in super().__iter__():
            pk = table.next_meeting_pk
            table.next_meetings = [NextMeeting(pk, table.next_meeting_at)] if pk else []
            yield table


@dataclass(slots=True)
class Named:
    """What a card shows of a member's entity, comune or person: a name and, for an entity, a
    link (model instances cost tens of microseconds each to build: 160 of them, with their
    joined rows, were a quarter of the tables list). These three classes are not frozen: a
    frozen dataclass's __init__ sets each field through object.__setattr__, twice the cost, for
    the few hundred a page builds; nothing changes them after."""

    pk: int
    name: str

    def get_absolute_url(self) -> str:
        return object_url("entities:detail", pk=self.pk)


@dataclass(slots=True)
class ShownMember:
    """One member named on a card; renders itself (`{{ table.shown_members|join:", " }}`): the
    entity's linked name, "Comune di" and the comune's, or the person's name."""

    entity: Named | None
    comune: Named | None
    delegate_name: str

    def __html__(self) -> str:
        if self.entity:
            return format_html(
                '<a href="{}">{}</a>', self.entity.get_absolute_url(), self.entity.name
            )
        if self.comune:
            return format_html("{} {}", gettext("Comune di"), self.comune.name)
        return conditional_escape(self.delegate_name)

    def __str__(self) -> str:
        return (
            self.entity.name
            if self.entity
            else self.comune.name
            if self.comune
            else self.delegate_name
        )


def with_card_details(tables: list[Table]) -> list[Table]:
    """Set on each table what the list's card shows besides its row: `shown_members`, its first
    MEMBERS_SHOWN active members (in the order of `active_members`), and `theme_names`, read
    for all the tables in two queries of plain values."""
    by_table: dict[int, list[ShownMember]] = {table.pk: [] for table in tables}
    themes: dict[int, list[str]] = {table.pk: [] for table in tables}
    if tables:
        for table_id, name in _THEMES.run(table_ids=list(themes)):
            themes[table_id].append(name)
        for table_id, entity_id, entity, comune_id, comune, first, last, email in _SHOWN.run(
            table_ids=list(by_table)
        ):
            by_table[table_id].append(
                ShownMember(
                    entity=Named(entity_id, entity) if entity_id else None,
                    comune=Named(comune_id, comune) if comune_id else None,
                    # User.display_name: the full name, else the address
                    delegate_name=f"{first or ''} {last or ''}".strip() or (email or ""),
                )
            )
    for table in tables:
        table.shown_members = by_table[table.pk]
        table.theme_names = themes[table.pk]
    return tables


# the cards' themes and first members, for a page of tables (`any`: one SQL text for any page)
_THEMES = Prepared(
    lambda table_ids: (
        Table.themes.through.objects.filter(table_id__any=table_ids)
        .order_by(
            *(f"targetgroup__{f}" for f in TargetGroup._meta.ordering or ()), "targetgroup_id"
        )
        .values_list("table_id", "targetgroup__name")
    )
)
_SHOWN = FirstPerGroup(
    lambda table_ids: TableMembership.objects.current().filter(table_id__any=table_ids),
    model=TableMembership,
    group="table_id",
    order=[F("kind"), F("entity__name"), F("comune__name"), F("delegate__last_name")],
    n=MEMBERS_SHOWN,
    fields=(
        "table_id",
        "entity_id",
        "entity__name",
        "comune_id",
        "comune__name",
        "delegate__first_name",
        "delegate__last_name",
        "delegate__email",
    ),
)


def table_meetings(table: Table, user, *, manager: bool) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, past) meetings of a table visible to the user, with their minutes."""
    now = timezone.now()
    # the row shows the minutes status and links them (by their meeting)
    qs = select_related_only(table.meetings.all(), minutes=("status", "meeting"))
    if not manager:
        qs = qs.exclude(status=Meeting.Status.DRAFT)
    upcoming = list(qs.filter(ends_at__gte=now).order_by("starts_at")[:20])
    past = list(
        qs.filter(ends_at__lt=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")[:50]
    )
    return upcoming, past


def table_history(table: Table) -> QuerySet[TableMembership]:
    return (
        table.memberships.exclude(status=TableMembership.Status.ACTIVE)
        .select_related("entity", "comune", "delegate", "decided_by")
        .order_by("-requested_at")
    )


def meeting_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    return meeting.invitations.select_related("entity", "comune", "last_email", "user").order_by(
        "entity__name", "name", "email"
    )


def response_counts(meeting: Meeting) -> dict[str, int]:
    counts = dict(meeting.invitations.values_list("response").annotate(n=Count("pk")).order_by())
    return {key: counts.get(key, 0) for key in Invitation.Response.values}


def meetings_for_user(user, invited: Iterable[int] | None = None) -> QuerySet[Meeting]:
    """Meetings of the tables where the user sits, or to which they are invited (`invited`: the
    meeting ids of the user's invitations, when the caller has read them). Both id sets are read
    first: a filter on two short lists uses the indexes, where subqueries made PostgreSQL walk
    every meeting in date order."""
    if invited is None:
        invited = Invitation.objects.filter(user=user).values_list("meeting_id", flat=True)
    return public_meetings().filter(
        Q(table_id__in=member_table_ids(user)) | Q(pk__in=list(invited))
    )


def upcoming_for_user(
    user, limit: int = 10, seats: list[TableMembership] | None = None
) -> list[tuple[Meeting, Invitation | None]]:
    """The user's next meetings with their invitation, if any (`seats`: the user's active
    seats, when the caller has read them: no need to read them again)."""
    now = timezone.now()
    mine = {
        i.meeting_id: i for i in Invitation.objects.filter(user=user, meeting__ends_at__gte=now)
    }
    if seats is not None:
        remember_seats(user, seats)
    if not mine and not member_table_ids(user):
        return []
    meetings = list(
        meetings_for_user(user, invited=mine)
        .filter(ends_at__gte=now)
        .select_related("table")
        .order_by("starts_at")[:limit]
    )
    return [(m, mine.get(m.pk)) for m in meetings]


def tables_of_user(user) -> QuerySet[TableMembership]:
    """The user's active seats (tables.permissions.active_seats), with what lists show."""
    return active_seats(user).select_related("table", "entity", "comune").order_by("table__name")


def managed_tables(user) -> QuerySet[Table]:
    if not getattr(user, "is_authenticated", False) or not (
        managed_ambito_ids(user) or coordinated_table_ids(user) or comune_staff_pairs(user)
    ):
        return Table.objects.none()  # a plain none(): nothing to compile
    requested = TableMembership.objects.filter(
        table=OuterRef("pk"), status=TableMembership.Status.REQUESTED
    )
    return Table.objects.filter(managed_tables_q(user)).annotate(pending=_count_of(requested))


def approved_minutes(table: Table) -> QuerySet[Minutes]:
    return Minutes.objects.filter(
        meeting__table=table, status=Minutes.Status.APPROVED
    ).select_related("meeting")


def _pdf_jobs(versions: list[MinutesVersion]) -> QuerySet[FileJob]:
    return FileJob.objects.filter(
        content_type=ContentType.objects.get_for_model(MinutesVersion),
        object_id__in=[str(v.pk) for v in versions],
        kind=MinutesVersion.PDF_KIND,
    ).order_by("-created_at", "-id")


def published_versions(minutes: Minutes) -> list[MinutesVersion]:
    """The published versions of the minutes, oldest first, each with `job` (its latest PDF
    job, for the progress shown while it renders) and `pdf` (its latest finished PDF, the one
    downloaded, with its SHA-256): two queries, whatever the number of versions."""
    versions = list(
        minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED).order_by("number")
    )
    for v in versions:
        v.minutes = minutes
        v.job = v.pdf = None
    by_pk = {str(v.pk): v for v in versions}
    for job in _pdf_jobs(versions):
        version = by_pk[job.object_id]
        if version.job is None:
            version.job = job
        if version.pdf is None and job.status == FileJob.Status.DONE and job.file:
            version.pdf = job
    return versions


def version_pdf(version: MinutesVersion) -> FileJob | None:
    """The latest finished PDF of a version."""
    return _pdf_jobs([version]).filter(status=FileJob.Status.DONE).exclude(file="").first()


def entity_people(entity) -> QuerySet[User]:
    """The active people acting for `entity` today."""
    return User.objects.filter(
        EntityMembership.current_q("entity_memberships__"),
        entity_memberships__entity=entity,
        is_active=True,
    ).distinct()


def current_version(minutes: Minutes) -> MinutesVersion | None:
    """The published version in force: the latest."""
    return (
        minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED).order_by("-number").first()
    )


def correction_draft(minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions.filter(status=MinutesVersion.Status.DRAFT).first()


def table_managers(table: Table) -> list[User]:
    from ambito.models import StaffRole

    return list(
        User.objects.filter(
            Q(coordinated_tables=table)
            | Q(
                staff_roles__ambito_id=table.ambito_id,
                staff_roles__role__in=[StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR],
            )
        ).distinct()
    )
