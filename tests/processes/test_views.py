from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import Application, Declaration, Notice, Procedure
from tests.factories.ambito import AmbitoFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.factories.processes import NoticeFactory, ProcedureFactory
from tests.processes.conftest import fill_and_submit, in_execution, pdf
from tests.readback import body, pdftotext

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"processes:{name}", args=args)


# --- list -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [5, 50])
def test_list_has_constant_queries(client, ambito, rows, django_assert_max_num_queries):
    for _i in range(rows):
        p = ProcedureFactory(ambito=ambito, status="notice_published")
        NoticeFactory(procedure=p, published_at=timezone.now())
    ProcedureFactory(ambito=ambito, status="started", title="Riservato")
    with django_assert_max_num_queries(9):
        response = client.get(url("list"))
    assert response.status_code == 200
    assert "Riservato" not in response.content.decode()


def test_detail_queries_do_not_grow_with_notice_versions(
    client_for, ambito, staff_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from processes.models import Criterion

    procedure = ProcedureFactory(ambito=ambito, status="notice_published")
    first = NoticeFactory(procedure=procedure, published_at=timezone.now() - timedelta(days=2))
    c = client_for(staff_user)
    c.get(url("detail", procedure.pk))
    with CaptureQueriesContext(connection) as one:
        c.get(url("detail", procedure.pk))
    deadline = timezone.now() + timedelta(days=40)
    for version in (2, 3):
        notice = NoticeFactory(
            procedure=procedure, version=version, deadline=deadline, published_at=timezone.now()
        )
        Criterion.objects.create(notice=notice, name="Qualità", weight=100)
    # Staff see everything on the page (moves, applications, blocks of other apps): 32 queries.
    assert len(one.captured_queries) <= 32
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = c.get(url("detail", procedure.pk)).content.decode()
    # The deadline shown is the latest version's, not the first's.
    assert timezone.localtime(deadline).strftime("%d/%m/%Y") in body
    assert timezone.localtime(first.deadline).strftime("%d/%m/%Y") not in body


def test_list_counts_submitted_applications_per_row_without_a_join(ambito, staff_user):
    from django.contrib.auth.models import AnonymousUser

    from processes import selectors
    from tests.factories.processes import ApplicationFactory

    busy = ProcedureFactory(ambito=ambito, status="notice_published", rup=staff_user)
    empty = ProcedureFactory(ambito=ambito, status="notice_published", rup=staff_user)
    ApplicationFactory(procedure=busy, status="draft")
    ApplicationFactory.create_batch(2, procedure=busy, status="submitted")
    qs = selectors.procedures_for_list(staff_user)  # the RUP
    assert {p.pk: p.application_count for p in qs} == {busy.pk: 2, empty.pk: 0}
    # before the results, how many applied is not the public's to know
    public = selectors.procedures_for_list(AnonymousUser())
    assert {p.pk: p.application_count for p in public} == {busy.pk: None, empty.pk: None}
    # Counted per returned row: a join would aggregate every application before the LIMIT.
    assert 'JOIN "processes_application"' not in str(qs.query)


def test_list_filters(client, ambito):
    ProcedureFactory(
        ambito=ambito, status="notice_published", kind="coprogrammazione", title="Inclusione"
    )
    ProcedureFactory(
        ambito=ambito, status="notice_published", kind="coprogettazione", title="Anziani"
    )
    body = client.get(url("list"), {"kind": "coprogrammazione"}).content.decode()
    assert "Inclusione" in body and "Anziani" not in body
    body = client.get(url("list"), {"status": "closed"}).content.decode()
    assert "Inclusione" not in body


def test_the_regional_list_offers_only_the_ambiti_with_procedures_the_visitor_sees(
    client, ambito, other_ambito
):
    from ambito.models import Ambito

    ProcedureFactory(ambito=ambito, status="notice_published", title="Pubblico")
    ProcedureFactory(ambito=other_ambito, status="started", title="Riservato")
    idle = AmbitoFactory()  # no procedure at all
    page = client.get(url("list")).content.decode()
    options = re.findall(
        r'<option value="(\d+)"', page.split('name="ambito"')[1].split("</select>")[0]
    )
    assert options == [str(ambito.pk)]
    assert other_ambito.name not in page and idle.name not in page
    assert Ambito.objects.count() == 3
    # a hidden ambito typed into the URL is refused, and the list stays whole
    page = client.get(url("list"), {"ambito": other_ambito.pk}).content.decode()
    assert "Pubblico" in page and "Riservato" not in page
    # inside an ambito there is no ambito to choose
    page = client.get(f"/{ambito.code}{url('list')}").content.decode()
    assert "Pubblico" in page and 'name="ambito"' not in page


# --- start and detail -------------------------------------------------------------------------
def test_staff_start_a_procedure(client_for, staff_user, ambito):
    from entities.models import Activity

    c = client_for(staff_user)
    assert c.get(url("create")).status_code == 200
    response = c.post(
        url("create"),
        {
            "kind": "coprogettazione",
            "title": "Non autosufficienza",
            "subject": "Assistenza domiciliare",
            "activities": [Activity.objects.get(code="c").pk],
            "rup": staff_user.pk,
            "origin": "ex_officio",
            "budget": "150000",
            "duration_months": "24",
            "cup": "",
            "legal_basis": "Piano di Zona",
        },
    )
    procedure = Procedure.objects.get(title="Non autosufficienza")
    assert (
        response.status_code == 302 and procedure.status == "started" and procedure.ambito == ambito
    )


def test_entity_request_needs_the_attached_request(client_for, staff_user, entity):
    from entities.models import Activity

    response = client_for(staff_user).post(
        url("create"),
        {
            "kind": "coprogrammazione",
            "title": "Su istanza",
            "subject": "x",
            "activities": [Activity.objects.get(code="a").pk],
            "rup": staff_user.pk,
            "origin": "entity_request",
            "requesting_entity": entity.pk,
        },
    )
    assert response.status_code == 200
    assert "Allega l&#x27;istanza dell&#x27;ente." in response.content.decode()
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    "who, expected", [("entity_admin", 403), ("comune_user", 403), ("no_role_user", 403)]
)
def test_create_refused_to_non_udp(client_for, request, who, expected):
    assert client_for(request.getfixturevalue(who)).get(url("create")).status_code == expected


@pytest.mark.parametrize(
    "who, expected",
    [
        (None, 404),
        ("other_staff", 404),
        ("entity_admin", 404),
        ("comune_user", 200),
        ("staff_user", 200),
    ],
)
def test_unpublished_procedure_visible_to_staff_only(
    client_for, request, make_procedure, who, expected
):
    procedure = make_procedure(publish=False)
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).get(procedure.get_absolute_url()).status_code == expected


@pytest.mark.parametrize(
    "who, expected", [("comune_user", 403), ("other_staff", 404), ("entity_admin", 404)]
)
def test_edit_refused_and_nothing_changes(client_for, request, make_procedure, who, expected):
    procedure = make_procedure(publish=False)
    response = client_for(request.getfixturevalue(who)).post(
        url("edit", procedure.pk), {"title": "Cambiato"}
    )
    assert response.status_code == expected
    procedure.refresh_from_db()
    assert procedure.title != "Cambiato"


def test_transition_refusal_is_shown(client_for, staff_user, make_procedure):
    procedure = make_procedure()
    response = client_for(staff_user).post(
        url("transition", procedure.pk), {"target": "admission"}, follow=True
    )
    assert "non è ancora scaduto" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.status == "notice_published"


# --- notice ---------------------------------------------------------------------------------
def test_staff_draft_and_publish_the_notice(
    client_for, staff_user, make_procedure, mailoutbox, ambito, django_capture_on_commit_callbacks
):
    EntityFactory(ambito=ambito, activity_codes=["a"], email="interessato@example.org")
    procedure = make_procedure(publish=False)
    c = client_for(staff_user)
    assert c.get(url("notice_edit", procedure.pk)).status_code == 200
    deadline = (timezone.localtime() + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "subject": "Avviso",
        "requirements": "RUNTS",
        "documents_required": "Statuto",
        "deadline": deadline,
        "admission_threshold": "60",
        "criteria-TOTAL_FORMS": "6",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "6",
        "criteria-MAX_NUM_FORMS": "12",
        "criteria-0-name": "Qualità",
        "criteria-0-weight": "70",
        "criteria-1-name": "Rete",
        "criteria-1-weight": "20",
    }
    response = c.post(url("notice_edit", procedure.pk), data)
    assert "sommare a 100" in response.content.decode()
    data["criteria-1-weight"] = "30"
    response = c.post(url("notice_edit", procedure.pk), data)
    notice = Notice.objects.get(procedure=procedure)
    assert response.status_code == 302 and notice.published_at is None
    assert c.get(notice.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url("notice_publish", notice.pk))
    procedure.refresh_from_db()
    assert procedure.status == "notice_published"
    assert any(m.to == ["interessato@example.org"] for m in mailoutbox)
    public = client_for(None).get(notice.get_absolute_url())
    assert public.status_code == 200 and notice.subject in public.content.decode()


def test_draft_notice_hidden_from_public(client_for, staff_user, make_procedure):
    procedure = make_procedure()
    draft = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "B",
            "requirements": "R",
            "deadline": timezone.now() + timedelta(days=30),
            "admission_threshold": 60,
            "correction_note": "x",
        },
        criteria=[services.CriterionData("A", 100)],
    )
    assert client_for(None).get(draft.get_absolute_url()).status_code == 404
    assert client_for(staff_user).get(draft.get_absolute_url()).status_code == 200


# --- applications ---------------------------------------------------------------------------
def test_entity_admin_saves_draft_then_submits(
    client_for, entity_admin, entity, make_procedure, django_capture_on_commit_callbacks, mailoutbox
):
    procedure = make_procedure(documents_required="Statuto")
    c = client_for(entity_admin)
    assert (
        f"Prepara la domanda per {entity.name}"
        in c.get(procedure.get_absolute_url()).content.decode()
    )
    response = c.post(url("application_start", procedure.pk), {"entity": entity.pk})
    application = Application.objects.get(procedure=procedure, entity=entity)
    assert response.url == application.get_absolute_url()
    form = {
        "declarations": list(Declaration.values),
        "proposal": "La nostra proposta",
        "budget-TOTAL_FORMS": "5",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "5",
        "budget-MAX_NUM_FORMS": "30",
        "budget-0-description": "Operatori",
        "budget-0-amount": "5000",
        "budget-0-cofinancing": "500",
    }
    assert c.post(application.get_absolute_url(), {**form, "save": "1"}).status_code == 302
    response = c.post(application.get_absolute_url(), {**form, "submit": "1"})
    assert "Allega i documenti richiesti" in response.content.decode()
    c.post(url("application_document_add", application.pk), {"title": "Statuto", "file": pdf()})
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(application.get_absolute_url(), {**form, "submit": "1"})
    application.refresh_from_db()
    assert (
        response.status_code == 302
        and application.status == "submitted"
        and application.protocol_number
    )
    assert any(application.protocol_number in m.subject for m in mailoutbox)
    receipt = c.get(url("application_receipt", application.pk))
    assert receipt.status_code == 200
    text = pdftotext(body(receipt))
    assert application.protocol_number in text and entity.name in text


def test_late_submission_refused_with_message(
    client_for, entity_admin, entity, make_procedure, clock
):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
        submit=False,
    )
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    response = client_for(entity_admin).post(
        application.get_absolute_url(),
        {
            "declarations": list(Declaration.values),
            "proposal": "x",
            "budget-TOTAL_FORMS": "5",
            "budget-INITIAL_FORMS": "0",
            "budget-0-description": "a",
            "budget-0-amount": "1",
            "submit": "1",
        },
    )
    assert "non può più essere presentata" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.parametrize(
    "who, get_status, post_status",
    [
        (None, 302, 302),
        ("other_entity_admin", 404, 404),
        ("no_role_user", 404, 404),
        ("other_staff", 404, 404),
        ("entity_delegate", 200, 403),
        ("staff_user", 404, 404),  # a draft is its entity's alone, the RUP's neither
    ],
)
def test_application_permissions_per_role(
    client_for, request, entity, entity_admin, make_procedure, who, get_status, post_status
):
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    document = services.application_document_add(
        application=application, actor=entity_admin, title="Statuto", file=pdf()
    )
    c = client_for(request.getfixturevalue(who) if who else None)
    assert c.get(application.get_absolute_url()).status_code == get_status
    assert (
        c.post(
            url("application_document_add", application.pk), {"title": "X", "file": pdf()}
        ).status_code
        == post_status
    )
    assert c.get(url("application_document", document.pk)).status_code == (
        200 if get_status == 200 else get_status
    )
    assert application.documents.count() == 1


def test_commission_member_sees_applications_only_after_declaring(
    client_for, make_procedure, staff_user, operator_user, entity, entity_admin, clock
):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    # an outsider appointed to the commission
    from tests.factories.core import UserFactory

    expert = UserFactory(email="esperta@example.org")
    expert_member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=expert, role="member"
    )
    c = client_for(expert)
    assert c.get(application.get_absolute_url()).status_code == 404
    assert c.get(url("commission", procedure.pk)).status_code == 200
    c.post(url("commission_declare", procedure.pk), {"no_conflict": "1"})
    expert_member.refresh_from_db()
    assert expert_member.declared_at is not None
    assert c.get(application.get_absolute_url()).status_code == 200


def test_entity_sees_own_scores_only_after_ranking(
    client_for,
    make_procedure,
    staff_user,
    operator_user,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    clock,
):
    procedure = make_procedure()
    mine = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    theirs = fill_and_submit(
        services.application_start(
            procedure=procedure, entity=other_entity, actor=other_entity_admin
        ),
        other_entity_admin,
    )
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    for a in (mine, theirs):
        services.application_decide(application=a, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=member, actor=operator_user)
    criteria = list(Procedure.objects.get(pk=procedure.pk).current_notice.criteria.all())
    for a, v in ((mine, 7), (theirs, 9)):
        services.scores_save(
            member=member, application=a, values={c.pk: (Decimal(v), "motivo") for c in criteria}
        )
    c = client_for(entity_admin)
    assert "Punteggio (0-10)" not in c.get(mine.get_absolute_url()).content.decode()
    assert c.get(theirs.get_absolute_url()).status_code == 404
    services.procedure_transition(procedure=procedure, target="ranking_published", actor=staff_user)
    body = c.get(mine.get_absolute_url()).content.decode()
    assert "Punteggio (0-10)" in body and "70,00" in body
    public = client_for(None).get(procedure.get_absolute_url()).content.decode()
    assert other_entity.name in public and entity.name in public
    commission_page = client_for(staff_user).get(url("commission", procedure.pk)).content.decode()
    assert "Graduatoria" in commission_page and "90,00" in commission_page


def test_audit_trail_for_staff_and_participants(
    client_for, make_procedure, staff_user, entity, entity_admin, no_role_user
):
    procedure = make_procedure()
    fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    assert client_for(staff_user).get(url("audit", procedure.pk)).status_code == 200
    body = client_for(entity_admin).get(url("audit", procedure.pk)).content.decode()
    assert "Domanda presentata" in body and "Avviso pubblicato" in body
    assert client_for(no_role_user).get(url("audit", procedure.pk)).status_code == 403


def test_staff_pages_render_through_the_whole_codesign(
    client_for, make_procedure, staff_user, entity, entity_admin, clock
):
    procedure = make_procedure()
    application = fill_and_submit(
        services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
        entity_admin,
    )
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    c = client_for(staff_user)  # logged in at the (fixed) current time
    c.post(url("transition", procedure.pk), {"target": "admission", "act_reference": "Det. 5"})
    assert c.get(application.get_absolute_url()).status_code == 200
    c.post(
        url("integration_request", application.pk),
        {
            "message": "Manca il bilancio",
            "deadline": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    application.refresh_from_db()
    assert application.status == "integration"
    request = application.integration_requests.get()
    client_for(entity_admin).post(
        url("integration_answer", request.pk),
        {"answer": "Allegato", "title": "Bilancio", "file": pdf()},
    )
    c.post(url("application_decide", application.pk), {"admitted": "1"})
    application.refresh_from_db()
    assert application.status == "admitted"
    for name in (
        "detail",
        "commission",
        "document_add",
        "project_budget",
        "audit",
        "edit",
        "reopen",
        "cancel",
    ):
        target = url(name, procedure.pk)
        assert c.get(target).status_code == 200, name
    assert c.get(url("list")).status_code == 200


def test_sections_render(client_for, make_procedure, staff_user, entity_admin, entity):
    procedure = make_procedure()
    services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from core import registry

    rf = RequestFactory()
    for user, slot in ((entity_admin, "my_area"), (staff_user, "my_area"), (entity_admin, "home")):
        request = rf.get("/")
        request.user = user
        for template, ctx in registry.render(slot, request):
            render_to_string(template, {"section": ctx})
    request = rf.get("/")
    request.user = entity_admin
    blocks = dict((t, ctx) for t, ctx in registry.render("home", request))
    assert any(
        procedure.title in render_to_string(t, {"section": ctx}) for t, ctx in blocks.items()
    )


def test_multiple_entities_admin(client_for, ambito, make_procedure):
    e1, e2 = EntityFactory(ambito=ambito), EntityFactory(ambito=ambito)
    admin = EntityMembershipFactory(entity=e1).user
    EntityMembershipFactory(entity=e2, user=admin)
    procedure = make_procedure()
    body = client_for(admin).get(procedure.get_absolute_url()).content.decode()
    assert e1.name in body and e2.name in body


def test_correction_of_a_published_notice_through_the_page(client_for, staff_user, make_procedure):
    procedure = make_procedure()
    c = client_for(staff_user)
    page = c.get(url("notice_edit", procedure.pk)).content.decode()
    assert "Rettifica dell" in page and "id_correction_note" in page
    current = procedure.current_notice
    data = {
        "subject": current.subject,
        "requirements": current.requirements,
        "deadline": timezone.localtime(current.deadline + timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "admission_threshold": "60",
        "correction_note": "",
        "criteria-TOTAL_FORMS": "6",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "Qualità",
        "criteria-0-weight": "100",
    }
    assert (
        "id_correction_note-error"
        in c.post(url("notice_edit", procedure.pk), data).content.decode()
    )
    data["correction_note"] = "Proroga di tre giorni"
    c.post(url("notice_edit", procedure.pk), data)
    draft = Notice.objects.get(procedure=procedure, version=2)
    c.post(url("notice_publish", draft.pk))
    public = client_for(None).get(procedure.get_absolute_url()).content.decode()
    assert "Rettifica — versione 2" in public and "Avviso — versione 1" in public
    assert (
        "Proroga di tre giorni" in client_for(None).get(draft.get_absolute_url()).content.decode()
    )


def test_procedure_started_on_an_entity_request_keeps_the_request_private(
    client_for, staff_user, entity, entity_admin, no_role_user
):
    from entities.models import Activity

    c = client_for(staff_user)
    c.post(
        url("create"),
        {
            "kind": "coprogrammazione",
            "title": "Su istanza",
            "subject": "x",
            "activities": [Activity.objects.get(code="a").pk],
            "rup": staff_user.pk,
            "origin": "entity_request",
            "requesting_entity": entity.pk,
            "request_document": pdf("istanza.pdf"),
        },
    )
    procedure = Procedure.objects.get(title="Su istanza")
    assert procedure.requesting_entity == entity and procedure.request_document
    assert c.get(url("request_document", procedure.pk)).status_code == 200
    services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={"subject": "a", "requirements": "b", "deadline": timezone.now() + timedelta(days=5)},
    )
    services.notice_publish(notice=procedure.notices.get(), actor=staff_user)
    assert client_for(entity_admin).get(url("request_document", procedure.pk)).status_code == 200
    assert client_for(no_role_user).get(url("request_document", procedure.pk)).status_code == 403


def test_partners_and_lead_through_the_form(
    client_for, entity, entity_admin, other_entity, make_procedure
):
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    c = client_for(entity_admin)
    base = {
        "declarations": ["truth"],
        "proposal": "p",
        "budget-TOTAL_FORMS": "5",
        "budget-INITIAL_FORMS": "0",
        "save": "1",
    }
    response = c.post(application.get_absolute_url(), {**base, "lead_entity": other_entity.pk})
    assert "Il capofila deve essere tra i partner" in response.content.decode()
    c.post(
        application.get_absolute_url(),
        {**base, "partners": [other_entity.pk], "lead_entity": other_entity.pk},
    )
    application.refresh_from_db()
    assert list(application.partners.all()) == [other_entity] and application.lead == other_entity


def test_sessions_link_the_tables_meetings(client, make_procedure, table):
    from tables.models import Meeting

    procedure = make_procedure()
    Meeting.objects.create(
        table=table,
        title="Prima seduta di co-progettazione",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
        status=Meeting.Status.CONVENED,
    )
    assert (
        "Prima seduta di co-progettazione"
        in client.get(procedure.get_absolute_url()).content.decode()
    )


def test_entity_reports_costs_and_staff_accept(
    client_for, make_procedure, staff_user, entity, entity_admin, other_entity_admin
):
    procedure = make_procedure()
    in_execution(procedure, staff_user, [entity])
    c = client_for(entity_admin)
    assert c.get(url("report_create", procedure.pk)).status_code == 200
    assert client_for(other_entity_admin).get(url("report_create", procedure.pk)).status_code == 403
    response = c.post(
        url("report_create", procedure.pk),
        {
            "entity": entity.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "activities": "Visite",
            "costs-TOTAL_FORMS": "4",
            "costs-INITIAL_FORMS": "0",
            "costs-0-description": "Personale",
            "costs-0-amount": "300",
            "costs-0-document": pdf("fattura.pdf"),
        },
    )
    from processes.models import Report

    report = Report.objects.get()
    assert response.status_code == 302 and report.costs.count() == 1
    cost = report.costs.get()
    assert client_for(other_entity_admin).get(url("report_cost", cost.pk)).status_code == 404
    assert c.get(url("report_cost", cost.pk)).status_code == 200
    assert c.post(url("report_detail", report.pk), {"accept": "1"}).status_code == 403
    client_for(staff_user).post(
        url("report_detail", report.pk), {"accept": "1", "note": "Tutto in ordine"}
    )
    report.refresh_from_db()
    assert report.status == "accepted"


def test_each_party_sees_its_own_reports_on_the_procedure_page(
    client_for, make_procedure, staff_user, entity, other_entity, entity_admin, other_entity_admin
):
    """A party's reports are its own business and the staff's: the procedure page lists to a
    party only the reports it may open."""
    from processes.models import Report

    procedure = make_procedure()
    agreement = in_execution(procedure, staff_user, [entity, other_entity])
    for party, activities in ((entity, "Visite domiciliari"), (other_entity, "Trasporto sociale")):
        Report.objects.create(
            agreement=agreement,
            entity=party,
            period_start="2026-01-01",
            period_end="2026-06-30",
            activities=activities,
        )

    def listed(user) -> set[str]:
        page = client_for(user).get(procedure.get_absolute_url()).content.decode()
        return {e.name for e in (entity, other_entity) if f"{e.name}: 01/01/2026" in page}

    assert listed(entity_admin) == {entity.name}
    assert listed(other_entity_admin) == {other_entity.name}
    assert listed(staff_user) == {entity.name, other_entity.name}


def test_detail_page_has_constant_queries(client_for, ambito, staff_user, make_procedure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    procedure = make_procedure()
    c = client_for(staff_user)
    counts = []
    for rows in (3, 27):  # 3 applications, then 30
        for _i in range(rows):
            application = Application.objects.create(
                procedure=procedure,
                entity=EntityFactory(ambito=ambito),
                status="submitted",
                submitted_at=timezone.now(),
            )
            application.partners.add(EntityFactory(ambito=ambito))
        c.get(procedure.get_absolute_url())  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(procedure.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 35


def test_entity_profile_lists_procedures_it_takes_part_in(
    rf, make_procedure, staff_user, entity, entity_admin, clock
):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from core import registry

    procedure = make_procedure(Procedure.Kind.COPROGRAMMING)
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    services.application_update(
        application=application, actor=entity_admin, declarations=list(Declaration.values)
    )
    services.application_document_add(
        application=application, actor=entity_admin, title="Statuto", file=pdf()
    )
    services.application_submit(application=application, actor=entity_admin)
    clock.set(Procedure.objects.get(pk=procedure.pk).effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    services.application_decide(application=application, actor=staff_user, admitted=True)
    request = rf.get("/")
    request.user = AnonymousUser()

    def profile():
        return "".join(
            render_to_string(t, {"section": ctx})
            for t, ctx in registry.render("entity_profile", request, entity)
        )

    assert procedure.title not in profile()  # admitted, but not yet published
    services.procedure_transition(procedure=procedure, target="table", actor=staff_user)
    assert procedure.title in profile()


def test_correction_reaches_applicants_too(
    ambito, make_procedure, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = make_procedure()
    outsider = EntityFactory(ambito=ambito, activity_codes=["t"], email="gia-candidato@example.org")
    admin = EntityMembershipFactory(entity=outsider).user
    services.application_start(procedure=procedure, entity=outsider, actor=admin)
    correction = services.notice_save_draft(
        procedure=procedure,
        actor=staff_user,
        data={
            "subject": "B",
            "requirements": "R",
            "deadline": timezone.now() + timedelta(days=30),
            "admission_threshold": 60,
            "correction_note": "x",
        },
        criteria=[services.CriterionData("A", 100)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(notice=correction, actor=staff_user)
    assert any(
        m.to == ["gia-candidato@example.org"] and "Rettifica" in m.subject for m in mailoutbox
    )


def test_detail_lists_only_the_table_meetings_the_visitor_may_see(
    client_for, staff_user, make_procedure, table
):
    from tables.models import Meeting
    from tests.factories.tables import MeetingFactory

    procedure = make_procedure()
    MeetingFactory(table=table, title="Seduta convocata", status=Meeting.Status.CONVENED)
    MeetingFactory(table=table, title="Seduta in preparazione", status=Meeting.Status.DRAFT)

    public = client_for(None).get(procedure.get_absolute_url()).content.decode()
    staff = client_for(staff_user).get(procedure.get_absolute_url()).content.decode()

    assert "Seduta convocata" in public and "Seduta in preparazione" not in public
    assert "Seduta convocata" in staff and "Seduta in preparazione" in staff


def test_post_on_an_application_one_may_not_edit_is_refused(
    client_for, make_procedure, entity, entity_admin, entity_delegate, staff_user
):
    application = services.application_start(
        procedure=make_procedure(), entity=entity, actor=entity_admin
    )
    data = {"declarations": list(Declaration.values), "proposal": "Cambiata"}

    delegate = client_for(entity_delegate)
    assert delegate.get(url("application_detail", application.pk)).status_code == 200
    assert delegate.post(url("application_detail", application.pk), data).status_code == 403
    # a draft is its entity's alone: the RUP does not know it exists
    rup = client_for(staff_user)
    assert rup.get(url("application_detail", application.pk)).status_code == 404
    assert rup.post(url("application_detail", application.pk), data).status_code == 404
    application.refresh_from_db()
    assert application.proposal == ""


def test_entity_admin_withdraws_a_submitted_application(
    client_for, entity_admin, entity, entity_delegate, staff_user, make_procedure
):
    from processes import services
    from tests.processes.conftest import fill_and_submit

    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(application, entity_admin)
    withdraw = url("application_withdraw", application.pk)
    admin = client_for(entity_admin)
    assert "Ritira la domanda" in admin.get(application.get_absolute_url()).content.decode()
    for who in (entity_delegate, staff_user):
        page = client_for(who).get(application.get_absolute_url()).content.decode()
        assert "Ritira la domanda" not in page
        assert client_for(who).post(withdraw, {"confirm": "on"}).status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"

    response = admin.post(withdraw, {"reason": "Errore"}, follow=True)
    assert "Conferma di voler ritirare la domanda." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"

    response = admin.post(withdraw, {"reason": "Errore", "confirm": "on"}, follow=True)
    assert "Domanda ritirata" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft" and application.protocol_number == ""
    assert "Presenta la domanda" in response.content.decode()


def test_list_rows_show_activity_codes_and_the_latest_published_deadline(client, ambito):
    """Each row: its activities' codes ("a) b)"), the deadline of its latest published notice
    (a draft version does not count; none for an open list without one; a dash with none)."""
    from entities.models import Activity

    when = timezone.localtime().replace(microsecond=0) + timedelta(days=30)
    with_notice = ProcedureFactory(ambito=ambito, status="notice_published", title="Con avviso")
    with_notice.activities.add(*Activity.objects.filter(code__in=["b", "a"]))
    NoticeFactory(procedure=with_notice, version=1, published_at=timezone.now())
    NoticeFactory(procedure=with_notice, version=2, published_at=timezone.now(), deadline=when)
    NoticeFactory(procedure=with_notice, version=3, published_at=None)
    open_list = ProcedureFactory(ambito=ambito, status="notice_published", title="Elenco")
    NoticeFactory(procedure=open_list, published_at=timezone.now(), deadline=None)
    ProcedureFactory(ambito=ambito, status="notice_published", title="Senza avviso")
    rows = {
        row.split("</a>")[0].rsplit(">", 1)[-1]: row
        for row in client.get(url("list")).content.decode().split('<th scope="row">')[1:]
    }
    assert '<div class="small text-muted">a) b)</div>' in rows["Con avviso"]
    assert f"<td>{when:%d/%m/%Y %H:%M}</td>" in rows["Con avviso"]
    assert "<td></td>" in rows["Elenco"]
    assert "<td>—</td>" in rows["Senza avviso"]


def test_detail_reads_reopenings_and_steps_once(client_for, ambito, staff_user):
    """The timeline, the deadline and the statuses passed share one read of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from processes.models import WindowReopening

    procedure = ProcedureFactory(ambito=ambito, status="notice_published")
    NoticeFactory(procedure=procedure, published_at=timezone.now() - timedelta(days=2))
    until = timezone.now() + timedelta(days=90)
    for days in (60, 90, 30):
        WindowReopening.objects.create(
            procedure=procedure, until=timezone.now() + timedelta(days=days), reason="Proroga"
        )
    c = client_for(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url("detail", procedure.pk))
    assert response.context["procedure"].effective_deadline.date() == until.date()
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "processes_windowreopening"' in q for q in sql) == 1
    assert sum('FROM "processes_procedurestep"' in q for q in sql) == 1


def test_the_procedures_filter_fields_follow_the_query(client, ambito):
    url = reverse("processes:list")
    client.get(url)
    html = client.get(url, {"kind": "coprogettazione"}).content.decode()
    assert '<option value="coprogettazione" selected>' in html
    html = client.get(url, {"kind": "nessuno"}).content.decode()
    assert 'aria-invalid="true"' in html
    html = client.get(url, {"page": "1"}).content.decode()
    assert "aria-invalid" not in html
    assert '<option value="" selected>' in html.split('id="id_kind"')[1].split("</select>")[0]
