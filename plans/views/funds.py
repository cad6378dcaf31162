"""The fund map (Mappafondo), funding sources, the budget and its spreadsheets."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.spreadsheets import requested_format, spreadsheet_response
from plans import exports, forms, selectors, services
from plans.models import Plan
from plans.permissions import plan_policy
from plans.views.common import editing, form_page


@editing
def funds(request: HttpRequest, plan: Plan) -> HttpResponse:
    sources = list(selectors.sources_for(plan.ambito_id))
    initial = selectors.fund_amounts(plan)
    form = forms.FundMapForm(
        request.POST or None, plan=plan, sources=sources, initial_amounts=initial
    )
    if request.method == "POST":
        if form.is_valid():
            changed = services.funds_save(plan=plan, amounts=form.amounts(), user=request.user)
            messages.success(
                request,
                ngettext(
                    "Mappa dei fondi salvata (%(n)s valore cambiato).",
                    "Mappa dei fondi salvata (%(n)s valori cambiati).",
                    changed,
                )
                % {"n": changed},
            )
            return redirect("plans:funds", pk=plan.pk)
        messages.error(
            request, _("Alcuni importi non sono validi: correggili nelle caselle indicate.")
        )
    budget = selectors.plan_budget(plan)
    return render(
        request,
        "plans/funds.html",
        selectors.plan_context(
            request.user, plan, form=form, budget=budget, source_form=forms.FundingSourceForm()
        ),
    )


@editing
def source_create(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = forms.FundingSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = services.funding_source_create(
            ambito=plan.ambito, user=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Fonte «%(name)s» aggiunta all'elenco dell'ambito.") % {"name": source.name}
        )
        return redirect("plans:funds", pk=plan.pk)
    return form_page(
        request,
        plan,
        form,
        heading=_("Nuova fonte di finanziamento"),
        cancel_url=reverse("plans:funds", args=[plan.pk]),
    )


def budget(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get(request.user, pk=pk)
    data = selectors.plan_budget(plan)
    ctx = selectors.plan_context(
        request.user,
        plan,
        budget=data,
        interventions=selectors.interventions_with_totals(plan),
        chart=selectors.budget_chart(data),
    )
    return render(request, "plans/budget.html", ctx)


def budget_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get(request.user, pk=pk)
    response = HttpResponse(
        exports.budget_xlsx(plan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bilancio-{plan.ambito.code}-{plan.period}.xlsx"'
    )
    return response


def interventions_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The interventions as a spreadsheet, for whoever may read the plan (anybody, once it is
    approved and public; the ambito's staff before)."""
    plan = plan_policy.get(request.user, pk=pk)
    return spreadsheet_response(
        exports.interventions_dataset(plan),
        requested_format(request),
        filename=f"interventi-{plan.ambito.code}-{plan.period}",
    )
