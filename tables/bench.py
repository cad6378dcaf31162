"""Benchmark data, layer 3: tables (20 entity members each) and their meetings (25 per table),
each meeting with its agenda (15 items), the invitations of the members (with their answers and,
for past meetings, the attendance register) and, for past meetings, the minutes (most approved,
with the summary and decisions of every item).

ctx keys added:
- "tables_by_ambito": list (parallel to ctx["ambiti"]) of list[Table]; the first table of
  ambito 0 has the personas' entity as a member and the coordinator persona as coordinator.
- "meetings": list[Meeting].

The personas' meeting (the first one of that table, bench/pages.py) is past, with approved
minutes and 20 guests invited besides the members: the minutes PDF (pdf_documents(), measured by
bench/pdfs.py through the real template) has 40 attendees and 15 agenda items.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ambito.bench import BATCH
from tables import records
from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    Minutes,
    MinutesVersion,
    Table,
    TableMembership,
)

MEMBERS_PER_TABLE = 20
MEETINGS_PER_TABLE = 25
AGENDA_ITEMS = 15
CHUNK = 500  # meetings whose agenda and invitations are built at once
GUESTS = 20  # invited besides the members to the personas' meeting (40 attendees in its minutes)
TEXT = (
    "Il tavolo ha esaminato la proposta e ne ha discusso gli effetti sui servizi del territorio, "
    "con particolare attenzione alle persone più fragili e alla continuità degli interventi. "
)


def seed(ctx: dict, scale: float) -> None:
    ambiti, entities_by_ambito = ctx["ambiti"], ctx["entities_by_ambito"]
    admins, personas = ctx["entity_admins"], ctx["personas"]
    n = ctx["shape"].tables
    tables = Table.objects.bulk_create(
        [
            Table(
                ambito=ambiti[t % len(ambiti)],
                name=f"Bench Tavolo {t:05d}",
                slug=f"bench-tavolo-{t:05d}",
                description="Tavolo tematico sintetico per il benchmark.",
            )
            for t in range(n)
        ],
        batch_size=BATCH,
    )
    memberships = []
    for t, table in enumerate(tables):
        a, k = t % len(ambiti), t // len(ambiti)
        pool = entities_by_ambito[a]
        for j in range(min(MEMBERS_PER_TABLE, len(pool))):
            entity = pool[(k * MEMBERS_PER_TABLE + j) % len(pool)]
            memberships.append(
                TableMembership(
                    table=table,
                    kind="entity",
                    entity=entity,
                    delegate=admins[entity.pk],
                    status="active",
                    decided_at=timezone.now(),
                )
            )
    TableMembership.objects.bulk_create(memberships, batch_size=BATCH)
    Coordinators = Table.coordinators.through
    Coordinators.objects.bulk_create(
        [Coordinators(table_id=tables[0].pk, user_id=personas["coordinator"].pk)]
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    meetings = []
    for t, table in enumerate(tables):
        for m in range(MEETINGS_PER_TABLE):
            starts = now + timedelta(days=14 * (m - MEETINGS_PER_TABLE // 2), hours=t % 8)
            meetings.append(
                Meeting(
                    table=table,
                    title=f"Seduta {m + 1} del {table.name}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place="Sala consiliare, Via del Benchmark 1",
                    description="Seduta sintetica.",
                    status="convened",
                    created_by=personas["coordinator"],
                    invitations_sent_at=starts - timedelta(days=10),
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    by_ambito: list[list[Table]] = [[] for _ in ambiti]
    for t, table in enumerate(tables):
        by_ambito[t % len(ambiti)].append(table)
    ctx["tables_by_ambito"] = by_ambito
    ctx["meetings"] = meetings
    seed_meeting_records(meetings, memberships, now=now, chair=personas["coordinator"])


def seed_meeting_records(meetings, memberships, *, now, chair) -> None:
    """Agenda, invitations (answers, attendance) and minutes of the meetings, in bulk (a few
    hundred meetings at a time, so that the large scale does not hold a million rows at once)."""
    seats: dict[int, list[TableMembership]] = {}
    for membership in memberships:
        seats.setdefault(membership.table_id, []).append(membership)
    guests_at = meetings[0].pk  # the first meeting of the first table: the personas' one
    for start in range(0, len(meetings), CHUNK):
        chunk = meetings[start : start + CHUNK]
        AgendaItem.objects.bulk_create(
            [_agenda_item(m, k, held=m.ends_at < now) for m in chunk for k in range(AGENDA_ITEMS)],
            batch_size=BATCH,
        )
        invitations = [
            _invitation(m, j, seat, held=m.ends_at < now)
            for m in chunk
            for j, seat in enumerate(seats.get(m.table_id, ()))
        ]
        invitations += [
            Invitation(
                meeting=m,
                email=f"ospite-{g:02d}@bench.invalid",
                name=f"Ospite {g:02d}",
                response="yes",
                attendance="present",
            )
            for m in chunk
            if m.pk == guests_at
            for g in range(GUESTS)
        ]
        Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    past = [m for m in meetings if m.ends_at < now]
    # Minutes of the meetings held: three in four approved, the others shared for comments.
    minutes = Minutes.objects.bulk_create(
        [
            Minutes(
                meeting=m,
                status="shared" if i % 4 == 3 else "approved",
                introduction=TEXT,
                closing="La seduta si chiude alle ore 17.",
                chair=f"{chair.first_name} {chair.last_name}",
                secretary="Segreteria dell'Ufficio di Piano",
                shared_at=m.ends_at,
                approved_at=None if i % 4 == 3 else m.ends_at + timedelta(days=7),
                approved_by=None if i % 4 == 3 else chair,
            )
            for i, m in enumerate(past)
        ],
        batch_size=BATCH,
    )
    freeze_approved([m for m in minutes if m.status == "approved"])


def freeze_approved(minutes: list[Minutes]) -> None:
    """Version 1 of approved minutes, with the record frozen from their rows, as approval
    stores it (tables.services.minutes_approve), a chunk at a time."""
    for start in range(0, len(minutes), CHUNK):
        loaded = records.load(Minutes, [m.pk for m in minutes[start : start + CHUNK]])
        versions = []
        for m in loaded:
            record = records.build(m)
            record["version"] = {
                "number": 1,
                "approved_at": m.approved_at.isoformat(),
                "reason": "",
                "replaces": [],
            }
            versions.append(
                MinutesVersion(
                    minutes=m,
                    number=1,
                    status=MinutesVersion.Status.PUBLISHED,
                    record=record,
                    created_by_id=m.approved_by_id,
                    approved_by_id=m.approved_by_id,
                    approved_at=m.approved_at,
                )
            )
        MinutesVersion.objects.bulk_create(versions, batch_size=BATCH)


def _agenda_item(meeting: Meeting, k: int, *, held: bool) -> AgendaItem:
    return AgendaItem(
        meeting=meeting,
        order=k + 1,
        title=f"Punto {k + 1}: programmazione dei servizi",
        description="Materiali inviati con la convocazione.",
        summary=TEXT * 2 if held else "",
        decisions="Il tavolo approva all'unanimità." if held else "",
    )


def _invitation(meeting: Meeting, j: int, seat: TableMembership, *, held: bool) -> Invitation:
    """One in five members declines and is absent with justification."""
    delegate = seat.delegate
    return Invitation(
        meeting=meeting,
        user=delegate,
        email=delegate.email,
        name=f"{delegate.first_name} {delegate.last_name}",
        entity=seat.entity,
        membership=seat,
        response="yes" if j % 5 else "no",
        responded_at=meeting.invitations_sent_at,
        sent_sequence=0,
        attendance=("present" if j % 5 else "justified") if held else "",
    )


def pdf_documents() -> dict:
    def minutes():
        from tables.minutes_pdf import MINUTES_PDF_TEMPLATE, minutes_pdf_context
        from tables.selectors import current_version

        meeting = (
            Meeting.objects.filter(table__coordinators__email="coordinator@bench.invalid")
            .order_by("starts_at", "pk")
            .first()
        )
        return MINUTES_PDF_TEMPLATE, minutes_pdf_context(current_version(meeting.minutes))

    return {"minutes": minutes}
