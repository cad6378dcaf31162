"""State changes of meetings: create, update, cancel, attachments; the record freezes them."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import User
from tables.models import (
    AgendaItem,
    Meeting,
    MeetingAttachment,
    Minutes,
    Table,
)

MEETING_FIELDS = ["title", "starts_at", "ends_at", "place", "online_url", "description"]
# A change of these is news for invitees: they receive an update (SEQUENCE + 1).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "online_url")


# --- the record of a meeting --------------------------------------------------------------
class RecordFrozen(ValidationError):
    """A change refused because the meeting's minutes are approved: its record (meeting data,
    agenda, attendance, attachments, text of the minutes) changes only through a rettifica."""

    def __init__(self, meeting: Meeting):
        super().__init__(
            _(
                "Il verbale di questa seduta è approvato: i dati della seduta, l'ordine del "
                "giorno, le presenze, gli allegati e il testo del verbale non si possono più "
                "modificare. Per correggere un errore scrivi una rettifica del verbale: sarà "
                "approvata e pubblicata come nuova versione, e quella attuale resterà consultabile."
            )
        )
        self.meeting = meeting


def ensure_record_open(meeting: Meeting) -> None:
    """Raise RecordFrozen if the meeting's minutes are approved. Services call it with the
    meeting's row locked (lock_meeting), as approval does, so that the two never interleave."""
    if Minutes.objects.filter(meeting_id=meeting.pk, status=Minutes.Status.APPROVED).exists():
        raise RecordFrozen(meeting)


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the end of the transaction (with its table)."""
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("table").get(pk=meeting.pk)
    )


# --- meetings ---
def _save_agenda(meeting: Meeting, items: Sequence[dict]) -> None:
    existing = {a.pk: a for a in meeting.agenda_items.all()}
    kept_ids = {item.get("id") for item in items if item.get("id")}
    for item in existing.values():
        if item.pk not in kept_ids and (item.summary or item.decisions):
            raise ValidationError(
                _(
                    "Il punto «%(title)s» ha già la sintesi o le decisioni nel verbale: non si può "
                    "togliere dall'ordine del giorno. Cancella prima il testo dal verbale."
                )
                % {"title": item.title}
            )
    keep = []
    for order, item in enumerate(items, start=1):
        obj = existing.get(item.get("id")) if item.get("id") else None
        if obj is None:
            obj = AgendaItem(meeting=meeting)
        obj.order = order
        obj.title = item["title"]
        obj.description = item.get("description", "")
        obj.save()
        keep.append(obj.pk)
    meeting.agenda_items.exclude(pk__in=keep).delete()


@transaction.atomic
def meeting_create(*, table: Table, data: dict, agenda: Sequence[dict], actor: User) -> Meeting:
    errors = Meeting.schedule_errors(
        starts_at=data["starts_at"], ends_at=data["ends_at"], creating=True
    )
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(table=table, created_by=actor, **{k: data.get(k, "") for k in MEETING_FIELDS})
    meeting.full_clean()
    meeting.save()
    _save_agenda(meeting, agenda)
    audit.record(
        actor=actor,
        action="tables.meeting.created",
        obj=meeting,
        changes=audit.diff({}, audit.snapshot(meeting, MEETING_FIELDS)),
        ambito_id=table.ambito_id,
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: dict, agenda: Sequence[dict], actor: User) -> Meeting:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("La seduta è annullata e non si può modificare."))
    errors = Meeting.schedule_errors(
        starts_at=data["starts_at"], ends_at=data["ends_at"], creating=False
    )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for key in MEETING_FIELDS:
        setattr(meeting, key, data.get(key, ""))
    changes = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    schedule_changed = any(k in changes for k in SCHEDULE_FIELDS)
    if meeting.status == Meeting.Status.CONVENED and schedule_changed:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    _save_agenda(meeting, agenda)
    audit.record(
        actor=actor,
        action="tables.meeting.updated",
        obj=meeting,
        changes=changes,
        ambito_id=meeting.table.ambito_id,
    )
    if meeting.status == Meeting.Status.CONVENED and schedule_changed:
        _deliver_after_commit(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User, reason: str = "") -> Meeting:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    was_convened = meeting.status == Meeting.Status.CONVENED
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence"])
    audit.record(
        actor=actor,
        action="tables.meeting.cancelled",
        obj=meeting,
        reason=reason,
        ambito_id=meeting.table.ambito_id,
    )
    if was_convened:
        _deliver_after_commit(meeting)
    return meeting


@transaction.atomic
def attachment_add(*, meeting: Meeting, title: str, file, actor: User) -> MeetingAttachment:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    attachment = MeetingAttachment(meeting=meeting, title=title, file=file, uploaded_by=actor)
    attachment.full_clean()
    attachment.save()
    audit.record(
        actor=actor,
        action="tables.meeting_attachment.added",
        obj=meeting,
        changes={"attachment": title},
        ambito_id=meeting.table.ambito_id,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: MeetingAttachment, actor: User) -> None:
    meeting = lock_meeting(attachment.meeting)
    ensure_record_open(meeting)
    audit.record(
        actor=actor,
        action="tables.meeting_attachment.deleted",
        obj=meeting,
        changes={"attachment": attachment.title},
        ambito_id=meeting.table.ambito_id,
    )
    attachment.file.delete(save=False)
    attachment.delete()


def _deliver_after_commit(meeting: Meeting) -> None:
    from tables.tasks import deliver_meeting_messages

    transaction.on_commit(lambda: deliver_meeting_messages.delay(meeting.pk))
