"""The project budget names its funds from the one list (ambito.funds), which plans shares."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from ambito.funds import FUNDS, fund_name
from processes.forms import ProjectBudgetLineForm
from processes.models import ProjectBudgetLine
from tests.factories.processes import ProcedureFactory


def test_project_budget_offers_the_one_list_of_funds():
    form = ProjectBudgetLineForm()
    offered = [code for code, _label in form.fields["fund"].choices if code]
    assert offered == [f.code for f in FUNDS]
    assert [c for c, _l in ProjectBudgetLine._meta.get_field("fund").choices] == offered


@pytest.mark.django_db
def test_old_fund_codes_are_rewritten_to_the_one_list():
    procedure = ProcedureFactory()
    rows = {
        old: ProjectBudgetLine.objects.create(
            procedure=procedure, fund=old, description=old, amount=Decimal(1)
        )
        for old in ("ets", "poverta", "pnrr", "fnps")
    }
    migration = importlib.import_module(
        "processes.migrations.0011_application_status_choices_fund_codes"
    )

    migration.rewrite(apps, None)

    stored = {old: ProjectBudgetLine.objects.get(pk=row.pk).fund for old, row in rows.items()}
    assert stored == {
        "ets": "terzo-settore",
        "poverta": "poverta-servizi",
        "pnrr": "pnrr-m5c2",
        "fnps": "fnps",
    }
    line = ProjectBudgetLine.objects.get(pk=rows["ets"].pk)
    assert (
        line.get_fund_display() == fund_name("terzo-settore") == "Cofinanziamento del Terzo settore"
    )
