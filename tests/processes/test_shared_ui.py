"""Processes on core's shared mechanics: the ranking drawn by core's bar chart (a score under the
threshold stands out), the form page of formsets only, and the application's attachments on
core.AttachmentBase (new files in the application's folder, files stored before still served)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

from core.charts import HIGHLIGHT, PALETTE
from processes import services
from processes.models import ApplicationDocument, Procedure
from tests.factories.processes import PDF_BYTES
from tests.processes.conftest import fill_and_submit, pdf


def _scored(make_procedure, staff_user, operator_user, clock, scored):
    """A co-design under evaluation: each (entity, admin, mark 0-10) scored by the president."""
    procedure = make_procedure()  # admission threshold 60
    applications = [
        (
            fill_and_submit(
                services.application_start(procedure=procedure, entity=entity, actor=admin), admin
            ),
            mark,
        )
        for entity, admin, mark in scored
    ]
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    for application, _mark in applications:
        services.application_decide(application=application, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=member, actor=operator_user)
    criteria = list(Procedure.objects.get(pk=procedure.pk).current_notice.criteria.all())
    for application, mark in applications:
        services.scores_save(
            member=member,
            application=application,
            values={c.pk: (Decimal(mark), "motivo") for c in criteria},
        )
    return procedure


def test_ranking_chart_lists_every_total_and_marks_those_under_the_threshold(
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
    procedure = _scored(
        make_procedure,
        staff_user,
        operator_user,
        clock,
        [(entity, entity_admin, 5), (other_entity, other_entity_admin, 9)],
    )

    page = (
        client_for(staff_user)
        .get(reverse("processes:commission", args=[procedure.pk]))
        .content.decode()
    )

    figure = re.search(r"<figure class=\"mb-3 portal-bar-chart\">.*?</figure>", page, re.S)
    assert figure, "the ranking is drawn by core's bar chart"
    chart = figure.group(0)
    assert "Totale pesato per ente (su 100)" in chart
    title = re.search(r'<title id="ranking-title">(.*?)</title>', chart, re.S).group(1)
    assert title == (
        f"Totale pesato per ente (su 100): 1. {other_entity.name}: 90,00; 2. {entity.name}: 50,00"
    )
    # each bar on its grey track of 100 points: 90 points above the threshold, 50 under it
    bars = re.findall(r'<rect x="230" y="\d+" width="(\d+)" height="20" fill="([^"]+)">', chart)
    assert bars == [
        ("380", "#e6e9f2"),
        ("342", PALETTE[0]),
        ("380", "#e6e9f2"),
        ("190", HIGHLIGHT),
    ]
    assert "sotto la soglia" in page.split("ranking-heading", 1)[1]


def test_project_budget_page_is_core_form_page_with_its_formset(
    client_for, make_procedure, staff_user
):
    procedure = make_procedure()

    page = (
        client_for(staff_user)
        .get(reverse("processes:project_budget", args=[procedure.pk]))
        .content.decode()
    )

    assert '<h1 class="mb-4">Piano economico del progetto definitivo</h1>' in page
    crumbs = re.search(r'<ol class="breadcrumb p-0">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r"<li[^>]*>\s*(?:<a href=\"([^\"]+)\">)?([^<]+)", crumbs) == [
        (reverse("core:home"), "Home"),
        (reverse("processes:list"), "Procedimenti"),
        (procedure.get_absolute_url(), procedure.title),
        ("", "Piano economico del progetto definitivo"),
    ]
    form = re.search(r"<form method=\"post\" novalidate>(.*?)</form>", page, re.S).group(1)
    assert "None" not in form  # no main form: the formset alone
    assert 'name="budget-TOTAL_FORMS"' in form and "<caption>Piano economico</caption>" in form
    assert "Salva il piano economico" in form
    assert f'href="{procedure.get_absolute_url()}">Annulla</a>' in form


def test_application_document_is_stored_in_its_application_folder(
    make_procedure, entity, entity_admin
):
    application = services.application_start(
        procedure=make_procedure(), entity=entity, actor=entity_admin
    )

    document = services.application_document_add(
        application=application, actor=entity_admin, title="Statuto", file=pdf("Statuto 2026.pdf")
    )

    assert document.file.name == f"processes/applications/{application.pk}/Statuto_2026.pdf"
    assert document.filename == "Statuto_2026.pdf"
    with document.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_application_document_stored_under_the_former_path_is_still_served(
    client_for, make_procedure, entity, entity_admin
):
    application = services.application_start(
        procedure=make_procedure(), entity=entity, actor=entity_admin
    )
    storage = ApplicationDocument._meta.get_field("file").storage
    name = storage.save("processes/2026/01/bilancio.pdf", ContentFile(PDF_BYTES))
    document = ApplicationDocument.objects.create(
        application=application, title="Bilancio", file=name, uploaded_by=entity_admin
    )

    response = client_for(entity_admin).get(
        reverse("processes:application_document", args=[document.pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert name.startswith("processes/2026/01/bilancio")
    assert f'filename="{name.rsplit("/", 1)[-1]}"' in response["Content-Disposition"]
