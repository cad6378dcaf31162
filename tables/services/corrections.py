"""State changes of corrections (rettifiche) of approved minutes: save, approve, discard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, notifications
from core.models import FileJob, User
from tables.models import (
    AgendaItem,
    Invitation,
    Minutes,
    MinutesVersion,
)
from tables.selectors import current_version
from tables.services.minutes import (
    MINUTES_FIELDS,
    _frozen_record,
    _lock_minutes,
    _member_users,
    version_render,
)


def _corrected(record: dict) -> dict[str, str]:
    """What a correction may change in a record, flat and labelled (for checks and the audit)."""
    flat = {name: record["minutes"][name] for name in MINUTES_FIELDS}
    for index, item in enumerate(record["agenda"], start=1):
        flat[f"{index}. {item['title']} — sintesi"] = item["summary"]
        flat[f"{index}. {item['title']} — decisioni"] = item["decisions"]
    for row in record["attendance"]:
        who = (
            f"{row['name']} ({row['entity'] or row['comune']})"
            if row["entity"] or row["comune"]
            else row["name"]
        )
        if f"presenza di {who}" in flat:  # namesakes
            who = f"{who} #{row['id']}"
        flat[f"presenza di {who}"] = row["attendance_label"]
        flat[f"delega di {who}"] = row["delegated_to"]
    return flat


@transaction.atomic
def minutes_correction_save(
    *,
    minutes: Minutes,
    reason: str,
    data: dict,
    items: Sequence[dict],
    attendance: Sequence[dict],
    actor: User,
) -> MinutesVersion:
    """Write (or go on writing) the correction of approved minutes: the corrected text of the
    minutes, discussion and decisions of each item and attendance wait in a draft version;
    nothing published and no live row changes until the correction is approved.
    items: [{"id", "summary", "decisions"}]; attendance: [{"id", "attendance", "delegated_to"}]."""
    minutes = _lock_minutes(minutes)
    if not minutes.is_approved:
        raise ValidationError(
            _("Si rettifica un verbale approvato; una bozza si corregge modificandola.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Indica il motivo della rettifica.")})
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    current = current_version(minutes)
    base = draft.record if draft else current.record
    record = {**base, "minutes": dict(base["minutes"])}
    record.pop("version", None)
    record["minutes"].update({name: data.get(name, "") for name in MINUTES_FIELDS})
    changes = {row["id"]: row for row in items}
    record["agenda"] = [
        {**item, **{k: changes[item["id"]].get(k, "") for k in ("summary", "decisions")}}
        if item["id"] in changes
        else item
        for item in base["agenda"]
    ]
    labels = dict(Invitation.Attendance.choices)
    given = {row["id"]: row for row in attendance}
    rows = []
    for row in base["attendance"]:
        new = given.get(row["id"])
        if new is not None:
            value = new.get("attendance", "")
            if value not in labels:
                raise ValidationError(_("Presenza non valida."))
            row = {
                **row,
                "attendance": value,
                "attendance_label": str(labels[value]),
                "delegated_to": new.get("delegated_to", "")
                if value == Invitation.Attendance.DELEGATED
                else "",
            }
        rows.append(row)
    record["attendance"] = rows
    before = _corrected(draft.record if draft else current.record)
    if draft is None:
        draft = MinutesVersion(
            minutes=minutes,
            number=current.number + 1,
            status=MinutesVersion.Status.DRAFT,
            created_by=actor,
        )
    draft.reason = reason.strip()
    draft.record = record
    draft.save()
    audit.record(
        actor=actor,
        action="tables.minutes_correction.saved",
        obj=minutes,
        changes=audit.diff(before, _corrected(record)),
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return draft


def _apply_correction(minutes: Minutes, record: dict) -> None:
    """The live rows take the corrected values, so that every other reader (exports, the
    personal data of a person) agrees with the version in force."""
    for name in MINUTES_FIELDS:
        setattr(minutes, name, record["minutes"][name])
    minutes.save(update_fields=[*MINUTES_FIELDS, "updated_at"])
    items = {item["id"]: item for item in record["agenda"]}
    agenda = [a for a in minutes.meeting.agenda_items.all() if a.pk in items]
    for a in agenda:
        a.summary, a.decisions = items[a.pk]["summary"], items[a.pk]["decisions"]
    AgendaItem.objects.bulk_update(agenda, ["summary", "decisions"])
    rows = {row["id"]: row for row in record["attendance"]}
    invitations = [i for i in minutes.meeting.invitations.all() if i.pk in rows]
    for i in invitations:
        i.attendance, i.delegated_to = rows[i.pk]["attendance"], rows[i.pk]["delegated_to"]
    Invitation.objects.bulk_update(invitations, ["attendance", "delegated_to"])


@transaction.atomic
def minutes_correction_approve(
    *, minutes: Minutes, actor: User, at: datetime | None = None
) -> FileJob:
    """Approve the correction in preparation and publish it as the new version in force, with
    its PDF; the earlier versions stay public, unchanged."""
    minutes = _lock_minutes(minutes)
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    if draft is None:
        raise ValidationError(_("Non c'è una rettifica in preparazione da approvare."))
    current = current_version(minutes)
    if not draft.record["minutes"]["chair"] or not draft.record["minutes"]["secretary"]:
        raise ValidationError(_("Indica il presidente e il segretario della seduta."))
    before, after = _corrected(current.record), _corrected(draft.record)
    if before == after:
        raise ValidationError(
            _(
                "La rettifica non cambia nulla rispetto alla versione in vigore: modificala o annullala."
            )
        )
    _apply_correction(minutes, draft.record)
    at = at or timezone.now()
    draft.record = _frozen_record(minutes, number=draft.number, reason=draft.reason, at=at)
    draft.status = MinutesVersion.Status.PUBLISHED
    draft.approved_by = actor
    draft.approved_at = at
    draft.save(update_fields=["record", "status", "approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="tables.minutes_correction.approved",
        obj=minutes,
        changes=audit.diff(before, after),
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    job = version_render(version=draft, actor=actor)
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_corrected",
        title=_("Rettifica del verbale pubblicata: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        body=draft.reason[:500],
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job


@transaction.atomic
def minutes_correction_discard(*, minutes: Minutes, actor: User) -> None:
    """Drop the correction in preparation (it was never published)."""
    minutes = _lock_minutes(minutes)
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    if draft is None:
        raise ValidationError(_("Non c'è una rettifica in preparazione."))
    audit.record(
        actor=actor,
        action="tables.minutes_correction.discarded",
        obj=minutes,
        changes={"versione": draft.number},
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    draft.delete()
