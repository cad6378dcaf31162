"""The home page's open procedures: the effective deadline (latest published notice, or a later
reopening) decides which are open and their order, in one query whatever their number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from processes import selectors
from processes.models import Procedure, WindowReopening
from tests.factories.processes import NoticeFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def _published(ambito, title: str, days: int, *, reopened_days: int | None = None) -> Procedure:
    now = timezone.now()
    procedure = ProcedureFactory(ambito=ambito, title=title, status="notice_published")
    NoticeFactory(
        procedure=procedure, version=1, deadline=now + timedelta(days=99), published_at=now
    )
    NoticeFactory(
        procedure=procedure, version=2, deadline=now + timedelta(days=days), published_at=now
    )
    NoticeFactory(procedure=procedure, version=3, deadline=now + timedelta(days=1))  # not published
    if reopened_days is not None:
        WindowReopening.objects.create(
            procedure=procedure, until=now + timedelta(days=reopened_days), reason="Proroga"
        )
    return procedure


def test_open_procedures_by_effective_deadline(ambito, django_assert_max_num_queries):
    late = _published(ambito, "Scade tra dieci giorni", 10)
    reopened = _published(ambito, "Scaduto ma riaperto", -2, reopened_days=4)
    soon = _published(ambito, "Scade domani", 2, reopened_days=1)  # an earlier reopening: ignored
    _published(ambito, "Scaduto", -1)
    ProcedureFactory(ambito=ambito, status="started")
    with django_assert_max_num_queries(1):
        rows = selectors.open_procedures(None)
    assert [p.pk for p in rows] == [soon.pk, reopened.pk, late.pk]
    assert [p.open_until for p in rows] == [
        Procedure.objects.get(pk=p.pk).effective_deadline for p in rows
    ]
    assert len(selectors.open_procedures(None, limit=2)) == 2


def test_home_lists_open_procedures(client, ambito):
    _published(ambito, "Scaduto ma riaperto", -2, reopened_days=4)
    _published(ambito, "Scaduto", -1)
    body = client.get("/").text
    assert "Scaduto ma riaperto" in body and "Scaduto<" not in body
    when = timezone.localtime(timezone.now() + timedelta(days=4))
    assert f"Domande entro il {when:%d/%m/%Y}" in body
