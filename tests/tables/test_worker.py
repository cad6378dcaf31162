"""A real Celery worker on Redis delivers the invitations and renders the minutes PDF (CI)."""

from __future__ import annotations

import time

import pytest

from core.models import FileJob, OutgoingEmail
from tables import services
from tests.tables.conftest import add_members

pytestmark = [pytest.mark.celery_worker, pytest.mark.redis, pytest.mark.postgres]


def wait_for(predicate, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_worker_sends_invitations_once_and_renders_minutes(
    celery_worker_process, meeting, staff_user
):
    add_members(meeting.table, 40)
    started = time.monotonic()
    assert services.invitations_send(meeting=meeting, actor=staff_user) == 41
    assert time.monotonic() - started < 5  # the request does not build the e-mails
    wait_for(
        lambda: OutgoingEmail.objects.filter(template="tables_meeting", status="sent").count() == 41
    )
    assert not meeting.invitations.filter(last_email__isnull=True).exists()
    # a second click and a re-delivered task send nothing more
    assert services.invitations_send(meeting=meeting, actor=staff_user) == 0
    from tables.tasks import deliver_meeting_messages

    assert deliver_meeting_messages.delay(meeting.pk).get(timeout=60) == 0
    assert OutgoingEmail.objects.filter(template="tables_meeting").count() == 41

    minutes = services.minutes_save(
        meeting=meeting,
        data={"chair": "Giulia Rossi", "secretary": "Paolo Neri"},
        items=[],
        actor=staff_user,
    )
    job = services.minutes_approve(minutes=minutes, actor=staff_user)
    wait_for(lambda: FileJob.objects.get(pk=job.pk).status == FileJob.Status.DONE)
