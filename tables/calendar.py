"""Calendar files (iCalendar) of meetings: the invitation's attachment and the feeds."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import ics
from tables.models import Meeting


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def meeting_ics(meeting: Meeting, *, method: str, attendee: str = "") -> bytes:
    return ics.build(
        [calendar_event(meeting, attendees=[attendee] if attendee else [])],
        method=method,
        name=meeting.table.name,
    )


def calendar_event(meeting: Meeting, *, attendees: Sequence[str] = ()) -> ics.CalendarEvent:
    agenda = "\n".join(f"{i}. {a.title}" for i, a in enumerate(meeting.agenda_items.all(), start=1))
    description = "\n\n".join(
        part
        for part in [
            meeting.description,
            f"{_('Ordine del giorno')}:\n{agenda}" if agenda else "",
            f"{_('Collegamento online')}: {meeting.online_url}" if meeting.online_url else "",
            absolute(meeting.get_absolute_url()),
        ]
        if part
    )
    ambito = meeting.table.ambito
    return ics.CalendarEvent(
        uid=meeting.uid,
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=f"{meeting.table.name}: {meeting.title}",
        description=description,
        location=meeting.place or meeting.online_url,
        url=absolute(meeting.get_absolute_url()),
        sequence=meeting.sequence,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        organizer_email=ambito.email or settings.DEFAULT_FROM_EMAIL,
        organizer_name=ambito.name,
        attendees=list(attendees),
    )


FEED_SIZE = 500  # meetings in a feed at most


def meetings_feed(meetings: QuerySet[Meeting], name: str) -> bytes:
    """A calendar (PUBLISH) of `meetings`, earliest first, for a subscribed feed."""
    meetings = (
        meetings.select_related("table__ambito")
        .prefetch_related("agenda_items")
        .order_by("starts_at")
    )
    return ics.build([calendar_event(m) for m in meetings[:FEED_SIZE]], method="PUBLISH", name=name)
