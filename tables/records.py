"""The record of a meeting's minutes as plain data: the meeting, its attendance register, the
agenda with discussion and decisions, the attachments (with their SHA-256) and the text of the
minutes, with the labels as they read on the day.

Approving the minutes stores this record in a MinutesVersion; the public page and the PDF of
that version are rendered from it, never from the live rows again: a later change of a name, a
label or a row cannot change what was approved, and the PDF rendered again is the same
document. Drafts are shown through the same record, built from the live rows on the fly.

The builder reads only fields and relations, so the data migration that froze the minutes
approved before versions existed uses it on historical models too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation

from core.storage import sha256_of

FORMAT = 1
MEETING_FIELDS = ("title", "place", "online_url")
MINUTES_FIELDS = ("chair", "secretary", "introduction", "closing")
ATTENDANCE_PRESENT = "present"


def _label(obj, field: str) -> str:
    """The display label of a choice field's value (works on historical models too)."""
    value = getattr(obj, field)
    return str(dict(type(obj)._meta.get_field(field).flatchoices).get(value, value))


def _masked(email: str) -> str:
    """An invitee without a name, as published: "m…@example.org", never the whole address
    (published minutes carry only the personal data they need)."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _digest(file) -> str:
    try:
        return sha256_of(file)
    except FileNotFoundError:
        return ""


def load(minutes_model, pks: Iterable[int]) -> list:
    """The minutes `pks` with everything build() reads, in a constant number of queries."""
    meeting_model = minutes_model._meta.get_field("meeting").related_model
    invitation_model = meeting_model._meta.get_field("invitations").related_model
    invitations = invitation_model.objects.select_related("entity", "comune").order_by(
        "entity__name", "name", "email", "pk"
    )
    return list(
        minutes_model.objects.filter(pk__in=list(pks))
        .select_related("meeting__table__ambito__lead_comune")
        .prefetch_related(
            "meeting__agenda_items",
            Prefetch("meeting__invitations", queryset=invitations),
            "meeting__attachments",
        )
    )


def build(minutes, *, digests: bool = True) -> dict[str, Any]:
    """The record of `minutes` from the live rows (read them with load() to save queries).
    `digests=False` leaves the attachments' SHA-256 out (a draft shown on a page)."""
    meeting = minutes.meeting
    table = meeting.table
    ambito = table.ambito
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "format": FORMAT,
            "ambito": {
                "name": ambito.name,
                "lead_comune": ambito.lead_comune.name if ambito.lead_comune_id else "",
            },
            "table": {"id": table.pk, "name": table.name, "kind": _label(table, "kind")},
            "meeting": {
                "id": meeting.pk,
                **{name: getattr(meeting, name) for name in MEETING_FIELDS},
                "starts_at": meeting.starts_at.isoformat(),
                "ends_at": meeting.ends_at.isoformat(),
            },
            "minutes": {name: getattr(minutes, name) for name in MINUTES_FIELDS},
            "agenda": [
                {
                    "id": item.pk,
                    "title": item.title,
                    "summary": item.summary,
                    "decisions": item.decisions,
                }
                for item in sorted(meeting.agenda_items.all(), key=lambda a: (a.order, a.pk))
            ],
            "attendance": [
                {
                    "id": inv.pk,
                    "name": inv.name or _masked(inv.email),
                    "entity_id": inv.entity_id,
                    "entity": inv.entity.name if inv.entity_id else "",
                    "comune": inv.comune.name if inv.comune_id else "",
                    "attendance": inv.attendance,
                    "attendance_label": _label(inv, "attendance"),
                    "delegated_to": inv.delegated_to if inv.attendance == "delegated" else "",
                }
                for inv in meeting.invitations.all()
            ],
            "attachments": [
                {
                    "id": a.pk,
                    "title": a.title,
                    "sha256": _digest(a.file) if digests else "",
                }
                for a in sorted(meeting.attachments.all(), key=lambda a: (a.uploaded_at, a.pk))
            ],
        }


def context(record: dict[str, Any]) -> dict[str, Any]:
    """What the templates of a record read: the record with its dates as datetimes again, and
    the count of those present."""
    meeting = dict(record["meeting"])
    for key in ("starts_at", "ends_at"):
        meeting[key] = datetime.fromisoformat(meeting[key])
    version = dict(record.get("version") or {})
    if version:
        version["approved_at"] = datetime.fromisoformat(version["approved_at"])
        version["replaces"] = [
            {**v, "approved_at": datetime.fromisoformat(v["approved_at"])}
            for v in version.get("replaces", [])
        ]
    return {
        **record,
        "meeting": meeting,
        "version": version,
        "present": sum(a["attendance"] == ATTENDANCE_PRESENT for a in record["attendance"]),
    }
