"""Minutes that hold up legally. Approving the minutes freezes the meeting's record (meeting
data, agenda, attendance, attachments, the text of the minutes): services refuse with an
Italian message, pages hide the actions and the server refuses. The public page and the PDF
are rendered from the frozen record, so a PDF rendered again is the same document; each PDF
published has its SHA-256 on the page. A correction (rettifica) is a new version, with its
reason, approved and published; the earlier one stays public and downloadable with its date.
Draft minutes are for the table's managers only; members read them once shared."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditEvent, FileJob, Notification
from entities.models import Entity
from tables import services
from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAttachment,
    Minutes,
    MinutesVersion,
    Table,
)
from tests.factories.processes import PDF_BYTES
from tests.factories.tables import InvitationFactory, MinutesFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _job_bytes(job: FileJob) -> bytes:
    job.refresh_from_db()
    assert job.status == FileJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        return f.read()


@pytest.fixture
def held(meeting, entity, entity_delegate):
    """`meeting`, held yesterday, convened, with its register and draft minutes."""
    start = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CONVENED, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    InvitationFactory(
        meeting=meeting,
        user=entity_delegate,
        email=entity_delegate.email,
        name="Dario Delegato",
        entity=entity,
        attendance="present",
    )
    InvitationFactory(meeting=meeting, name="Olga Ospite", attendance="justified")
    MeetingAttachment.objects.create(
        meeting=meeting, title="Relazione", file=SimpleUploadedFile("relazione.pdf", PDF_BYTES)
    )
    first, second = meeting.agenda_items.order_by("order")
    AgendaItem.objects.filter(pk=first.pk).update(
        summary="Si discute dei dati 2025.", decisions="Si costituisce un gruppo di lavoro."
    )
    AgendaItem.objects.filter(pk=second.pk).update(decisions="Prossima seduta a marzo.")
    MinutesFactory(meeting=meeting, introduction="Constatato il numero legale.")
    return Meeting.objects.select_related("table__ambito").get(pk=meeting.pk)


@pytest.fixture
def approved(held, staff_user, django_capture_on_commit_callbacks):
    """`held` with its minutes approved and the PDF rendered: (minutes, PDF job)."""
    with django_capture_on_commit_callbacks(execute=True):
        job = services.minutes_approve(minutes=held.minutes, actor=staff_user)
    return Minutes.objects.get(pk=held.minutes.pk), job


# --- the record freezes -----------------------------------------------------------------------
FROZEN = "Il verbale di questa seduta è approvato"


def _state(meeting: Meeting):
    return (
        list(Meeting.objects.filter(pk=meeting.pk).values_list("title", "place", "status")),
        list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "title", "decisions")),
        list(Invitation.objects.filter(meeting=meeting).values_list("pk", "attendance")),
        list(MeetingAttachment.objects.filter(meeting=meeting).values_list("pk", "title")),
        list(Minutes.objects.filter(meeting=meeting).values_list("introduction", "updated_at")),
    )


def test_services_refuse_every_change_of_an_approved_record(held, approved, staff_user):
    meeting = held
    before = _state(meeting)
    inv = meeting.invitations.first()
    item = meeting.agenda_items.first()
    data = {
        "title": "Titolo nuovo",
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": "Altrove",
    }
    attempts = {
        "attendance": lambda: services.attendance_record(
            meeting=meeting, rows=[{"invitation": inv, "attendance": "absent"}], actor=staff_user
        ),
        "meeting data": lambda: services.meeting_update(
            meeting=meeting,
            data=data,
            agenda=[{"id": a.pk, "title": a.title} for a in meeting.agenda_items.all()],
            actor=staff_user,
        ),
        "agenda (rewritten, decisions deleted)": lambda: services.meeting_update(
            meeting=meeting,
            data={**data, "title": meeting.title, "place": meeting.place},
            agenda=[{"title": "Un altro punto"}],
            actor=staff_user,
        ),
        "attachment added": lambda: services.attachment_add(
            meeting=meeting,
            title="Nuovo",
            file=SimpleUploadedFile("nuovo.pdf", PDF_BYTES),
            actor=staff_user,
        ),
        "attachment deleted": lambda: services.attachment_delete(
            attachment=meeting.attachments.get(), actor=staff_user
        ),
        "minutes text": lambda: services.minutes_save(
            meeting=meeting,
            data={"chair": "X", "secretary": "Y", "introduction": "Riscritto"},
            items=[{"id": item.pk, "summary": "", "decisions": "Cancellate"}],
            actor=staff_user,
        ),
        "meeting cancelled": lambda: services.meeting_cancel(meeting=meeting, actor=staff_user),
        "more invitees": lambda: services.invitations_send(
            meeting=meeting, actor=staff_user, extra=[("Nuovo", "nuovo@example.org")]
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(services.RecordFrozen) as refused:
            attempt()
        assert refused.value.messages[0].startswith(FROZEN), name
        assert "rettifica" in refused.value.messages[0], name
        assert _state(meeting) == before, name


def test_an_agenda_item_with_minutes_text_is_not_dropped_silently(held, staff_user):
    """Before approval too: editing the meeting never deletes a recorded discussion."""
    kept = held.agenda_items.order_by("order").last()
    with pytest.raises(ValidationError) as refused:
        services.meeting_update(
            meeting=held,
            data={"title": held.title, "starts_at": held.starts_at, "ends_at": held.ends_at},
            agenda=[{"id": kept.pk, "title": kept.title}],
            actor=staff_user,
        )
    assert "Analisi dei bisogni" in refused.value.messages[0]
    assert held.agenda_items.count() == 2


def test_pages_hide_the_edit_actions_and_the_server_refuses(held, approved, client_for, staff_user):
    c = client_for(staff_user)
    page = c.get(reverse("tables:meeting_detail", args=[held.pk])).content.decode()
    for hidden in ("presenze/", "modifica/", "allegati/", "annulla/", "convocazione/"):
        assert f"/tavoli/sedute/{held.pk}/{hidden}" not in page, hidden
    assert "/elimina/" not in page
    assert "verbale è approvato" in page
    minutes_page = c.get(reverse("tables:minutes_detail", args=[held.pk])).content.decode()
    assert reverse("tables:minutes_edit", args=[held.pk]) not in minutes_page
    assert reverse("tables:minutes_correction", args=[held.pk]) in minutes_page
    before = _state(held)
    inv = held.invitations.first()
    for name, kwargs, data in [
        ("tables:attendance", {"pk": held.pk}, {f"p{inv.pk}-attendance": "absent"}),
        ("tables:meeting_update", {"pk": held.pk}, {"title": "Nuovo"}),
        ("tables:minutes_edit", {"pk": held.pk}, {"chair": "X", "secretary": "Y"}),
    ]:
        url = reverse(name, kwargs=kwargs)
        got = c.get(url)
        assert got.status_code == 409, name
        assert FROZEN in got.content.decode()
        assert c.post(url, data).status_code == 409, name
    assert _state(held) == before


# --- the PDF is rendered from the frozen record -----------------------------------------------
def test_the_pdf_rendered_again_is_the_same_document(
    held, approved, client, client_for, staff_user, entity, django_capture_on_commit_callbacks
):
    minutes, job = approved
    first = _job_bytes(job)
    text = _pdf_text(first)
    for expected in [
        "Verbale della seduta",
        "Dario Delegato",
        "Si costituisce un gruppo di lavoro.",
        "Prossima seduta a marzo.",
        "Relazione",
        hashlib.sha256(PDF_BYTES).hexdigest()[:16],
    ]:
        assert expected in text, expected
    assert job.sha256 == hashlib.sha256(first).hexdigest()
    # what approval does not freeze changes later: names of the table, the entity, a person
    Table.objects.filter(pk=held.table_id).update(name="Tavolo rinominato")
    Entity.objects.filter(pk=entity.pk).update(name="Ente rinominato")
    Invitation.objects.filter(meeting=held).update(name="Nome cambiato")
    AgendaItem.objects.filter(meeting=held).update(decisions="Scritto di nascosto")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(reverse("tables:minutes_regenerate", args=[held.pk]))
    assert response.status_code == 302
    again = FileJob.objects.filter(kind=MinutesVersion.PDF_KIND).exclude(pk=job.pk).get()
    second = _job_bytes(again)
    assert _pdf_text(second) == text
    assert again.sha256 == job.sha256  # the same bytes: the same SHA-256
    # the published PDF, fetched from its public address
    response = client.get(reverse("tables:minutes_pdf", args=[held.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    published = b"".join(response.streaming_content)
    assert _pdf_text(published) == text
    page = client.get(reverse("tables:minutes_detail", args=[held.pk])).content.decode()
    assert hashlib.sha256(published).hexdigest() in page
    assert "Si costituisce un gruppo di lavoro." in page and "Scritto di nascosto" not in page


# --- corrections (rettifiche) -----------------------------------------------------------------
def _correct(meeting: Meeting, actor, *, reason: str, decisions: str, attendance: str):
    minutes = Minutes.objects.get(meeting=meeting)
    first = meeting.agenda_items.order_by("order").first()
    olga = meeting.invitations.get(name="Olga Ospite")
    return services.minutes_correction_save(
        minutes=minutes,
        reason=reason,
        data={
            "chair": minutes.chair,
            "secretary": minutes.secretary,
            "introduction": minutes.introduction,
            "closing": minutes.closing,
        },
        items=[{"id": first.pk, "summary": first.summary, "decisions": decisions}],
        attendance=[{"id": olga.pk, "attendance": attendance, "delegated_to": ""}],
        actor=actor,
    )


def test_a_correction_is_a_new_published_version_and_the_first_stays(
    held, approved, client, staff_user, entity_delegate, django_capture_on_commit_callbacks
):
    minutes, first_job = approved
    first_pdf = _pdf_text(_job_bytes(first_job))
    v1 = minutes.versions.get()
    record_v1 = v1.record
    # staff write the correction with its reason: nothing published changes yet
    draft = _correct(
        held,
        staff_user,
        reason="Errore materiale nella decisione del punto 1",
        decisions="Si costituiscono due gruppi di lavoro.",
        attendance="present",
    )
    assert (draft.number, draft.status) == (2, MinutesVersion.Status.DRAFT)
    page = client.get(reverse("tables:minutes_detail", args=[held.pk])).content.decode()
    assert "Si costituisce un gruppo di lavoro." in page and "due gruppi" not in page
    assert held.agenda_items.order_by("order").first().decisions.startswith("Si costituisce un")
    # approved and published as version 2
    with django_capture_on_commit_callbacks(execute=True):
        job = services.minutes_correction_approve(minutes=minutes, actor=staff_user)
    draft.refresh_from_db()
    assert draft.status == MinutesVersion.Status.PUBLISHED and draft.approved_at
    second_pdf = _pdf_text(_job_bytes(job))
    assert "Si costituiscono due gruppi di lavoro." in second_pdf
    assert "Errore materiale nella decisione del punto 1" in second_pdf
    assert "Rettifica" in second_pdf and "versione 1" in second_pdf
    # the live rows follow the version in force (for every other reader)
    assert held.agenda_items.order_by("order").first().decisions == (
        "Si costituiscono due gruppi di lavoro."
    )
    assert held.invitations.get(name="Olga Ospite").attendance == "present"
    # version 1 never changed: same record, same PDF, still public with its date
    v1.refresh_from_db()
    assert v1.record == record_v1
    old = client.get(reverse("tables:minutes_version_pdf", args=[held.pk, 1]))
    assert _pdf_text(b"".join(old.streaming_content)) == first_pdf
    old_page = client.get(reverse("tables:minutes_version", args=[held.pk, 1]))
    assert old_page.status_code == 200
    assert "Si costituisce un gruppo di lavoro." in old_page.content.decode()
    assert "sostituita dalla versione 2" in old_page.content.decode()
    # the public page shows version 2 and lists both, each with its date and SHA-256
    page = client.get(reverse("tables:minutes_detail", args=[held.pk])).content.decode()
    assert "Si costituiscono due gruppi di lavoro." in page
    assert "Errore materiale nella decisione del punto 1" in page
    assert first_job.sha256 in page and job.sha256 in page
    assert timezone.localtime(v1.approved_at).strftime("%d/%m/%Y") in page
    assert reverse("tables:minutes_version_pdf", args=[held.pk, 1]) in page
    # the public address of the PDF now gives version 2
    latest = client.get(reverse("tables:minutes_pdf", args=[held.pk]))
    assert _pdf_text(b"".join(latest.streaming_content)) == second_pdf
    # audited, and members are told
    actions = list(
        AuditEvent.objects.filter(action__startswith="tables.minutes_correction").values_list(
            "action", "reason"
        )
    )
    assert (
        "tables.minutes_correction.approved",
        "Errore materiale nella decisione del punto 1",
    ) in (actions)
    approve = AuditEvent.objects.get(action="tables.minutes_correction.approved")
    assert any("due gruppi" in str(change["after"]) for change in approve.changes.values())
    assert Notification.objects.filter(
        user=entity_delegate, kind="tables.minutes_corrected"
    ).exists()


def test_a_correction_needs_a_reason_a_change_and_approved_minutes(held, approved, staff_user):
    minutes, _job = approved
    with pytest.raises(ValidationError):
        _correct(held, staff_user, reason=" ", decisions="Altro", attendance="present")
    same = held.agenda_items.order_by("order").first().decisions
    _correct(held, staff_user, reason="Nessuna", decisions=same, attendance="justified")
    with pytest.raises(ValidationError) as refused:
        services.minutes_correction_approve(minutes=minutes, actor=staff_user)
    assert "non cambia nulla" in refused.value.messages[0]
    services.minutes_correction_discard(minutes=minutes, actor=staff_user)
    assert list(minutes.versions.values_list("number", flat=True)) == [1]
    assert AuditEvent.objects.filter(action="tables.minutes_correction.discarded").exists()
    with pytest.raises(ValidationError):
        services.minutes_correction_approve(minutes=minutes, actor=staff_user)


def test_correction_pages(held, approved, client_for, staff_user, entity_delegate):
    url = reverse("tables:minutes_correction", args=[held.pk])
    assert client_for(entity_delegate).get(url).status_code == 403
    c = client_for(staff_user)
    form = c.get(url)
    assert form.status_code == 200
    first = held.agenda_items.order_by("order").first()
    olga = held.invitations.get(name="Olga Ospite")
    data = {
        "reason": "",
        "chair": "Giulia Rossi",
        "secretary": "Paolo Neri",
        "introduction": "Constatato il numero legale.",
        "closing": "",
        f"a{first.pk}-summary": first.summary,
        f"a{first.pk}-decisions": "Decisione corretta",
        f"p{olga.pk}-attendance": "delegated",
        f"p{olga.pk}-delegated_to": "",
    }
    for inv in held.invitations.exclude(pk=olga.pk):
        data[f"p{inv.pk}-attendance"] = inv.attendance
    refused = c.post(url, data)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Indica il motivo della rettifica" in body and "Indica a chi" in body
    assert not MinutesVersion.objects.filter(status="draft").exists()
    data.update({"reason": "Delega non registrata", f"p{olga.pk}-delegated_to": "Mario Verdi"})
    assert c.post(url, data).status_code == 302
    draft = MinutesVersion.objects.get(status="draft")
    olga_row = next(a for a in draft.record["attendance"] if a["id"] == olga.pk)
    assert olga_row["attendance"] == "delegated" and olga_row["delegated_to"] == "Mario Verdi"
    approve = reverse("tables:minutes_correction_approve", args=[held.pk])
    assert client_for(entity_delegate).post(approve).status_code == 403
    assert c.post(approve).status_code == 302
    assert MinutesVersion.objects.get(number=2).status == "published"


# --- who reads draft minutes ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "readers"),
    [
        ("draft", {"staff_user", "superuser"}),
        ("shared", {"staff_user", "superuser", "entity_delegate", "entity_admin"}),
    ],
)
def test_draft_minutes_for_managers_shared_ones_for_members(
    request, held, client, client_for, status, readers
):
    Minutes.objects.filter(meeting=held).update(status=status, introduction="Testo in lavorazione")
    url = reverse("tables:minutes_detail", args=[held.pk])
    people = [
        "no_role_user",
        "entity_delegate",
        "entity_admin",
        "other_entity_admin",
        "comune_user",
        "staff_user",
        "other_staff",
        "superuser",
    ]
    assert client.get(url).status_code == 404
    for name in people:
        c = client_for(request.getfixturevalue(name))
        response = c.get(url)
        expected = 200 if name in readers else 404
        assert response.status_code == expected, (name, response.status_code)
        meeting_page = c.get(reverse("tables:meeting_detail", args=[held.pk])).content.decode()
        assert ("Testo in lavorazione" in response.content.decode()) == (name in readers)
        assert (url in meeting_page) == (name in readers), name


def test_demo_minutes_are_published_versions_with_their_pdf():
    from django.core.management import call_command

    from tables import selectors

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    approved = list(Minutes.objects.filter(status="approved"))
    assert approved
    for minutes in approved:
        (version,) = minutes.versions.all()
        assert version.is_published and version.approved_at == minutes.approved_at
        job = selectors.version_pdf(version)
        assert job is not None and len(job.sha256) == 64


def test_a_guest_without_a_name_is_published_without_the_address(held, client, staff_user):
    InvitationFactory(meeting=held, name="", email="mario.rossi@example.org", attendance="present")
    services.minutes_approve(minutes=held.minutes, actor=staff_user)
    (version,) = MinutesVersion.objects.filter(minutes__meeting=held)
    names = [row["name"] for row in version.record["attendance"]]
    assert "m…@example.org" in names
    page = client.get(reverse("tables:minutes_detail", args=[held.pk])).content.decode()
    assert "m…@example.org" in page and "mario.rossi@example.org" not in page
