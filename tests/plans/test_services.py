from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from ambito.funds import FUNDS
from core.models import AuditEvent, Notification
from plans import selectors, services
from plans.models import FundAvailability, Plan, PlanVersion, Section
from plans.reference import STANDARD_SECTIONS
from tables.models import Table, TableMembership
from tests.factories.plans import (
    BudgetLineFactory,
    InterventionFactory,
    fill_plan,
    make_plan,
    source,
)

pytestmark = pytest.mark.django_db


def test_standard_funding_sources_are_seeded():
    from plans.models import FundingSource

    assert FundingSource.objects.filter(ambito=None).count() == len(FUNDS)


def test_standard_funding_sources_are_the_one_list_of_funds():
    """The Mappafondo's standard rows are ambito.funds.FUNDS, the list processes also uses:
    the same codes, names, kinds and order (with "pnrr-m5c2", added by plans 0005)."""
    from plans.models import FundingSource

    rows = FundingSource.objects.filter(ambito=None).values_list("code", "name", "kind", "order")
    assert sorted(rows) == sorted((f.code, f.name, str(f.kind), f.order) for f in FUNDS)
    assert FundingSource.objects.get(ambito=None, code="pnrr-m5c2").get_kind_display() == (
        "Europeo / PNRR"
    )


def test_plan_create_seeds_the_art_19_sections_and_audits(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    titles = list(plan.sections.order_by("order").values_list("title", flat=True))
    assert titles == [t for _, t, _ in STANDARD_SECTIONS]
    assert AuditEvent.objects.filter(action="plans.plan.created", object_id=str(plan.pk)).exists()


def test_plan_period_validated(ambito, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            ambito=ambito, title="P", start_year=2027, end_year=2025, created_by=staff_user
        )
    assert "precedere" in str(exc.value)
    with pytest.raises(ValidationError):
        services.plan_create(
            ambito=ambito, title="P", start_year=2025, end_year=2035, created_by=staff_user
        )


def test_funds_save_creates_updates_and_removes(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    fnps = source("fnps")
    services.funds_save(
        plan=plan,
        amounts={(fnps.pk, 2025): Decimal("100.50"), (fnps.pk, 2026): Decimal("200")},
        user=staff_user,
    )
    services.funds_save(
        plan=plan,
        amounts={(fnps.pk, 2025): Decimal("150.00"), (fnps.pk, 2026): None},
        user=staff_user,
    )
    assert dict(FundAvailability.objects.filter(plan=plan).values_list("year", "amount")) == {
        2025: Decimal("150.00")
    }
    with pytest.raises(ValidationError, match="fuori dal periodo"):
        services.funds_save(plan=plan, amounts={(fnps.pk, 2030): Decimal("1")}, user=staff_user)
    with pytest.raises(ValidationError, match="negativo"):
        services.funds_save(plan=plan, amounts={(fnps.pk, 2025): Decimal("-1")}, user=staff_user)


def test_database_refuses_negative_budget(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    item = InterventionFactory(plan=plan)
    with pytest.raises(IntegrityError):
        BudgetLineFactory(intervention=item, amount=Decimal("-1"))


def test_budget_totals_and_over_allocation_warning(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    fnps, comuni = source("fnps"), source("comuni")
    services.funds_save(
        plan=plan,
        amounts={(fnps.pk, 2025): Decimal("1000"), (comuni.pk, 2026): Decimal("500")},
        user=staff_user,
    )
    a, b = InterventionFactory(plan=plan), InterventionFactory(plan=plan)
    BudgetLineFactory(intervention=a, source=fnps, year=2025, amount=Decimal("700.25"))
    BudgetLineFactory(intervention=b, source=fnps, year=2025, amount=Decimal("400"))
    BudgetLineFactory(intervention=b, source=comuni, year=2026, amount=Decimal("500"))
    budget = selectors.plan_budget(plan)
    assert budget.total.available == Decimal("1500.00")
    assert budget.total.allocated == Decimal("1600.25")
    assert [(s.code, y, c.excess) for s, y, c in budget.warnings] == [
        ("fnps", 2025, Decimal("100.25"))
    ]
    assert [c.available for c in budget.year_totals] == [
        Decimal("1000"),
        Decimal("500"),
        Decimal("0"),
    ]
    assert sum(a.total for a in budget.areas) == Decimal("1600.25")


def test_budget_by_area_sums_only_the_plans_lines_in_four_queries(
    ambito, staff_user, django_assert_num_queries
):
    from entities.models import TargetGroup

    first, second, unused = TargetGroup.objects.order_by("order")[:3]
    plan = make_plan(ambito, user=staff_user)
    other = make_plan(ambito, user=staff_user, start_year=2028, end_year=2030)
    a = InterventionFactory(plan=plan, area=first)
    InterventionFactory(plan=plan, area=second)  # an area with no money yet: listed, zero
    BudgetLineFactory(intervention=a, year=2025, amount=Decimal("100"))
    BudgetLineFactory(intervention=a, year=2027, amount=Decimal("50"))
    BudgetLineFactory(intervention=InterventionFactory(plan=other, area=unused), year=2028)
    with django_assert_num_queries(4):
        budget = selectors.plan_budget(plan)
    assert [(r.area, r.amounts, r.total, r.share) for r in budget.areas] == [
        (first, [Decimal(100), Decimal(0), Decimal(50)], Decimal(150), 1.0),
        (second, [Decimal(0)] * 3, Decimal(0), 0.0),
    ]
    assert budget.area_year_totals == [Decimal(100), Decimal(0), Decimal(50)]


def _table_member(ambito):
    from tests.factories.core import UserFactory

    table = Table.objects.create(ambito=ambito, name="Inclusione", slug="inclusione")
    member = UserFactory(email="membro@example.org")
    TableMembership.objects.create(
        table=table, kind="expert", delegate=member, status=TableMembership.Status.ACTIVE
    )
    return member


def test_workflow_consultation_approval_versions_and_lock(
    ambito, staff_user, django_capture_on_commit_callbacks
):
    member = _table_member(ambito)
    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 3)
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    assert Notification.objects.filter(user=member, kind="plans.consultation").exists()
    with django_capture_on_commit_callbacks(execute=True):
        version = services.plan_approve(
            plan=plan, act_number="12", act_date=date(2025, 3, 1), user=staff_user
        )
    plan.refresh_from_db()
    assert (plan.status, plan.version, version.number) == (Plan.Status.APPROVED, 1, 1)
    assert len(version.snapshot["interventions"]) == 3
    version.refresh_from_db()
    assert version.pdf, "the approved version keeps its PDF"
    section = plan.sections.first()
    with pytest.raises(services.PlanLocked, match="approvato"):
        services.section_update(section=section, title="x", body="y", user=staff_user)
    assert Section.objects.get(pk=section.pk).title != "x"
    services.plan_start_revision(plan=plan, user=staff_user, reason="aggiornamento annuale")
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(
            plan=plan, act_number="40", act_date=date(2026, 3, 1), user=staff_user
        )
    assert list(
        PlanVersion.objects.filter(plan=plan).values_list("number", "approval_act_number")
    ) == [(2, "40"), (1, "12")]


def test_approve_requires_consultation_and_no_future_date(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    with pytest.raises(ValidationError, match="consultazione"):
        services.plan_approve(plan=plan, act_number="1", act_date=date(2025, 1, 1), user=staff_user)
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, act_number="1", act_date=date(2999, 1, 1), user=staff_user)


def test_participation_path_from_origins_and_ambito(ambito, staff_user, entity):
    table = Table.objects.create(ambito=ambito, name="Famiglia", slug="famiglia")
    TableMembership.objects.create(
        table=table, kind="entity", entity=entity, delegate=staff_user, status="active"
    )
    plan = make_plan(ambito, user=staff_user)
    InterventionFactory(plan=plan, source_table=table)
    path = selectors.participation_path(plan)
    assert [t.name for t in path.tables] == ["Famiglia"]
    assert [e.name for e in path.entities] == [entity.name]
    assert (path.tables_total, path.entities_total, path.entities_more) == (1, 1, 0)


def test_participation_path_limit_keeps_the_first_rows_and_counts_the_others(
    ambito, staff_user, entity, other_entity, django_assert_num_queries
):
    from processes.models import Application, Procedure

    table = Table.objects.create(ambito=ambito, name="Famiglia", slug="famiglia")
    Table.objects.create(ambito=ambito, name="Anziani", slug="anziani")
    Table.objects.create(ambito=ambito, name="Archiviato", slug="arch", archived_at=timezone.now())
    TableMembership.objects.create(
        table=table, kind="entity", entity=entity, delegate=staff_user, status="active"
    )
    procedure = Procedure.objects.create(
        ambito=ambito, kind="coprogettazione", title="Co-progettazione", status="closed"
    )
    Application.objects.create(procedure=procedure, entity=other_entity, status="submitted")
    plan = make_plan(ambito, user=staff_user)
    with django_assert_num_queries(4):  # and the comuni's concertation tables (none here)
        path = selectors.participation_path(plan, limit=1)
    assert [t.name for t in path.tables] == ["Anziani"] and path.tables_more == 1
    assert [p.title for p in path.procedures] == ["Co-progettazione"]
    assert path.procedures_more == 0
    # "Associazione Il Faro" (table member) before "Cooperativa Sociale La Rete" (applicant).
    assert [e.name for e in path.entities] == [entity.name] and path.entities_total == 2
    assert len(selectors.participation_path(plan).entities) == 2


def test_interventions_with_totals_sums_per_year_in_one_query(
    ambito, staff_user, django_assert_num_queries
):
    plan = make_plan(ambito, user=staff_user)
    first, second = fill_plan(plan, 2, amount=Decimal("100.00"))
    BudgetLineFactory(intervention=first, source=source("fna"), year=2026, amount=Decimal("5"))
    InterventionFactory(plan=plan)  # no budget lines: zero, not None
    with django_assert_num_queries(1):
        items = selectors.interventions_with_totals(plan)
        totals = {i.pk: (i.year_totals, i.total, i.area.name) for i in items}
    assert [i.url for i in items] == [i.get_absolute_url() for i in items]
    assert totals[first.pk][:2] == ([Decimal(100), Decimal(105), Decimal(100)], Decimal(305))
    assert totals[second.pk][:2] == ([Decimal(100)] * 3, Decimal(300))
    assert [t[:2] for pk, t in totals.items() if pk not in (first.pk, second.pk)] == [
        ([Decimal(0)] * 3, Decimal(0))
    ]
