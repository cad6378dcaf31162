"""State changes of minutes: save, share, comment, approve (freezing the record), render the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, jobs, notifications
from core.models import FileJob, User
from tables import records
from tables.minutes_pdf import MINUTES_PDF
from tables.models import (
    AgendaItem,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesVersion,
    Table,
    TableMembership,
)
from tables.selectors import current_version, table_managers
from tables.services.meetings import ensure_record_open, lock_meeting

# --- minutes ------------------------------------------------------------------------------
MINUTES_FIELDS = list(records.MINUTES_FIELDS)


@transaction.atomic
def minutes_save(*, meeting: Meeting, data: dict, items: Sequence[dict], actor: User) -> Minutes:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first() or Minutes(
        meeting=meeting
    )
    before = audit.snapshot(minutes, MINUTES_FIELDS) if minutes.pk else {}
    for key in MINUTES_FIELDS:
        setattr(minutes, key, data.get(key, ""))
    minutes.save()
    by_id = {a.pk: a for a in meeting.agenda_items.all()}
    changed = []
    for item in items:
        agenda = by_id.get(item["id"])
        if agenda is not None:
            agenda.summary, agenda.decisions = item.get("summary", ""), item.get("decisions", "")
            changed.append(agenda)
    AgendaItem.objects.bulk_update(changed, ["summary", "decisions"])
    audit.record(
        actor=actor,
        action="tables.minutes.saved",
        obj=minutes,
        changes=audit.diff(before, audit.snapshot(minutes, MINUTES_FIELDS)),
        ambito_id=meeting.table.ambito_id,
    )
    return minutes


def _member_users(table: Table) -> list[User]:
    seats = (
        TableMembership.objects.current()
        .filter(table=table)
        .select_related("delegate", "substitute")
    )
    users = []
    for s in seats:
        users.append(s.delegate)
        if s.substitute:
            users.append(s.substitute)
    return users


@transaction.atomic
def minutes_share(*, minutes: Minutes, actor: User) -> Minutes:
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__table")
        .get(pk=minutes.pk)
    )
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Solo una bozza si può condividere."))
    minutes.status = Minutes.Status.SHARED
    minutes.shared_at = timezone.now()
    minutes.save(update_fields=["status", "shared_at", "updated_at"])
    audit.record(
        actor=actor,
        action="tables.minutes.shared",
        obj=minutes,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_shared",
        title=_("Bozza di verbale da leggere: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return minutes


@transaction.atomic
def minutes_comment(*, minutes: Minutes, body: str, actor: User) -> MinutesComment:
    if minutes.status != Minutes.Status.SHARED:
        raise ValidationError(
            _("Le osservazioni si possono inviare solo mentre il verbale è condiviso.")
        )
    comment = MinutesComment.objects.create(minutes=minutes, author=actor, body=body)
    table = minutes.meeting.table
    notifications.notify(
        users=[u for u in table_managers(table) if u.pk != actor.pk],
        kind="tables.minutes_comment",
        title=_("Nuova osservazione al verbale: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        body=body[:500],
        ambito_id=table.ambito_id,
    )
    audit.record(
        actor=actor,
        action="tables.minutes.commented",
        obj=minutes,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return comment


def _lock_minutes(minutes: Minutes) -> Minutes:
    """The minutes' row locked, after their meeting's (the order every writer of the record
    follows, so that approval and a change of the record never interleave)."""
    lock_meeting(minutes.meeting)
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__table")
        .get(pk=minutes.pk)
    )


def _frozen_record(minutes: Minutes, *, number: int, reason: str, at: datetime) -> dict:
    """The record of `minutes` as the live rows hold it now, with what the version says of
    itself (its number, date and reason, the versions it replaces)."""
    (loaded,) = records.load(Minutes, [minutes.pk])
    record = records.build(loaded)
    earlier = minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED).order_by("number")
    record["version"] = {
        "number": number,
        "approved_at": at.isoformat(),
        "reason": reason,
        "replaces": [
            {"number": n, "approved_at": when.isoformat()}
            for n, when in earlier.values_list("number", "approved_at")
        ],
    }
    return record


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor: User, at: datetime | None = None) -> FileJob:
    """Approve the minutes: the meeting's record is frozen as version 1 and its PDF rendered
    from it. `at`: the date of approval (now; the demo data give earlier ones)."""
    minutes = _lock_minutes(minutes)
    if minutes.status == Minutes.Status.APPROVED:
        raise ValidationError(_("Il verbale è già approvato."))
    if not minutes.chair or not minutes.secretary:
        raise ValidationError(
            _("Indica il presidente e il segretario della seduta prima di approvare il verbale.")
        )
    at = at or timezone.now()
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = at
    minutes.approved_by = actor
    minutes.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=1,
        status=MinutesVersion.Status.PUBLISHED,
        record=_frozen_record(minutes, number=1, reason="", at=at),
        created_by=actor,
        approved_by=actor,
        approved_at=at,
    )
    audit.record(
        actor=actor,
        action="tables.minutes.approved",
        obj=minutes,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    job = version_render(version=version, actor=actor)
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_published",
        title=_("Verbale approvato e pubblicato: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job


# --- PDF ----------------------------------------------------------------------------------
def version_render(*, version: MinutesVersion, actor: User | None) -> FileJob:
    """Start (or return the running) PDF job of a published version."""
    from tables.tasks import render_minutes_pdf

    if not version.is_published:
        raise ValidationError(_("Il PDF si genera solo per un verbale approvato."))
    return jobs.start(
        owner=version,
        kind=MINUTES_PDF,
        task=render_minutes_pdf,
        created_by=actor,
        label=_("verbale (PDF)") if version.number == 1 else _("rettifica del verbale (PDF)"),
    )


@transaction.atomic
def minutes_render(*, minutes: Minutes, actor: User) -> FileJob:
    """Render the PDF of the version in force again (staff's button): from its frozen record,
    so it is the same document."""
    version = current_version(minutes) if minutes.is_approved else None
    if version is None:
        raise ValidationError(_("Il PDF si genera solo per un verbale approvato."))
    job = version_render(version=version, actor=actor)
    audit.record(
        actor=actor,
        action="tables.minutes.pdf_regenerated",
        obj=minutes,
        changes={"versione": version.number},
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job
