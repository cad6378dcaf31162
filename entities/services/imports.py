"""The entity import, run in the background (core.jobs): the upload is stored with the job, a
Celery task (entities.tasks.import_entities) reads it and imports every row or none, the page
polls the job's progress and then shows its outcome: the rows written, or the rows that are wrong.

A dry run ("prova senza scrivere") checks the whole file and writes nothing; when it finds no
error, its stored file can be imported for real (`import_confirm`) without uploading it again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core import jobs
from core.models import FileJob, User
from core.spreadsheets import read_dataset
from entities.resources import EntityResource, row_errors

KIND = "entity_import"
MAX_IMPORT_ROWS = 10_000
ROWS_SHOWN = 500  # the outcome lists the first rows (a dry run's preview) and every wrong one
WRONG_ROWS_KEPT = 2_000
GONE = _("Il file da importare non è più disponibile: caricalo di nuovo.")


def _may_import(user: User, ambito: Ambito) -> bool:
    return user.is_superuser or ambito.pk in managed_ambito_ids(user)


def latest_job(user: User) -> FileJob | None:
    return jobs.latest(owner=user, kind=KIND)


def job_for_user(user: User, pk: int) -> FileJob:
    """One of the user's own import jobs (404 for anybody else's)."""
    return get_object_or_404(
        FileJob.objects.select_related("content_type"),
        pk=pk,
        kind=KIND,
        created_by=user,
        object_id=str(user.pk),
    )


def _start(
    *, user: User, ambito: Ambito, upload: UploadedFile | str, params: dict[str, Any]
) -> FileJob:
    from entities.tasks import import_entities

    if not _may_import(user, ambito):
        raise PermissionDenied
    if jobs.active(owner=user, kind=KIND):
        raise ValidationError(
            _("Hai già un'importazione in corso: attendi che finisca, poi carica il file."),
            code="import_running",
        )
    return jobs.start(
        owner=user,
        kind=KIND,
        task=import_entities,
        created_by=user,
        label=_("importazione di %(name)s") % {"name": params["file_name"]},
        upload=upload,
        params={**params, "ambito": ambito.pk},
    )


@transaction.atomic
def import_start(
    *, user: User, ambito: Ambito, upload: UploadedFile, fmt: str, dry_run: bool
) -> FileJob:
    """Store the upload and queue its import into `ambito` (a dry run writes nothing)."""
    return _start(
        user=user,
        ambito=ambito,
        upload=upload,
        params={"format": fmt, "dry_run": dry_run, "file_name": upload.name},
    )


@transaction.atomic
def import_confirm(*, user: User, job: FileJob) -> FileJob:
    """Import for real the file of a dry run that found no error."""
    if not (
        job.status == FileJob.Status.DONE
        and job.params.get("dry_run")
        and job.result.get("ok")
        and job.upload
    ):
        raise ValidationError(GONE, code="not_confirmable")
    ambito = Ambito.objects.filter(pk=job.params.get("ambito")).first()
    if ambito is None:
        raise ValidationError(GONE, code="not_confirmable")
    return _start(
        user=user,
        ambito=ambito,
        upload=job.upload.name,
        params={**job.params, "dry_run": False, "confirms": job.pk},
    )


def _rows(result) -> list[dict[str, Any]]:
    """Each row's outcome: the first ROWS_SHOWN rows and every wrong one (WRONG_ROWS_KEPT at most)."""
    invalid = {r.number: r for r in result.invalid_rows}
    errors = dict(result.row_errors())
    rows: list[dict[str, Any]] = []
    wrong = 0
    for number, row_result in enumerate(result.rows, 1):
        messages = (row_errors(invalid[number]) if number in invalid else []) + [
            str(e.error) for e in errors.get(number, [])
        ]
        if messages:
            wrong += 1
            if wrong > WRONG_ROWS_KEPT:
                continue
        elif number > ROWS_SHOWN:
            continue
        instance = row_result.instance
        name = instance.name if instance is not None else ""
        if not name and number in invalid and invalid[number].values:
            name = str(invalid[number].values[0])
        rows.append(
            {
                "number": number,
                "type": row_result.import_type,
                "name": name,
                "tax_code": instance.tax_code if instance is not None else "",
                "errors": messages,
            }
        )
    return rows


def run_import(job: FileJob, progress: jobs.Progress) -> dict[str, Any]:
    """The task's work: read the stored file, import every row or none, report the outcome."""
    params = job.params
    actor = job.created_by
    ambito = Ambito.objects.filter(pk=params.get("ambito")).first()
    if actor is None or ambito is None or not _may_import(actor, ambito):
        raise ValidationError(_("Non puoi più importare enti in questo ambito."), code="denied")
    try:
        with job.upload.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError) as exc:
        raise ValidationError(GONE, code="gone") from exc
    progress(5)
    dataset = read_dataset(content, params["format"], max_rows=MAX_IMPORT_ROWS)
    total = max(len(dataset), 1)
    progress(10)
    dry_run = bool(params.get("dry_run"))
    resource = EntityResource(
        ambito=ambito, actor=actor, progress=lambda done: progress(10 + 80 * done // total)
    )
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        ok = not (result.has_errors() or result.has_validation_errors())
        if not ok:
            transaction.set_rollback(True)
    progress(95)
    if not dry_run:
        # the file (personal data) is kept only as long as it can still be imported
        name = job.upload.name
        storage = job.upload.storage
        transaction.on_commit(lambda: storage.delete(name))
    totals = dict(result.totals)
    return {
        "dry_run": dry_run,
        "ok": ok,
        "row_count": len(result.rows),
        "totals": totals,
        "wrong_count": totals.get("invalid", 0) + totals.get("error", 0),
        "base_errors": [str(e.error) for e in result.base_errors],
        "rows": _rows(result),
    }
