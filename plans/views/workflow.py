"""The plan's life: consultation, approval, revision, and the observations made on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_action, posted_text
from plans import forms, services
from plans.models import Plan
from plans.permissions import plan_policy
from plans.views.common import editing, form_page


@require_POST
@editing
def open_consultation(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = forms.ConsultationForm(request.POST)
    if form.is_valid():
        try:
            services.plan_open_consultation(
                plan=plan, until=form.cleaned_data["consultation_until"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Il piano è in consultazione: i membri dei tavoli possono inviare osservazioni."),
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(plan)


@editing
def approve(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = forms.ApprovalForm(request.POST or None)
    return form_action(
        request,
        form,
        lambda data: services.plan_approve(
            plan=plan, act_number=data["act_number"], act_date=data["act_date"], user=request.user
        ),
        success=lambda version: (
            _("Piano approvato: versione %(n)s conservata in sola lettura.") % {"n": version.number}
        ),
        redirect_to=plan,
    ) or form_page(
        request,
        plan,
        form=form,
        heading=_("Approvazione del Comitato dei Sindaci"),
        submit_label=_("Registra l'approvazione"),
        intro=_(
            "Con l'approvazione il piano diventa in sola lettura; la versione è conservata con il suo PDF."
        ),
    )


@require_POST
def start_revision(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get(request.user, pk=pk, write=True)
    try:
        services.plan_start_revision(
            plan=plan, user=request.user, reason=posted_text(request.POST.get("reason"))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Revisione aperta: il piano torna in bozza, le versioni approvate restano consultabili."
            ),
        )
    return redirect(plan)


@require_POST
@login_required
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get_for_comment(request.user, pk)
    form = forms.CommentForm(request.POST, plan=plan)
    if form.is_valid():
        services.comment_create(plan=plan, form=form, user=request.user)
        messages.success(request, _("Osservazione inviata. Grazie."))
        return redirect(f"{plan.get_absolute_url()}#osservazioni")
    return form_page(request, plan, form=form, heading=_("Invia un'osservazione"))
