"""A line break stored in a single-line value (a table's name, a meeting's or an event's title):
written straight to the database, as rows from before the input fix, an import or the admin
can hold them. Calendar files, invitation e-mails and event sign-up keep working; what they
produce is read back (icalendar, the e-mail as sent)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import OutgoingEmail
from participation.models import Event
from tables import services
from tables.models import Meeting, Table
from tests.factories.participation import EventFactory, EventSessionFactory
from tests.factories.tables import AgendaItemFactory, MeetingFactory, TableFactory

pytestmark = pytest.mark.django_db

NAME = "Tavolo\r\nInclusione\nsociale"
TITLE = "Seduta\rdi marzo"


@pytest.fixture
def broken_meeting(ambito):
    table = TableFactory(ambito=ambito, slug="inclusione")
    meeting = MeetingFactory(
        table=table, status=Meeting.Status.CONVENED, place="Sala\r\nVerdi", title="x"
    )
    AgendaItemFactory(meeting=meeting, title="Bilancio\nsociale")
    Table.objects.filter(pk=table.pk).update(name=NAME)
    Meeting.objects.filter(pk=meeting.pk).update(title=TITLE)
    return Meeting.objects.select_related("table").get(pk=meeting.pk)


def _calendar(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.content)


def test_table_meeting_and_personal_calendars(client, client_for, broken_meeting, entity_delegate):
    table_feed = _calendar(client.get(reverse("tables:table_feed", args=[broken_meeting.table_id])))
    assert str(table_feed["x-wr-calname"]) == "Tavolo Inclusione sociale"
    event = table_feed.walk("VEVENT")[0]
    assert str(event["summary"]) == "Tavolo Inclusione sociale: Seduta di marzo"
    assert str(event["location"]) == "Sala Verdi"
    assert "1. Bilancio\nsociale" in str(event["description"])  # description: lines kept
    one = _calendar(client.get(reverse("tables:meeting_ics", args=[broken_meeting.pk])))
    assert str(one.walk("VEVENT")[0]["summary"]) == "Tavolo Inclusione sociale: Seduta di marzo"
    from tests.factories.tables import InvitationFactory

    InvitationFactory(meeting=broken_meeting, user=entity_delegate, email=entity_delegate.email)
    url = reverse("tables:personal_feed", args=[services.feed_token(entity_delegate)])
    mine = _calendar(client.get(url))
    assert str(mine.walk("VEVENT")[0]["uid"]) == broken_meeting.uid


def test_invitation_e_mails_go_out(
    broken_meeting, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=broken_meeting.pk).update(status=Meeting.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(
            meeting=broken_meeting, actor=staff_user, extra=[("Ospite", "ospite@example.org")]
        )
    email = OutgoingEmail.objects.get(to="ospite@example.org")
    assert email.status == OutgoingEmail.Status.SENT, email.last_error
    (sent,) = mailoutbox
    assert sent.subject.startswith("Convocazione: Tavolo Inclusione sociale — Seduta di marzo, ")
    filename, content, mimetype = sent.attachments[0]
    assert (filename, mimetype) == ("convocazione.ics", "text/calendar; method=REQUEST")
    cal = Calendar.from_ical(content)
    assert str(cal["x-wr-calname"]) == "Tavolo Inclusione sociale"
    assert str(cal.walk("VEVENT")[0]["summary"]) == "Tavolo Inclusione sociale: Seduta di marzo"


@pytest.fixture
def broken_event(ambito):
    event = EventFactory(ambito=ambito, title="x", place="Teatro\ncomunale")
    session = EventSessionFactory(event=event, title="Plenaria", place="Sala\r\nA")
    Event.objects.filter(pk=event.pk).update(title="Stati generali\r\ndel sociale")
    return Event.objects.get(pk=event.pk), session


def test_event_calendar_and_sign_up(
    client, broken_event, mailoutbox, django_capture_on_commit_callbacks
):
    event, session = broken_event
    cal = _calendar(client.get(reverse("participation:event_calendar", args=[event.pk])))
    assert str(cal["x-wr-calname"]) == "Stati generali del sociale"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participation:event_detail", args=[event.pk]),
            {
                "name": "Anna\r\nBianchi",
                "email": "anna.bianchi@example.org",
                "sessions": [session.pk],
                "privacy": "on",
            },
        )
    assert response.status_code == 302
    registration = event.registrations.get()
    assert registration.name == "Anna Bianchi"  # normalised on input
    # the address is confirmed first (its e-mail on one line too), then the seat is taken
    (request,) = mailoutbox
    assert "\n" not in request.subject and "Stati generali del sociale" in request.subject
    link = re.search(r"https?://[^/\s]+(/partecipazione/iscrizione/\S+/)", request.body)[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link, {"action": "confirm"}).status_code == 302
    sent = mailoutbox[1]
    assert "\n" not in sent.subject and "Stati generali del sociale" in sent.subject
    cal = Calendar.from_ical(sent.attachments[0][1])
    assert str(cal["x-wr-calname"]) == "Stati generali del sociale"
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["summary"]) == "Stati generali del sociale — Plenaria"
    assert str(vevent["location"]) == "Sala A"


def test_a_meeting_tomorrow_with_line_breaks_gets_its_reminders(
    broken_meeting, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories.tables import InvitationFactory

    tomorrow = timezone.localtime() + timedelta(days=1)
    start = tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
    Meeting.objects.filter(pk=broken_meeting.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=2)
    )
    InvitationFactory(meeting=broken_meeting, email="anna@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
    (sent,) = mailoutbox
    assert sent.subject.startswith("Promemoria, domani: Tavolo Inclusione sociale — Seduta")
