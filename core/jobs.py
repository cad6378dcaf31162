"""Files generated in the background. A service calls `start` (inside its transaction); the
app's thin Celery task calls `run` with a function that produces the file; the page shows the
job's progress through components/job_progress.html and polls until it is done."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from core.models import FileJob
from core.storage import sha256_of

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
Producer = Callable[[FileJob, Progress], tuple[str, bytes]]


def start(*, owner: models.Model, kind: str, task, created_by=None, label: str = "") -> FileJob:
    """Create a job for `owner` and enqueue `task.delay(job.pk)` after commit. If a job of the same
    kind is already queued or running for the owner, return it instead (a second click is harmless)."""
    ct = ContentType.objects.get_for_model(owner)
    active = FileJob.objects.filter(
        content_type=ct,
        object_id=str(owner.pk),
        kind=kind,
        status__in=[FileJob.Status.QUEUED, FileJob.Status.RUNNING],
    ).first()
    if active:
        return active
    job = FileJob.objects.create(
        content_type=ct,
        object_id=str(owner.pk),
        kind=kind,
        created_by=created_by,
        label=label or kind,
    )
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def latest(*, owner: models.Model, kind: str) -> FileJob | None:
    ct = ContentType.objects.get_for_model(owner)
    return (
        FileJob.objects.filter(content_type=ct, object_id=str(owner.pk), kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )


def run(job_id: int, produce: Producer) -> FileJob | None:
    """Claim the job and produce its file. Idempotent: a finished job is left alone; a job
    whose worker died while running is taken over by the redelivered task."""
    if not FileJob.objects.filter(
        pk=job_id, status__in=[FileJob.Status.QUEUED, FileJob.Status.RUNNING]
    ).update(status=FileJob.Status.RUNNING, started_at=timezone.now(), progress=1):
        return None
    job = FileJob.objects.get(pk=job_id)

    def progress(percent: int) -> None:
        FileJob.objects.filter(pk=job_id).update(progress=max(1, min(99, int(percent))))

    try:
        filename, content = produce(job, progress)
    except Exception as exc:
        logger.exception("File job %s failed", job_id)
        FileJob.objects.filter(pk=job_id).update(
            status=FileJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.file.save(filename, ContentFile(content), save=False)
    FileJob.objects.filter(pk=job_id).update(
        file=job.file.name,
        sha256=sha256_of(content),
        status=FileJob.Status.DONE,
        progress=100,
        error="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
