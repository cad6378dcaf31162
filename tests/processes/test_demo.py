from __future__ import annotations

import pytest
from django.core.management import call_command

from processes.models import OutcomeDocument, Procedure


@pytest.mark.django_db
def test_demo_is_complete_and_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    closed = Procedure.objects.get(title__icontains="inclusione sociale")
    assert closed.status == "closed" and closed.kind == "coprogrammazione"
    assert closed.documents.filter(kind=OutcomeDocument.Kind.SINTESI).exists()
    open_ = Procedure.objects.get(title__icontains="non autosufficienza")
    assert open_.status == "notice_published" and open_.accepts_applications
    assert open_.applications.filter(status="submitted").count() == 3
    assert len({a.protocol_number for a in open_.applications.all()}) == 3
