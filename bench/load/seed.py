"""Seed the load database. Run through `manage.py shell` by bench/load/run.py (LOAD_SEEDED_USERS,
LOAD_PASSWORD, LOAD_SEED_FILE). Idempotent, and it empties what the previous run wrote, so that the
counts checked after a run are this run's.

Each seeded user load-<n>@example.org administers its own verified entity (so that the writes of
two simulated users never collide artificially) and is invited, with that entity, to one
convened meeting. The load ambito has open tables to ask to join, open procedures to apply to
(the avviso asks for one document) and a public event to register for. What the locustfile needs
(ids, RSVP tokens) is written as JSON to $LOAD_SEED_FILE."""

from __future__ import annotations

import json
import os
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ambito.models import Ambito, Comune, StaffRole
from core.models import Notification, User
from entities.bench import tax_code
from entities.models import Entity, EntityMembership
from participation.models import Event, EventSession, Registration
from processes import services as processes_services
from processes.models import Application, Procedure
from tables.models import Invitation, Meeting, Table, TableMembership
from tables.services import rsvp_token

JOIN_TABLES = 12
OPEN_PROCEDURES = 8
TAX_CODE_OFFSET = 800_000_000  # never the benchmark's or the import's codes

n_users = int(os.environ.get("LOAD_SEEDED_USERS", "60"))
password = make_password(os.environ.get("LOAD_PASSWORD", "load-Password-2026"))
now = timezone.now()


def user(email: str, first: str, last: str) -> User:
    person, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "password": password}
    )
    if not created:
        User.objects.filter(pk=person.pk).update(password=password, is_active=True)
    EmailAddress.objects.get_or_create(
        user=person, email=email, defaults={"verified": True, "primary": True}
    )
    return person


comune, _ = Comune.objects.get_or_create(
    istat_code="999001",
    defaults={"name": "Comune di Carico", "province": "Carico", "province_code": "CX"},
)
ambito, _ = Ambito.objects.get_or_create(
    code="load-ats",
    defaults={"name": "ATS Carico", "region": "Carico", "lead_comune": comune},
)
ambito.comuni.add(comune)
staff = user("load-staff@example.org", "Ufficio", "di Piano")
StaffRole.objects.get_or_create(user=staff, ambito=ambito, role="coordinator")

people = []
for n in range(n_users):
    person = user(f"load-{n}@example.org", "Utente", f"Carico {n}")
    if not Notification.objects.filter(user=person).exists():
        Notification.objects.bulk_create(
            [Notification(user=person, kind="load", title=f"Notifica {i}") for i in range(5)]
        )
    entity, _ = Entity.objects.get_or_create(
        tax_code=tax_code(TAX_CODE_OFFSET + n),
        defaults={
            "ambito": ambito,
            "name": f"Ente di carico {n:03d}",
            "legal_form": Entity.LegalForm.choices[0][0],
            "address": "Via del Carico 1",
            "postal_code": "61032",
            "seat_comune": comune,
            "email": f"ente-load-{n}@example.org",
            "legal_representative": f"Rappresentante {n}",
            "status": Entity.Status.VERIFIED,
        },
    )
    EntityMembership.objects.get_or_create(entity=entity, user=person, defaults={"role": "admin"})
    people.append((person, entity))

# Tables to ask to join: the previous run's requests are removed.
join_tables = [
    Table.objects.get_or_create(
        ambito=ambito,
        slug=f"carico-{t:02d}",
        defaults={"name": f"Tavolo di carico {t:02d}", "description": "Tavolo per il carico."},
    )[0]
    for t in range(JOIN_TABLES)
]
TableMembership.objects.filter(table__in=join_tables).delete()

# One convened meeting, next week, every load user invited with its entity.
rsvp_table, _ = Table.objects.get_or_create(
    ambito=ambito,
    slug="carico-sedute",
    defaults={"name": "Tavolo delle sedute di carico", "is_open": False},
)
for person, entity in people:
    TableMembership.objects.get_or_create(
        table=rsvp_table,
        entity=entity,
        defaults={"kind": "entity", "delegate": person, "status": "active", "decided_at": now},
    )
meeting = rsvp_table.meetings.filter(title="Seduta di carico").first()
if meeting is None:
    meeting = Meeting.objects.create(
        table=rsvp_table,
        title="Seduta di carico",
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
        place="Sala consiliare",
        status="convened",
        created_by=staff,
    )
Meeting.objects.filter(pk=meeting.pk).update(
    starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2), status="convened"
)
invitations = {}
for person, entity in people:
    invitation, _ = Invitation.objects.get_or_create(
        meeting=meeting,
        email=person.email,
        defaults={"user": person, "entity": entity, "name": person.get_full_name()},
    )
    invitations[person.email] = invitation
meeting.invitations.update(response=Invitation.Response.PENDING, responded_at=None)

# Open procedures whose avviso asks for one document; the previous run's applications go.
procedures = list(Procedure.objects.filter(ambito=ambito, title__startswith="Procedura di carico"))
for p in range(len(procedures), OPEN_PROCEDURES):
    procedure = processes_services.procedure_create(
        ambito=ambito,
        actor=staff,
        data={
            "kind": Procedure.Kind.COPROGRAMMING,
            "title": f"Procedura di carico {p:02d}",
            "subject": "Programmazione dei servizi",
            "rup": staff,
            "origin": Procedure.Origin.EX_OFFICIO,
            "legal_basis": "Piano di Zona",
        },
    )
    notice = processes_services.notice_save_draft(
        procedure=procedure,
        actor=staff,
        data={
            "subject": "Avviso",
            "requirements": "Iscrizione al RUNTS",
            "documents_required": "Statuto dell'ente",
            "deadline": now + timedelta(days=365),
        },
    )
    processes_services.notice_publish(notice=notice, actor=staff)
    procedures.append(procedure)
Application.objects.filter(procedure__in=procedures).delete()

# A public event with room for everyone; the previous run's registrations go.
event, _ = Event.objects.get_or_create(
    ambito=ambito,
    title="Evento di carico",
    defaults={
        "place": "Piazza del Carico",
        "starts_at": now + timedelta(days=30),
        "ends_at": now + timedelta(days=30, hours=3),
        "status": Event.Status.PUBLISHED,
        "created_by": staff,
    },
)
session, _ = EventSession.objects.get_or_create(
    event=event,
    title="Plenaria",
    defaults={
        "place": "Sala grande",
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": 100_000,
    },
)
Registration.objects.filter(event=event).delete()

seed = {
    "users": {
        person.email: {
            "user": person.pk,
            "entity": entity.pk,
            "invitation": invitations[person.email].pk,
            "rsvp_token": rsvp_token(invitations[person.email]),
        }
        for person, entity in people
    },
    "meeting": meeting.pk,
    "tables": [t.pk for t in join_tables],
    "procedures": [p.pk for p in procedures],
    "event": event.pk,
    "session": session.pk,
}
if os.environ.get("LOAD_SEED_FILE"):
    with open(os.environ["LOAD_SEED_FILE"], "w") as fh:
        json.dump(seed, fh)
print(
    f"seeded {n_users} users with their entities, {JOIN_TABLES} tables, {len(procedures)} procedures"
)
