"""The receipt and the notice e-mails go through a real Celery worker (CI runs this)."""

from __future__ import annotations

import time

import pytest

from core.models import OutgoingEmail
from processes import services
from processes.models import Application
from tests.processes.conftest import fill_and_submit


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
def test_worker_renders_and_mails_the_receipt(
    celery_worker_process, make_procedure, entity, entity_admin
):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        application = Application.objects.get(pk=application.pk)
        sent = OutgoingEmail.objects.filter(
            template="processes_receipt", status=OutgoingEmail.Status.SENT
        )
        if application.receipt and sent.count() == 2:
            break
        time.sleep(0.5)
    assert application.receipt.name.endswith(".pdf")
    assert {e.to for e in OutgoingEmail.objects.filter(template="processes_receipt")} == {
        entity.email,
        entity_admin.email,
    }
    assert (
        OutgoingEmail.objects.filter(
            template="processes_receipt", status=OutgoingEmail.Status.SENT
        ).count()
        == 2
    )
