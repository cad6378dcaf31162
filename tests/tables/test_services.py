"""Services: memberships, meetings, invitations with calendar files, reminders, minutes PDF."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import AuditEvent, FileJob, Notification, OutgoingEmail
from tables import services, tokens
from tables.models import Meeting, Minutes, TableMembership
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.factories.tables import InvitationFactory, MeetingFactory, TableFactory
from tests.tables.conftest import add_members

pytestmark = pytest.mark.django_db


def parse_ics(email: OutgoingEmail) -> Calendar:
    (attachment,) = email.attachments
    assert attachment["mimetype"].startswith("text/calendar")
    return Calendar.from_ical(base64.b64decode(attachment["content_b64"]))


def the_event(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


# --- memberships --------------------------------------------------------------------------
def test_entity_requests_and_staff_approve_with_email(
    table,
    entity,
    entity_admin,
    entity_delegate,
    staff_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        m = services.membership_request(
            table=table,
            entity=entity,
            delegate=entity_delegate,
            substitute=entity_admin,
            motivation="Esperienza",
            actor=entity_admin,
        )
    assert m.status == TableMembership.Status.REQUESTED
    assert Notification.objects.filter(user=staff_user, kind="tables.membership_requested").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(membership=m, approve=True, reason="Benvenuti", actor=staff_user)
    m.refresh_from_db()
    assert m.status == TableMembership.Status.ACTIVE and m.decided_by == staff_user
    to = {a for msg in mailoutbox for a in msg.to}
    assert entity.email in to and entity_delegate.email in to
    assert any("accolta" in msg.subject for msg in mailoutbox)
    assert AuditEvent.objects.filter(action="tables.membership.approved").count() == 1
    with pytest.raises(ValidationError):
        services.membership_decide(membership=m, approve=False, reason="", actor=staff_user)


def test_request_refused_for_a_table_of_another_ambito(
    other_ambito, entity, entity_admin, entity_delegate
):
    elsewhere = TableFactory(ambito=other_ambito)
    with pytest.raises(ValidationError, match="enti dell'ambito"):
        services.membership_request(
            table=elsewhere,
            entity=entity,
            delegate=entity_delegate,
            substitute=None,
            motivation="",
            actor=entity_admin,
        )
    assert not TableMembership.objects.filter(table=elsewhere).exists()


def test_request_refused_and_history_kept(
    table, entity, entity_admin, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    m = services.membership_request(
        table=table,
        entity=entity,
        delegate=entity_admin,
        substitute=None,
        motivation="",
        actor=entity_admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(
            membership=m, approve=False, reason="Fuori tema", actor=staff_user
        )
    m.refresh_from_db()
    assert m.status == TableMembership.Status.REFUSED
    assert any("non accolta" in msg.subject and "Fuori tema" in msg.body for msg in mailoutbox)
    # A new request is possible after a refusal; the refused one stays as history.
    services.membership_request(
        table=table,
        entity=entity,
        delegate=entity_admin,
        substitute=None,
        motivation="",
        actor=entity_admin,
    )
    assert table.memberships.count() == 2


def test_request_rules(table, entity, entity_admin, other_entity_admin):
    with pytest.raises(ValidationError):  # delegate not of the entity
        services.membership_request(
            table=table,
            entity=entity,
            delegate=other_entity_admin,
            substitute=None,
            motivation="",
            actor=entity_admin,
        )
    pending = EntityFactory(ambito=table.ambito, status="pending")
    person = EntityMembershipFactory(entity=pending).user
    with pytest.raises(ValidationError):  # not verified
        services.membership_request(
            table=table,
            entity=pending,
            delegate=person,
            substitute=None,
            motivation="",
            actor=person,
        )
    services.membership_request(
        table=table,
        entity=entity,
        delegate=entity_admin,
        substitute=None,
        motivation="",
        actor=entity_admin,
    )
    with pytest.raises(ValidationError):  # a second open request
        services.membership_request(
            table=table,
            entity=entity,
            delegate=entity_admin,
            substitute=None,
            motivation="",
            actor=entity_admin,
        )


def test_leave_keeps_history(seat, entity_admin):
    services.membership_leave(membership=seat, actor=entity_admin)
    seat.refresh_from_db()
    assert seat.status == TableMembership.Status.LEFT and seat.left_at
    assert AuditEvent.objects.filter(
        action="tables.membership.left", object_id=str(seat.pk)
    ).exists()


def test_staff_add_comune_and_expert(table, comune_user, staff_user):
    services.membership_add(
        table=table,
        kind="comune",
        person=comune_user,
        comune=comune_user.staff_roles.first().comune,
        actor=staff_user,
    )
    expert = services.expert_user(email="esperta@example.org", first_name="Anna", last_name="Blu")
    services.membership_add(table=table, kind="expert", person=expert, actor=staff_user)
    assert table.memberships.filter(status="active").count() == 2
    with pytest.raises(ValidationError):
        services.membership_add(table=table, kind="expert", person=expert, actor=staff_user)


# --- meetings -----------------------------------------------------------------------------
def test_meeting_validation(table, staff_user):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            table=table,
            data={"title": "x", "starts_at": start, "ends_at": start - timedelta(hours=1)},
            agenda=[],
            actor=staff_user,
        )
    assert "ends_at" in exc.value.message_dict
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            table=table,
            data={"title": "x", "starts_at": past, "ends_at": past + timedelta(hours=1)},
            agenda=[],
            actor=staff_user,
        )
    assert "starts_at" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_agenda_kept_in_order(table, staff_user):
    start = timezone.now() + timedelta(days=3)
    m = services.meeting_create(
        table=table,
        data={
            "title": "x",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
            "place": "Sala",
        },
        agenda=[{"title": "B"}, {"title": "A"}],
        actor=staff_user,
    )
    assert [a.title for a in m.agenda_items.all()] == ["B", "A"]


def test_send_invitations_with_ics_and_second_click_sends_nothing(
    meeting, staff_user, entity_delegate, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = services.invitations_send(
            meeting=meeting,
            actor=staff_user,
            extra=[("Mario Esterno", "mario@esterno.example.org")],
        )
    assert count == 2
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    assert len(mailoutbox) == 2
    inv = meeting.invitations.get(email=entity_delegate.email)
    assert inv.last_email.status == OutgoingEmail.Status.SENT and inv.sent_sequence == 0
    message = next(m for m in mailoutbox if m.to == [entity_delegate.email])
    html = message.alternatives[0][0]
    assert (
        "Prima seduta" in message.body
        and "Analisi dei bisogni" in html
        and "Sala consiliare" in message.body
    )
    assert "/tavoli/risposta/" in message.body
    event = the_event(parse_ics(inv.last_email))
    cal = parse_ics(inv.last_email)
    assert str(cal["method"]) == "REQUEST"
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == 0
    assert event["dtstart"].dt == meeting.starts_at
    assert event["dtstart"].params["TZID"] == "Europe/Rome"
    assert cal.walk("VTIMEZONE")[0]["tzid"] == "Europe/Rome"
    # a second click: nobody new, nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(meeting=meeting, actor=staff_user) == 0
    assert len(mailoutbox) == 2
    # a retried delivery task sends nothing twice
    assert services.meeting_deliver(meeting.pk) == 0
    assert (
        Notification.objects.filter(
            user=entity_delegate, kind="tables.invited", emailed_at__isnull=False
        ).count()
        == 1
    )


def test_empty_agenda_blocks_sending(table, seat, staff_user):
    meeting = MeetingFactory(table=table)
    with pytest.raises(ValidationError):
        services.invitations_send(meeting=meeting, actor=staff_user)
    assert not meeting.invitations.exists()


def test_update_and_cancel_send_sequence_and_cancel(
    meeting, staff_user, entity_delegate, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting, actor=staff_user)
    data = {k: getattr(meeting, k) for k in services.MEETING_FIELDS}
    data["place"] = "Nuova sala, via Verdi 2"
    agenda = [{"id": a.pk, "title": a.title} for a in meeting.agenda_items.all()]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, data=data, agenda=agenda, actor=staff_user)
    assert len(mailoutbox) == 2
    inv = meeting.invitations.get()
    event = the_event(parse_ics(inv.last_email))
    assert (
        int(event["sequence"]) == 1
        and str(event["uid"]) == meeting.uid
        and "Nuova sala" in str(event["location"])
    )
    assert mailoutbox[-1].subject.startswith("Aggiornamento")
    # a change of the title only is not news for calendars
    data["title"] = "Titolo nuovo"
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, data=data, agenda=agenda, actor=staff_user)
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=staff_user)
    inv.refresh_from_db()
    cal = parse_ics(inv.last_email)
    assert str(cal["method"]) == "CANCEL" and int(the_event(cal)["sequence"]) == 2
    assert str(the_event(cal)["status"]) == "CANCELLED"
    assert len(mailoutbox) == 3


def test_500_invitations_create_rows_and_defer_messages(
    meeting, staff_user, django_capture_on_commit_callbacks
):
    add_members(meeting.table, 30)
    extra = [(f"Persona {i}", f"p{i}@example.org") for i in range(470)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.invitations_send(meeting=meeting, actor=staff_user, extra=extra)
    assert count == 501
    assert not OutgoingEmail.objects.exists()  # nothing built in the request
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert OutgoingEmail.objects.filter(template="tables_meeting").count() == 501
    assert not meeting.invitations.filter(last_email__isnull=True).exists()


def test_failed_invitation_resend(meeting, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting, actor=staff_user)
    inv = meeting.invitations.get()
    OutgoingEmail.objects.filter(pk=inv.last_email_id).update(
        status="failed", last_error="550 mailbox unavailable"
    )
    inv.refresh_from_db()
    assert inv.delivery_status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitation_resend(invitation=inv, actor=staff_user)
    inv.last_email.refresh_from_db()
    assert inv.last_email.status == "sent"
    assert not services.invitation_resend(invitation=inv, actor=staff_user)  # not failed: no resend


def test_rsvp_token_round_trip(meeting):
    inv = InvitationFactory(meeting=meeting)
    token = tokens.rsvp_token(inv)
    assert tokens.invitation_from_token(token) == inv
    assert tokens.invitation_from_token(token + "x") is None
    services.invitation_respond(invitation=inv, response="maybe")
    inv.refresh_from_db()
    assert inv.response == "maybe" and inv.responded_at


def test_reminder_day_before_once_not_to_who_declined(
    meeting, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    tomorrow = timezone.localtime() + timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        status="convened",
        starts_at=tomorrow.replace(hour=10, minute=0),
        ends_at=tomorrow.replace(hour=12, minute=0),
    )
    yes = InvitationFactory(meeting=meeting, response="yes")
    InvitationFactory(meeting=meeting, response="no")
    pending = InvitationFactory(meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([yes.email, pending.email])
    assert all("Promemoria" in m.subject for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 0
    assert len(mailoutbox) == 2


def test_attendance_register(meeting, staff_user):
    a, b = InvitationFactory(meeting=meeting), InvitationFactory(meeting=meeting)
    services.attendance_record(
        meeting=meeting,
        rows=[
            {
                "invitation": a,
                "attendance": "present",
                "delegated_to": "ignored",
                "attendance_note": "",
            },
            {
                "invitation": b,
                "attendance": "delegated",
                "delegated_to": "Carla Gialli",
                "attendance_note": "",
            },
        ],
        actor=staff_user,
    )
    a.refresh_from_db(), b.refresh_from_db()
    assert a.attendance == "present" and a.delegated_to == ""
    assert b.delegated_to == "Carla Gialli"
    assert AuditEvent.objects.filter(action="tables.invitation.attendance_recorded").count() == 2


# --- minutes ------------------------------------------------------------------------------
def test_minutes_flow_and_pdf(
    meeting, staff_user, entity_delegate, django_capture_on_commit_callbacks
):
    inv = InvitationFactory(
        meeting=meeting,
        user=entity_delegate,
        name="Dario Delegato",
        entity=meeting.table.memberships.first().entity,
        attendance="present",
    )
    agenda = list(meeting.agenda_items.all())
    minutes = services.minutes_save(
        meeting=meeting,
        data={
            "chair": "Giulia Rossi",
            "secretary": "Paolo Neri",
            "introduction": "Apertura",
            "closing": "",
        },
        items=[
            {"id": agenda[0].pk, "summary": "Discussione ampia", "decisions": "Approvato il piano"}
        ],
        actor=staff_user,
    )
    assert minutes.status == Minutes.Status.DRAFT
    minutes = services.minutes_share(minutes=minutes, actor=staff_user)
    assert Notification.objects.filter(user=entity_delegate, kind="tables.minutes_shared").exists()
    services.minutes_comment(minutes=minutes, body="Correggere il punto 2", actor=entity_delegate)
    assert Notification.objects.filter(user=staff_user, kind="tables.minutes_comment").exists()
    # the e-mails of these notifications belong to the table's ambito (failed ones show there)
    notices = OutgoingEmail.objects.filter(template="notification")
    assert notices.exists()
    assert set(notices.values_list("ambito_id", flat=True)) == {meeting.table.ambito_id}
    with django_capture_on_commit_callbacks(execute=True):
        job = services.minutes_approve(minutes=minutes, actor=staff_user)
    job.refresh_from_db()
    assert job.status == FileJob.Status.DONE, job.error
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(job.file.open("rb").read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for expected in [
        "Verbale della seduta",
        "Inclusione",
        "Prima seduta",
        "Sala consiliare",
        "Dario Delegato",
        "Presente",
        "Analisi dei bisogni",
        "Approvato il piano",
        "Il presidente",
        "Il segretario verbalizzante",
        "Giulia Rossi",
        "Pagina 1 di",
        table_ambito_name(meeting),
    ]:
        assert expected in text, expected
    assert b"pdfaid" in reader.xmp_metadata.stream.get_data()  # PDF/A identification (XMP)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert Notification.objects.filter(
        user=entity_delegate, kind="tables.minutes_published"
    ).exists()
    with pytest.raises(ValidationError):
        services.minutes_save(meeting=meeting, data={}, items=[], actor=staff_user)
    assert inv.pk


def table_ambito_name(meeting):
    return meeting.table.ambito.name


def test_approve_needs_chair_and_secretary(meeting, staff_user):
    minutes = services.minutes_save(
        meeting=meeting, data={"chair": "", "secretary": ""}, items=[], actor=staff_user
    )
    with pytest.raises(ValidationError):
        services.minutes_approve(minutes=minutes, actor=staff_user)


def test_feed_token(staff_user):
    token = tokens.feed_token(staff_user)
    assert tokens.user_from_feed_token(token) == staff_user
    assert tokens.user_from_feed_token("nope") is None
    other = UserFactory()
    assert tokens.user_from_feed_token(tokens.feed_token(other)) == other


def test_no_answer_after_the_meeting_or_when_cancelled(meeting):
    inv = InvitationFactory(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    inv.refresh_from_db()
    with pytest.raises(ValidationError):
        services.invitation_respond(invitation=inv, response="yes")
    Meeting.objects.filter(pk=meeting.pk).update(
        status="cancelled", ends_at=timezone.now() + timedelta(days=1)
    )
    inv.refresh_from_db()
    with pytest.raises(ValidationError):
        services.invitation_respond(invitation=inv, response="yes")
    inv.refresh_from_db()
    assert inv.response == "pending"


def test_ics_attachment_content_type(
    meeting, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting, actor=staff_user)
    part = next(
        p for p in mailoutbox[0].message().walk() if p.get_content_type() == "text/calendar"
    )
    assert part.get_param("method") == "REQUEST"
    assert part.get("Content-Type").count("charset") == 1


def test_account_erasure(meeting, seat, entity_delegate, entity_admin):
    from core.services import user_erase

    past = MeetingFactory(
        table=meeting.table,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    InvitationFactory(
        meeting=past, user=entity_delegate, email=entity_delegate.email, attendance="present"
    )
    InvitationFactory(meeting=meeting, user=entity_delegate, email=entity_delegate.email)
    user_erase(user=entity_delegate)
    assert not meeting.invitations.exists()
    kept = past.invitations.get()
    assert kept.attendance == "present" and kept.email.endswith("@invalid.example")
    seat.refresh_from_db()
    assert seat.status == "active" and seat.delegate == entity_admin and seat.substitute is None
    user_erase(user=entity_admin)
    seat.refresh_from_db()
    assert seat.status == "left"


def test_failed_invitation_shows_on_its_ambito_failed_emails_page_only(
    meeting, staff_user, other_staff, client_for, django_capture_on_commit_callbacks
):
    # given an invitation whose e-mail could not be delivered
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting, actor=staff_user)
    inv = meeting.invitations.get()
    OutgoingEmail.objects.filter(pk=inv.last_email_id).update(
        status="failed", last_error="550 mailbox unavailable"
    )
    url = reverse("ambito:failed_emails")
    # then the table's Ufficio di Piano sees it, another ambito's does not
    own = client_for(staff_user).get(url)
    assert [e.pk for e in own.context["page_obj"]] == [inv.last_email_id]
    assert inv.email in own.content.decode()
    other = client_for(other_staff).get(url)
    assert list(other.context["page_obj"]) == []
