"""Factories for participation (procedures in their co-design phase come from tests.factories.processes). TableFactory is
re-exported from tests.factories.tables."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from participation.models import (
    Booking,
    Event,
    EventSession,
    LibraryItem,
    News,
    Proposal,
    Registration,
)
from tables.models import TableMembership
from tests.factories import processes as processes_factories
from tests.factories.ambito import AmbitoFactory
from tests.factories.core import UserFactory
from tests.factories.tables import MembershipFactory, TableFactory


class TableMembershipFactory(MembershipFactory):
    """A seat held by a person (expert) unless an entity is given."""

    kind = TableMembership.Kind.EXPERT
    entity = None


class ProcedureFactory(processes_factories.ProcedureFactory):
    """A co-progettazione in its co-design phase, where admitted applicants make proposals."""

    status = "codesign"


class ApplicationFactory(processes_factories.ApplicationFactory):
    status = "admitted"


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    table = factory.SubFactory(TableFactory)
    ambito = factory.LazyAttribute(lambda o: o.table.ambito)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Proposta {n}")
    text = "Un servizio di prossimità per gli anziani soli."


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    ambito = factory.SubFactory(AmbitoFactory)
    title = factory.Sequence(lambda n: f"Evento {n}")
    place = "Teatro comunale"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    status = Event.Status.PUBLISHED


class EventSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSession

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Sessione {n}")
    place = "Sala A"
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name", locale="it_IT")
    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    privacy_accepted_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        EventSessionFactory, event=factory.SelfAttribute("..registration.event")
    )
    status = Booking.Status.CONFIRMED


class NewsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = News

    ambito = factory.SubFactory(AmbitoFactory)
    title = factory.Sequence(lambda n: f"Notizia {n}")
    summary = "Sintesi della notizia."
    body = "<p>Testo</p>"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class LibraryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryItem

    ambito = factory.SubFactory(AmbitoFactory)
    kind = LibraryItem.Kind.GOOD_PRACTICE
    title = factory.Sequence(lambda n: f"Buona pratica {n}")
    description = "Descrizione."
    url = "https://example.org/doc"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
