"""Pages per role: outsiders 404, read-only 403 with nothing changed; public sees approved minutes
only; query counts constant with the number of members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import AuditEvent
from tables import services, tokens
from tables.models import Invitation, Meeting, Minutes, MinutesVersion, Table, TableMembership
from tests.factories.tables import InvitationFactory, MeetingFactory, MinutesFactory, TableFactory
from tests.readback import body
from tests.tables.conftest import add_members

pytestmark = pytest.mark.django_db


def _dt(days: int, hour: int = 10) -> str:
    return (
        (timezone.localtime() + timedelta(days=days))
        .replace(hour=hour, minute=0)
        .strftime("%Y-%m-%dT%H:%M")
    )


def meeting_post(**over):
    data = {
        "title": "Seduta di dicembre",
        "starts_at": _dt(5, 10),
        "ends_at": _dt(5, 12),
        "place": "Sala Verdi",
        "online_url": "",
        "description": "",
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "60",
        "agenda-0-title": "Primo punto",
        "agenda-1-title": "Secondo punto",
    }
    data.update(over)
    return data


# --- tables -------------------------------------------------------------------------------
def test_public_list_and_detail(client, table, seat, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    response = client.get(reverse("tables:list"))
    assert response.status_code == 200
    assert "Inclusione" in response.text and seat.entity.name in response.text
    response = client.get(reverse("tables:detail", args=[table.pk]))
    assert response.status_code == 200
    assert "Prima seduta" in response.text and seat.entity.name in response.text
    assert "Convoca una seduta" not in response.text


def test_memoised_meeting_rows_follow_the_viewer_and_the_minutes(
    client, client_for, staff_user, table, seat, meeting
):
    """The meeting rows are memoised ({% memo meeting manager %}): a draft minutes' link shown
    to who manages the table never reaches an anonymous visitor, before or after, and the
    approved minutes show at once."""
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    minutes = MinutesFactory(meeting=meeting, status=Minutes.Status.DRAFT)
    url = reverse("tables:detail", args=[table.pk])
    anonymous_before = client.get(url).text
    assert "Verbale in bozza" in client_for(staff_user).get(url).text
    anonymous_after = client.get(url).text
    assert "Verbale in bozza" not in anonymous_before + anonymous_after
    Minutes.objects.filter(pk=minutes.pk).update(status=Minutes.Status.APPROVED)
    assert "Verbale approvato" in client.get(url).text


def test_staff_create_table(client_for, staff_user, ambito):
    c = client_for(staff_user)
    response = c.post(
        reverse("tables:create"),
        {
            "name": "Disabilità",
            "slug": "disabilita",
            "kind": "thematic",
            "description": "",
            "is_open": "on",
        },
    )
    table = Table.objects.get(slug="disabilita")
    assert response.status_code == 302 and table.ambito == ambito
    # concertation without comune: error next to the field
    response = c.post(
        reverse("tables:create"), {"name": "Concertazione", "slug": "conc", "kind": "concertation"}
    )
    assert response.status_code == 200 and "indicalo" in response.text
    assert not Table.objects.filter(slug="conc").exists()


@pytest.mark.parametrize("persona", ["no_role_user", "entity_admin", "comune_user", "other_staff"])
def test_non_managers_cannot_create_or_edit(request, client_for, table, persona):
    user = request.getfixturevalue(persona)
    c = client_for(user)
    # other_staff creates tables, in its own ambito only; comune_user the concertation tables of
    # its comune only (tests/tables/test_concertation.py)
    if persona not in ("other_staff", "comune_user"):
        assert c.get(reverse("tables:create")).status_code == 403
    response = c.post(
        reverse("tables:update", args=[table.pk]),
        {"name": "Hack", "slug": "hack", "kind": "thematic"},
    )
    assert response.status_code == 403
    table.refresh_from_db()
    assert table.name == "Inclusione"


def test_table_coordinator_manages(client_for, table, no_role_user):
    table.coordinators.add(no_role_user)
    assert (
        client_for(no_role_user).get(reverse("tables:members", args=[table.pk])).status_code == 200
    )


# --- membership ---------------------------------------------------------------------------
def test_join_request_and_approve(
    client_for,
    table,
    entity,
    entity_admin,
    entity_delegate,
    staff_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    c = client_for(entity_admin)
    assert c.get(reverse("tables:join", args=[table.pk])).status_code == 200
    response = c.post(
        reverse("tables:join", args=[table.pk]),
        {
            "entity": entity.pk,
            "delegate": entity_delegate.pk,
            "substitute": entity_delegate.pk,
            "motivation": "x",
        },
    )
    assert response.status_code == 200 and "diversa dal delegato" in response.text
    c.post(
        reverse("tables:join", args=[table.pk]),
        {
            "entity": entity.pk,
            "delegate": entity_delegate.pk,
            "substitute": entity_admin.pk,
            "motivation": "Lavoriamo sul territorio",
        },
    )
    m = TableMembership.objects.get(table=table, entity=entity)
    assert m.status == "requested"
    # the entity cannot decide its own request
    assert (
        c.post(
            reverse("tables:membership_decide", args=[m.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff_user).post(
            reverse("tables:membership_decide", args=[m.pk]),
            {"decision": "approve", "reason": "Benvenuti"},
        )
    m.refresh_from_db()
    assert m.status == "active"
    assert any(entity.email in msg.to for msg in mailoutbox)


def test_closed_table_refuses_join(client_for, table, entity_admin):
    Table.objects.filter(pk=table.pk).update(is_open=False)
    assert client_for(entity_admin).get(reverse("tables:join", args=[table.pk])).status_code == 403


def test_join_only_tables_of_the_entity_ambito(
    client_for, other_ambito, entity, entity_admin, entity_delegate
):
    """An entity administrator may not ask to join a table of another ambito."""
    elsewhere = TableFactory(ambito=other_ambito)
    c = client_for(entity_admin)
    url = reverse("tables:join", args=[elsewhere.pk])
    assert c.get(url).status_code == 403
    data = {"entity": entity.pk, "delegate": entity_delegate.pk, "motivation": "x"}
    assert c.post(url, data).status_code == 403
    assert not TableMembership.objects.filter(table=elsewhere).exists()
    assert "Chiedi di partecipare" not in c.get(reverse("tables:detail", args=[elsewhere.pk])).text


def test_meeting_in_preparation_not_revealed_to_outsiders(client_for, meeting, entity_admin):
    """Editing a draft meeting one cannot see answers 404, as its page does (not 403)."""
    c = client_for(entity_admin)
    assert c.get(reverse("tables:meeting_detail", args=[meeting.pk])).status_code == 404
    assert c.get(reverse("tables:meeting_update", args=[meeting.pk])).status_code == 404


def test_decide_outsider_gets_404(client_for, table, entity, entity_admin, other_staff):
    m = services.membership_request(
        table=table,
        entity=entity,
        delegate=entity_admin,
        substitute=None,
        motivation="",
        actor=entity_admin,
    )
    assert (
        client_for(other_staff)
        .post(reverse("tables:membership_decide", args=[m.pk]), {"decision": "approve"})
        .status_code
        == 404
    )
    m.refresh_from_db()
    assert m.status == "requested"


def test_entity_leaves(client_for, seat, entity_admin, other_entity_admin):
    assert (
        client_for(other_entity_admin)
        .post(reverse("tables:membership_leave", args=[seat.pk]))
        .status_code
        == 404
    )
    client_for(entity_admin).post(reverse("tables:membership_leave", args=[seat.pk]))
    seat.refresh_from_db()
    assert seat.status == "left"


# --- meetings -----------------------------------------------------------------------------
def test_staff_create_meeting_and_validation(client_for, staff_user, table):
    c = client_for(staff_user)
    response = c.post(
        reverse("tables:meeting_create", args=[table.pk]), meeting_post(ends_at=_dt(5, 9))
    )
    assert response.status_code == 200 and "successiva all" in response.text
    response = c.post(
        reverse("tables:meeting_create", args=[table.pk]),
        meeting_post(starts_at=_dt(-2, 10), ends_at=_dt(-2, 12)),
    )
    assert response.status_code == 200 and "nel passato" in response.text
    assert not Meeting.objects.exists()
    response = c.post(reverse("tables:meeting_create", args=[table.pk]), meeting_post())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert [a.title for a in meeting.agenda_items.all()] == ["Primo punto", "Secondo punto"]
    assert timezone.localtime(meeting.starts_at).hour == 10  # Europe/Rome wall time


def test_meeting_create_forbidden(client_for, table, entity_admin, other_staff):
    assert (
        client_for(entity_admin)
        .post(reverse("tables:meeting_create", args=[table.pk]), meeting_post())
        .status_code
        == 403
    )
    assert (
        client_for(other_staff)
        .post(reverse("tables:meeting_create", args=[table.pk]), meeting_post())
        .status_code
        == 403
    )
    assert not Meeting.objects.exists()


def test_draft_meeting_hidden_from_public(client, client_for, meeting, entity_admin, other_staff):
    assert client.get(reverse("tables:meeting_detail", args=[meeting.pk])).status_code == 404
    assert (
        client_for(other_staff).get(reverse("tables:meeting_detail", args=[meeting.pk])).status_code
        == 404
    )


def test_send_invitations_view(
    client_for, staff_user, meeting, entity_admin, mailoutbox, django_capture_on_commit_callbacks
):
    assert (
        client_for(entity_admin).post(reverse("tables:meeting_send", args=[meeting.pk])).status_code
        == 404
    )  # draft: not visible
    c = client_for(staff_user)
    response = c.post(
        reverse("tables:meeting_send", args=[meeting.pk]), {"extra": "not-an-address"}
    )
    assert response.status_code == 200 and "non validi" in response.text
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            reverse("tables:meeting_send", args=[meeting.pk]),
            {"extra": "Ospite Uno <ospite@example.org>"},
        )
    assert meeting.invitations.count() == 2 and len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("tables:meeting_send", args=[meeting.pk]), {"extra": ""})
    assert len(mailoutbox) == 2
    panel = c.get(reverse("tables:invitations_panel", args=[meeting.pk]))
    assert "ospite@example.org" in panel.text and "Inviata" in panel.text
    assert (
        client_for(entity_admin)
        .get(reverse("tables:invitations_panel", args=[meeting.pk]))
        .status_code
        == 403
    )


def test_rsvp_by_link_without_login(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    inv = InvitationFactory(meeting=meeting)
    url = reverse("tables:rsvp", args=[tokens.rsvp_token(inv)])
    response = client.get(url + "?risposta=yes")
    assert response.status_code == 200 and "Prima seduta" in response.text
    inv.refresh_from_db()
    assert inv.response == "pending"  # GET never records
    client.post(url, {"response": "yes"})
    inv.refresh_from_db()
    assert inv.response == "yes"
    assert client.get(reverse("tables:rsvp", args=["forged-token"])).status_code == 404


def test_rsvp_from_portal(client_for, meeting, entity_delegate, no_role_user):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    inv = InvitationFactory(meeting=meeting, user=entity_delegate, email=entity_delegate.email)
    client_for(entity_delegate).post(
        reverse("tables:meeting_rsvp", args=[meeting.pk]), {"response": "no"}
    )
    inv.refresh_from_db()
    assert inv.response == "no"
    assert (
        client_for(no_role_user)
        .post(reverse("tables:meeting_rsvp", args=[meeting.pk]), {"response": "yes"})
        .status_code
        == 403
    )


def test_attendance_view(client_for, staff_user, entity_admin, meeting):
    inv = InvitationFactory(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    url = reverse("tables:attendance", args=[meeting.pk])
    assert (
        client_for(entity_admin).post(url, {f"p{inv.pk}-attendance": "present"}).status_code == 403
    )
    c = client_for(staff_user)
    response = c.post(url, {f"p{inv.pk}-attendance": "delegated", f"p{inv.pk}-delegated_to": ""})
    assert response.status_code == 200 and "a chi" in response.text
    c.post(url, {f"p{inv.pk}-attendance": "delegated", f"p{inv.pk}-delegated_to": "Carla"})
    inv.refresh_from_db()
    assert inv.attendance == "delegated" and inv.delegated_to == "Carla"


def test_attachments(client_for, client, staff_user, entity_delegate, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    c = client_for(staff_user)
    url = reverse("tables:attachment_add", args=[meeting.pk])
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = c.post(url, {"title": "Bad", "file": bad})
    assert response.status_code == 400 and not meeting.attachments.exists()
    pdf = SimpleUploadedFile(
        "odg.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        content_type="application/pdf",
    )
    assert c.post(url, {"title": "Documento", "file": pdf}).status_code == 302
    attachment = meeting.attachments.get()
    download = reverse("tables:attachment_download", args=[attachment.pk])
    assert client.get(download).status_code == 403
    got = client_for(entity_delegate).get(download)  # member
    assert got.status_code == 200
    assert body(got) == (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_attachment_over_20_mb(client_for, staff_user, meeting, settings):
    from tables.models import MeetingAttachment

    validator = MeetingAttachment._meta.get_field("file").validators[0]
    assert validator.max_bytes == 20 * 1024 * 1024


# --- minutes ------------------------------------------------------------------------------
def test_minutes_visibility(client, client_for, meeting, entity_delegate, no_role_user, staff_user):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    minutes = MinutesFactory(
        meeting=meeting, status=Minutes.Status.SHARED, introduction="Testo riservato"
    )
    url = reverse("tables:minutes_detail", args=[meeting.pk])
    assert client.get(url).status_code == 404
    assert client_for(no_role_user).get(url).status_code == 404
    response = client_for(entity_delegate).get(url)
    assert response.status_code == 200 and "Testo riservato" in response.text
    # a member comments while shared, cannot approve
    client_for(entity_delegate).post(
        reverse("tables:minutes_comment", args=[meeting.pk]), {"body": "Una correzione"}
    )
    assert minutes.comments.count() == 1
    assert (
        client_for(entity_delegate)
        .post(reverse("tables:minutes_approve", args=[meeting.pk]))
        .status_code
        == 403
    )
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.SHARED
    services.minutes_approve(minutes=minutes, actor=staff_user)
    assert client.get(url).status_code == 200


def test_minutes_write_and_approve(
    client_for, staff_user, meeting, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    agenda = list(meeting.agenda_items.all())
    c = client_for(staff_user)
    data = {"chair": "Giulia Rossi", "secretary": "Paolo Neri", "introduction": "", "closing": ""}
    for a in agenda:
        data[f"a{a.pk}-summary"] = f"Sintesi {a.title}"
        data[f"a{a.pk}-decisions"] = "Deciso"
    assert c.post(reverse("tables:minutes_edit", args=[meeting.pk]), data).status_code == 302
    c.post(reverse("tables:minutes_share", args=[meeting.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("tables:minutes_approve", args=[meeting.pk]))
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == "approved"
    status = c.get(reverse("tables:minutes_job", args=[meeting.pk]))
    assert "Scarica" in status.text
    pdf = c.get(reverse("tables:minutes_pdf", args=[meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("tables:minutes_regenerate", args=[meeting.pk]))
    from core.models import FileJob

    assert FileJob.objects.filter(kind=MinutesVersion.PDF_KIND, status="done").count() == 2


# --- calendars ----------------------------------------------------------------------------
def test_table_feed_public(client, table, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    MeetingFactory(table=table, title="Bozza nascosta")
    response = client.get(reverse("tables:table_feed", args=[table.pk]))
    cal = Calendar.from_ical(response.content)
    assert str(cal["method"]) == "PUBLISH"
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Inclusione: Prima seduta"]


def test_personal_feed(client, client_for, meeting, entity_delegate):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    page = client_for(entity_delegate).get(reverse("tables:calendar"))
    url = page.context["feed_url"]
    response = client.get(url.split("testserver")[-1])
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [meeting.uid]
    assert client.get(reverse("tables:personal_feed", args=["bad"])).status_code == 404


# --- query counts -------------------------------------------------------------------------
def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_constant(client_for, client, staff_user, entity_delegate, table, meeting):
    """Table, meeting, attendance and list pages: the same number of queries with 5 and 50 members."""
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    TableFactory(ambito=table.ambito)
    staff = client_for(staff_user)
    member = client_for(entity_delegate)
    urls = [
        (staff, reverse("tables:detail", args=[table.pk])),
        (client, reverse("tables:detail", args=[table.pk])),
        (staff, reverse("tables:meeting_detail", args=[meeting.pk])),
        (member, reverse("tables:meeting_detail", args=[meeting.pk])),
        (staff, reverse("tables:attendance", args=[meeting.pk])),
        (staff, reverse("tables:invitations_panel", args=[meeting.pk])),
        (client, reverse("tables:list")),
    ]
    counts = {}
    for size in (5, 50):
        current = table.memberships.filter(status="active").count()
        for m in add_members(table, size - current):
            Invitation.objects.create(
                meeting=meeting, email=m.delegate.email, user=m.delegate, entity=m.entity
            )
        for c, url in urls:  # warm-up: per-process caches (content types, sessions)
            c.get(url)
        counts[size] = [_count(c, url) for c, url in urls]
    assert counts[5] == counts[50], counts
    assert max(counts[50]) <= 25, counts


def test_attachment_over_20_mb_refused(client_for, staff_user, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="convened")
    big = SimpleUploadedFile(
        "grande.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    response = client_for(staff_user).post(
        reverse("tables:attachment_add", args=[meeting.pk]), {"title": "Grande", "file": big}
    )
    assert response.status_code == 400 and "20" in response.text
    assert not meeting.attachments.exists()


def test_notes_never_in_public_minutes_pdf(meeting, staff_user, django_capture_on_commit_callbacks):
    import io

    from pypdf import PdfReader

    InvitationFactory(
        meeting=meeting, name="Dario", attendance="justified", attendance_note="Motivi riservati"
    )
    minutes = services.minutes_save(
        meeting=meeting, data={"chair": "A", "secretary": "B"}, items=[], actor=staff_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.minutes_approve(minutes=minutes, actor=staff_user)
    job.refresh_from_db()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(job.file.read())).pages)
    assert "Assente giustificato" in text and "Motivi riservati" not in text


def test_archive_table(client, client_for, staff_user, entity_admin, table):
    assert (
        client_for(entity_admin).post(reverse("tables:archive", args=[table.pk])).status_code == 403
    )
    client_for(staff_user).post(reverse("tables:archive", args=[table.pk]))
    table.refresh_from_db()
    assert table.archived_at
    assert "Inclusione" not in client.get(reverse("tables:list")).text
    assert client.get(reverse("tables:detail", args=[table.pk])).status_code == 200
    assert client_for(entity_admin).get(reverse("tables:join", args=[table.pk])).status_code == 403


def test_a_cancel_reason_with_a_nul_character_is_stored_without_it(client_for, staff_user, meeting):
    """PostgreSQL cannot store NUL: a reason posted with one was a 500 (a hypothesis draw)."""
    response = client_for(staff_user).post(
        reverse("tables:meeting_cancel", args=[meeting.pk]), {"reason": "Sala\x00 inagibile "}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    event = AuditEvent.objects.get(action="tables.meeting.cancelled", object_id=str(meeting.pk))
    assert event.reason == "Sala inagibile"


def test_members_page_queries_do_not_grow(
    client_for, table, no_role_user, django_assert_max_num_queries
):
    """Each active member's "Rimuovi" button names the seat (its table too): the table is the
    page's own, not read again per member."""
    table.coordinators.add(no_role_user)
    client = client_for(no_role_user)
    add_members(table, 2)
    url = reverse("tables:members", args=[table.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    seats = add_members(table, 6)
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = client.get(url).text
    assert f"{seats[-1].entity.name} @ {table.name}" in body


def test_table_page_queries_do_not_grow_with_minutes(client, table, django_assert_max_num_queries):
    """Past meetings link their approved minutes: the minutes are read with the meetings."""

    def held(days: int) -> Meeting:
        starts = timezone.now() - timedelta(days=days)
        meeting = MeetingFactory(
            table=table, starts_at=starts, ends_at=starts + timedelta(hours=2), status="convened"
        )
        MinutesFactory(meeting=meeting, status=Minutes.Status.APPROVED)
        return meeting

    held(10)
    url = reverse("tables:detail", args=[table.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    later = [held(days) for days in (20, 30, 40)]
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = client.get(url).text
    for meeting in later:
        assert f'<a href="{meeting.minutes.get_absolute_url()}">Verbale approvato</a>' in body
