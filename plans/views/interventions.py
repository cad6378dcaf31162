"""Interventions (schede intervento): create, edit, delete, read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formatting import format_euro
from core.forms import add_service_errors
from plans import forms, selectors, services
from plans.models import Intervention, Plan
from plans.permissions import plan_policy
from plans.views.common import editing, form_page


def _intervention_forms(request: HttpRequest, plan: Plan, instance: Intervention | None):
    data = request.POST if request.method == "POST" else None
    form = forms.InterventionForm(data, instance=instance, plan=plan)
    indicators = forms.IndicatorFormSet(data, instance=instance, prefix="indicators")
    budget = forms.BudgetFormSet(data, instance=instance, prefix="budget", plan=plan)
    return form, indicators, budget


def _intervention_edit(
    request: HttpRequest, plan: Plan, instance: Intervention | None
) -> HttpResponse:
    form, indicators, budget = _intervention_forms(request, plan, instance)
    if request.method == "POST":
        if form.is_valid() and indicators.is_valid() and budget.is_valid():
            try:
                item = services.intervention_save(
                    plan=plan, form=form, indicators=indicators, budget=budget, user=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Scheda «%(title)s» salvata.") % {"title": item.title})
                mine = set(item.budget_lines.values_list("source_id", "year"))
                for source, year, cell in selectors.over_allocated(plan, mine):
                    messages.warning(
                        request,
                        _(
                            "Attenzione: %(source)s nel %(year)s è sovra-assegnata di %(excess)s (assegnati %(alloc)s su %(avail)s disponibili)."
                        )
                        % {
                            "source": source.name,
                            "year": year,
                            "excess": format_euro(cell.excess),
                            "alloc": format_euro(cell.allocated),
                            "avail": format_euro(cell.available),
                        },
                    )
                return redirect(item)
        else:
            messages.error(request, _("La scheda non è stata salvata: correggi i campi indicati."))
    heading = _("Modifica la scheda intervento") if instance else _("Nuova scheda intervento")
    return form_page(
        request,
        plan,
        template="plans/intervention_form.html",
        form=form,
        indicators=indicators,
        budget_formset=budget,
        intervention=instance,
        heading=heading,
        current=instance.title if instance else heading,
        submit_label=_("Salva la scheda"),
        cancel_url=instance.get_absolute_url()
        if instance
        else reverse("plans:budget", args=[plan.pk]),
    )


@editing
def intervention_create(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _intervention_edit(request, plan, None)


@editing
def intervention_edit(request: HttpRequest, plan: Plan, intervention_pk: int) -> HttpResponse:
    return _intervention_edit(
        request, plan, get_object_or_404(plan.interventions, pk=intervention_pk)
    )


@require_POST
@editing
def intervention_delete(request: HttpRequest, plan: Plan, intervention_pk: int) -> HttpResponse:
    item = get_object_or_404(plan.interventions, pk=intervention_pk)
    services.intervention_delete(intervention=item, user=request.user)
    messages.success(request, _("Scheda «%(title)s» eliminata.") % {"title": item.title})
    return redirect("plans:budget", pk=plan.pk)


def intervention_detail(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    plan = plan_policy.get(request.user, pk=pk)
    item = get_object_or_404(selectors.interventions_of(plan), pk=intervention_pk)
    return render(
        request,
        "plans/intervention_detail.html",
        selectors.plan_context(request.user, plan, **selectors.intervention_page(plan, item)),
    )
