"""Applications: start, page (edit, submit), withdrawal, documents, decision, soccorso istruttorio."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entities.models import Entity
from entities.permissions import administered_entity_ids
from processes import selectors, services, workflow
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
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Declaration,
    IntegrationRequest,
)
from processes.permissions import (
    application_policy,
    declared_member,
    procedure_policy,
)
from processes.views.common import (
    _application,
    _decidable_application,
    _errors,
    _rows,
    _serve,
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
                    services.application_submit(application=application, actor=user)
                    messages.success(
                        request,
                        _("Domanda presentata. Riceverai la ricevuta per e-mail."),
                    )
                else:
                    messages.success(request, _("Bozza salvata."))
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return redirect(application)
    member = declared_member(user, procedure)
    requests = list(application.integration_requests.all())
    open_requests = [r for r in requests if r.is_open]
    entity_admin = application_policy.is_entity_admin(user, application)
    answer_form = None
    if open_requests and entity_admin:
        answer_form = IntegrationAnswerForm()
    sees_scores = application_policy.sees_scores(user, application)
    exclusion = _exclusion_context(application, can_decide=can_decide, entity_admin=entity_admin)
    return render(
        request,
        "processes/application_detail.html",
        {
            "application": application,
            "procedure": procedure,
            "notice": procedure.current_notice,
            "form": form,
            "budget_formset": budget,
            "document_form": DocumentForm() if can_edit else None,
            "documents": list(application.documents.select_related("integration_request")),
            "declarations": [d for d in Declaration if d.value in application.declarations],
            "budget_lines": budget_lines,
            "partners": partners,
            "can_edit": can_edit,
            "can_decide": can_decide and procedure.in_istruttoria,
            "decision_form": DecisionForm()
            if can_decide
            and procedure.in_istruttoria
            and application.status != ApplicationStatus.PRE_REJECTION
            else None,
            "integration_form": IntegrationRequestForm()
            if can_decide
            and procedure.in_istruttoria
            and application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.INTEGRATION)
            else None,
            **exclusion,
            "integration_requests": requests,
            "open_request": open_requests[0] if open_requests else None,
            "answer_form": answer_form,
            "member": member,
            "can_score": bool(
                member
                and procedure.status == workflow.EVALUATION
                and application.status == ApplicationStatus.ADMITTED
                and application_policy.can_score(user, application)
            ),
            "scores": list(application.scores.select_related("criterion", "member__user"))
            if sees_scores
            else None,
            "accepts": procedure.accepts_applications,
            "deadline": procedure.effective_deadline,
            "withdraw_form": WithdrawForm()
            if application_policy.can_withdraw(user, application)
            else None,
        },
    )


def _exclusion_context(application: Application, *, can_decide: bool, entity_admin: bool) -> dict:
    """The art. 10-bis notices of an application, and the forms the user may use on them:
    staff send one and decide; the entity's administrators answer within the term."""
    notices = list(
        application.exclusion_notices.select_related("communication", "decision_communication")
        .prefetch_related("documents")
        .order_by("sent_at", "pk")
    )
    current = next((n for n in notices if n.is_open), None)
    send_form = None
    if can_decide and not services.exclusion_notice_problem(application):
        send_form = ExclusionNoticeForm(initial={"reasons": _below_threshold_reason(application)})
    return {
        "exclusion_notices": notices,
        "open_exclusion": current,
        "exclusion_form": send_form,
        "observations_form": ObservationsForm(auto_id="observations_%s")
        if current and current.accepts_observations and entity_admin
        else None,
        "exclusion_decision_form": ExclusionDecisionForm() if current and can_decide else None,
    }


def _below_threshold_reason(application: Application) -> str:
    """The reason to propose during the evaluation, when the weighted total is under the
    avviso's threshold."""
    procedure = application.procedure
    notice = procedure.current_notice
    if procedure.status != workflow.EVALUATION or notice is None:
        return ""
    threshold = notice.admission_threshold
    total = next((t for a, t in selectors.ranking(procedure) if a.pk == application.pk), None)
    if threshold is None or total is None or total >= threshold:
        return ""
    return _(
        "Punteggio complessivo di %(s)s su 100, inferiore alla soglia di ammissione di %(t)s "
        "punti fissata dall'avviso."
    ) % {"s": number_format(total, 2), "t": number_format(threshold, 2)}


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
def application_document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = ApplicationDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    _application(request, document.application_id)
    return _serve(document.file)


@login_required
def application_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return _serve(application.receipt)


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
