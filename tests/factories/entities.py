from __future__ import annotations

import factory

from entities.models import Activity, Entity, EntityMembership, TargetGroup
from tests.factories.ambito import AmbitoFactory
from tests.factories.core import UserFactory


def valid_tax_code(seed: int) -> str:
    """An 11-digit codice fiscale/partita IVA with a correct check digit (Luhn-like, as the
    Agenzia delle Entrate computes it)."""
    base = f"{(seed * 7919) % 10**10:010d}"
    total = 0
    for i, ch in enumerate(base):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return base + str((10 - total % 10) % 10)


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        skip_postgeneration_save = True

    ambito = factory.SubFactory(AmbitoFactory)
    name = factory.Sequence(lambda n: f"Associazione {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 1))
    legal_form = Entity.LegalForm.ODV
    runts_section = Entity.RunstSection.A
    runts_status = Entity.RunstStatus.REGISTERED
    runts_number = factory.Sequence(lambda n: f"R{n:06d}")
    address = "Via Roma 1"
    seat_comune = factory.LazyAttribute(lambda o: o.ambito.lead_comune)
    email = factory.Sequence(lambda n: f"ente{n}@example.org")
    legal_representative = "Maria Verdi"
    status = Entity.Status.VERIFIED

    @factory.post_generation
    def activity_codes(self, create, extracted, **kwargs):
        if create:
            self.activities.add(*Activity.objects.filter(code__in=extracted or ["a"]))

    @factory.post_generation
    def target_group_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.add(*TargetGroup.objects.filter(code__in=extracted))


class EntityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntityMembership

    entity = factory.SubFactory(EntityFactory)
    user = factory.SubFactory(UserFactory)
    role = EntityMembership.Role.ADMIN
