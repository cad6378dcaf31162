"""Work done in the background. A service calls `start` (inside its transaction); the app's thin
Celery task calls `run` with a function that produces a file (a PDF), or `run_action` with one
that processes the job's uploaded file and returns its outcome (an import); the page shows the
job's progress through components/job_progress.html and polls until it is done.

Progress is kept in the cache as well as in the row: work that runs inside one transaction (an
import, all or nothing) cannot make its row's progress visible to the page before it commits, so
the page reads the cache (`live`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import InterfaceError, OperationalError, models, transaction
from django.utils import timezone

from core.models import FileJob
from core.storage import sha256_of
from core.uploads import safe_filename

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
Producer = Callable[[FileJob, Progress], tuple[str, bytes]]
Action = Callable[[FileJob, Progress], dict[str, Any]]
# Errors worth a retry: the database or the network went away for a moment.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, ConnectionError)
ACTIVE = (FileJob.Status.QUEUED, FileJob.Status.RUNNING)


def active(*, owner: models.Model, kind: str) -> FileJob | None:
    """The job of `kind` queued or running for `owner`, if any."""
    ct = ContentType.objects.get_for_model(owner)
    return FileJob.objects.filter(
        content_type=ct, object_id=str(owner.pk), kind=kind, status__in=ACTIVE
    ).first()


def start(
    *,
    owner: models.Model,
    kind: str,
    task,
    created_by=None,
    label: str = "",
    upload: File | str | None = None,
    params: dict[str, Any] | None = None,
) -> FileJob:
    """Create a job for `owner` and enqueue `task.delay(job.pk)` after commit. If a job of the same
    kind is already queued or running for the owner, return it instead (a second click is harmless).
    `upload` is the file the job works on: an uploaded file (stored now, privately) or the name of
    one already stored (a dry run's file, confirmed)."""
    current = active(owner=owner, kind=kind)
    if current:
        return current
    job = FileJob(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=str(owner.pk),
        kind=kind,
        created_by=created_by,
        label=label or kind,
        params=params or {},
    )
    if isinstance(upload, str):
        job.upload.name = upload
    elif upload is not None:
        upload.seek(0)
        job.upload.save(safe_filename(upload.name or "file"), upload, save=False)
    job.save()
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def latest(*, owner: models.Model, kind: str) -> FileJob | None:
    ct = ContentType.objects.get_for_model(owner)
    return (
        FileJob.objects.filter(content_type=ct, object_id=str(owner.pk), kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def reporter(job_id: int) -> Progress:
    """The progress callback of a job: 1-99 %, in the row and in the cache (see the module's
    docstring: inside the work's transaction the row's update is seen only when it commits)."""

    def progress(percent: int) -> None:
        value = max(1, min(99, int(percent)))
        cache.set(_progress_key(job_id), value, 60 * 60 * 6)
        FileJob.objects.filter(pk=job_id).update(progress=value)

    return progress


def live(job: FileJob) -> FileJob:
    """`job` with the progress reported so far (see the module's docstring)."""
    if job.status == FileJob.Status.RUNNING:
        job.progress = max(job.progress, cache.get(_progress_key(job.pk)) or 0)
    return job


def _claim(job_id: int) -> FileJob | None:
    """The job, now running; None when it is finished (a redelivered task leaves it alone). A job
    whose worker died while running is taken over."""
    if not FileJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=FileJob.Status.RUNNING, started_at=timezone.now(), progress=1
    ):
        return None
    return FileJob.objects.get(pk=job_id)


def _fail(job_id: int, error: str) -> None:
    FileJob.objects.filter(pk=job_id).update(
        status=FileJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def _done(job: FileJob, **outcome: Any) -> FileJob:
    """Mark the job done with its outcome (file, result) and read it back."""
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJob.Status.DONE, progress=100, error="", finished_at=timezone.now(), **outcome
    )
    job.refresh_from_db()
    return job


def run(job_id: int, produce: Producer) -> FileJob | None:
    """Claim the job and produce its file. Idempotent: a finished job is left alone; a job
    whose worker died while running is taken over by the redelivered task."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        filename, content = produce(job, reporter(job_id))
    except Exception as exc:
        logger.exception("File job %s failed", job_id)
        _fail(job_id, str(exc))
        raise
    job.file.save(filename, ContentFile(content), save=False)
    return _done(job, file=job.file.name, sha256=sha256_of(content))


def run_action(job_id: int, act: Action, *, final_attempt: bool = True) -> FileJob | None:
    """Claim the job and run `act`, which returns the outcome kept in `job.result`. Idempotent
    like `run`. A ValidationError is the file's fault: the job fails with its (Italian) message,
    shown on the page. A transient error (TRANSIENT_ERRORS) puts the job back in the queue and is
    raised for the task to retry, unless this is the final attempt; any other error fails the job
    and is raised."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        result = act(job, reporter(job_id))
    except ValidationError as exc:
        _fail(job_id, " ".join(exc.messages))
        job.refresh_from_db()
        return job
    except TRANSIENT_ERRORS as exc:
        if final_attempt:
            _fail(job_id, str(exc))
        else:
            FileJob.objects.filter(pk=job_id).update(status=FileJob.Status.QUEUED)
        raise
    except Exception as exc:
        logger.exception("Job %s failed", job_id)
        _fail(job_id, str(exc))
        raise
    return _done(job, result=result)
