"""The entity import runs in the background (core.jobs + entities.tasks): the upload is stored,
a Celery task imports it after commit, the page polls the job and then shows its outcome."""

from __future__ import annotations

import time

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import OperationalError
from django.test import TestCase
from django.urls import reverse

from core import jobs
from core.models import AuditEvent, FileJob
from entities import tasks
from entities.models import Entity
from entities.services import imports
from tests.entities.test_import import csv_file, dry_run, row, xlsx_file
from tests.factories.ambito import ComuneFactory
from tests.factories.core import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fano")]


@pytest.fixture
def fano(db):
    return ComuneFactory(name="Fano", istat_code="041013")


@pytest.fixture
def queued(monkeypatch):
    """Celery tasks sent but not run: the ids given to `import_entities.delay`."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_entities, "delay", sent.append)
    return sent


def _upload(client, upload, ambito, *, dry=False):
    data = {"file": upload, "ambito": ambito.pk, **({"dry_run": "on"} if dry else {})}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("entities:import"), data)


def test_upload_stores_the_file_and_returns_before_importing(
    client_for, staff_user, ambito, queued
):
    """A 10,000-row file: the request stores it and queues the job (after commit), nothing is
    imported in the request; the page then shows the job waiting, polled by htmx."""
    client = client_for(staff_user)
    started = time.monotonic()
    response = _upload(client, xlsx_file([row(i) for i in range(10_000)]), ambito)
    elapsed = time.monotonic() - started

    job = FileJob.objects.get(kind=imports.KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("entities:import_job", kwargs={"pk": job.pk})
    assert queued == [job.pk]
    assert job.status == FileJob.Status.QUEUED and job.created_by == staff_user
    assert job.params == {
        "format": "xlsx", "dry_run": False, "file_name": "enti.xlsx", "ambito": ambito.pk
    }  # fmt: skip
    assert job.upload.open("rb").read(2) == b"PK"
    assert not Entity.objects.filter(name__startswith="Associazione Importata").exists()
    assert elapsed < 10  # the import itself takes tens of seconds

    page = client.get(response["Location"]).content.decode()
    status_url = reverse("entities:import_job_status", kwargs={"pk": job.pk})
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "In coda: l'importazione inizierà a breve." in page


def test_the_task_imports_reports_progress_and_the_page_shows_the_outcome(
    client_for, staff_user, ambito, queued, monkeypatch
):
    client = client_for(staff_user)
    _upload(client, xlsx_file([row(i) for i in range(600)]), ambito)
    job = FileJob.objects.get(kind=imports.KIND)
    seen: list[int] = []
    real_reporter = jobs.reporter

    def recording_reporter(job_id):
        report = real_reporter(job_id)

        def progress(percent):
            report(percent)
            seen.append(cache.get(f"job-progress:{job_id}"))

        return progress

    monkeypatch.setattr(jobs, "reporter", recording_reporter)
    monkeypatch.setattr("entities.resources.EntityResource.PROGRESS_EVERY", 100)

    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.import_entities.apply(args=[job.pk])

    assert seen == sorted(seen) and seen[0] == 5 and seen[-1] == 95
    assert len(seen) >= 8  # read, then every 100 rows, then the end
    job.refresh_from_db()
    assert job.status == FileJob.Status.DONE and job.progress == 100
    assert job.result["ok"] is True and job.result["totals"]["new"] == 600
    assert Entity.objects.filter(name__startswith="Associazione Importata").count() == 600
    assert not job.upload.storage.exists(job.upload.name)  # personal data: kept no longer
    status = client.get(reverse("entities:import_job_status", kwargs={"pk": job.pk}))
    html = status.content.decode()
    assert "Importazione completata: 600 enti creati, 0 aggiornati." in html
    assert "hx-get" not in html  # polling stops


def test_progress_of_a_running_import_is_read_from_the_cache(staff_user):
    """The import runs in one transaction: its row's progress is not visible before commit, so
    the page reads what the task reported to the cache."""
    job = FileJob.objects.create(
        kind=imports.KIND,
        content_type=ContentType.objects.get_for_model(staff_user),
        object_id=str(staff_user.pk),
        created_by=staff_user,
        status=FileJob.Status.RUNNING,
        progress=1,
    )
    jobs.reporter(job.pk)(42)
    assert jobs.live(FileJob.objects.get(pk=job.pk)).progress == 42


def test_a_redelivered_task_does_not_import_twice(client_for, staff_user, ambito, queued):
    _upload(client_for(staff_user), csv_file([row(1), row(2)]), ambito)
    job_id = queued[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.import_entities.apply(args=[job_id])
        tasks.import_entities.apply(args=[job_id])
    assert Entity.objects.filter(name__startswith="Associazione Importata").count() == 2
    assert AuditEvent.objects.filter(action="entities.entity.imported").count() == 2


def test_a_transient_error_is_retried_then_the_job_fails(
    client_for, staff_user, ambito, queued, monkeypatch
):
    _upload(client_for(staff_user), csv_file([row(1)]), ambito)
    job_id = queued[0]
    calls = []

    def flaky(job, progress):
        calls.append(job.pk)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(imports, "run_import", flaky)
    with pytest.raises(Retry):  # the first attempts: back in the queue, retried with backoff
        tasks.import_entities.apply(args=[job_id], retries=0)
    assert FileJob.objects.get(pk=job_id).status == FileJob.Status.QUEUED
    with pytest.raises(OperationalError):  # the last attempt: the job fails, staff see why
        tasks.import_entities.apply(args=[job_id], retries=tasks.import_entities.max_retries)
    assert len(calls) == 2
    job = FileJob.objects.get(pk=job_id)
    assert job.status == FileJob.Status.FAILED and "server closed" in job.error


def test_an_unreadable_file_fails_the_job_with_its_reason(client_for, staff_user, ambito):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("enti.csv", b"denominazione;codice_fiscale\n" + b"a;b;c;d\n")
    response = dry_run(client_for(staff_user), upload, ambito)
    job = response.context["job"]
    assert job.status == FileJob.Status.FAILED
    html = response.content.decode()
    assert "Non è stato possibile leggere il file: nessun ente è stato scritto." in html
    assert "La riga 2 ha più celle delle intestazioni: controlla i separatori." in html


def test_one_import_at_a_time_per_person(client_for, staff_user, ambito, queued):
    client = client_for(staff_user)
    _upload(client, csv_file([row(1)]), ambito)
    response = _upload(client, csv_file([row(2)]), ambito)
    assert response.status_code == 200
    assert "Hai già un'importazione in corso" in " ".join(response.context["form"].errors["file"])
    assert FileJob.objects.filter(kind=imports.KIND).count() == 1
    assert "Vedi l'avanzamento" in response.content.decode()


@pytest.mark.parametrize("who", ["other_staff", "colleague", "superuser"])
def test_nobody_else_sees_or_confirms_an_import(request, client_for, staff_user, ambito, who):
    """A job shows rows of someone's file: only its author sees it (404 for anyone else, even a
    colleague of the same ambito), and only its author may confirm it."""
    response = dry_run(client_for(staff_user), csv_file([row(1)]), ambito)
    job = response.context["job"]
    assert response.context["ok"] is True
    if who == "colleague":
        from ambito.models import StaffRole
        from tests.factories.ambito import StaffRoleFactory

        user = StaffRoleFactory(ambito=ambito, role=StaffRole.Role.COORDINATOR).user
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    for name in ("entities:import_job", "entities:import_job_status"):
        assert client.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(reverse("entities:import_confirm", kwargs={"pk": job.pk}))
    assert answer.status_code == 404
    assert FileJob.objects.filter(kind=imports.KIND).count() == 1
    assert not Entity.objects.filter(name="Associazione Importata 1").exists()


def test_a_revoked_role_stops_a_queued_import(client_for, staff_user, ambito, queued):
    _upload(client_for(staff_user), csv_file([row(1)]), ambito)
    staff_user.staff_roles.all().delete()
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.import_entities.apply(args=[queued[0]])
    job = FileJob.objects.get(pk=queued[0])
    assert job.status == FileJob.Status.FAILED
    assert job.error == "Non puoi più importare enti in questo ambito."
    assert not Entity.objects.filter(name="Associazione Importata 1").exists()


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_a_real_worker_imports_10000_rows_while_the_page_polls(
    celery_worker_process, ambito, staff_user
):
    """The upload returns at once; a real Celery worker imports the 10,000 rows; the status URL,
    polled as the page does, shows the progress and then the outcome."""
    from django.test import Client

    client = Client()
    client.force_login(staff_user)
    started = time.monotonic()
    response = client.post(
        reverse("entities:import"),
        {"file": xlsx_file([row(i) for i in range(10_000)]), "ambito": ambito.pk},
    )
    assert response.status_code == 302 and time.monotonic() - started < 10
    job = FileJob.objects.get(kind=imports.KIND)
    status_url = reverse("entities:import_job_status", kwargs={"pk": job.pk})
    percents = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        html = client.get(status_url).content.decode()
        if "Importazione in corso:" in html:
            percents.append(int(html.split("Importazione in corso:")[1].split("%")[0]))
        if "Importazione completata" in html or "alert-danger" in html:
            break
        time.sleep(0.5)
    job.refresh_from_db()
    assert "Importazione completata:" in html and "0 aggiornati" in html, (job.status, job.error)
    assert percents and percents == sorted(percents)
    assert Entity.objects.filter(name__startswith="Associazione Importata").count() == 10_000


def test_the_job_of_someone_who_left_is_refused(staff_user):
    """A job whose author was deleted: nothing to import as."""
    other = UserFactory()
    job = FileJob.objects.create(
        kind=imports.KIND,
        content_type=ContentType.objects.get_for_model(other),
        object_id=str(other.pk),
        params={"ambito": 0, "format": "csv"},
    )
    done = jobs.run_action(job.pk, imports.run_import)
    assert done.status == FileJob.Status.FAILED
