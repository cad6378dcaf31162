from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from processes.models import Application, Criterion, Notice, Procedure, ProcedureStep
from tests.factories.ambito import AmbitoFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    ambito = factory.SubFactory(AmbitoFactory)
    kind = Procedure.Kind.CODESIGN
    title = factory.Sequence(lambda n: f"Procedimento {n}")
    subject = "Servizi di assistenza domiciliare"
    status = "started"
    budget = 100000
    duration_months = 24
    legal_basis = "Piano di Zona 2025-2027"

    @factory.post_generation
    def started_step(self, create, extracted, **kwargs):
        if create:
            ProcedureStep.objects.create(procedure=self, from_status="", to_status="started")


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    procedure = factory.SubFactory(ProcedureFactory)
    version = 1
    subject = "Avviso per la co-progettazione"
    requirements = "Iscrizione al RUNTS"
    documents_required = ""
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    admission_threshold = 60


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    notice = factory.SubFactory(NoticeFactory)
    name = factory.Sequence(lambda n: f"Criterio {n}")
    weight = 50


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    procedure = factory.SubFactory(ProcedureFactory)
    entity = factory.SubFactory("tests.factories.entities.EntityFactory")
    status = "draft"
