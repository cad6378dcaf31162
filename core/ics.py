"""Calendar files (RFC 5545) for meetings and events: invitations (METHOD:REQUEST), updates
(SEQUENCE increased), cancellations (METHOD:CANCEL) and subscription feeds (METHOD:PUBLISH).
Times are written with TZID=Europe/Rome and the VTIMEZONE they need. Values that live on one
line (names, summary, location) are put on one line, whatever a stored row holds: a line break
there is not allowed by the format (a calendar name with one made the library fail); the
description is text on several lines and keeps its line breaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from core.forms import single_line

ROME = ZoneInfo("Europe/Rome")


@dataclass
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    organizer_email: str = ""
    organizer_name: str = ""
    attendees: list[str] = field(default_factory=list)
    updated: datetime | None = None


def build(events: Iterable[CalendarEvent], *, method: str = "PUBLISH", name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.PORTAL_NAME}//portale amministrazione condivisa//IT")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", single_line(name))
        cal.add("x-wr-timezone", "Europe/Rome")
    for item in events:
        ev = Event()
        ev.add("uid", item.uid)
        ev.add("dtstamp", (item.updated or datetime.now(tz=ROME)).astimezone(ZoneInfo("UTC")))
        ev.add("dtstart", item.start.astimezone(ROME))
        ev.add("dtend", item.end.astimezone(ROME))
        ev.add("summary", single_line(item.summary))
        ev.add("sequence", item.sequence)
        ev.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.description:
            ev.add("description", item.description)
        if item.location:
            ev.add("location", single_line(item.location))
        if item.url:
            ev.add("url", item.url)
        if item.organizer_email:
            organizer = vCalAddress(f"mailto:{item.organizer_email}")
            if item.organizer_name:
                organizer.params["cn"] = vText(single_line(item.organizer_name))
            ev["organizer"] = organizer
        for email in item.attendees:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("TRUE")
            ev.add("attendee", attendee, encode=False)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
