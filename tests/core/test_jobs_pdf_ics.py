import hashlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from core import ics, jobs, pdf
from core.models import FileJob
from core.sanitize import clean_html
from core.storage import sha256_of
from tests.factories.core import UserFactory

ROME = ZoneInfo("Europe/Rome")


def test_pdf_has_text_and_page_numbers():
    content = pdf.render_pdf("pdf/base.html", {"title": "Prova di stampa"})
    reader = PdfReader(io.BytesIO(content))
    text = reader.pages[0].extract_text()
    assert "Pagina 1 di 1" in text


def test_ics_request_with_rome_timezone():
    event = ics.CalendarEvent(
        uid="meeting-1@portal",
        start=datetime(2026, 3, 29, 10, 0, tzinfo=ROME),
        end=datetime(2026, 3, 29, 12, 0, tzinfo=ROME),
        summary="Tavolo Inclusione",
        location="Fano, Sala Verdi",
        sequence=2,
        attendees=["a@example.org"],
    )
    cal = Calendar.from_ical(ics.build([event], method="REQUEST"))
    assert cal["method"] == "REQUEST"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Rome"]
    ev = cal.walk("VEVENT")[0]
    assert ev["uid"] == "meeting-1@portal" and ev["sequence"] == 2
    assert ev.decoded("dtstart") == datetime(2026, 3, 29, 10, 0, tzinfo=ROME)
    assert ev["dtstart"].params["TZID"] == "Europe/Rome"


def test_ics_cancel():
    event = ics.CalendarEvent(
        uid="u",
        start=datetime(2026, 1, 1, 9, tzinfo=ROME),
        end=datetime(2026, 1, 1, 10, tzinfo=ROME),
        summary="x",
        cancelled=True,
    )
    cal = Calendar.from_ical(ics.build([event], method="CANCEL"))
    assert cal["method"] == "CANCEL" and cal.walk("VEVENT")[0]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>ok<script>alert(1)</script></p>", "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<img src=x onerror="alert(1)">', ""),
        ("<p onclick='x()'>y</p>", "<p>y</p>"),
    ],
)
def test_clean_html(dirty, clean):
    assert clean_html(dirty) == clean


class _Task:
    def __init__(self):
        self.calls = []

    def delay(self, pk):
        self.calls.append(pk)


@pytest.mark.django_db
def test_job_lifecycle(django_capture_on_commit_callbacks):
    owner = UserFactory()
    task = _Task()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start(owner=owner, kind="export", task=task)
        again = jobs.start(owner=owner, kind="export", task=task)
    assert again.pk == job.pk and task.calls == [job.pk]
    steps = []

    def produce(job, progress):
        progress(50)
        steps.append(FileJob.objects.get(pk=job.pk).progress)
        return "out.txt", b"hello"

    done = jobs.run(job.pk, produce)
    assert steps == [50] and done.status == FileJob.Status.DONE and done.progress == 100
    assert done.file.read() == b"hello"
    # The fingerprint shown beside a published file is the file's own SHA-256.
    assert done.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert sha256_of(done.file) == done.sha256
    assert jobs.run(job.pk, produce) is None  # idempotent: a finished job is left alone
    assert jobs.latest(owner=owner, kind="export").pk == job.pk


@pytest.mark.django_db
def test_job_failure_is_recorded():
    owner = UserFactory()
    job = FileJob.objects.create(
        content_type_id=jobs.ContentType.objects.get_for_model(owner).pk,
        object_id=str(owner.pk),
        kind="x",
    )

    def produce(job, progress):
        raise ValueError("template rotto")

    with pytest.raises(ValueError):
        jobs.run(job.pk, produce)
    job.refresh_from_db()
    assert job.status == FileJob.Status.FAILED and "template rotto" in job.error
