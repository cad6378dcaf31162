"""Accreditamento (art. 55 c. 4 CTS): an open list that entities join at any time, each admission
dated, later suspensions and removals dated and motivated, all public; a co-progettazione may
draw on it (only the entities accredited when it opened may apply, and they are told)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutgoingEmail
from entities.models import Activity
from processes import services, workflow
from processes.models import Accreditation, AccreditationEvent, Procedure
from processes.permissions import procedure_policy
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.processes.conftest import fill_and_submit

ROME = ZoneInfo("Europe/Rome")
pytestmark = pytest.mark.django_db


def _at(day, hour=10):
    return datetime(2031, 3, day, hour, 0, tzinfo=ROME)


@pytest.fixture
def open_list(ambito, staff_user, clock, django_capture_on_commit_callbacks):
    """An accreditamento published on 1 March 2031 with no closing date."""
    clock.set(_at(1, 9))
    procedure = services.procedure_create(
        ambito=ambito,
        actor=staff_user,
        data={
            "kind": Procedure.Kind.ACCREDITATION,
            "title": "Elenco dei fornitori di assistenza domiciliare",
            "subject": "Accreditamento per l'assistenza domiciliare",
            "rup": staff_user,
        },
        activities=Activity.objects.filter(code="a"),
    )
    notice = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={"subject": "Avviso di accreditamento", "requirements": "RUNTS", "deadline": None},
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(notice=notice, actor=staff_user)
    return Procedure.objects.get(pk=procedure.pk)


def _accredit(procedure, entity, admin, staff_user):
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=admin), admin
    )
    return services.application_decide(application=application, actor=staff_user, admitted=True)


def _member(ambito, name, **kwargs):
    entity = EntityFactory(ambito=ambito, name=name, **kwargs)
    return entity, EntityMembershipFactory(entity=entity).user


def test_entities_join_the_open_list_at_any_time_each_admission_dated(
    client, ambito, open_list, staff_user, clock, django_capture_on_commit_callbacks
):
    procedure = open_list
    assert procedure.status == workflow.NOTICE_PUBLISHED and procedure.effective_deadline is None
    assert procedure.accepts_applications
    assert [m.target for m in workflow.moves_from(procedure.kind, procedure.status)] == ["closed"]

    alfa, alfa_admin = _member(ambito, "Cooperativa Alfa")
    beta, beta_admin = _member(ambito, "Associazione Beta")
    clock.set(_at(3))
    _accredit(procedure, alfa, alfa_admin, staff_user)  # no "close applications" step
    clock.set(_at(20))  # weeks later, the list still takes applications
    _accredit(procedure, beta, beta_admin, staff_user)

    rows = {a.entity.name: a for a in Accreditation.objects.filter(procedure=procedure)}
    assert rows["Cooperativa Alfa"].admitted_at == _at(3)
    assert rows["Associazione Beta"].admitted_at == _at(20)
    assert all(a.status == Accreditation.Status.ACTIVE for a in rows.values())
    assert alfa_admin.notifications.filter(kind="processes.accreditation.granted").exists()
    # each admission is on the procedure's record: its history shows it to an applicant
    assert (
        procedure_policy.history(beta_admin, procedure)
        .filter(action="processes.accreditation.granted")
        .count()
        == 2
    )

    clock.set(_at(25))
    with django_capture_on_commit_callbacks(execute=True):
        services.accreditation_change(
            accreditation=rows["Cooperativa Alfa"],
            actor=staff_user,
            kind=AccreditationEvent.Kind.SUSPENDED,
            reason="DURC irregolare alla verifica periodica",
        )
    clock.set(_at(28))
    services.accreditation_change(
        accreditation=rows["Associazione Beta"],
        actor=staff_user,
        kind=AccreditationEvent.Kind.REMOVED,
        reason="Cancellazione dal RUNTS",
    )
    email = OutgoingEmail.objects.get(template="processes_accreditation_change", to=alfa.email)
    assert "DURC irregolare alla verifica periodica" in email.body_text
    assert "Sospeso" in email.subject
    with pytest.raises(ValidationError):  # a removed entity cannot be suspended
        services.accreditation_change(
            accreditation=rows["Associazione Beta"],
            actor=staff_user,
            kind=AccreditationEvent.Kind.SUSPENDED,
            reason="x",
        )
    with pytest.raises(ValidationError) as exc:
        services.accreditation_change(
            accreditation=rows["Cooperativa Alfa"],
            actor=staff_user,
            kind=AccreditationEvent.Kind.REINSTATED,
            reason=" ",
        )
    assert "reason" in exc.value.error_dict

    # the public record: who, admitted when, and every later change with its date and reason
    page = client.get(procedure.get_absolute_url()).content.decode()
    section = re.search(r'aria-labelledby="accredited-heading">(.*?)</section>', page, re.S)
    assert section is not None
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(1))))
    assert "Cooperativa Alfa" in text and "03/03/2031" in text
    assert "Sospeso il 25/03/2031: DURC irregolare alla verifica periodica" in text
    assert "Associazione Beta" in text and "20/03/2031" in text
    assert "Cancellato dall'elenco il 28/03/2031: Cancellazione dal RUNTS" in text

    # closing waits for the pending applications, then ends admissions and changes
    gamma, gamma_admin = _member(ambito, "Fondazione Gamma")
    pending = fill_and_submit(
        services.application_start(procedure=procedure, entity=gamma, actor=gamma_admin),
        gamma_admin,
    )
    with pytest.raises(services.TransitionRefused):
        services.procedure_transition(procedure=procedure, target="closed", actor=staff_user)
    services.application_decide(application=pending, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="closed", actor=staff_user)
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert procedure.status_label == "Elenco chiuso" and not procedure.accepts_applications
    with pytest.raises(ValidationError):
        services.accreditation_change(
            accreditation=rows["Cooperativa Alfa"],
            actor=staff_user,
            kind=AccreditationEvent.Kind.REINSTATED,
            reason="Regolarizzato",
        )


def test_a_codesign_drawing_on_the_list_admits_only_who_was_accredited_when_it_opened(
    client,
    ambito,
    open_list,
    staff_user,
    clock,
    table,
    django_capture_on_commit_callbacks,
):
    from decimal import Decimal

    on_list, on_list_admin = _member(ambito, "Cooperativa Accreditata")
    suspended, suspended_admin = _member(ambito, "Associazione Sospesa")
    late, late_admin = _member(ambito, "Impresa Sociale Tardiva")
    outsider, outsider_admin = _member(ambito, "Associazione Esterna")
    clock.set(_at(3))
    _accredit(open_list, on_list, on_list_admin, staff_user)
    _accredit(open_list, suspended, suspended_admin, staff_user)
    clock.set(_at(4))
    services.accreditation_change(
        accreditation=Accreditation.objects.get(entity=suspended),
        actor=staff_user,
        kind=AccreditationEvent.Kind.SUSPENDED,
        reason="Verifica in corso",
    )

    clock.set(_at(10))
    codesign = services.procedure_create(
        ambito=ambito,
        actor=staff_user,
        data={
            "kind": Procedure.Kind.CODESIGN,
            "title": "Co-progettazione del servizio domiciliare",
            "subject": "Progetto",
            "rup": staff_user,
            "budget": Decimal("50000"),
            "duration_months": 12,
            "legal_basis": "Piano di Zona",
            "accreditation_list": open_list,
        },
        activities=Activity.objects.filter(code="a"),
    )
    notice = services.notice_save_draft(
        procedure=codesign,
        actor=staff_user,
        data={
            "subject": "Avviso",
            "requirements": "Accreditamento",
            "deadline": _at(31),
            "admission_threshold": 60,
        },
        criteria=[services.CriterionData("Qualità", 100)],
    )
    OutgoingEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(notice=notice, actor=staff_user)
    # told when it opens: the accredited entities only (the others match by activity too)
    told = set(
        OutgoingEmail.objects.filter(template="processes_notice").values_list("to", flat=True)
    )
    assert told == {on_list.email}
    body = OutgoingEmail.objects.get(template="processes_notice").body_text
    assert "riservato agli enti accreditati nell'elenco" in body
    assert on_list_admin.notifications.filter(kind="processes.notice").exists()
    assert not suspended_admin.notifications.filter(kind="processes.notice").exists()

    clock.set(_at(12))
    _accredit(open_list, late, late_admin, staff_user)  # after the opening: too late for it
    codesign = Procedure.objects.get(pk=codesign.pk)
    application = services.application_start(
        procedure=codesign, entity=on_list, actor=on_list_admin
    )
    for entity, admin in (
        (suspended, suspended_admin),
        (late, late_admin),
        (outsider, outsider_admin),
    ):
        with pytest.raises(ValidationError) as exc:
            services.application_start(procedure=codesign, entity=entity, actor=admin)
        assert "accreditati nell'elenco" in exc.value.messages[0]
        assert "10/03/2031" in exc.value.messages[0]

    # suspended after starting its application: it cannot submit while suspended
    fill_and_submit(application, on_list_admin, submit=False)
    services.accreditation_change(
        accreditation=Accreditation.objects.get(entity=on_list),
        actor=staff_user,
        kind=AccreditationEvent.Kind.SUSPENDED,
        reason="Verifica",
    )
    with pytest.raises(ValidationError):
        services.application_submit(application=application, actor=on_list_admin)
    services.accreditation_change(
        accreditation=Accreditation.objects.get(entity=on_list),
        actor=staff_user,
        kind=AccreditationEvent.Kind.REINSTATED,
        reason="Verifica positiva",
    )
    assert (
        services.application_submit(application=application, actor=on_list_admin).status
        == "submitted"
    )

    page = client.get(codesign.get_absolute_url()).content.decode()
    assert "Riservata agli enti accreditati nell'elenco" in page
    assert open_list.get_absolute_url() in page


def test_only_a_codesign_draws_on_a_list_of_its_own_ambito(
    ambito, other_ambito, open_list, staff_user
):
    with pytest.raises(ValidationError) as exc:
        services.procedure_create(
            ambito=ambito,
            actor=staff_user,
            data={
                "kind": Procedure.Kind.COPROGRAMMING,
                "title": "Tavolo",
                "subject": "x",
                "rup": staff_user,
                "accreditation_list": open_list,
            },
        )
    assert "accreditation_list" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.procedure_create(
            ambito=other_ambito,
            actor=staff_user,
            data={
                "kind": Procedure.Kind.CODESIGN,
                "title": "Altrove",
                "subject": "x",
                "rup": staff_user,
                "accreditation_list": open_list,
            },
        )
    assert "accreditation_list" in exc.value.error_dict


def test_staff_change_an_accreditation_from_the_list(
    client_for, ambito, open_list, staff_user, comune_user, entity, entity_admin, clock
):
    from django.urls import reverse

    clock.set(timezone.now())
    _accredit(open_list, entity, entity_admin, staff_user)
    accreditation = Accreditation.objects.get(entity=entity)
    url = reverse("processes:accreditation_change", args=[accreditation.pk])
    data = {"kind": "suspended", "reason": "Verifica del DURC"}
    for user, status in ((entity_admin, 403), (comune_user, 403)):
        assert client_for(user).post(url, data).status_code == status
    assert accreditation.events.count() == 1
    page = client_for(staff_user).get(open_list.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page
    assert client_for(staff_user).get(url).status_code == 200
    assert client_for(staff_user).post(url, data).status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Accreditation.Status.SUSPENDED


@pytest.mark.parametrize("rows", [3, 30])
def test_the_public_list_reads_in_constant_queries(
    client, ambito, open_list, staff_user, clock, rows, django_assert_max_num_queries
):
    for i in range(rows):
        entity, admin = _member(ambito, f"Ente {i:02d}")
        application = services.application_start(procedure=open_list, entity=entity, actor=admin)
        from processes.models import Application

        Application.objects.filter(pk=application.pk).update(status="submitted")
        services.application_decide(application=application, actor=staff_user, admitted=True)
        if i % 3 == 0:
            services.accreditation_change(
                accreditation=Accreditation.objects.get(entity=entity),
                actor=staff_user,
                kind=AccreditationEvent.Kind.SUSPENDED,
                reason=f"Verifica {i}",
            )
    with django_assert_max_num_queries(20):
        page = client.get(open_list.get_absolute_url()).content.decode()
    assert page.count("Verifica ") == len(range(0, rows, 3))
