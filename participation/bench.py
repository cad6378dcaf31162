"""Benchmark data, layer 5: proposals (with supports, comments and official answers), events
(with sessions, registrations and bookings), news and library items.

At scale 1: 5 proposals per table and 2 per procedure (20 supports and 6 comments each, half of
them answered), 10 events per ambito (half past, half upcoming; 3 sessions, 60 registrations),
30 news and 20 library items per ambito. The first proposal of the personas' table is the entity
administrator persona's; the first upcoming event of the personas' ambito is the one the
benchmark opens.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle

from django.utils import timezone

from ambito.bench import BATCH
from entities.models import TargetGroup
from participation.models import (
    Booking,
    Event,
    EventSession,
    LibraryItem,
    News,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Registration,
)

PROPOSALS_PER_TABLE = 5
PROPOSALS_PER_PROCEDURE = 2
SUPPORTS, COMMENTS = 20, 6
EVENTS_PER_AMBITO, SESSIONS, REGISTRATIONS = 10, 3, 60
NEWS_PER_AMBITO, LIBRARY_PER_AMBITO = 30, 20
TEXT = (
    "Proponiamo di rafforzare i servizi di prossimità per le famiglie con persone fragili, "
    "coinvolgendo le associazioni del territorio e i servizi sociali dei comuni. "
)


def seed(ctx: dict, scale: float) -> None:
    areas = list(TargetGroup.objects.order_by("order", "pk"))
    _proposals(ctx, areas)
    _events(ctx)
    _content(ctx, areas)


def _proposals(ctx: dict, areas: list[TargetGroup]) -> None:
    ambiti, personas, admins = ctx["ambiti"], ctx["personas"], ctx["entity_admins"]
    entities_by_ambito = ctx["entities_by_ambito"]
    rows = []  # (proposal, pool of the ambito's entity administrators)
    for a, ambito in enumerate(ambiti):
        pool = entities_by_ambito[a]
        if not pool:
            continue
        people = [admins[e.pk] for e in pool]
        entity = cycle(pool)
        contexts = [
            ("table", t) for t in ctx["tables_by_ambito"][a] for _ in range(PROPOSALS_PER_TABLE)
        ] + [
            ("procedure", p)
            for p in ctx["procedures_by_ambito"][a]
            for _ in range(PROPOSALS_PER_PROCEDURE)
        ]
        for k, (kind, obj) in enumerate(contexts):
            proposer = next(entity)
            answered = k % 2 == 1
            rows.append(
                (
                    Proposal(
                        ambito=ambito,
                        **{kind: obj},
                        author=admins[proposer.pk],
                        entity=proposer,
                        title=f"Bench Proposta {a:03d}-{k:04d}: servizi di prossimità",
                        text=TEXT * 4,
                        area=areas[k % len(areas)] if areas else None,
                        status=Proposal.Status.ACCEPTED if answered else Proposal.Status.SUBMITTED,
                        answer=TEXT if answered else "",
                        answered_at=timezone.now() if answered else None,
                        answered_by=personas["coordinator"] if answered else None,
                    ),
                    people,
                )
            )
    if rows and entities_by_ambito[0]:
        # The personas' proposal: the first of the personas' table, by its entity administrator.
        first = rows[0][0]
        first.author, first.entity = personas["entity_admin"], entities_by_ambito[0][0]
    proposals = Proposal.objects.bulk_create([p for p, _ in rows], batch_size=BATCH)
    supports, comments = [], []
    for k, (proposal, people) in enumerate(rows):
        for j in range(min(SUPPORTS, len(people))):
            supports.append(ProposalSupport(proposal=proposal, user=people[(k + j) % len(people)]))
        for j in range(COMMENTS):
            author = people[(k + 3 * j) % len(people)]
            comments.append(ProposalComment(proposal=proposal, author=author, text=TEXT))
    ProposalSupport.objects.bulk_create(supports, batch_size=BATCH, ignore_conflicts=True)
    ProposalComment.objects.bulk_create(comments, batch_size=BATCH)
    Through = Proposal.target_groups.through
    Through.objects.bulk_create(
        [
            Through(proposal_id=p.pk, targetgroup_id=areas[(k + j) % len(areas)].pk)
            for k, p in enumerate(proposals)
            for j in range(2)
        ]
        if areas
        else [],
        batch_size=5 * BATCH,
        ignore_conflicts=True,
    )


def _events(ctx: dict) -> None:
    ambiti, coordinator = ctx["ambiti"], ctx["personas"]["coordinator"]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    # Upcoming events first, so that the personas' ambito's first event is an upcoming one.
    offsets = [7 * (k + 1) for k in range(EVENTS_PER_AMBITO // 2)] + [
        -7 * (k + 1) for k in range(EVENTS_PER_AMBITO - EVENTS_PER_AMBITO // 2)
    ]
    events = Event.objects.bulk_create(
        [
            Event(
                ambito=ambito,
                title=f"Bench Evento {a:03d}-{k:02d}: giornata della co-programmazione",
                summary="Incontro pubblico sul piano di zona.",
                description=TEXT * 3,
                place="Sala consiliare, piazza del Municipio 1",
                starts_at=now + timedelta(days=days),
                ends_at=now + timedelta(days=days, hours=6),
                status=Event.Status.PUBLISHED,
                created_by=coordinator,
            )
            for a, ambito in enumerate(ambiti)
            for k, days in enumerate(offsets)
        ],
        batch_size=BATCH,
    )
    sessions = EventSession.objects.bulk_create(
        [
            EventSession(
                event=event,
                title=f"Sessione {s + 1}",
                description=TEXT,
                place=f"Sala {s + 1}",
                starts_at=event.starts_at + timedelta(hours=2 * s),
                ends_at=event.starts_at + timedelta(hours=2 * s + 2),
                # The first session fills up: its last registrations wait.
                capacity=25 if s == 0 else 50,
            )
            for event in events
            for s in range(SESSIONS)
        ],
        batch_size=BATCH,
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Bench Iscritto {r:03d}",
                email=f"bench-iscritto-{r:03d}@bench.invalid",
                privacy_accepted_at=now,
                confirmed_at=now,
            )
            for event in events
            for r in range(REGISTRATIONS)
        ],
        batch_size=BATCH,
    )
    bookings: list[Booking] = []
    taken: dict[int, int] = {}
    for i, registration in enumerate(registrations):
        e, r = divmod(i, REGISTRATIONS)
        for s in {r % SESSIONS, 0} if r % 2 else {r % SESSIONS}:
            session = sessions[e * SESSIONS + s]
            taken[session.pk] = taken.get(session.pk, 0) + 1
            status = Booking.Status.CONFIRMED
            if taken[session.pk] > session.capacity:
                status = Booking.Status.WAITING
            bookings.append(Booking(registration=registration, session=session, status=status))
    Booking.objects.bulk_create(bookings, batch_size=BATCH)


def _content(ctx: dict, areas: list[TargetGroup]) -> None:
    ambiti, coordinator = ctx["ambiti"], ctx["personas"]["coordinator"]
    now = timezone.now()
    News.objects.bulk_create(
        [
            News(
                ambito=ambito,
                title=f"Bench Notizia {a:03d}-{k:02d}: aperte le iscrizioni ai tavoli",
                summary="Le associazioni possono chiedere di partecipare ai tavoli tematici.",
                body=TEXT * 5,
                published_at=now - timedelta(days=k + 1),
                author=coordinator,
            )
            for a, ambito in enumerate(ambiti)
            for k in range(NEWS_PER_AMBITO)
        ],
        batch_size=BATCH,
    )
    kinds = [c for c, _ in LibraryItem.Kind.choices]
    items = LibraryItem.objects.bulk_create(
        [
            LibraryItem(
                ambito=ambito,
                kind=kinds[k % len(kinds)],
                level=LibraryItem.Level.REGIONAL if kinds[k % len(kinds)] == "regulation" else "",
                title=f"Bench Documento {a:03d}-{k:02d}: linee guida per la co-progettazione",
                description=TEXT * 2,
                source="Ufficio di Piano",
                year=2025,
                url="https://example.org/documento",
                published_at=now - timedelta(days=k + 1),
                created_by=coordinator,
            )
            for a, ambito in enumerate(ambiti)
            for k in range(LIBRARY_PER_AMBITO)
        ],
        batch_size=BATCH,
    )
    Through = LibraryItem.target_groups.through
    Through.objects.bulk_create(
        [
            Through(libraryitem_id=item.pk, targetgroup_id=areas[k % len(areas)].pk)
            for k, item in enumerate(items)
        ]
        if areas
        else [],
        batch_size=5 * BATCH,
    )
