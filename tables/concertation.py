"""The comuni's concertation tables (Table.Kind.CONCERTATION: the Tavolo di Concertazione each
comune holds for the Piano Sociale di Zona), grouped by comune: for the plan's participation path
(what the public reads: convened meetings, published minutes) and for the area of a comune's
staff (their own comune's tables, with a button to create one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ambito.models import Comune
from ambito.permissions import comune_staff_pairs
from tables.models import Meeting, Table
from tables.permissions import concertation_tables_q, meeting_policy, minutes_policy


@dataclass
class ComuneTables:
    """One comune and its concertation tables (each with `path_meetings` when read for the
    plan: its public meetings, each with `has_public_minutes`)."""

    comune: Comune
    tables: list[Table] = field(default_factory=list)
    ambito_id: int | None = None


def _public_meetings() -> QuerySet[Meeting]:
    """Meetings the public sees (not cancelled), each saying whether its approved minutes are
    public (tables.permissions.MinutesPolicy, for an anonymous visitor)."""
    anonymous = AnonymousUser()
    published = minutes_policy.visible(anonymous).filter(meeting=OuterRef("pk"))
    return (
        meeting_policy.visible(anonymous)
        .exclude(status=Meeting.Status.CANCELLED)
        .only("table_id", "title", "starts_at", "status")
        .annotate(has_public_minutes=Exists(published))
        .order_by("starts_at", "pk")
    )


def concertation_by_comune(ambito_id: int) -> list[ComuneTables]:
    """The public concertation tables of the ambito, by comune (by name), each with its public
    meetings and whether their minutes are published: two queries, whatever the number."""
    tables = (
        Table.objects.public()
        .filter(ambito_id=ambito_id, kind=Table.Kind.CONCERTATION, archived_at__isnull=True)
        .select_related("comune")
        .only("name", "slug", "comune__name", "comune__province_code")
        .order_by("comune__name", "comune_id", "name", "pk")
        .prefetch_related(Prefetch("meetings", _public_meetings(), to_attr="path_meetings"))
    )
    return [
        ComuneTables(comune=rows[0].comune, tables=rows, ambito_id=ambito_id)
        for rows in (list(g) for _k, g in groupby(tables, key=lambda t: t.comune_id))
    ]


def concertation_of_staff(user) -> list[ComuneTables]:
    """The comuni whose staff `user` is, each with its concertation tables (archived ones too):
    the tables they run (tables.permissions.runs_as_comune). Two queries; none without a role."""
    pairs = sorted(comune_staff_pairs(user))
    if not pairs:
        return []
    comuni = Comune.objects.in_bulk([c for _a, c in pairs])
    by_pair: dict[tuple[int, int], list[Table]] = {pair: [] for pair in pairs}
    for table in Table.objects.filter(concertation_tables_q(user)).order_by("name", "pk"):
        by_pair[(table.ambito_id, table.comune_id or 0)].append(table)  # concertation: a comune
    return [
        ComuneTables(comune=comuni[c], tables=by_pair[(a, c)], ambito_id=a)
        for a, c in pairs
        if c in comuni
    ]
