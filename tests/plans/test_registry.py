import pytest

from core import registry
from plans.models import Plan
from tables.models import Table
from tests.factories.plans import InterventionFactory, make_plan

pytestmark = pytest.mark.django_db


def test_home_block_shows_current_plan_and_status(rf, ambito, staff_user):
    from django.contrib.auth.models import AnonymousUser

    make_plan(ambito, user=staff_user, start_year=2022, end_year=2024, status=Plan.Status.APPROVED)
    current = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    request = rf.get("/")
    request.user = AnonymousUser()
    blocks = dict(registry.render("home", request))
    assert blocks["plans/sections/home.html"]["plan"] == current


def test_home_page_renders_the_block(client, ambito, staff_user):
    make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    html = client.get("/").content.decode()
    assert "Piano sociale di zona 2025-2027" in html and "In consultazione" in html


def test_table_page_block_lists_interventions_from_the_table(rf, ambito, staff_user):
    from django.contrib.auth.models import AnonymousUser

    table = Table.objects.create(ambito=ambito, name="Famiglia", slug="famiglia")
    draft = make_plan(ambito, user=staff_user, start_year=2028, end_year=2030)
    public = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    InterventionFactory(plan=public, source_table=table, title="Centro per le famiglie")
    InterventionFactory(plan=draft, source_table=table, title="Bozza riservata")
    request = rf.get("/")
    request.user = AnonymousUser()
    ((template, ctx),) = [
        b for b in registry.render("table_page", request, table) if b[0].startswith("plans/")
    ]
    assert [i.title for i in ctx["interventions"]] == ["Centro per le famiglie"]
    request.user = staff_user
    ((template, ctx),) = [
        b for b in registry.render("table_page", request, table) if b[0].startswith("plans/")
    ]
    assert len(ctx["interventions"]) == 2


def test_accepted_proposal_shows_the_intervention_it_became(rf, ambito, staff_user):
    from django.contrib.auth.models import AnonymousUser

    from participation.models import Proposal

    table = Table.objects.create(ambito=ambito, name="Inclusione", slug="inclusione")
    proposal = Proposal.objects.create(
        ambito=ambito,
        table=table,
        author=staff_user,
        title="Sportello unico",
        text="...",
        status=Proposal.Status.ACCEPTED,
    )
    public = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    InterventionFactory(plan=public, source_proposal=proposal, title="Sportello unico di ambito")
    request = rf.get("/")
    request.user = AnonymousUser()
    ((template, ctx),) = [
        b for b in registry.render("proposal_page", request, proposal) if b[0].startswith("plans/")
    ]
    assert [i.title for i in ctx["interventions"]] == ["Sportello unico di ambito"]
    assert ctx["from_proposal"] is True
