"""Demo: the four ATS 6 working tables, their members (the entities of each table's target groups,
seated from before the meetings they attend), and the meetings of "Inclusione": two
past meetings with attendance and approved minutes (PDF generated), one upcoming meeting with
the invitations sent.

ctx keys used: ambito, coordinator, comune_user, entity, entity_user.
ctx keys added: tables (slug -> Table), meetings (list of the "Inclusione" meetings, oldest
first; the last one is upcoming)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from tables import selectors
from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    Minutes,
    MinutesVersion,
    Table,
    TableMembership,
)

ATS6_TABLES = [
    (
        "inclusione",
        "Inclusione",
        "poverta",
        "Contrasto alla povertà, inclusione sociale e lavorativa, PON Inclusione.",
    ),
    (
        "salute-mentale",
        "Salute mentale",
        "multiutenza",
        "Integrazione socio-sanitaria per la salute mentale, con il DSM dell'ASL.",
    ),
    (
        "non-autosufficienza",
        "Non autosufficienza",
        "anziani",
        "Servizi per persone non autosufficienti e per chi se ne prende cura.",
    ),
    (
        "famiglia",
        "Famiglia",
        "famiglia-minori",
        "Sostegno alle famiglie, ai minori e alla genitorialità.",
    ),
]

PAST_MEETINGS = [
    (
        70,
        "Avvio del tavolo e programmazione 2026",
        [
            (
                "Presentazione dei membri e del regolamento del tavolo",
                "I membri si presentano; il regolamento è letto e discusso.",
                "Il regolamento è approvato all'unanimità.",
            ),
            (
                "Analisi dei bisogni: dati dei servizi sociali 2025",
                "L'Ufficio di Piano illustra i dati sulle richieste di sostegno al reddito.",
                "Si costituisce un gruppo di lavoro sui dati.",
            ),
        ],
    ),
    (
        28,
        "Co-programmazione degli interventi di contrasto alla povertà",
        [
            (
                "Proposte degli enti per l'emporio solidale",
                "Gli enti presentano tre proposte di gestione condivisa.",
                "Le proposte confluiscono nel documento di co-programmazione.",
            ),
            (
                "Calendario dei lavori",
                "Si concorda il calendario fino a giugno.",
                "Prossima seduta entro due mesi.",
            ),
        ],
    ),
]


# Which entities sit at which table: those whose target groups meet the table's.
TABLE_GROUPS = {
    "inclusione": {"poverta", "immigrati", "dipendenze"},
    "salute-mentale": {"dipendenze", "multiutenza"},
    "non-autosufficienza": {"anziani", "disabili"},
    "famiglia": {"famiglia-minori"},
}
TABLES_SINCE = 120  # days ago: the tables started, before their first meeting
LATE_SINCE = 45  # days ago: every eighth entity joined later, between two meetings


# The first meeting of each other table, after the Stati generali (participation.demo, 60 days
# ago), where the proposal its session produced was discussed: days ago, title, agenda, place.
FIRST_MEETINGS = {
    "famiglia": (
        56,
        "Avvio del tavolo: i bisogni delle famiglie",
        [
            (
                "Il quadro dei servizi per le famiglie e i minori",
                "L'Ufficio di Piano presenta i dati del centro per le famiglie e dell'educativa domiciliare.",
                "Si avvia la mappatura dei servizi estivi nei nove comuni.",
            ),
            (
                "La proposta degli Stati generali: un centro estivo inclusivo",
                "Gli enti discutono costi, educatori e trasporto per i minori con disabilità.",
                "La proposta sarà valutata con i comuni entro l'inverno.",
            ),
        ],
        "Mondolfo, Sala consiliare del Comune",
    ),
    "non-autosufficienza": (
        49,
        "Avvio del tavolo: domiciliarità e sollievo",
        [
            (
                "Assistenza domiciliare e assegni di cura: i dati 2025",
                "L'Ufficio di Piano illustra la domanda e le liste d'attesa.",
                "I dati confluiscono nell'avviso di co-progettazione.",
            ),
            (
                "La proposta degli Stati generali: teleassistenza per gli anziani soli",
                "Gli enti di volontariato descrivono la rete di chiamate quotidiane.",
                "La proposta è portata nella co-progettazione per la non autosufficienza.",
            ),
        ],
        "Pergola, Sala consiliare del Comune",
    ),
    "salute-mentale": (
        42,
        "Avvio del tavolo con il DSM",
        [
            (
                "L'integrazione socio-sanitaria con il Dipartimento di salute mentale",
                "Il DSM presenta i servizi territoriali e i progetti di inserimento lavorativo.",
                "Si concorda un incontro ogni due mesi con il DSM.",
            ),
            (
                "La proposta degli Stati generali: gruppi di auto-mutuo aiuto per i familiari",
                "Le associazioni dei familiari propongono un gruppo in ogni comune.",
                "La proposta è accolta come intervento del Piano di Zona.",
            ),
        ],
        "Fano, Centro di salute mentale",
    ),
}


def _local(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _members(table: Table, ctx: dict) -> None:
    """Seat the entities of the table's target groups (all verified entities at a table not in
    TABLE_GROUPS), each with its delegate (and a substitute when it has a second person), from
    the day the table started (a few joined later); and the comune_user's comune."""
    from ambito.models import StaffRole
    from entities.models import Entity

    entities = Entity.objects.filter(ambito=ctx["ambito"], status=Entity.Status.VERIFIED)
    if table.slug in TABLE_GROUPS:
        entities = entities.filter(target_groups__code__in=TABLE_GROUPS[table.slug]).distinct()
    seat_entities(table, entities, decided_by=ctx["coordinator"])
    role = (
        StaffRole.objects.filter(user=ctx["comune_user"], role=StaffRole.Role.COMUNE)
        .select_related("comune")
        .first()
    )
    if role:
        seat_comune(table, ctx["comune_user"], role.comune)


def seat_entities(table: Table, entities, *, decided_by) -> None:
    """Seat each entity (by name) with its delegate and a substitute when it has a second person,
    from TABLES_SINCE days ago (every eighth one from LATE_SINCE days ago)."""
    from entities.models import EntityMembership

    for position, entity in enumerate(entities.order_by("name")):
        people = list(
            EntityMembership.objects.current()
            .filter(entity=entity)
            .select_related("user")
            .order_by("role", "pk")
        )
        if not people:
            continue
        since = _local(-(LATE_SINCE if position % 8 == 7 else TABLES_SINCE), 10)
        TableMembership.objects.update_or_create(
            table=table,
            entity=entity,
            status=TableMembership.Status.ACTIVE,
            defaults={
                "kind": TableMembership.Kind.ENTITY,
                "delegate": people[0].user,
                "substitute": people[1].user if len(people) > 1 else None,
                "motivation": "Esperienza nei servizi del territorio.",
                "requested_at": since - timedelta(days=10),
                "decided_at": since,
                "decided_by": decided_by,
            },
        )


def seat_comune(table: Table, user, comune) -> None:
    """Seat a comune, with `user` (its staff) as delegate, from TABLES_SINCE days ago."""
    since = _local(-TABLES_SINCE, 10)
    TableMembership.objects.update_or_create(
        table=table,
        delegate=user,
        status=TableMembership.Status.ACTIVE,
        defaults={
            "kind": TableMembership.Kind.COMUNE,
            "comune": comune,
            "requested_at": since,
            "decided_at": since,
        },
    )


def _invite_members(meeting: Meeting) -> None:
    """Invite the members seated before the meeting (a later member was not there to invite)."""
    from tables.services import member_invitees

    for inv in member_invitees(meeting.table):
        seated = inv.membership.decided_at or inv.membership.requested_at
        if seated > meeting.starts_at:
            continue
        Invitation.objects.get_or_create(
            meeting=meeting,
            email=inv.email,
            defaults={
                "user": inv.user,
                "name": inv.name,
                "entity": inv.entity,
                "comune": inv.comune,
                "membership": inv.membership,
                "sent_sequence": meeting.sequence,
                "response": Invitation.Response.YES,
                "responded_at": meeting.starts_at - timedelta(days=3),
            },
        )


def past_meeting(
    table: Table, ctx: dict, days_ago: int, title: str, items, place: str = ""
) -> Meeting:
    """A held meeting with its agenda, the members seated before it invited, their attendance,
    and minutes approved by ctx["coordinator"] a week later (PDF rendered)."""
    from core import jobs
    from core.models import FileJob
    from tables import services
    from tables.tasks import produce_minutes_pdf

    meeting, _created = Meeting.objects.get_or_create(
        table=table,
        title=title,
        defaults={
            "starts_at": _local(-days_ago, 15),
            "ends_at": _local(-days_ago, 17),
            "place": place or "Fano, Palazzo del Comune, Sala Verdi, via San Francesco d'Assisi 76",
            "status": Meeting.Status.CONVENED,
            "created_by": ctx["coordinator"],
            "invitations_sent_at": _local(-days_ago - 14, 10),
        },
    )
    for order, (item_title, summary, decisions) in enumerate(items, start=1):
        AgendaItem.objects.update_or_create(
            meeting=meeting,
            order=order,
            defaults={"title": item_title, "summary": summary, "decisions": decisions},
        )
    _invite_members(meeting)
    invitations = list(meeting.invitations.order_by("pk"))
    for index, inv in enumerate(invitations):
        if not inv.attendance:
            inv.attendance = (
                Invitation.Attendance.ABSENT_JUSTIFIED
                if index % 5 == 4
                else Invitation.Attendance.PRESENT
            )
            inv.attendance_note = (
                "Impegno di servizio"
                if inv.attendance == Invitation.Attendance.ABSENT_JUSTIFIED
                else ""
            )
            inv.save(update_fields=["attendance", "attendance_note"])
    coordinator = ctx["coordinator"]
    minutes, _created = Minutes.objects.get_or_create(
        meeting=meeting,
        defaults={
            "status": Minutes.Status.SHARED,
            "chair": coordinator.get_full_name() or coordinator.email,
            "secretary": "Giulia Conti",
            "introduction": "Constatato il numero legale, il presidente apre la seduta.",
            "closing": "Non essendovi altro da discutere, la seduta è tolta.",
            "shared_at": meeting.ends_at + timedelta(days=2),
        },
    )
    if not minutes.is_approved:
        services.minutes_approve(
            minutes=minutes, actor=coordinator, at=meeting.ends_at + timedelta(days=7)
        )
    version = selectors.current_version(minutes)
    job = jobs.latest(owner=version, kind=MinutesVersion.PDF_KIND)
    if job is not None and job.status != FileJob.Status.DONE:
        jobs.run(job.pk, produce_minutes_pdf)  # synchronously: the demo shows the PDF at once
    return meeting


def _upcoming_meeting(table: Table, ctx: dict) -> Meeting:
    from tables import services

    meeting = Meeting.objects.filter(
        table=table, title="Verifica dei progetti e nuove proposte"
    ).first()
    if meeting is None:
        meeting = services.meeting_create(
            table=table,
            data={
                "title": "Verifica dei progetti e nuove proposte",
                "starts_at": _local(12, 15),
                "ends_at": _local(12, 17),
                "place": "Fano, Palazzo del Comune, Sala Verdi, via San Francesco d'Assisi 76",
                "online_url": "https://meet.example.org/ats6-inclusione",
                "description": "Si prega di confermare la presenza.",
            },
            agenda=[
                {"title": "Stato di avanzamento dei progetti avviati"},
                {"title": "Nuove proposte degli enti per il 2027"},
                {"title": "Varie ed eventuali"},
            ],
            actor=ctx["coordinator"],
        )
    if meeting.status == Meeting.Status.DRAFT:
        services.invitations_send(meeting=meeting, actor=ctx["coordinator"])
    return meeting


def seed(ctx: dict) -> None:
    from entities.models import TargetGroup

    tables = {}
    for slug, name, theme, description in ATS6_TABLES:
        table, _ = Table.objects.get_or_create(
            ambito=ctx["ambito"], slug=slug, defaults={"name": name, "description": description}
        )
        table.themes.add(*TargetGroup.objects.filter(code=theme))
        table.coordinators.add(ctx["coordinator"])
        _members(table, ctx)
        tables[slug] = table
    ctx["tables"] = tables
    inclusione = tables["inclusione"]
    meetings = [past_meeting(inclusione, ctx, *spec) for spec in PAST_MEETINGS]
    meetings.append(_upcoming_meeting(inclusione, ctx))
    for slug, spec in FIRST_MEETINGS.items():
        past_meeting(tables[slug], ctx, *spec)
    ctx["meetings"] = meetings
    _second_ambito(ctx)
    from tables import demo_concertation  # it builds on this module's helpers

    demo_concertation.seed(ctx)


def _second_ambito(ctx: dict) -> None:
    """ATS 1 Pesaro's table, where its Regolamento for shared administration was written."""
    ambito = ctx.get("second_ambito")
    if ambito is None:
        return
    table, _ = Table.objects.get_or_create(
        ambito=ambito,
        slug="regolamento",
        defaults={
            "name": "Regolamento dell'amministrazione condivisa",
            "description": "Il tavolo che scrive con il Terzo settore il Regolamento dell'ambito: "
            "pubblicità e trasparenza, fiducia reciproca, autonomia civica, prossimità, accessibilità.",
        },
    )
    table.coordinators.add(ctx["second_coordinator"])
    ctx["second_table"] = table
