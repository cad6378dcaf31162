"""A plan's interventions as a spreadsheet (CSV for Italian Excel, XLSX, ODS): public for an
approved plan as its page is, the ambito's staff only for a draft; constant queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Intervention, Plan
from tests.factories.entities import EntityFactory
from tests.factories.plans import fill_plan, make_plan

pytestmark = pytest.mark.django_db

ACCENTS = "Società cooperativa sociale àèìòù"


def _url(plan, fmt):
    return reverse("plans:interventions_export", kwargs={"pk": plan.pk}) + f"?formato={fmt}"


def _plan(ambito, staff_user, status=Plan.Status.APPROVED, n=2):
    extra = {"version": 1, "approval_act_number": "7"} if status == Plan.Status.APPROVED else {}
    plan = make_plan(ambito, user=staff_user, status=status, **extra)
    items = fill_plan(plan, n, amount=Decimal("1234.50"))
    first = items[0]
    first.runner = Intervention.Runner.ENTITY
    first.runner_entity = EntityFactory(ambito=ambito, name=ACCENTS)
    first.save(update_fields=["runner", "runner_entity"])
    first.comuni.add(ambito.lead_comune)
    return plan


def test_anybody_downloads_an_approved_plans_interventions(client, ambito, staff_user):
    plan = _plan(ambito, staff_user)
    years = plan.years

    raw = client.get(_url(plan, "csv")).content
    assert raw.startswith(b"\xef\xbb\xbf") and ACCENTS.encode() in raw
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"))
    assert rows[0][:5] == [
        "Codice",
        "Intervento",
        "Area di intervento",
        "Obiettivo",
        "Chi lo realizza",
    ]
    assert rows[0][-1] == "Assegnato totale" and len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Codice"] == "INT-001" and first["Chi lo realizza"] == ACCENTS
    assert first["Comuni coinvolti"] == ambito.lead_comune.name
    assert first[f"Assegnato {years[0]}"] == "1234,50"  # decimal comma for Excel in Italian
    assert first["Assegnato totale"] == f"{Decimal('1234.50') * len(years)}".replace(".", ",")

    response = client.get(_url(plan, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    total = sheet.cell(2, header.index("Assegnato totale") + 1)
    assert total.data_type == "n" and total.value == float(Decimal("1234.50") * len(years))

    book = tablib.Dataset().load(client.get(_url(plan, "ods")).content, "ods")
    assert book[0][4] == ACCENTS and book[0][-1] == float(Decimal("1234.50") * len(years))


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("no_role_user", 404), ("other_staff", 404), ("comune_user", 200), ("staff_user", 200)],
)  # fmt: skip
def test_a_draft_plan_is_its_ambito_staffs_only(
    request, client_for, ambito, staff_user, who, expected
):
    plan = _plan(ambito, staff_user, status=Plan.Status.DRAFT)
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(_url(plan, "csv"))
    assert response.status_code == expected
    if expected != 200:
        assert b"INT-001" not in response.content


@pytest.mark.parametrize("size", [2, 25])
def test_queries_do_not_grow_with_the_interventions(
    client, ambito, staff_user, size, django_assert_max_num_queries
):
    plan = _plan(ambito, staff_user, n=size)
    client.get(_url(plan, "xlsx"))
    with django_assert_max_num_queries(6):
        response = client.get(_url(plan, "xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == size + 1
