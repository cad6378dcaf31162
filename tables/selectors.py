"""Reads used by views, feeds and blocks: scoped and pre-fetched so that the number of queries
does not grow with members or meetings."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ambito.permissions import managed_ambito_ids
from core.models import FileJob
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
        TableMembership.objects.filter(status=TableMembership.Status.ACTIVE)
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


def tables_list(*, ambito=None, members_shown: int = MEMBERS_SHOWN) -> QuerySet[Table]:
    """Public tables not archived (reserved ones are reached from their procedure), each with `member_count`, `past_meetings`, `next_meetings` (the next convened
    one, if any) and, when members_shown > 0, `shown_members` (the first members_shown active
    members) and its themes."""
    now = timezone.now()
    members = TableMembership.objects.filter(
        table=OuterRef("pk"), status=TableMembership.Status.ACTIVE
    )
    past = (
        public_meetings()
        .filter(table=OuterRef("pk"), ends_at__lt=now)
        .exclude(status=Meeting.Status.CANCELLED)
    )
    qs = (
        Table.objects.public()
        .filter(archived_at__isnull=True)
        .select_related("ambito", "comune")
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=public_meetings()
                .filter(starts_at__gte=now, status=Meeting.Status.CONVENED)
                .order_by("starts_at")[:1],
                to_attr="next_meetings",
            ),
        )
        .annotate(member_count=_count_of(members), past_meetings=_count_of(past))
    )
    if members_shown:
        # Only what a card shows of each member (a name and a link): whole entity and user rows
        # made most of the page's work.
        shown = (
            active_members()
            .select_related(None)
            .select_related("entity", "comune", "delegate")
            .only(
                "table_id",
                "entity__name",
                "comune__name",
                "delegate__first_name",
                "delegate__last_name",
                "delegate__email",
            )
        )
        qs = qs.prefetch_related(
            "themes",
            Prefetch("memberships", queryset=shown[:members_shown], to_attr="shown_members"),
        )
    if ambito is not None:
        qs = qs.filter(ambito=ambito)
    return qs.order_by("ambito__name", "name")


def table_meetings(table: Table, user, *, manager: bool) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, past) meetings of a table visible to the user, with their minutes."""
    now = timezone.now()
    qs = table.meetings.select_related("minutes")
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
        managed_ambito_ids(user) or coordinated_table_ids(user)
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
