from __future__ import annotations

import factory

from ambito.models import Ambito, Comune, StaffRole
from tests.factories.core import UserFactory


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune
        django_get_or_create = ("istat_code",)

    istat_code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Comune {n}")
    province = "Pesaro e Urbino"
    province_code = "PU"
    region = "Marche"
    population = 5000


class AmbitoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ambito
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"ATS {n}")
    code = factory.Sequence(lambda n: f"ats-{n}")
    region = "Marche"
    lead_comune = factory.SubFactory(ComuneFactory)

    @factory.post_generation
    def member_comuni(self, create, extracted, **kwargs):
        if create:
            self.comuni.add(self.lead_comune, *(extracted or []))


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    ambito = factory.SubFactory(AmbitoFactory)
    role = StaffRole.Role.COORDINATOR
    comune = None
