from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tables.models import AgendaItem, Invitation, Meeting, Minutes, Table, TableMembership
from tests.factories.ambito import AmbitoFactory
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table
        skip_postgeneration_save = True

    ambito = factory.SubFactory(AmbitoFactory)
    name = factory.Sequence(lambda n: f"Tavolo {n}")
    slug = factory.Sequence(lambda n: f"tavolo-{n}")
    description = "Tavolo di lavoro."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TableMembership

    table = factory.SubFactory(TableFactory)
    kind = TableMembership.Kind.ENTITY
    entity = factory.SubFactory(EntityFactory, ambito=factory.SelfAttribute("..table.ambito"))
    delegate = factory.SubFactory(UserFactory)
    status = TableMembership.Status.ACTIVE


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    table = factory.SubFactory(TableFactory)
    title = factory.Sequence(lambda n: f"Seduta {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Sala consiliare, via Roma 1"
    status = Meeting.Status.DRAFT


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Punto {n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
    email = factory.Sequence(lambda n: f"invitato{n}@example.org")
    name = factory.Sequence(lambda n: f"Invitato {n}")


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory)
    chair = "Giulia Rossi"
    secretary = "Paolo Neri"
