"""Art. 10-bis L. 241/1990: no application is excluded before the entity has been told why and
has had its term (10 days) for observations; the exclusion then answers them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent, OutgoingEmail
from processes import services
from processes.models import (
    Application,
    ApplicationStatus,
    ExclusionNotice,
    Procedure,
)
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.processes.conftest import fill_and_submit, pdf

ROME = ZoneInfo("Europe/Rome")
DEADLINE = datetime(2031, 3, 14, 12, 0, tzinfo=ROME)
SENT = datetime(2031, 3, 15, 9, 30, tzinfo=ROME)
TERM_END = datetime(2031, 3, 25, 23, 59, 59, tzinfo=ROME)  # 10 days, to the end of the day
REASONS = "L'ente non risulta iscritto al RUNTS alla data di scadenza dell'avviso."
pytestmark = pytest.mark.django_db


@pytest.fixture
def in_admission(make_procedure, staff_user, entity, entity_admin, clock):
    """A co-progettazione in istruttoria with `entity`'s submitted application (at SENT)."""
    procedure = make_procedure(deadline=DEADLINE)
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(SENT)
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    return Procedure.objects.get(pk=procedure.pk), Application.objects.get(pk=application.pk)


def _send(application, staff_user, capture, **kwargs):
    with capture(execute=True):
        return services.exclusion_notice_send(
            application=application, actor=staff_user, reasons=REASONS, **kwargs
        )


def test_an_application_is_never_excluded_without_the_10bis_notice(in_admission, staff_user):
    _procedure, application = in_admission
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            application=application, actor=staff_user, admitted=False, reason="Requisiti"
        )
    assert "10-bis" in " ".join(exc.value.messages)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_10bis_notice_from_sending_to_exclusion(
    in_admission, staff_user, entity, entity_admin, clock, django_capture_on_commit_callbacks
):
    procedure, application = in_admission
    notice = _send(application, staff_user, django_capture_on_commit_callbacks)

    assert notice.sent_at == SENT and notice.term_days == 10 and notice.deadline == TERM_END
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PRE_REJECTION
    email = OutgoingEmail.objects.get(template="processes_exclusion_notice")
    assert notice.communication == email and email.to == entity.email
    assert "10-bis" in email.subject and procedure.title in email.subject
    assert REASONS in email.body_text
    assert "entro il 25/03/2031 alle 23:59" in email.body_text
    assert "10 giorni" in email.body_text
    assert email.ambito_id == procedure.ambito_id
    assert entity_admin.notifications.filter(kind="processes.exclusion_notice").exists()
    # the procedure cannot leave the istruttoria while the notice is open
    with pytest.raises(services.TransitionRefused):
        services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)

    # staff may not decide before the entity answers or the term runs out
    with pytest.raises(ValidationError) as exc:
        services.exclusion_confirm(notice=notice, actor=staff_user, motivation="Esclusa.")
    assert "25/03/2031 alle 23:59" in " ".join(exc.value.messages)

    clock.set(datetime(2031, 3, 20, 17, 0, tzinfo=ROME))
    services.exclusion_observations_submit(
        notice=notice,
        actor=entity_admin,
        observations="Alleghiamo la ricevuta della domanda di iscrizione al RUNTS.",
        title="Ricevuta RUNTS",
        file=pdf("ricevuta-runts.pdf"),
    )
    notice.refresh_from_db()
    assert notice.observations_at == clock.now and notice.observations_by == entity_admin
    document = application.documents.get(exclusion_notice=notice)
    assert document.title == "Ricevuta RUNTS"
    assert staff_user.notifications.filter(kind="processes.exclusion.observations_sent").exists()
    with pytest.raises(ValidationError):  # one answer
        services.exclusion_observations_submit(notice=notice, actor=entity_admin, observations="x")

    with pytest.raises(ValidationError) as exc:
        services.exclusion_confirm(notice=notice, actor=staff_user, motivation="  ")
    assert "motivation" in exc.value.error_dict
    motivation = (
        "La ricevuta allegata alle osservazioni riguarda una domanda presentata dopo la "
        "scadenza dell'avviso: il requisito mancava alla data prevista."
    )
    clock.set(datetime(2031, 3, 21, 10, 0, tzinfo=ROME))
    with django_capture_on_commit_callbacks(execute=True):
        services.exclusion_confirm(notice=notice, actor=staff_user, motivation=motivation)
    application.refresh_from_db()
    notice.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_ADMITTED
    assert application.decision_reason == motivation and application.decided_at == clock.now
    assert notice.outcome == ExclusionNotice.Outcome.EXCLUDED and notice.motivation == motivation
    decision = OutgoingEmail.objects.get(template="processes_exclusion_decision")
    assert notice.decision_communication == decision
    assert motivation in decision.body_text
    assert "osservazioni presentate il 20/03/2031" in decision.body_text
    assert REASONS in decision.body_text
    assert set(
        AuditEvent.objects.filter(object_id=str(application.pk)).values_list("action", flat=True)
    ) >= {
        "processes.exclusion.notice_sent",
        "processes.exclusion.observations_sent",
        "processes.exclusion.confirmed",
    }
    # the istruttoria is now complete
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    # the observations are part of what the portal holds about their author (GDPR art. 15)
    from processes.services.personal_data import personal_data_export as _personal_data

    held = _personal_data(entity_admin)["exclusion_observations"]
    assert [row["observations"] for row in held] == [
        "Alleghiamo la ricevuta della domanda di iscrizione al RUNTS."
    ]


def test_without_observations_the_exclusion_waits_for_the_whole_term(
    in_admission, staff_user, entity_admin, clock, django_capture_on_commit_callbacks
):
    _procedure, application = in_admission
    notice = _send(application, staff_user, django_capture_on_commit_callbacks)
    clock.set(TERM_END)
    with pytest.raises(ValidationError):  # the last second of the term still belongs to it
        services.exclusion_confirm(notice=notice, actor=staff_user, motivation="Nessuna risposta")
    clock.set(TERM_END + timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        services.exclusion_observations_submit(
            notice=notice, actor=entity_admin, observations="In ritardo"
        )
    assert "scaduto" in " ".join(exc.value.messages)
    with django_capture_on_commit_callbacks(execute=True):
        services.exclusion_confirm(
            notice=notice,
            actor=staff_user,
            motivation="Non sono pervenute osservazioni: i motivi restano.",
        )
    decision = OutgoingEmail.objects.get(template="processes_exclusion_decision")
    assert "non sono pervenute osservazioni entro il 25/03/2031" in decision.body_text.lower()


def test_the_term_is_at_least_ten_days(in_admission, staff_user):
    _procedure, application = in_admission
    with pytest.raises(ValidationError) as exc:
        services.exclusion_notice_send(
            application=application, actor=staff_user, reasons=REASONS, term_days=5
        )
    assert "term_days" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.exclusion_notice_send(application=application, actor=staff_user, reasons=" ")
    assert "reasons" in exc.value.error_dict
    assert not ExclusionNotice.objects.exists()
    notice = services.exclusion_notice_send(
        application=application, actor=staff_user, reasons=REASONS, term_days=15
    )
    assert notice.deadline == datetime(2031, 3, 30, 23, 59, 59, tzinfo=ROME)
    with pytest.raises(ValidationError):  # one open notice at a time
        services.exclusion_notice_send(application=application, actor=staff_user, reasons="x")


def test_observations_that_overcome_the_reasons_bring_the_application_back(
    in_admission, staff_user, entity_admin, clock, django_capture_on_commit_callbacks
):
    _procedure, application = in_admission
    notice = _send(application, staff_user, django_capture_on_commit_callbacks)
    services.exclusion_observations_submit(
        notice=notice, actor=entity_admin, observations="Iscritti dal 2024, sezione A."
    )
    services.exclusion_withdraw(
        notice=notice, actor=staff_user, motivation="Verificata l'iscrizione nel RUNTS."
    )
    application.refresh_from_db()
    notice.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert notice.outcome == ExclusionNotice.Outcome.WITHDRAWN
    assert entity_admin.notifications.filter(kind="processes.exclusion.withdrawn").exists()
    services.application_decide(application=application, actor=staff_user, admitted=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED


def test_no_notice_while_a_soccorso_istruttorio_is_running(
    in_admission, staff_user, clock, django_capture_on_commit_callbacks
):
    _procedure, application = in_admission
    services.integration_request_create(
        application=application,
        actor=staff_user,
        message="Manca lo statuto",
        deadline=clock.now + timedelta(days=5),
    )
    with pytest.raises(ValidationError) as exc:
        services.exclusion_notice_send(application=application, actor=staff_user, reasons=REASONS)
    assert "soccorso istruttorio" in " ".join(exc.value.messages)
    clock.shift(days=5, seconds=1)  # the entity did not answer in time
    notice = services.exclusion_notice_send(
        application=Application.objects.get(pk=application.pk), actor=staff_user, reasons=REASONS
    )
    assert notice.previous_status == ApplicationStatus.INTEGRATION


def test_below_the_threshold_only_through_the_10bis_notice(
    ambito,
    make_procedure,
    staff_user,
    operator_user,
    clock,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure(deadline=DEADLINE, threshold=Decimal("60"))
    apps = {}
    for name in ("Alfa", "Beta"):
        e = EntityFactory(ambito=ambito, name=name)
        admin = EntityMembershipFactory(entity=e).user
        apps[name] = fill_and_submit(
            services.application_start(procedure=procedure, entity=e, actor=admin), admin
        )
    clock.set(SENT)
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    for a in apps.values():
        services.application_decide(application=a, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    procedure = Procedure.objects.get(pk=procedure.pk)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=member, actor=operator_user)
    criteria = list(procedure.current_notice.criteria.all())
    for name, mark in (("Alfa", 9), ("Beta", 5)):
        services.scores_save(
            member=member,
            application=apps[name],
            values={c.pk: (Decimal(mark), "") for c in criteria},
        )
    with pytest.raises(services.TransitionRefused) as exc:
        services.procedure_transition(
            procedure=procedure, target="ranking_published", actor=staff_user
        )
    assert "10-bis" in exc.value.messages[0]

    beta = Application.objects.get(pk=apps["Beta"].pk)
    notice = _send(beta, staff_user, django_capture_on_commit_callbacks)
    assert notice.previous_status == ApplicationStatus.ADMITTED
    with pytest.raises(services.TransitionRefused):
        services.procedure_transition(
            procedure=procedure, target="ranking_published", actor=staff_user
        )
    clock.set(notice.deadline + timedelta(seconds=1))
    services.exclusion_confirm(
        notice=notice,
        actor=staff_user,
        motivation="Punteggio 50 su 100, sotto la soglia di 60; nessuna osservazione.",
    )
    services.procedure_transition(procedure=procedure, target="ranking_published", actor=staff_user)
    rows = {a.entity.name: a for a in Application.objects.filter(procedure=procedure)}
    assert rows["Alfa"].rank == 1 and rows["Alfa"].status == ApplicationStatus.ADMITTED
    assert rows["Beta"].status == ApplicationStatus.NOT_ADMITTED and rows["Beta"].rank is None


# --- pages -----------------------------------------------------------------------------------
def _url(name, pk):
    return reverse(f"processes:{name}", args=[pk])


def test_the_entity_reads_the_notice_and_answers_on_its_application_page(
    in_admission,
    client_for,
    staff_user,
    entity_admin,
    entity_delegate,
    other_entity_admin,
    clock,
    django_capture_on_commit_callbacks,
):
    _procedure, application = in_admission
    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert f'action="{_url("exclusion_notice_send", application.pk)}"' in page
    response = client_for(staff_user).post(
        _url("exclusion_notice_send", application.pk), {"reasons": REASONS, "term_days": "10"}
    )
    assert response.status_code == 302
    notice = ExclusionNotice.objects.get(application=application)

    page = client_for(entity_admin).get(application.get_absolute_url()).content.decode()
    assert "art. 10-bis" in page and "25/03/2031 23:59" in page
    assert "L&#x27;ente non risulta iscritto al RUNTS" in page
    assert f'action="{_url("exclusion_observations", notice.pk)}"' in page
    # the delegate reads it but does not answer for the entity; outsiders do not see it
    assert client_for(entity_delegate).get(application.get_absolute_url()).status_code == 200
    assert (
        client_for(entity_delegate)
        .post(_url("exclusion_observations", notice.pk), {"observations": "x"})
        .status_code
        == 403
    )
    assert (
        client_for(other_entity_admin)
        .post(_url("exclusion_observations", notice.pk), {"observations": "x"})
        .status_code
        == 404
    )
    response = client_for(entity_admin).post(
        _url("exclusion_observations", notice.pk),
        {"observations": "Siamo iscritti.", "title": "Visura", "file": pdf("visura.pdf")},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.observations == "Siamo iscritti." and notice.documents.count() == 1

    # staff now see the observations and confirm with a motivation
    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert "Siamo iscritti." in page
    assert f'action="{_url("exclusion_confirm", notice.pk)}"' in page
    response = client_for(staff_user).post(_url("exclusion_confirm", notice.pk), {"motivation": ""})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.is_open  # a motivation is needed
    response = client_for(staff_user).post(
        _url("exclusion_confirm", notice.pk),
        {"motivation": "La visura è successiva alla scadenza."},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_ADMITTED
    page = client_for(entity_admin).get(application.get_absolute_url()).content.decode()
    assert "La visura è successiva alla scadenza." in page
