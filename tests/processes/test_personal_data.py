"""processes: applications a person submitted, commission seats, documents uploaded, reports,
procedures they are RUP of: all official records of a procedure. The download lists them;
deleting the account keeps them, pointing at the pseudonymous row."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core import audit
from processes.models import Application, ApplicationDocument, CommissionMember, Procedure
from tests.factories.core import UserFactory
from tests.factories.processes import PDF_BYTES, ApplicationFactory, ProcedureFactory
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db
EMAIL = "sara.villa@example.org"


def test_procedure_records_kept_under_the_pseudonym(
    ambito, entity, staff_user, client_for, django_capture_on_commit_callbacks
):
    sara = UserFactory(email=EMAIL, first_name="Sara", last_name="Villa")
    entity.memberships.create(user=sara, role="admin")
    procedure = ProcedureFactory(ambito=ambito, title="Co-progettazione SAD", rup=sara)
    application = ApplicationFactory(
        procedure=procedure,
        entity=entity,
        status="submitted",
        submitted_by=sara,
        submitted_at=timezone.now(),
        protocol_number="2026/0001",
    )
    document = ApplicationDocument(application=application, uploaded_by=sara, title="Statuto")
    document.file.save("statuto.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    seat = CommissionMember.objects.create(
        procedure=procedure, user=sara, role="member", declared_at=timezone.now()
    )
    submitted = audit.record(
        actor=sara, action="application.submitted", obj=application, ambito_id=ambito.pk
    )
    appointed = audit.record(
        actor=staff_user, action="commission.appointed", obj=seat, ambito_id=ambito.pk
    )

    data = download(sara)["processes"]
    assert [a["protocol_number"] for a in data["applications_submitted"]] == ["2026/0001"]
    assert [c["procedure__title"] for c in data["commission_seats"]] == ["Co-progettazione SAD"]
    assert [d["title"] for d in data["documents_uploaded"]] == ["Statuto"]
    assert [p["title"] for p in data["rup_of"]] == ["Co-progettazione SAD"]

    erased = erase(sara, django_capture_on_commit_callbacks)

    # nothing goes: every row is an act of the procedure (GDPR art. 17(3)(b))
    application = Application.objects.get(pk=application.pk)
    assert application.submitted_by_id == erased.pk and application.protocol_number == "2026/0001"
    assert ApplicationDocument.objects.get(pk=document.pk).uploaded_by_id == erased.pk
    assert CommissionMember.objects.get(pk=seat.pk).user_id == erased.pk
    assert Procedure.objects.get(pk=procedure.pk).rup_id == erased.pk
    # who they were is no longer shown: the records name the pseudonymous row
    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert "Sara Villa" not in page and EMAIL not in page
    assert audit_mentions(EMAIL, "Sara Villa") == []
    submitted.refresh_from_db()
    assert submitted.actor_id == erased.pk and submitted.object_repr == str(application)
    appointed.refresh_from_db()
    assert appointed.object_repr == f"componente della commissione #{seat.pk}"
