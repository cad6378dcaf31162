"""Applications: start, page (edit, submit), withdrawal, documents, decision, soccorso istruttorio."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import identity
from core.forms import add_service_errors
from core.http import file_response
from entities.models import Entity
from entities.permissions import administered_entity_ids
from processes import services
from processes.forms import (
    ApplicationForm,
    BudgetFormSet,
    DecisionForm,
    DocumentForm,
    ExclusionDecisionForm,
    ExclusionNoticeForm,
    IntegrationAnswerForm,
    IntegrationRequestForm,
    ObservationsForm,
    WithdrawForm,
)
from processes.models import (
    ApplicationDocument,
    IntegrationRequest,
)
from processes.permissions import (
    application_policy,
    procedure_policy,
)
from processes.selectors.application_page import application_page, below_threshold_reason
from processes.services.declarations import confirms_by_login
from processes.views.common import (
    _application,
    _decidable_application,
    _rows,
    _submit_form,
)


# --- applications ---------------------------------------------------------------------------
@login_required
@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    entity = Entity.objects.filter(
        pk=request.POST.get("entity") or 0, pk__in=administered_entity_ids(request.user)
    ).first()
    if entity is None:
        raise PermissionDenied
    try:
        application = services.application_start(
            procedure=procedure, entity=entity, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(procedure)
    return redirect(application)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    procedure = application.procedure
    user = request.user
    can_edit = application_policy.can_change(user, application) and application.is_editable
    can_decide = application_policy.can_decide(user, application)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = budget = None
    # Partners and a budget belong to co-design proposals only.
    codesign = procedure.is_codesign
    partners = list(application.partners.only("id", "name")) if codesign else []
    budget_lines = list(application.budget_lines.all()) if codesign else []
    if can_edit:
        initial = {
            "declarations": application.declarations,
            "proposal": application.proposal,
            "partners": partners,
            "lead_entity": application.lead_entity,
        }
        lines = [
            {"description": b.description, "amount": b.amount, "cofinancing": b.cofinancing}
            for b in budget_lines
        ]
        form = ApplicationForm(request.POST or None, initial=initial, application=application)
        budget = (
            BudgetFormSet(request.POST or None, initial=lines, prefix="budget")
            if codesign
            else None
        )
        if request.method == "POST" and form.is_valid() and (budget is None or budget.is_valid()):
            rows = (
                [
                    (r["description"], r["amount"], r.get("cofinancing") or Decimal(0))
                    for r in _rows(budget, "description", "amount", "cofinancing")
                ]
                if budget
                else []
            )
            try:
                services.application_update(
                    application=application,
                    actor=user,
                    declarations=form.cleaned_data["declarations"],
                    proposal=form.cleaned_data.get("proposal", ""),
                    partners=form.cleaned_data.get("partners") or [],
                    lead_entity=form.cleaned_data.get("lead_entity"),
                    budget=rows,
                )
                if "submit" in request.POST:
                    services.application_submit(
                        application=application,
                        actor=user,
                        identity=identity.session_identity(request),
                    )
                    messages.success(
                        request,
                        _("Domanda presentata. Riceverai la ricevuta per e-mail."),
                    )
                else:
                    messages.success(request, _("Bozza salvata."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(application)
    page = application_page(application, user, can_decide=can_decide)
    send_form = None
    if can_decide and not services.exclusion_notice_problem(application):
        send_form = ExclusionNoticeForm(initial={"reasons": below_threshold_reason(application)})
    return render(
        request,
        "processes/application_detail.html",
        {
            **page,
            "form": form,
            "budget_formset": budget,
            "document_form": DocumentForm() if can_edit else None,
            "confirms_by_login": can_edit
            and confirms_by_login(application, identity.session_identity(request)),
            "budget_lines": budget_lines,
            "partners": partners,
            "can_edit": can_edit,
            "decision_form": DecisionForm() if page["offers_decision"] else None,
            "integration_form": IntegrationRequestForm() if page["offers_integration"] else None,
            "exclusion_form": send_form,
            "observations_form": ObservationsForm(auto_id="observations_%s")
            if page["offers_observations"]
            else None,
            "exclusion_decision_form": ExclusionDecisionForm()
            if page["offers_exclusion_decision"]
            else None,
            "answer_form": IntegrationAnswerForm() if page["offers_answer"] else None,
            "withdraw_form": WithdrawForm() if page["can_withdraw"] else None,
        },
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not application_policy.is_entity_admin(request.user, application):
        raise PermissionDenied
    _submit_form(
        request,
        WithdrawForm(request.POST),
        lambda data: services.application_withdraw(
            application=application, actor=request.user, reason=data["reason"]
        ),
        _(
            "Domanda ritirata: è tornata in bozza. Per partecipare, presentala di nuovo entro il termine."
        ),
    )
    return redirect(application)


@login_required
@require_POST
def application_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, write=True)
    _submit_form(
        request,
        DocumentForm(request.POST, request.FILES),
        lambda data: services.application_document_add(
            application=application, actor=request.user, **data
        ),
        _("Allegato caricato."),
    )
    return redirect(application)


@login_required
@require_POST
def application_document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    document = ApplicationDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    application = _application(request, document.application_id, write=True)
    try:
        services.application_document_remove(document=document, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(application)


@login_required
def application_document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = ApplicationDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    _application(request, document.application_id)
    return file_response(document.file)


@login_required
def application_receipt(request: HttpRequest, pk: int) -> FileResponse:
    application = _application(request, pk)
    return file_response(application.receipt)


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _decidable_application(request, pk)
    _submit_form(
        request,
        DecisionForm(request.POST),
        lambda data: services.application_decide(
            application=application, actor=request.user, admitted=True, reason=data["reason"]
        ),
        _("Domanda ammessa."),
    )
    return redirect(application)


@login_required
@require_POST
def integration_request(request: HttpRequest, pk: int) -> HttpResponse:
    application = _decidable_application(request, pk)
    _submit_form(
        request,
        IntegrationRequestForm(request.POST),
        lambda data: services.integration_request_create(
            application=application, actor=request.user, **data
        ),
        _("Richiesta di integrazione inviata all'ente."),
    )
    return redirect(application)


@login_required
@require_POST
def integration_answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = IntegrationRequest.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    application = _application(request, item.application_id, write=True)
    _submit_form(
        request,
        IntegrationAnswerForm(request.POST, request.FILES),
        lambda data: services.integration_answer(request=item, actor=request.user, **data),
        _("Risposta inviata all'Ufficio di Piano."),
    )
    return redirect(application)
