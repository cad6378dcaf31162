"""Outcome documents, the project budget, the agreement and its reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors, form_action
from core.http import file_response
from entities.models import Entity
from entities.permissions import administered_entity_ids
from processes import services, workflow
from processes.forms import (
    AgreementForm,
    OutcomeDocumentForm,
    ProjectBudgetFormSet,
    ReportCostFormSet,
    ReportForm,
    ReviewForm,
)
from processes.models import (
    ApplicationStatus,
    OutcomeDocument,
    Procedure,
    ReportCost,
)
from processes.permissions import (
    procedure_policy,
    report_policy,
)
from processes.views.common import _form_page, _rows


# --- outcome, agreement, reports ------------------------------------------------------------
@login_required
def outcome_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    form = OutcomeDocumentForm(request.POST or None, request.FILES or None, procedure=procedure)
    return form_action(
        request,
        form,
        lambda data: services.outcome_document_add(
            procedure=procedure,
            actor=request.user,
            data={k: v for k, v in data.items() if k != "file"},
            file=data["file"],
        ),
        success=_("Documento pubblicato."),
        redirect_to=procedure,
    ) or _form_page(
        request,
        title=_("Pubblica un documento del procedimento"),
        procedure=procedure,
        form=form,
        submit=_("Pubblica"),
    )


def outcome_document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = OutcomeDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    procedure_policy.get(request.user, pk=document.procedure_id)
    return file_response(document.file)


def _parties(procedure: Procedure):
    return (
        Entity.objects.filter(
            applications__procedure=procedure, applications__status=ApplicationStatus.ADMITTED
        )
        .distinct()
        .order_by("name")
    )


@login_required
def project_budget(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    if workflow.project_frozen(procedure):
        messages.error(
            request,
            _("Il progetto definitivo è approvato: il suo piano economico non si modifica più."),
        )
        return redirect(procedure)
    parties = _parties(procedure)
    initial = [
        {"entity": b.entity, "fund": b.fund, "description": b.description, "amount": b.amount}
        for b in procedure.project_budget.all()
    ]
    formset = ProjectBudgetFormSet(
        request.POST or None, initial=initial, prefix="budget", form_kwargs={"parties": parties}
    )
    if request.method == "POST" and formset.is_valid():
        services.project_budget_save(
            procedure=procedure,
            actor=request.user,
            lines=_rows(formset, "description", "entity", "fund", "amount"),
        )
        messages.success(request, _("Piano economico salvato."))
        return redirect(procedure)
    return _form_page(
        request,
        title=_("Piano economico del progetto definitivo"),
        procedure=procedure,
        form=None,
        formsets=[formset],
        submit=_("Salva il piano economico"),
        intro=_(
            "Per ogni voce indica la parte che la finanzia e la fonte. Lascia vuote le righe che non servono."
        ),
    )


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    if hasattr(procedure, "agreement"):
        messages.error(request, str(services.AGREEMENT_FROZEN))
        return redirect(procedure)
    form = AgreementForm(request.POST or None, request.FILES or None, parties=_parties(procedure))
    if not form.is_bound:
        form.initial.update(
            {
                "duration_months": procedure.duration_months,
                "resources": procedure.budget,
                "parties": list(_parties(procedure)),
            }
        )
    return form_action(
        request,
        form,
        lambda data: services.agreement_save(
            procedure=procedure,
            actor=request.user,
            data={k: v for k, v in data.items() if k not in ("parties", "file")},
            parties=data["parties"],
            file=data.get("file") if "file" in request.FILES else None,
        ),
        success=_("Convenzione registrata."),
        redirect_to=procedure,
    ) or _form_page(
        request,
        title=_("Convenzione con gli enti"),
        procedure=procedure,
        form=form,
        submit=_("Salva la convenzione"),
    )


def agreement_download(request: HttpRequest, pk: int) -> FileResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    agreement = getattr(procedure, "agreement", None)
    if agreement is None:
        raise Http404
    return file_response(agreement.file)


@login_required
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    agreement = getattr(procedure, "agreement", None)
    if agreement is None:
        raise Http404
    entities = agreement.parties.filter(pk__in=administered_entity_ids(request.user))
    if not entities.exists():
        raise PermissionDenied
    form = ReportForm(request.POST or None, entities=entities)
    costs = ReportCostFormSet(request.POST or None, request.FILES or None, prefix="costs")
    if request.method == "POST" and form.is_valid() and costs.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "entity"}
        try:
            report = services.report_submit(
                agreement=agreement,
                entity=form.cleaned_data["entity"],
                actor=request.user,
                data=data,
                costs=_rows(costs, "description", "amount", "document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rendicontazione presentata."))
            return redirect("processes:report_detail", pk=report.pk)
    return _form_page(
        request,
        title=_("Presenta una rendicontazione"),
        procedure=procedure,
        form=form,
        formsets=[costs],
        submit=_("Presenta la rendicontazione"),
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_policy.get(
        request.user,
        pk=pk,
        queryset=report_policy.visible(request.user).select_related(
            "agreement__procedure", "entity"
        ),
    )
    can_review = report_policy.can_change(request.user, report)
    form = ReviewForm(request.POST or None) if can_review else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_review(report=report, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Esito della verifica registrato."))
                return redirect("processes:report_detail", pk=report.pk)
    return render(
        request,
        "processes/report_detail.html",
        {
            "report": report,
            "procedure": report.agreement.procedure,
            "costs": list(report.costs.all()),
            "form": form,
        },
    )


@login_required
def report_cost_download(request: HttpRequest, pk: int) -> FileResponse:
    cost = ReportCost.objects.filter(pk=pk).first()
    if cost is None:
        raise Http404
    report_policy.get(request.user, pk=cost.report_id)
    return file_response(cost.document)
