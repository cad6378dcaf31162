from __future__ import annotations

import re
import threading
from email import message_from_bytes

import pytest
import tablib
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from core.models import OutgoingEmail
from participation.models import Booking, Event, Registration
from participation.services import cancellations
from participation.services import events as services
from tests.factories.participation import EventFactory, EventSessionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def register(event, sessions, email, name="Anna Neri"):
    """A registration whose address is confirmed (test_registration_requests covers the
    confirmation itself)."""
    return services.registration_create(
        event=event,
        name=name,
        email=email,
        sessions=sessions,
        privacy_accepted=True,
        confirmed=True,
    )


def statuses(registration):
    return [b.status for b in registration.bookings.order_by("session_id")]


def test_register_confirms_until_full_then_waiting_list(event, session):
    a = register(event, [session], "a@example.org")
    b = register(event, [session], "b@example.org")
    c = register(event, [session], "c@example.org")
    assert statuses(a) == statuses(b) == ["confirmed"]
    assert statuses(c) == ["waiting"]


def test_confirmation_email_has_ics_and_signed_link(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reg = register(event, [session], "anna@example.org")
    [msg] = mailoutbox
    assert msg.to == ["anna@example.org"]
    name, content, mimetype = msg.attachments[0]
    assert name == "evento.ics" and mimetype == "text/calendar"
    content = content if isinstance(content, str) else content.decode()
    assert "BEGIN:VEVENT" in content and "Governance partecipata" in content
    token = re.search(r"/partecipazione/iscrizione/([^/\s]+)/", msg.body).group(1)
    assert services.registration_from_token(token) == reg


def test_privacy_and_sessions_required(event, session):
    with pytest.raises(ValidationError):
        services.registration_create(
            event=event, name="A", email="a@example.org", sessions=[session], privacy_accepted=False
        )
    with pytest.raises(ValidationError):
        services.registration_create(
            event=event, name="A", email="a@example.org", sessions=[], privacy_accepted=True
        )
    assert not Registration.objects.exists()


def test_same_email_gets_the_link_again_without_revealing_it(
    client, event, session, mailoutbox, django_capture_on_commit_callbacks
):
    register(event, [session], "a@example.org")
    with pytest.raises(services.AlreadyRegistered):
        register(event, [session], "A@example.org")
    url = reverse("participation:event_detail", kwargs={"pk": event.pk})
    data = {"name": "X", "email": "a@example.org", "sessions": [session.pk], "privacy": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response["Location"] == reverse(
        "participation:registration_requested", kwargs={"pk": event.pk}
    )
    assert Registration.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["a@example.org"]]
    assert "/partecipazione/iscrizione/" in mailoutbox[0].body


def test_session_of_another_event_refused(event, session):
    foreign = EventSessionFactory()
    with pytest.raises(ValidationError):
        register(event, [session, foreign], "a@example.org")
    assert not Registration.objects.exists()


def test_closed_or_draft_event_refuses(session):
    event = session.event
    event.status = Event.Status.DRAFT
    event.save()
    with pytest.raises(ValidationError):
        register(event, [session], "a@example.org")


def test_cancel_promotes_first_waiting_and_emails_them(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    a = register(event, [session], "a@example.org")
    register(event, [session], "b@example.org")
    c = register(event, [session], "c@example.org")
    d = register(event, [session], "d@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = cancellations.registration_cancel(registration=a)
    assert [p.registration for p in promoted] == [c]
    assert statuses(c) == ["confirmed"] and statuses(d) == ["waiting"]
    a.refresh_from_db()
    assert a.cancelled_at is not None and statuses(a) == ["cancelled"]
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "Si è liberato un posto" in subjects["c@example.org"]
    assert "annullata" in subjects["a@example.org"]
    assert set(OutgoingEmail.objects.values_list("ambito_id", flat=True)) == {event.ambito_id}
    assert Booking.objects.filter(session=session, status="confirmed").count() == 2


def test_cancelling_a_waiting_place_promotes_nobody(event, session):
    register(event, [session], "a@example.org")
    register(event, [session], "b@example.org")
    c = register(event, [session], "c@example.org")
    assert cancellations.registration_cancel(registration=c) == []


def test_signed_link_page_shows_and_cancels(client, event, session):
    reg = register(event, [session], "a@example.org")
    url = services.manage_url(reg)
    response = client.get(url)
    assert response.status_code == 200 and "Governance partecipata" in response.content.decode()
    assert client.post(url).status_code == 302
    reg.refresh_from_db()
    assert reg.cancelled_at is not None


def test_tampered_or_foreign_token_is_404(client, event, session):
    reg = register(event, [session], "a@example.org")
    token = services.registration_token(reg)
    assert (
        client.get(
            reverse("participation:registration_manage", kwargs={"token": token[:-2] + "xx"})
        ).status_code
        == 404
    )
    other = register(event, [session], "b@example.org")
    page = client.get(services.manage_url(reg))
    assert page.status_code == 200
    # a booking id of another registration cannot be cancelled with this link
    booking = other.bookings.get()
    assert client.post(services.manage_url(reg), {"booking": booking.pk}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


@pytest.mark.parametrize("junk", ["²", "٣", "9" * 25])
def test_junk_session_and_booking_ids_are_ignored(
    client, client_for, staff_user, event, session, junk
):
    reg = register(event, [session], "a@example.org")
    assert client.post(services.manage_url(reg), {"booking": junk}).status_code == 404
    assert statuses(reg) == ["confirmed"]
    staff = client_for(staff_user)
    for name in ("event_registrations", "event_checkin"):
        url = reverse(f"participation:{name}", kwargs={"pk": event.pk})
        assert staff.get(url, {"sessione": junk}).status_code == 200


def test_public_registration_form(
    client, event, session, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("participation:event_detail", kwargs={"pk": event.pk})
    response = client.post(
        url, {"name": "Anna", "email": "anna@example.org", "sessions": [session.pk]}
    )
    assert response.status_code == 400
    assert "informativa" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Anna",
                "email": "anna@example.org",
                "sessions": [session.pk],
                "privacy": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Registration.objects.get().email == "anna@example.org"
    assert len(mailoutbox) == 1


def test_second_visitor_of_a_kept_event_page_can_register(
    settings, event, session, django_capture_on_commit_callbacks
):
    """The whole stack with CSRF checks on: the event page is rendered once, and the visitor
    who got the kept copy posts the registration form with their token."""
    from django.test import Client

    from core.middleware import AnonymousPageCacheMiddleware

    settings.PAGE_CACHE_SECONDS = 30
    AnonymousPageCacheMiddleware(None).cache.clear()
    url = reverse("participation:event_detail", kwargs={"pk": event.pk})
    Client(enforce_csrf_checks=True).get(url)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert b"csrfmiddlewaretoken" in page.content and b"\\x00" not in page.content
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1][:64]
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "name": "Anna",
                "email": "anna@example.org",
                "sessions": [session.pk],
                "privacy": "on",
            },
        )
    assert response.status_code == 302
    assert Registration.objects.get().email == "anna@example.org"


def test_draft_event_hidden_from_public(client, client_for, ambito, comune_user, other_staff):
    draft = EventFactory(ambito=ambito, status=Event.Status.DRAFT)
    url = reverse("participation:event_detail", kwargs={"pk": draft.pk})
    assert client.get(url).status_code == 404
    assert client_for(other_staff).get(url).status_code == 404
    assert client_for(comune_user).get(url).status_code == 200


@pytest.mark.parametrize(
    "who, expected",
    [
        ("no_role_user", 403),
        ("comune_user", 403),
        ("other_staff", 403),
        ("entity_admin", 403),
        ("staff_user", 200),
    ],
)
def test_staff_pages_per_role(request, client_for, event, session, who, expected):
    c = client_for(request.getfixturevalue(who))
    for name in ("event_registrations", "event_checkin", "event_edit"):
        assert (
            c.get(reverse(f"participation:{name}", kwargs={"pk": event.pk})).status_code == expected
        )
    assert (
        c.get(
            reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=csv"
        ).status_code
        == expected
    )


def test_anonymous_gets_no_staff_page(client, event):
    assert (
        client.get(
            reverse("participation:event_registrations", kwargs={"pk": event.pk})
        ).status_code
        == 404
    )


def test_export_csv_and_xlsx(client_for, staff_user, event, session):
    register(event, [session], "a@example.org", name='=HYPERLINK("http://x")')
    c = client_for(staff_user)
    csv = c.get(reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=csv")
    text = csv.content.decode("utf-8-sig")
    assert "Governance partecipata" in text and "a@example.org" in text
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")  # formulae escaped
    xlsx = c.get(reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=xlsx")
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Sessione" and rows[1][3] == "a@example.org"
    ods = c.get(reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=ods")
    assert ods["Content-Disposition"].endswith('.ods"')
    book = tablib.Dataset().load(ods.content, "ods")
    assert book.headers[0] == "Sessione" and book[0][3] == "a@example.org"
    assert book[0][2] == "'" + '=HYPERLINK("http://x")'


@pytest.mark.parametrize("name", ["+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1+1"])
def test_export_escapes_every_formula_prefix(client_for, staff_user, event, session, name):
    import csv
    import io

    register(event, [session], "a@example.org", name=name)
    c = client_for(staff_user)
    url = reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=csv"
    text = c.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    stored = event.registrations.get().name  # as the form would keep it
    assert rows[1][2] == "'" + stored
    url = reverse("participation:event_export", kwargs={"pk": event.pk}) + "?formato=xlsx"
    sheet = load_workbook(io.BytesIO(c.get(url).content)).active
    assert sheet.cell(2, 3).value == "'" + stored.replace("\r", "\n")  # XML: CR read as LF
    assert sheet.cell(2, 3).data_type == "s"


def test_checkin_marks_attendance(client_for, staff_user, comune_user, event, session):
    reg = register(event, [session], "a@example.org")
    booking = reg.bookings.get()
    url = reverse(
        "participation:booking_attendance", kwargs={"pk": event.pk, "booking_pk": booking.pk}
    )
    assert client_for(comune_user).post(url, {"present": "1"}).status_code == 403
    booking.refresh_from_db()
    assert booking.attended_at is None
    response = client_for(staff_user).post(url, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Presente" in response.content.decode()
    booking.refresh_from_db()
    assert booking.attended_at is not None


def test_waiting_person_cannot_be_checked_in(client_for, staff_user, event, session):
    for e in ("a", "b"):
        register(event, [session], f"{e}@example.org")
    waiting = register(event, [session], "c@example.org").bookings.get()
    url = reverse(
        "participation:booking_attendance", kwargs={"pk": event.pk, "booking_pk": waiting.pk}
    )
    assert client_for(staff_user).post(url, {"present": "1"}).status_code == 403


def test_event_list_queries_constant(client, ambito, django_assert_max_num_queries):
    EventFactory.create_batch(5, ambito=ambito)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("participation:event_list"))
    EventFactory.create_batch(15, ambito=ambito)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("participation:event_list"))


def test_registrations_page_queries_constant(
    client_for, staff_user, event, session, django_assert_max_num_queries
):
    session.capacity = 100
    session.save()
    c = client_for(staff_user)
    for i in range(5):
        register(event, [session], f"p{i}@example.org")
    url = reverse("participation:event_registrations", kwargs={"pk": event.pk})
    with django_assert_max_num_queries(30) as small:
        c.get(url)
    for i in range(5, 40):
        register(event, [session], f"p{i}@example.org")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(url)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("confirmed", [True, False], ids=["own-address", "held-until-confirmed"])
def test_capacity_never_exceeded_with_simultaneous_registrations(
    transactional_db, ambito, monkeypatch, confirmed
):
    """Twelve people press "register" at the same moment for a session with five seats. The time
    between counting the seats and taking one is stretched, so that without the row lock the
    registrations would overlap and overbook. Seats held for an address still to confirm count
    the same."""
    import time

    count_seats = services._seat_or_wait

    def slow_seat_or_wait(session):
        status = count_seats(session)
        time.sleep(0.05)
        return status

    monkeypatch.setattr(services, "_seat_or_wait", slow_seat_or_wait)
    event = EventFactory(ambito=ambito)
    session = EventSessionFactory(event=event, capacity=5)
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait()
            services.registration_create(
                event=event,
                name=f"Persona {i}",
                email=f"p{i}@example.org",
                sessions=[session],
                privacy_accepted=True,
                confirmed=confirmed,
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seat = "confirmed" if confirmed else "held"
    assert Booking.objects.filter(session=session, status=seat).count() == 5
    assert Booking.objects.filter(session=session, status="waiting").count() == 7


def test_registration_message_parses_as_email(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(event, [session], "a@example.org")
    parsed = message_from_bytes(mailoutbox[0].message().as_bytes())
    assert any(part.get_content_type() == "text/calendar" for part in parsed.walk())
    assert django_mail.outbox is mailoutbox


def test_cancel_event_tells_everyone(
    client_for,
    staff_user,
    comune_user,
    event,
    session,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    for e in ("a", "b", "c"):
        register(event, [session], f"{e}@example.org")
    url = reverse("participation:event_cancel", kwargs={"pk": event.pk})
    assert client_for(comune_user).post(url, {"reason": "x"}).status_code == 403
    client_for(staff_user).post(url, {"reason": ""})
    event.refresh_from_db()
    assert event.status == "published"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(staff_user).post(url, {"reason": "Allerta meteo."}).status_code == 302
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert "Allerta meteo." in mailoutbox[0].body
    cancelled = OutgoingEmail.objects.filter(template="participation_event_cancelled")
    assert set(cancelled.values_list("ambito_id", flat=True)) == {event.ambito_id}
    calendars = [m.attachments[0][1] for m in mailoutbox if m.attachments]
    assert (
        all("METHOD:CANCEL" in (c if isinstance(c, str) else c.decode()) for c in calendars)
        and len(calendars) == 2
    )


def test_registrations_purged_a_year_after_the_event(ambito):
    from datetime import timedelta

    from django.utils import timezone

    from core import retention

    old = EventFactory(ambito=ambito, starts_at=timezone.now() - timedelta(days=400))
    RegistrationFactory.create_batch(3, event=old)
    recent = EventFactory(ambito=ambito, starts_at=timezone.now() - timedelta(days=30))
    RegistrationFactory(event=recent)
    assert retention.apply()["participation.event_registrations"] == 3
    assert retention.apply()["participation.event_registrations"] == 0
    assert list(Registration.objects.values_list("event_id", flat=True)) == [recent.pk]


def test_programme_calendar(client, event, session):
    response = client.get(reverse("participation:event_calendar", kwargs={"pk": event.pk}))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "METHOD:PUBLISH" in body and "Governance partecipata" in body
