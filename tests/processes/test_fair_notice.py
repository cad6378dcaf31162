"""A fair avviso: locked once the first application is in, deadlines that only move later,
every change a new published version told to whoever started an application, reopenings on
the public record (D.M. 72/2021; L. 241/1990)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent, OutgoingEmail
from processes import services
from processes.models import Procedure
from processes.permissions import procedure_policy
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.processes.conftest import fill_and_submit

ROME = ZoneInfo("Europe/Rome")
DEADLINE = datetime(2031, 3, 14, 12, 0, tzinfo=ROME)
pytestmark = pytest.mark.django_db


def _correction(procedure, actor, *, criteria=None, **changes):
    """Save a draft correction equal to the current version except for `changes`."""
    current = Procedure.objects.get(pk=procedure.pk).current_notice
    data = {
        "subject": current.subject,
        "requirements": current.requirements,
        "documents_required": current.documents_required,
        "deadline": current.deadline,
        "admission_threshold": current.admission_threshold,
        "correction_note": "Rettifica",
        **changes,
    }
    if criteria is None:
        criteria = [
            services.CriterionData(c.name, c.weight, c.description) for c in current.criteria.all()
        ]
    return services.notice_save_draft(
        procedure=procedure, actor=actor, data=data, criteria=criteria
    )


def _publish(notice, actor, capture):
    with capture(execute=True):
        return services.notice_publish(notice=notice, actor=actor)


# --- 1. locked after the first application; deadline only later -----------------------------
def test_the_deadline_of_a_published_avviso_is_never_shortened(make_procedure, staff_user):
    procedure = make_procedure(deadline=DEADLINE)
    with pytest.raises(ValidationError) as exc:
        _correction(procedure, staff_user, deadline=DEADLINE - timedelta(days=1))
    assert "deadline" in exc.value.error_dict
    assert "14/03/2031 alle 12:00" in " ".join(exc.value.messages)
    assert not procedure.notices.filter(published_at__isnull=True).exists()
    # extending it is a correction like any other
    notice = _correction(procedure, staff_user, deadline=DEADLINE + timedelta(days=7))
    assert notice.version == 2 and not services.notice_problems(notice)


def test_criteria_weights_and_requirements_lock_at_the_first_submission(
    make_procedure, staff_user, entity, entity_admin, django_capture_on_commit_callbacks
):
    procedure = make_procedure(deadline=DEADLINE)
    # before any application, a correction may still change the criteria
    draft = _correction(
        procedure,
        staff_user,
        criteria=[services.CriterionData("Qualità", 50), services.CriterionData("Rete", 50)],
    )
    draft.delete()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    procedure.refresh_from_db()
    assert procedure.notice_locked_at == application.submitted_at
    assert AuditEvent.objects.filter(
        action="processes.notice.locked", object_id=str(procedure.pk)
    ).exists()
    # the lock is a fact of the procedure's public record: its history shows it to applicants
    assert (
        procedure_policy.history(entity_admin, procedure)
        .filter(action="processes.notice.locked")
        .exists()
    )

    with pytest.raises(ValidationError) as exc:
        _correction(
            procedure,
            staff_user,
            criteria=[services.CriterionData("Qualità", 50), services.CriterionData("Rete", 50)],
        )
    assert "criteri" in " ".join(exc.value.messages).lower()
    for field, value in (
        ("requirements", "Iscrizione al RUNTS da tre anni"),
        ("documents_required", "Bilancio"),
        ("admission_threshold", 70),
    ):
        with pytest.raises(ValidationError) as exc:
            _correction(procedure, staff_user, **{field: value})
        assert field in exc.value.error_dict, field
        assert "prima domanda" in " ".join(exc.value.messages)
    assert not procedure.notices.filter(published_at__isnull=True).exists()

    # the deadline may be extended and the subject clarified: a new published version
    notice = _correction(
        procedure,
        staff_user,
        subject="Avviso (testo chiarito)",
        deadline=DEADLINE + timedelta(days=7),
    )
    _publish(notice, staff_user, django_capture_on_commit_callbacks)
    assert Procedure.objects.get(pk=procedure.pk).current_notice.version == 2


def test_a_draft_saved_before_the_lock_cannot_be_published_after_it(
    make_procedure, staff_user, entity, entity_admin
):
    procedure = make_procedure(deadline=DEADLINE)
    draft = _correction(procedure, staff_user, requirements="Requisiti nuovi")
    fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    assert any("prima domanda" in p for p in services.notice_problems(draft))
    with pytest.raises(ValidationError):
        services.notice_publish(notice=draft, actor=staff_user)


def test_a_correction_reaches_every_entity_that_started_an_application(
    ambito,
    make_procedure,
    staff_user,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure(deadline=DEADLINE)
    services.application_start(procedure=procedure, entity=entity, actor=entity_admin)  # draft
    # an entity outside the procedure's activities, with a submitted application
    other_entity.activities.clear()
    fill_and_submit(
        services.application_start(
            procedure=procedure, entity=other_entity, actor=other_entity_admin
        ),
        other_entity_admin,
    )
    OutgoingEmail.objects.all().delete()
    notice = _correction(
        procedure,
        staff_user,
        deadline=DEADLINE + timedelta(days=7),
        correction_note="Proroga per la chiusura estiva degli uffici",
    )
    _publish(notice, staff_user, django_capture_on_commit_callbacks)

    emails = OutgoingEmail.objects.filter(template="processes_notice")
    by_to = {e.to: e for e in emails}
    assert {entity.email, other_entity.email} <= set(by_to)
    for email in (by_to[entity.email], by_to[other_entity.email]):
        assert "Rettifica dell'avviso" in email.subject
        assert "Proroga per la chiusura estiva degli uffici" in email.body_text
        assert (
            "Termine per le domande: prorogato dal 14/03/2031 alle 12:00 al 21/03/2031 alle 12:00"
            in email.body_text
        )
        assert "21/03/2031 alle 12:00" in email.body_html
    for admin in (entity_admin, other_entity_admin):
        note = admin.notifications.filter(kind="processes.notice").order_by("-pk").first()
        assert "prorogato dal 14/03/2031 alle 12:00 al 21/03/2031 alle 12:00" in note.body


# --- 2. reopening ----------------------------------------------------------------------------
def test_a_reopening_must_move_the_deadline_later(make_procedure, staff_user, clock):
    procedure = make_procedure(deadline=DEADLINE)
    clock.set(DEADLINE - timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.window_reopen(
            procedure=procedure,
            actor=staff_user,
            until=DEADLINE - timedelta(days=1),
            reason="Anticipo",
        )
    assert "until" in exc.value.error_dict
    assert not procedure.reopenings.exists()


def test_a_reopening_is_public_and_told_to_every_entity_that_started_an_application(
    client,
    make_procedure,
    staff_user,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    clock,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure(deadline=DEADLINE)
    services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(
        services.application_start(
            procedure=procedure, entity=other_entity, actor=other_entity_admin
        ),
        other_entity_admin,
    )
    bystander = EntityFactory(ambito=procedure.ambito, activity_codes=["t"])
    EntityMembershipFactory(entity=bystander)
    clock.set(DEADLINE + timedelta(hours=2))
    OutgoingEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        reopening = services.window_reopen(
            procedure=procedure,
            actor=staff_user,
            until=DEADLINE + timedelta(days=7),
            reason="Il portale è rimasto irraggiungibile il giorno della scadenza",
        )

    emails = {e.to: e for e in OutgoingEmail.objects.filter(template="processes_reopened")}
    assert set(emails) == {entity.email, other_entity.email}
    body = emails[entity.email].body_text
    assert "riaperti fino al 21/03/2031 alle 12:00" in body
    assert "Il portale è rimasto irraggiungibile il giorno della scadenza" in body
    assert emails[entity.email].ambito_id == procedure.ambito_id
    for admin in (entity_admin, other_entity_admin):
        note = admin.notifications.get(kind="processes.reopened")
        assert "21/03/2031 alle 12:00" in note.title + note.body
    # a retried task sends nothing twice
    assert services.window_reopening_notify(reopening.pk) == 0

    page = client.get(procedure.get_absolute_url()).content.decode()
    timeline = re.search(r'aria-labelledby="timeline-heading">(.*?)</section>', page, re.S)
    assert timeline is not None
    assert "Termini riaperti fino al 21/03/2031 12:00" in timeline.group(1)
    assert "Il portale è rimasto irraggiungibile" in timeline.group(1)


# --- pages -----------------------------------------------------------------------------------
def test_after_the_lock_the_correction_page_keeps_criteria_and_requirements(
    client_for, make_procedure, staff_user, entity, entity_admin
):
    from django.urls import reverse

    procedure = make_procedure(deadline=DEADLINE)
    fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    c = client_for(staff_user)
    url = reverse("processes:notice_edit", args=[procedure.pk])
    page = c.get(url).content.decode()
    assert re.search(r'<textarea[^>]*\bdisabled\b[^>]*id="id_requirements"', page)
    assert "criteria-TOTAL_FORMS" not in page and "bloccati" in page
    response = c.post(
        url,
        {
            "subject": "Avviso",
            "requirements": "Requisiti cambiati di nascosto",
            "deadline": "2031-03-21T12:00",
            "admission_threshold": "10",
            "correction_note": "Proroga",
        },
    )
    assert response.status_code == 302
    draft = procedure.notices.get(published_at__isnull=True)
    assert draft.requirements == "Iscrizione al RUNTS" and draft.admission_threshold == 60
    assert [(c.name, c.weight) for c in draft.criteria.all()] == [
        ("Qualità", 60),
        ("Esperienza", 40),
    ]
    assert draft.deadline == DEADLINE + timedelta(days=7)
    # an earlier deadline is refused next to the field
    page = c.post(
        url,
        {"subject": "Avviso", "deadline": "2031-03-10T12:00", "correction_note": "Anticipo"},
    ).content.decode()
    assert 'id="id_deadline-error"' in page or "Il termine non si anticipa" in page
    assert "Il termine non si anticipa" in page


def test_the_reopen_page_refuses_an_earlier_time_next_to_the_field(
    client_for, make_procedure, staff_user, clock
):
    from django.urls import reverse

    procedure = make_procedure(deadline=DEADLINE)
    clock.set(DEADLINE - timedelta(days=2))
    page = (
        client_for(staff_user)
        .post(
            reverse("processes:reopen", args=[procedure.pk]),
            {"until": "2031-03-13T12:00", "reason": "Errore"},
        )
        .content.decode()
    )
    assert "successivo a quello in vigore (14/03/2031 alle 12:00)" in page
    assert not procedure.reopenings.exists()
