"""The list of plans, a plan's page and its sections, its approved versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ambito import routing
from ambito.permissions import managed_ambito_ids
from core.forms import form_action
from core.http import file_response
from core.permissions import user_passes
from plans import exports, forms, selectors, services
from plans.models import Plan
from plans.permissions import plan_policy
from plans.views.common import editing, form_page


def plan_list(request: HttpRequest) -> HttpResponse:
    qs = routing.scoped(plan_policy.visible(request.user)).order_by(  # inside an ambito: its own
        "-start_year", "ambito__name", "-pk"
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {"page_obj": page, "can_create": plan_policy.can_create_in(request.user)},
    )


@user_passes(lambda u: bool(managed_ambito_ids(u)))
def plan_create(request: HttpRequest) -> HttpResponse:
    ambiti = selectors.creatable_ambiti(request.user)
    form = forms.PlanForm(request.POST or None, ambiti=ambiti)
    return form_action(
        request,
        form,
        lambda data: services.plan_create(created_by=request.user, **data),
        success=_("Piano creato con le sezioni previste dall'art. 19 della L. 328/2000."),
    ) or form_page(
        request,
        None,
        form=form,
        heading=_("Nuovo piano di zona"),
        submit_label=_("Crea il piano"),
        intro=_(
            "Il piano nasce con le sezioni previste dall'art. 19 della L. 328/2000; poi compili la mappa dei fondi e le schede intervento."
        ),
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get(request.user, pk=pk)
    page = selectors.plan_detail_page(request.user, plan)
    ctx = selectors.plan_context(
        request.user,
        plan,
        **page,
        comment_form=forms.CommentForm(plan=plan) if page["can_comment"] else None,
        consultation_form=forms.ConsultationForm() if plan.status == Plan.Status.DRAFT else None,
    )
    return render(request, "plans/plan_detail.html", ctx)


@editing
def section_edit(request: HttpRequest, plan: Plan, section_pk: int) -> HttpResponse:
    section = get_object_or_404(plan.sections, pk=section_pk)
    form = forms.SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        services.section_update(
            section=section,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            user=request.user,
        )
        messages.success(request, _("Sezione «%(title)s» salvata.") % {"title": section.title})
        return redirect(f"{plan.get_absolute_url()}#{section.anchor}")
    return form_page(
        request,
        plan,
        template="plans/section_form.html",
        form=form,
        section=section,
        heading=_("Modifica la sezione: %(title)s") % {"title": section.title},
        current=section.title,
        submit_label=_("Salva la sezione"),
        cancel_url=f"{plan.get_absolute_url()}#{section.anchor}",
    )


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = plan_policy.get_versioned(request.user, pk)
    version = get_object_or_404(plan.versions, number=number)
    return render(
        request,
        "plans/version_detail.html",
        selectors.plan_context(request.user, plan, version=version, snap=version.snapshot),
    )


def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    plan = plan_policy.get_versioned(request.user, pk)
    version = get_object_or_404(plan.versions, number=number)
    return file_response(version.pdf, filename=exports.pdf_filename(plan, version))
