import re
from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import BudgetLine, FundAvailability, Intervention, Plan, PlanComment, Section
from tables.models import Table, TableMembership
from tests.factories.plans import fill_plan, make_plan, source
from tests.readback import xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ambito, staff_user):
    return make_plan(ambito, user=staff_user)


def test_staff_creates_a_plan(client_for, staff_user, ambito):
    r = client_for(staff_user).post(
        reverse("plans:create"),
        {
            "ambito": ambito.pk,
            "title": "Piano sociale di zona",
            "start_year": 2025,
            "end_year": 2027,
        },
    )
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == plan.get_absolute_url()
    assert plan.sections.count() == 10


def test_plan_create_refuses_reversed_period_next_to_the_field(client_for, staff_user, ambito):
    r = client_for(staff_user).post(
        reverse("plans:create"),
        {"ambito": ambito.pk, "title": "P", "start_year": 2027, "end_year": 2025},
    )
    assert r.status_code == 200
    assert "L&#x27;anno di fine non può precedere" in r.content.decode()
    assert not Plan.objects.exists()


@pytest.mark.parametrize("who", ["comune_user", "entity_admin", "no_role_user"])
def test_only_ufficio_di_piano_creates_plans(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("plans:create")).status_code == 403


def test_draft_is_hidden_from_outsiders(client_for, plan, other_staff, entity_admin, client):
    for c in (client_for(other_staff), client_for(entity_admin), client):
        assert c.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
        assert c.get(reverse("plans:budget", args=[plan.pk])).status_code == 404


def test_comune_staff_reads_but_cannot_write(client_for, plan, comune_user):
    c = client_for(comune_user)
    assert c.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    section = plan.sections.first()
    r = c.post(
        reverse("plans:section_edit", args=[plan.pk, section.pk]),
        {"title": "Cambiato", "body": "<p>x</p>"},
    )
    assert r.status_code == 403
    assert Section.objects.get(pk=section.pk).title == section.title
    assert c.post(reverse("plans:funds", args=[plan.pk]), {}).status_code == 403


def test_section_body_is_sanitised(client_for, plan, staff_user):
    section = plan.sections.get(order=20)
    body = '<p onclick="x()">Testo <strong>forte</strong></p><script>alert(1)</script><a href="javascript:x">l</a>'
    r = client_for(staff_user).post(
        reverse("plans:section_edit", args=[plan.pk, section.pk]),
        {"title": section.title, "body": body},
    )
    assert r.status_code == 302
    section.refresh_from_db()
    assert "<strong>forte</strong>" in section.body
    assert (
        "script" not in section.body
        and "onclick" not in section.body
        and "javascript" not in section.body
    )


def test_fund_map_saves_and_refuses_bad_amounts(client_for, plan, staff_user):
    c = client_for(staff_user)
    fnps = source("fnps")
    url = reverse("plans:funds", args=[plan.pk])
    r = c.post(
        url,
        {
            f"amount_{fnps.pk}_2025": "1.234,56",
            f"amount_{fnps.pk}_2026": "-5",
            f"amount_{fnps.pk}_2027": "abc",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "non può essere negativo" in html and "Importo non valido" in html
    assert not FundAvailability.objects.exists()
    r = c.post(url, {f"amount_{fnps.pk}_2025": "1.234,56", f"amount_{fnps.pk}_2026": "2000"})
    assert r.status_code == 302
    assert dict(FundAvailability.objects.values_list("year", "amount")) == {
        2025: Decimal("1234.56"),
        2026: Decimal("2000.00"),
    }
    html = c.get(url).content.decode()
    assert "3.234,56\xa0€" in html  # total of the source over the years


def _intervention_data(plan, area, **over):
    data = {
        "code": "INC-01",
        "title": "Tirocini di inclusione",
        "area": area.pk,
        "objective": "60 tirocini l'anno",
        "description": "<p>Descrizione</p>",
        "runner": "ambito",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "indicators-0-name": "Tirocini attivati",
        "indicators-0-unit": "tirocini",
        "indicators-0-target": "60",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "1000",
        "budget-0-source": source("fnps").pk,
        "budget-0-year": "2025",
        "budget-0-amount": "1.500,00",
        "budget-1-source": source("fnps").pk,
        "budget-1-year": "2026",
        "budget-1-amount": "700",
    }
    data.update(over)
    return data


def test_intervention_with_budget_and_over_allocation_warning(client_for, plan, staff_user):
    from entities.models import TargetGroup

    FundAvailability.objects.create(
        plan=plan, source=source("fnps"), year=2025, amount=Decimal("1000")
    )
    area = TargetGroup.objects.get(code="poverta")
    r = client_for(staff_user).post(
        reverse("plans:intervention_create", args=[plan.pk]),
        _intervention_data(plan, area),
        follow=True,
    )
    item = Intervention.objects.get()
    assert sorted(item.budget_lines.values_list("year", "amount")) == [
        (2025, Decimal("1500.00")),
        (2026, Decimal("700.00")),
    ]
    html = r.content.decode()
    assert "sovra-assegnata di 500,00\xa0€" in html
    assert item.indicators.get().target == Decimal("60")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget-0-year", "2031", "fuori dal periodo del piano"),
        ("budget-0-amount", "-3", "non può essere negativo"),
        ("budget-0-amount", "1,234", "due decimali"),
    ],
)
def test_intervention_refuses_bad_budget_next_to_field(
    client_for, plan, staff_user, field, value, message
):
    from entities.models import TargetGroup

    area = TargetGroup.objects.first()
    r = client_for(staff_user).post(
        reverse("plans:intervention_create", args=[plan.pk]),
        _intervention_data(plan, area, **{field: value}),
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert re.search(rf'id="id_{field}-error">[^<]*{message}', html), html[:200]
    assert not Intervention.objects.exists() and not BudgetLine.objects.exists()


def test_runner_entity_required_when_chosen(client_for, plan, staff_user):
    from entities.models import TargetGroup

    data = _intervention_data(plan, TargetGroup.objects.first(), runner="entity")
    r = client_for(staff_user).post(reverse("plans:intervention_create", args=[plan.pk]), data)
    assert "Indica l&#x27;ente" in r.content.decode()


def test_approved_plan_editing_is_refused_with_a_message(client_for, ambito, staff_user):
    plan = make_plan(ambito, user=staff_user, status=Plan.Status.APPROVED, version=1)
    section = plan.sections.first()
    c = client_for(staff_user)
    r = c.post(
        reverse("plans:section_edit", args=[plan.pk, section.pk]),
        {"title": "X", "body": ""},
        follow=True,
    )
    assert "Il piano è approvato" in r.content.decode()
    assert Section.objects.get(pk=section.pk).title == section.title
    r = c.get(reverse("plans:funds", args=[plan.pk]), follow=True)
    assert r.redirect_chain[-1][0] == plan.get_absolute_url()


def test_consultation_comments_by_table_members_only(
    client_for, ambito, staff_user, entity_admin, no_role_user
):
    plan = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    table = Table.objects.create(ambito=ambito, name="Inclusione", slug="inclusione")
    TableMembership.objects.create(
        table=table, kind="entity", delegate=entity_admin, status="active"
    )
    url = reverse("plans:comment_create", args=[plan.pk])
    assert client_for(no_role_user).post(url, {"body": "x"}).status_code == 403
    r = client_for(entity_admin).post(url, {"body": "Serve più attenzione ai caregiver."})
    assert r.status_code == 302
    assert PlanComment.objects.get().author == entity_admin
    assert (
        "Serve più attenzione"
        in client_for(no_role_user).get(plan.get_absolute_url()).content.decode()
    )


def test_public_reads_approved_plan_and_downloads_xlsx(client, ambito, staff_user):
    plan = make_plan(
        ambito, user=staff_user, status=Plan.Status.APPROVED, version=1, approval_act_number="7"
    )
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200 and plan.title in page.content.decode()
    workbook = client.get(reverse("plans:budget_xlsx", args=[plan.pk]))
    assert workbook.status_code == 200
    assert list(xlsx_rows(workbook.content)) == ["Fonti e anni", "Aree", "Interventi"]
    assert client.get(reverse("plans:export", args=[plan.pk])).status_code == 302  # login first


def test_needs_and_services_by_entity_and_staff(
    client_for, plan, entity_admin, staff_user, other_entity_admin, other_ambito
):
    from entities.models import TargetGroup
    from plans.models import Need, Service

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION)
    area = TargetGroup.objects.get(code="anziani")
    url = reverse("plans:need_create", args=[plan.pk])
    r = client_for(entity_admin).post(
        url, {"title": "Solitudine degli anziani", "area": area.pk, "target": "over 75"}
    )
    assert r.status_code == 302
    need = Need.objects.get()
    assert need.entity.memberships.filter(user=entity_admin).exists()
    r = client_for(staff_user).post(
        reverse("plans:service_create", args=[plan.pk]),
        {"name": "SAD", "area": area.pk, "target": "anziani", "run_by": "Cooperativa"},
    )
    assert r.status_code == 302 and Service.objects.get().entity is None
    html = client_for(staff_user).get(plan.get_absolute_url()).content.decode()
    assert "Solitudine degli anziani" in html and "SAD" in html


@pytest.fixture
def reserved_and_public_procedures(ambito):
    from tests.factories.processes import ProcedureFactory

    return (
        ProcedureFactory(ambito=ambito, title="Riservato: gara in preparazione", status="draft"),
        ProcedureFactory(ambito=ambito, title="Co-progettazione pubblicata", status="published"),
    )


@pytest.mark.parametrize("name", ["plans:need_create", "plans:service_create"])
def test_a_draft_plan_is_not_shown_to_entity_people_through_the_mapping_forms(
    client_for, plan, entity_admin, name
):
    Plan.objects.filter(pk=plan.pk).update(title="Bozza riservata del piano")
    r = client_for(entity_admin).get(reverse(name, args=[plan.pk]))
    assert r.status_code == 404
    assert "Bozza riservata del piano" not in r.content.decode()


def test_report_a_need_offers_entity_people_only_what_they_may_see(
    client_for, plan, entity_admin, staff_user, reserved_and_public_procedures
):
    from entities.models import TargetGroup
    from plans.models import Need

    reserved, public = reserved_and_public_procedures
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION)
    url = reverse("plans:need_create", args=[plan.pk])
    html = client_for(entity_admin).get(url).content.decode()
    assert public.title in html
    assert reserved.title not in html
    assert reserved.title in client_for(staff_user).get(url).content.decode()

    area = TargetGroup.objects.get(code="anziani")
    r = client_for(entity_admin).post(
        url, {"title": "Trasporto sociale", "area": area.pk, "source_procedure": reserved.pk}
    )
    assert r.status_code == 200 and not Need.objects.exists()
    assert "Scegli un&#x27;opzione valida" in r.content.decode()
    assert reserved.title not in r.content.decode()


# The most queries each page may run for staff (session, roles, layout included).
PAGES = {"plans:detail": 25, "plans:budget": 17, "plans:funds": 18, "plans:export": 12}


@pytest.mark.parametrize("name", PAGES)
def test_plan_pages_use_constant_queries(
    client_for, ambito, staff_user, django_assert_max_num_queries, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (5, 50):
        plan = make_plan(
            ambito, user=staff_user, start_year=2020 + n // 10, end_year=2022 + n // 10
        )
        fill_plan(plan, n)
        c = client_for(staff_user)
        c.get(reverse(name, args=[plan.pk]))  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse(name, args=[plan.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(PAGES[name]):
        c.get(reverse(name, args=[plan.pk]))


def test_intervention_page_constant_queries(client_for, ambito, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(ambito, user=staff_user)
    small, big = fill_plan(plan, 50)[:2]
    BudgetLine.objects.bulk_create(
        BudgetLine(intervention=big, source=source(code), year=2026, amount=1)
        for code in ["fna", "asl", "l285", "regionale"]
    )
    c = client_for(staff_user)
    c.get(small.get_absolute_url())
    counts = []
    for item in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(item.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_plan_list_constant_queries(client_for, ambito, staff_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("plans:list"))
    counts = []
    for n in (5, 30):
        for i in range(n - Plan.objects.count()):
            make_plan(
                ambito,
                user=staff_user,
                start_year=2000 + i,
                end_year=2000 + i,
                status=Plan.Status.APPROVED,
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plans:list")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_staff_extend_the_funding_sources(client_for, plan, staff_user, other_staff):
    from plans.models import FundingSource
    from plans.selectors import sources_for

    r = client_for(staff_user).post(
        reverse("plans:source_create", args=[plan.pk]),
        {"name": "Fondo della Fondazione Carifano", "kind": "private"},
    )
    assert r.status_code == 302
    created = FundingSource.objects.get(name="Fondo della Fondazione Carifano")
    assert created.ambito == plan.ambito
    assert created in sources_for(plan.ambito_id)
    assert created not in sources_for(other_staff.staff_roles.get().ambito_id)
    assert (
        client_for(other_staff)
        .post(reverse("plans:source_create", args=[plan.pk]), {"name": "X", "kind": "private"})
        .status_code
        == 404
    )


def test_versions_page_and_revision(
    client_for, ambito, staff_user, client, django_capture_on_commit_callbacks
):
    from datetime import date

    from plans import services

    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 2)
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(
            plan=plan, act_number="3", act_date=date(2025, 1, 10), user=staff_user
        )
    r = client.get(reverse("plans:version", args=[plan.pk, 1]))
    assert r.status_code == 200 and "Intervento numero 1" in r.content.decode()
    r = client.get(reverse("plans:version_pdf", args=[plan.pk, 1]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert (
        client_for(staff_user).post(reverse("plans:start_revision", args=[plan.pk])).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    # the draft revision is not public; the approved version stays public
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    version = client.get(reverse("plans:version", args=[plan.pk, 1]))
    assert version.status_code == 200 and plan.title in version.content.decode()


def test_plan_page_lists_the_first_participants_and_counts_the_others(
    client_for, ambito, staff_user, monkeypatch
):
    from plans.selectors import path
    from tests.factories.entities import EntityFactory

    monkeypatch.setattr(path, "PATH_LIMIT", 2)
    table = Table.objects.create(ambito=ambito, name="Famiglia", slug="famiglia")
    for name in ["Ente A", "Ente B", "Ente C", "Ente D"]:
        TableMembership.objects.create(
            table=table,
            kind="entity",
            entity=EntityFactory(ambito=ambito, name=name),
            delegate=staff_user,
            status="active",
        )
    plan = make_plan(ambito, user=staff_user)
    html = client_for(staff_user).get(plan.get_absolute_url()).content.decode()
    assert "Ente A" in html and "Ente B" in html and "Ente C" not in html
    assert "e altri 2 enti" in html


@pytest.mark.parametrize("name", ["plans:detail", "plans:budget"])
def test_plan_pages_link_every_intervention(client_for, ambito, staff_user, name):
    plan = make_plan(ambito, user=staff_user)
    items = fill_plan(plan, 3)
    html = client_for(staff_user).get(reverse(name, args=[plan.pk])).content.decode()
    for item in items:
        assert f'href="{item.get_absolute_url()}"' in html
