"""Registering for a public event without an account: the address is confirmed before a seat
is taken (a seat is held meanwhile, for EVENT_REGISTRATION_HOLD_MINUTES), unconfirmed holds
expire and free the seat, requests are rate limited per client address and per e-mail address,
and whoever posts sees the same answer whatever the state of the address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participation.models import Booking, Registration
from participation.services import events as services
from tests.factories.core import UserFactory
from tests.factories.participation import EventSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal_rate_limits(settings):
    """The limits the portal ships with, in a cache shared by the requests."""
    from config.settings import base

    settings.PORTAL_RATE_LIMITS = base.PORTAL_RATE_LIMITS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-rate-limits",
        }
    }
    cache.clear()
    yield base.PORTAL_RATE_LIMITS
    cache.clear()


def _post(event, sessions, email, ip="198.51.100.1", client=None, name="Anna Neri"):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(
        reverse("participation:event_detail", kwargs={"pk": event.pk}),
        {"name": name, "email": email, "sessions": [s.pk for s in sessions], "privacy": "on"},
    )


def _visible(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/partecipazione/iscrizione/\S+/)", message.body).group(1)


def _confirm(client, message):
    """Open the link of the e-mail and press the confirmation button (a GET never confirms:
    mail scanners open links)."""
    url = _link(message)
    page = client.get(url)
    assert page.status_code == 200 and "Conferma l'iscrizione" in page.content.decode()
    return client.post(url, {"action": "confirm"})


def test_the_same_answer_whatever_the_state_of_the_address(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    free = EventSessionFactory(event=event, title="Sessione con posti", capacity=50)
    session.capacity = 1
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event,
            name="Già iscritta",
            email="iscritta@example.org",
            sessions=[session],
            privacy_accepted=True,
            confirmed=True,
        )
        _post(event, [free], "in-attesa-di-conferma@example.org")
    mailoutbox.clear()
    answers = {}
    for state, sessions, email in (
        ("new, seats free", [free], "nuova@example.org"),
        ("new, session full", [session], "piena@example.org"),
        ("already registered", [free], "ISCRITTA@example.org"),
        ("request pending", [free], "in-attesa-di-conferma@example.org"),
    ):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(event, sessions, email, client=client)
        answers[state] = (
            response.status_code,
            response["Location"],
            _visible(client.get(response["Location"])),
        )
    assert len(set(answers.values())) == 1, answers
    status, location, page = answers["new, seats free"]
    assert status == 302 and location == reverse(
        "participation:registration_requested", kwargs={"pk": event.pk}
    )
    assert "Controlla la tua casella di posta" in page
    # each address got one message, of its own kind
    subjects = {m.to[0].lower(): m.subject for m in mailoutbox}
    assert subjects == {
        "nuova@example.org": f"Conferma l'iscrizione a «{event.title}»",
        "piena@example.org": f"Conferma l'iscrizione a «{event.title}»",
        "iscritta@example.org": f"Iscrizione a «{event.title}»",
        "in-attesa-di-conferma@example.org": f"Conferma l'iscrizione a «{event.title}»",
    }
    assert Registration.objects.filter(email__iexact="iscritta@example.org").count() == 1


def test_a_request_holds_a_seat_until_the_link_is_confirmed(
    event, session, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.EVENT_REGISTRATION_HOLD_MINUTES = 30
    session.capacity = 1
    session.save()
    anna, bruno = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        _post(event, [session], "anna@example.org", client=anna)
        _post(event, [session], "bruno@example.org", client=bruno)
    first = Registration.objects.get(email="anna@example.org")
    assert first.confirmed_at is None
    assert first.hold_expires_at == pytest.approx(
        first.created_at + timedelta(minutes=30), abs=timedelta(seconds=5)
    )
    assert first.bookings.get().status == Booking.Status.HELD  # counts: the seat is kept
    assert Registration.objects.get(email="bruno@example.org").bookings.get().status == "waiting"
    request_mail = next(m for m in mailoutbox if m.to == ["anna@example.org"])
    assert "entro le" in request_mail.body and not request_mail.attachments
    assert "Se non hai chiesto tu" in request_mail.body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(anna, request_mail)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.confirmed_at is not None and first.hold_expires_at is None
    assert first.bookings.get().status == Booking.Status.CONFIRMED
    [confirmed_mail] = mailoutbox
    assert confirmed_mail.to == ["anna@example.org"]
    assert confirmed_mail.attachments[0][0] == "evento.ics"
    page = anna.get(response["Location"]).content.decode()
    assert "Posto confermato" in page
    assert anna.post(_link(request_mail), {"action": "confirm"}).status_code == 302  # idempotent
    assert first.bookings.get().status == Booking.Status.CONFIRMED


def test_unconfirmed_holds_expire_free_the_seat_and_the_waiting_list_moves(
    event, session, mailoutbox, django_capture_on_commit_callbacks, settings, client_for
):
    settings.EVENT_REGISTRATION_HOLD_MINUTES = 20
    session.capacity = 1
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        _post(event, [session], "sconosciuto@example.org")
    request_mail = mailoutbox[-1]
    held = Registration.objects.get(email="sconosciuto@example.org")
    # someone with an account registers their own address: confirmed at once, on the list
    carla = UserFactory(email="carla@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(event, [session], "carla@example.org", client=client_for(carla))
    assert "/partecipazione/iscrizione/" in response["Location"]
    waiting = Registration.objects.get(email="carla@example.org").bookings.get()
    assert waiting.status == Booking.Status.WAITING

    now = timezone.now()
    assert services.registrations_expire(now=now + timedelta(minutes=19)) == 0
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registrations_expire(now=now + timedelta(minutes=21)) == 1
    assert not Registration.objects.filter(pk=held.pk).exists()  # nothing of theirs is kept
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert {m.to[0] for m in mailoutbox} == {"carla@example.org"}
    assert any("Si è liberato un posto" in m.subject for m in mailoutbox)
    assert services.registrations_expire(now=now + timedelta(minutes=21)) == 0
    # the link of an expired request leads nowhere
    assert Client().get(_link(request_mail)).status_code == 404
    assert settings.CELERY_BEAT_SCHEDULE["participation-expire-registration-holds"]["task"] == (
        "participation.tasks.expire_registration_holds"
    )


def test_an_expired_hold_stops_counting_before_it_is_swept(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    session.capacity = 1
    session.save()
    late = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _post(event, [session], "ritardo@example.org", client=late)
    late_mail = mailoutbox[-1]
    Registration.objects.filter(email="ritardo@example.org").update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _post(event, [session], "puntuale@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(Client(), mailoutbox[-1])
    assert Registration.objects.get(email="puntuale@example.org").bookings.get().status == (
        Booking.Status.CONFIRMED
    )
    # the late one confirms before the sweep: their place is now on the waiting list
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(late, late_mail)
    assert Registration.objects.get(email="ritardo@example.org").bookings.get().status == (
        Booking.Status.WAITING
    )
    assert Booking.objects.filter(session=session, status="confirmed").count() == 1


def test_not_me_discards_the_request_and_the_address(
    event, session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(event, [session], "vittima@example.org")
    client = Client()
    url = _link(mailoutbox[-1])
    assert "Non sono stato io" in client.get(url).content.decode()
    assert client.post(url, {"action": "discard"}).status_code == 302
    assert not Registration.objects.filter(email="vittima@example.org").exists()
    assert not Booking.objects.filter(session=session).exists()


def test_an_address_gets_few_messages_however_many_requests(
    portal_rate_limits, event, session, mailoutbox, django_capture_on_commit_callbacks
):
    """Six requests for an address that is not the sender's, from six client addresses."""
    per_address = int(portal_rate_limits["event_registration_email"].split("/")[0])
    responses = []
    for i in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(event, [session], "bersaglio@example.org", ip=f"203.0.113.{i + 1}")
        responses.append((response.status_code, response["Location"]))
    assert len(set(responses)) == 1, "the same answer, limited or not"
    assert len(mailoutbox) == per_address < 6


def test_a_client_address_is_limited_then_refused(
    portal_rate_limits, event, session, mailoutbox, django_capture_on_commit_callbacks
):
    per_ip = int(portal_rate_limits["event_registration"].split("/")[0])
    session.capacity = per_ip + 10
    session.save()
    for i in range(per_ip):
        assert _post(event, [session], f"p{i}@example.org", ip="203.0.113.50").status_code == 302
    refused = _post(event, [session], "uno-di-troppo@example.org", ip="203.0.113.50")
    assert refused.status_code == 429
    assert "Troppe richieste" in refused.content.decode()
    assert not Registration.objects.filter(email="uno-di-troppo@example.org").exists()
    assert _post(event, [session], "altra-rete@example.org", ip="203.0.113.51").status_code == 302
