"""tables 0006: minutes approved before versions existed get their version 1 (the record as the
rows hold it), and their PDFs move to it with their SHA-256; back, the PDFs return to the
minutes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tables", "0005_invitation")]
AFTER = [("tables", "0006_minutes_versions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_approved_minutes_are_frozen_as_version_one_and_back(ambito):
    apps = _migrate(BEFORE)
    try:
        Table = apps.get_model("tables", "Table")
        Meeting = apps.get_model("tables", "Meeting")
        Minutes = apps.get_model("tables", "Minutes")
        AgendaItem = apps.get_model("tables", "AgendaItem")
        Invitation = apps.get_model("tables", "Invitation")
        start = timezone.now() - timedelta(days=20)
        table = Table.objects.create(ambito_id=ambito.pk, name="Inclusione", slug="inclusione")
        meeting = Meeting.objects.create(
            table=table,
            title="Seduta di ottobre",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            status="convened",
        )
        AgendaItem.objects.create(meeting=meeting, order=1, title="Bilancio", decisions="Sì")
        Invitation.objects.create(
            meeting=meeting, email="anna@example.org", name="Anna", attendance="present"
        )
        approved = Minutes.objects.create(
            meeting=meeting, status="approved", chair="A", secretary="B", approved_at=start
        )
        draft_meeting = Meeting.objects.create(
            table=table, title="Altra", starts_at=start, ends_at=start + timedelta(hours=1)
        )
        Minutes.objects.create(meeting=draft_meeting, status="draft")
        # core is migrated to its latest state throughout: its current models
        from django.contrib.contenttypes.models import ContentType

        from core.models import FileJob

        minutes_type, _ = ContentType.objects.get_or_create(app_label="tables", model="minutes")
        # the file where the migration's models look for it (the storage of the settings)
        name = storages["private"].save("jobs/verbale.pdf", ContentFile(b"%PDF-1.4 verbale"))
        job = FileJob.objects.create(
            kind="minutes_pdf",
            content_type=minutes_type,
            object_id=str(approved.pk),
            status="done",
            file=name,
        )

        apps = _migrate(AFTER)
        MinutesVersion = apps.get_model("tables", "MinutesVersion")
        (version,) = MinutesVersion.objects.all()
        assert (version.minutes_id, version.number, version.status) == (
            approved.pk,
            1,
            "published",
        )
        assert version.approved_at == start
        record = version.record
        assert record["meeting"]["title"] == "Seduta di ottobre"
        assert record["agenda"][0]["decisions"] == "Sì"
        assert record["attendance"][0]["attendance_label"] == "Presente"
        assert record["version"]["number"] == 1
        job.refresh_from_db()
        assert job.content_type.model == "minutesversion" and job.object_id == str(version.pk)
        assert job.sha256 == hashlib.sha256(b"%PDF-1.4 verbale").hexdigest()

        _migrate(AFTER)  # again: nothing twice
        assert MinutesVersion.objects.count() == 1

        _migrate(BEFORE)
        job.refresh_from_db()
        assert job.content_type.model == "minutes" and job.object_id == str(approved.pk)
    finally:
        _migrate(AFTER)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
