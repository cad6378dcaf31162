"""Line breaks in single-line text (a table's name, an event's title): normalised on input by
every form of the portal, and harmless in calendar files and e-mails when a stored row holds
one anyway (rows written before the fix, imports, the admin)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core import mail as django_mail
from icalendar import Calendar

from core import ics, mail
from core.forms import PortalForm, PortalFormMixin, RichTextField, single_line
from core.models import OutgoingEmail

ROME = ZoneInfo("Europe/Rome")
BROKEN = "Tavolo\r\nInclusione \n\n sociale\rdi Fano\u2028bis"
JOINED = "Tavolo Inclusione sociale di Fano bis"


def test_single_line_joins_every_kind_of_line_break_with_one_space():
    assert single_line(BROKEN) == JOINED
    assert single_line("già su una riga") == "già su una riga"
    assert single_line("a\x0bb\x0cc\x85d\u2029e") == "a b c d e"


class _Sample(PortalForm):
    title = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    code = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    body = RichTextField(required=False)


def test_portal_forms_put_single_line_inputs_on_one_line_and_leave_textareas_alone():
    form = _Sample(
        data={
            "title": BROKEN,
            "email": "\r\nanna@example.org\n",
            "code": "a\nb",
            "notes": "prima riga\nseconda riga",
            "body": "<p>uno</p>\n<p>due</p>",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == JOINED
    assert form.cleaned_data["email"] == "anna@example.org"
    assert form.cleaned_data["code"] == "a b"
    assert form.cleaned_data["notes"] == "prima riga\nseconda riga"
    assert form.cleaned_data["body"] == "<p>uno</p>\n<p>due</p>"


@pytest.mark.django_db
def test_the_feature_forms_get_it_too(ambito):
    """Forms of three apps, model forms and plain forms, built as their views build them."""
    from participation.forms import RegistrationForm
    from tables.forms import MeetingForm, TableForm
    from tests.factories.participation import EventFactory

    table = TableForm(
        data={"name": BROKEN, "slug": "inclusione", "kind": "thematic"}, ambito=ambito
    )
    assert table.is_valid(), table.errors
    assert table.cleaned_data["name"] == JOINED
    meeting = MeetingForm(data={"title": "Seduta\r\ndi marzo", "place": "Sala\nVerdi"})
    meeting.is_valid()
    assert meeting.cleaned_data["title"] == "Seduta di marzo"
    assert meeting.cleaned_data["place"] == "Sala Verdi"
    event = EventFactory(ambito=ambito)
    registration = RegistrationForm(data={"name": "Anna\nBianchi"}, event=event)
    registration.is_valid()
    assert registration.cleaned_data["name"] == "Anna Bianchi"


PROJECT_APPS = ("core", "ambito", "entities", "tables", "processes", "participation", "plans")


def _project_form_classes() -> set[type]:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in PROJECT_APPS}


def test_every_form_of_the_portal_is_a_portal_form():
    """The normalisation lives in PortalFormMixin: a form outside it would not get it."""
    classes = _project_form_classes()
    assert len(classes) > 40
    outside = [
        f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, PortalFormMixin)
    ]
    assert not outside, outside


# --- calendar files ---------------------------------------------------------------------------
def test_calendar_with_line_breaks_in_every_single_line_value():
    event = ics.CalendarEvent(
        uid="meeting-1@portal",
        start=datetime(2026, 3, 29, 10, 0, tzinfo=ROME),
        end=datetime(2026, 3, 29, 12, 0, tzinfo=ROME),
        summary=BROKEN,
        description="Ordine del giorno:\n1. Bilancio\r\n2. Varie",
        location="Sala\r\nVerdi",
        organizer_email="ats@example.org",
        organizer_name="Ambito\nSociale 6",
    )
    content = ics.build([event], method="REQUEST", name=BROKEN)
    cal = Calendar.from_ical(content)
    assert str(cal["x-wr-calname"]) == JOINED
    ev = cal.walk("VEVENT")[0]
    assert str(ev["summary"]) == JOINED
    assert str(ev["location"]) == "Sala Verdi"
    assert ev["organizer"].params["CN"] == "Ambito Sociale 6"
    # the description is text on several lines: kept, escaped as RFC 5545 wants
    assert str(ev["description"]) == "Ordine del giorno:\n1. Bilancio\n2. Varie"


# --- e-mails -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_stored_message_with_line_breaks_in_subject_and_attachment_name_is_sent():
    """A row written with line breaks (before this fix, or by hand): sent, not failed."""
    email = OutgoingEmail.objects.create(
        to="anna@example.org",
        subject="Convocazione:\r\nTavolo\nInclusione",
        body_text="Testo",
        attachments=[
            mail.Attachment("convocazione\n.ics", b"BEGIN:VCALENDAR", "text/calendar").as_json()
        ],
    )
    sent, retry = mail.send_now([email.pk])
    email.refresh_from_db()
    assert (sent, retry, email.status) == ([email.pk], [], OutgoingEmail.Status.SENT)
    message = message_from_bytes(django_mail.outbox[0].message().as_bytes())
    assert message["Subject"] == "Convocazione: Tavolo Inclusione"
    attachment = next(p for p in message.walk() if p.get_filename())
    assert attachment.get_filename() == "convocazione .ics"


@pytest.mark.django_db
def test_a_built_message_never_carries_a_line_break_in_its_subject():
    email = mail.build(
        "notification",
        {"notification": {"title": BROKEN, "url": "/"}, "user": None},
        to="anna@example.org",
    )
    assert email.subject == JOINED
    assert mail.enqueue_rendered(to="a@example.org", subject=BROKEN, text="x").subject == JOINED
