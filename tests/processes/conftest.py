"""Procedures in a given state, built through the services (as a clerk would)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes import services
from processes.models import Declaration, Procedure
from tables.models import Table
from tests.factories.processes import PDF_BYTES


def pdf(name: str = "documento.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class Clock:
    """A fixed clock: patches django.utils.timezone.now everywhere it is looked up."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.now = timezone.now()

    def set(self, when):
        self.now = when
        self.monkeypatch.setattr(timezone, "now", lambda: self.now)

    def shift(self, **kwargs):
        self.set(self.now + timedelta(**kwargs))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def table(ambito):
    return Table.objects.create(
        ambito=ambito, name="Non autosufficienza", slug="non-autosufficienza"
    )


@pytest.fixture
def make_procedure(ambito, staff_user, table, django_capture_on_commit_callbacks):
    def make(
        kind=Procedure.Kind.CODESIGN,
        *,
        publish=True,
        deadline=None,
        threshold=Decimal("60"),
        documents_required="",
        declaration_proof=None,
    ):
        data = {
            "kind": kind,
            "title": f"Procedura {kind}",
            "subject": "Assistenza domiciliare",
            "rup": staff_user,
            "origin": Procedure.Origin.EX_OFFICIO,
            "budget": Decimal("100000") if kind == Procedure.Kind.CODESIGN else None,
            "duration_months": 24 if kind == Procedure.Kind.CODESIGN else None,
            "legal_basis": "Piano di Zona",
        }
        if declaration_proof:
            data["declaration_proof"] = declaration_proof
        from entities.models import Activity

        procedure = services.procedure_create(
            ambito=ambito,
            actor=staff_user,
            data=data,
            activities=Activity.objects.filter(code="a"),
            tables=[table],
        )
        if publish:
            criteria = (
                [services.CriterionData("Qualità", 60), services.CriterionData("Esperienza", 40)]
                if procedure.is_codesign
                else []
            )
            notice = services.notice_save_draft(
                procedure=procedure,
                actor=staff_user,
                data={
                    "subject": "Avviso",
                    "requirements": "Iscrizione al RUNTS",
                    "documents_required": documents_required,
                    "deadline": deadline or timezone.now() + timedelta(days=20),
                    "admission_threshold": threshold if procedure.is_codesign else None,
                },
                criteria=criteria,
            )
            with django_capture_on_commit_callbacks(execute=True):
                services.notice_publish(notice=notice, actor=staff_user)
            procedure.refresh_from_db()
            procedure.__dict__.pop("current_notice", None)
            procedure.__dict__.pop("effective_deadline", None)
        return procedure

    return make


def fill_and_submit(application, user, *, submit=True):
    budget = (
        [("Personale", Decimal("1000"), Decimal("100"))]
        if application.procedure.is_codesign
        else []
    )
    services.application_update(
        application=application,
        actor=user,
        declarations=list(Declaration.values),
        proposal="Una proposta" if application.procedure.is_codesign else "",
        budget=budget,
    )
    services.application_document_add(
        application=application, actor=user, title="Statuto", file=pdf()
    )
    if submit:
        return services.application_submit(application=application, actor=user)
    return application


def to_admission(procedure, staff_user, clock):
    """Past the deadline, the procedure moves to the admission of the applications."""
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    services.procedure_transition(
        procedure=procedure, target="admission", actor=staff_user, act_reference="Det. 1"
    )
    procedure.refresh_from_db()
    return procedure


def in_execution(procedure, staff_user, parties):
    """The approved procedure's agreement signed with `parties`, and the project under way."""
    Procedure.objects.filter(pk=procedure.pk).update(status="approved")
    procedure.refresh_from_db()
    agreement = services.agreement_save(
        procedure=procedure,
        actor=staff_user,
        data={
            "signed_on": timezone.localdate(),
            "starts_on": timezone.localdate(),
            "duration_months": 12,
            "resources": 1000,
            "reporting_schedule": "annual",
        },
        parties=parties,
        file=pdf(),
    )
    services.procedure_transition(procedure=procedure, target="execution", actor=staff_user)
    return agreement
