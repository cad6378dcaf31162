"""The invitation e-mail of a meeting, read back as it leaves the portal: subject, plain-text
body, HTML body and the calendar file attached."""

from __future__ import annotations

from email import message_from_bytes

import pytest
from icalendar import Calendar

from tables import calendar, services
from tables.models import Meeting, Table

pytestmark = pytest.mark.django_db


def test_invitation_read_back(
    meeting, staff_user, entity_delegate, mailoutbox, django_capture_on_commit_callbacks
):
    Table.objects.filter(pk=meeting.table_id).update(name="Famiglia & minori\r\n<Fano>")
    Meeting.objects.filter(pk=meeting.pk).update(title='"quote"', place="Sala «Verdi» & co.")
    meeting = Meeting.objects.get(pk=meeting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting, actor=staff_user)
    (sent,) = mailoutbox
    assert sent.to == [entity_delegate.email]
    when = calendar.calendar_event(meeting).start
    from django.utils import formats, timezone

    date = formats.date_format(timezone.localtime(when), "j F Y H:i")
    assert sent.subject == f'Convocazione: Famiglia & minori <Fano> — "quote", {date}'
    # the subject as it travels (RFC 2047 encoded) decodes to the same text
    wire = message_from_bytes(sent.message().as_bytes())
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(wire["Subject"]))) == sent.subject
    text = sent.body
    # the body is text on several lines: the stored line break stays, nothing is escaped
    assert "ricevi la convocazione alla seduta del tavolo «Famiglia & minori\r\n<Fano>»" in text
    assert '\n"quote"\n' in text and "Luogo: Sala «Verdi» & co.\n" in text
    assert "&quot;" not in text and "&amp;" not in text and "&lt;" not in text
    html = sent.alternatives[0][0]
    assert "&quot;quote&quot;" in html and "«Famiglia &amp; minori\r\n&lt;Fano&gt;»" in html
    filename, content, mimetype = sent.attachments[0]
    assert (filename, mimetype) == ("convocazione.ics", "text/calendar; method=REQUEST")
    cal = Calendar.from_ical(content)
    assert str(cal["method"]) == "REQUEST"
    assert str(cal["x-wr-calname"]) == "Famiglia & minori <Fano>"
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == 'Famiglia & minori <Fano>: "quote"'
    assert str(event["location"]) == "Sala «Verdi» & co."
    assert str(event["uid"]) == meeting.uid
    assert [str(a) for a in [event["attendee"]]] == [f"mailto:{entity_delegate.email.lower()}"]
    assert "1. Analisi dei bisogni\n2. Calendario" in str(event["description"])
