"""Approved or published acts do not change: the versions of the avviso, the ranking, the outcome
documents, the approved project's budget and the signed agreement. A correction is a new version
that keeps the earlier ones public. Each published file keeps its SHA-256, shown on the public
page, and the bytes the portal serves have that digest."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import Application, Notice, OutcomeDocument, Procedure
from tests.processes.conftest import fill_and_submit, pdf

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"processes:{name}", args=args)


def _served(client, address: str) -> bytes:
    response = client.get(address)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_correction_is_a_new_version_and_the_published_ones_stay_as_they_were(
    client, make_procedure, staff_user
):
    procedure = make_procedure()
    first = procedure.current_notice
    frozen = (first.subject, first.deadline, list(first.criteria.values_list("name", "weight")))
    correction = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "Avviso rettificato",
            "requirements": "Iscrizione al RUNTS da un anno",
            "deadline": first.deadline + timedelta(days=10),
            "admission_threshold": 50,
            "correction_note": "Termine prorogato",
        },
        criteria=[services.CriterionData("Qualità", 70), services.CriterionData("Rete", 30)],
    )
    assert correction.pk != first.pk and correction.version == 2
    services.notice_publish(notice=correction, actor=staff_user)
    with pytest.raises(ValidationError) as exc:
        services.notice_publish(notice=correction, actor=staff_user)
    assert "già pubblicata" in exc.value.messages[0]
    first = Notice.objects.get(pk=first.pk)
    assert (
        first.subject,
        first.deadline,
        list(first.criteria.values_list("name", "weight")),
    ) == frozen
    # both versions are public, each with its own text
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Avviso" in page and "Avviso rettificato" not in page
    assert "Avviso rettificato" in client.get(correction.get_absolute_url()).content.decode()
    detail = client.get(procedure.get_absolute_url()).content.decode()
    assert first.get_absolute_url() in detail and correction.get_absolute_url() in detail


def test_a_new_draft_never_touches_a_published_version(make_procedure, staff_user):
    procedure = make_procedure()
    first = procedure.current_notice
    draft = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={"subject": "Bozza", "requirements": "R", "deadline": first.deadline},
        criteria=[services.CriterionData("Solo uno", 100)],
    )
    again = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={"subject": "Bozza 2", "requirements": "R", "deadline": first.deadline},
        criteria=[services.CriterionData("Solo uno", 100)],
    )
    assert again.pk == draft.pk
    assert Notice.objects.get(pk=first.pk).subject == "Avviso"
    assert first.criteria.count() == 2


@pytest.fixture
def ranked(make_procedure, staff_user, operator_user, entity, entity_admin, clock):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    services.application_decide(application=application, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    procedure = Procedure.objects.get(pk=procedure.pk)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=member, actor=operator_user)
    criteria = list(procedure.current_notice.criteria.all())
    services.scores_save(
        member=member,
        application=application,
        values={c.pk: (Decimal(8), "") for c in criteria},
    )
    services.procedure_transition(procedure=procedure, target="ranking_published", actor=staff_user)
    return (
        Procedure.objects.get(pk=procedure.pk),
        member,
        Application.objects.get(pk=application.pk),
    )


def test_the_published_ranking_is_frozen(ranked, staff_user):
    procedure, member, application = ranked
    assert (application.rank, application.total_score) == (1, Decimal("80.00"))
    criteria = list(procedure.current_notice.criteria.all())
    with pytest.raises(ValidationError):
        services.scores_save(
            member=member,
            application=application,
            values={c.pk: (Decimal(1), "") for c in criteria},
        )
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application, actor=staff_user, admitted=False, reason="Ripensamento"
        )
    with pytest.raises(ValidationError) as exc:
        services.ranking_apply(procedure=procedure, actor=staff_user)
    assert "graduatoria" in exc.value.messages[0]
    application.refresh_from_db()
    assert (application.rank, application.total_score, application.status) == (
        1,
        Decimal("80.00"),
        "admitted",
    )


def _agreement_data() -> dict:
    return {
        "signed_on": timezone.localdate(),
        "starts_on": timezone.localdate(),
        "duration_months": 24,
        "resources": Decimal("90000"),
        "reporting_schedule": "semiannual",
    }


def test_the_signed_agreement_is_frozen_and_its_digest_published(
    client, client_for, make_procedure, staff_user, entity
):
    procedure = make_procedure()
    Procedure.objects.filter(pk=procedure.pk).update(status="approved")
    procedure = Procedure.objects.get(pk=procedure.pk)
    agreement = services.agreement_save(
        procedure=procedure,
        actor=staff_user,
        data=_agreement_data(),
        parties=[entity],
        file=pdf("convenzione.pdf"),
    )
    served = _served(client, url("agreement_file", procedure.pk))
    assert agreement.sha256 == hashlib.sha256(served).hexdigest()
    assert agreement.sha256 in client.get(procedure.get_absolute_url()).content.decode()

    procedure = Procedure.objects.get(pk=procedure.pk)
    with pytest.raises(ValidationError) as exc:
        services.agreement_save(
            procedure=procedure,
            actor=staff_user,
            data={**_agreement_data(), "resources": Decimal("1")},
            parties=[entity],
            file=pdf("altra.pdf"),
        )
    assert "non si modifica" in " ".join(exc.value.messages)
    agreement.refresh_from_db()
    assert agreement.resources == Decimal("90000")
    assert _served(client, url("agreement_file", procedure.pk)) == served
    c = client_for(staff_user)
    response = c.get(url("agreement_edit", procedure.pk))
    assert response.status_code == 302
    response = c.post(url("agreement_edit", procedure.pk), {"resources": "1"}, follow=True)
    assert "non si modifica" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.resources == Decimal("90000")


def test_outcome_documents_keep_the_digest_of_the_served_bytes(client, make_procedure, staff_user):
    procedure = make_procedure()
    document = services.outcome_document_add(
        procedure=procedure,
        actor=staff_user,
        data={"kind": "other", "title": "Nomina della commissione"},
        file=pdf("nomina.pdf"),
    )
    served = _served(client, url("document", document.pk))
    stored = OutcomeDocument.objects.get(pk=document.pk).sha256
    assert stored == hashlib.sha256(served).hexdigest() and len(stored) == 64
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert stored in page and f"sha256sum {document.filename}" in page


def test_the_approved_projects_budget_is_frozen(make_procedure, staff_user, entity):
    procedure = make_procedure()
    line = {"entity": entity, "fund": "fnps", "description": "Personale", "amount": Decimal(5)}
    Procedure.objects.filter(pk=procedure.pk).update(status="final_project")
    procedure = Procedure.objects.get(pk=procedure.pk)
    services.project_budget_save(procedure=procedure, actor=staff_user, lines=[line])
    Procedure.objects.filter(pk=procedure.pk).update(status="approved")
    procedure = Procedure.objects.get(pk=procedure.pk)
    with pytest.raises(ValidationError) as exc:
        services.project_budget_save(
            procedure=procedure, actor=staff_user, lines=[{**line, "amount": Decimal(9)}]
        )
    assert "approvato" in exc.value.messages[0]
    assert list(procedure.project_budget.values_list("amount", flat=True)) == [Decimal(5)]
