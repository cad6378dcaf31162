"""Thin views: parse, check permission through plan_policy, call a service or selector, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core import jobs
from core.forms import posted_text
from core.models import FileJob
from core.permissions import user_passes
from core.spreadsheets import requested_format, spreadsheet_response
from core.storage import file_basename
from plans import charts, exports, forms, selectors, services
from plans.models import FundAvailability, Intervention, Plan, PlanVersion
from plans.permissions import mapping_entity_ids, plan_policy


def _plan(request: HttpRequest, pk: int, *, write: bool = False) -> Plan:
    return plan_policy.get(request.user, pk=pk, write=write)


def editing(view):
    """For views that change a plan: Ufficio di Piano only (403 otherwise); an approved plan is
    refused with a clear message and the reader goes back to the plan."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        plan = _plan(request, pk, write=True)
        try:
            services.ensure_editable(plan)
        except services.PlanLocked as exc:
            messages.error(request, exc.messages[0])
            return redirect(plan)
        return view(request, plan, *args, **kwargs)

    return wrapper


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _page_ctx(request: HttpRequest, plan: Plan, **extra) -> dict:
    user = request.user
    return {
        "plan": plan,
        "can_change": plan_policy.can_change(user, plan),
        "is_staff": plan.ambito_id in staff_ambito_ids(user),
        **extra,
    }


# --- list, create, detail -----------------------------------------------------------------


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
    ambiti = Ambito.objects.filter(pk__in=managed_ambito_ids(request.user)).order_by("name")
    form = forms.PlanForm(request.POST or None, ambiti=ambiti)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Piano creato con le sezioni previste dall'art. 19 della L. 328/2000.")
            )
            return redirect(plan)
    return render(
        request,
        "plans/form_page.html",
        {
            "form": form,
            "heading": _("Nuovo piano di zona"),
            "submit_label": _("Crea il piano"),
            "intro": _(
                "Il piano nasce con le sezioni previste dall'art. 19 della L. 328/2000; poi compili la mappa dei fondi e le schede intervento."
            ),
        },
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    budget = selectors.plan_budget(plan)
    ctx = _page_ctx(
        request,
        plan,
        sections=selectors.sections_of(plan),
        budget=budget,
        chart=charts.budget_by_area_chart(budget, title=_("Bilancio per area di intervento")),
        interventions=selectors.with_urls(plan, selectors.interventions_summary(plan)),
        mapping=selectors.needs_by_area(plan.ambito_id),
        path=selectors.participation_path(plan, limit=selectors.PATH_LIMIT),
        versions=list(plan.versions.order_by("-number")),
        comments=list(selectors.comments_of(plan))
        if plan.status != Plan.Status.DRAFT or plan_policy.can_change(request.user, plan)
        else [],
        can_comment=plan_policy.can_comment(request.user, plan),
        can_map=plan_policy.can_map(request.user, plan),
        comment_form=forms.CommentForm(plan=plan)
        if plan_policy.can_comment(request.user, plan)
        else None,
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
    return render(
        request, "plans/section_form.html", _page_ctx(request, plan, section=section, form=form)
    )


# --- fund map and budget --------------------------------------------------------------------


@editing
def funds(request: HttpRequest, plan: Plan) -> HttpResponse:
    sources = list(selectors.sources_for(plan.ambito_id))
    initial = {(f.source_id, f.year): f.amount for f in FundAvailability.objects.filter(plan=plan)}
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
        _page_ctx(request, plan, form=form, budget=budget, source_form=forms.FundingSourceForm()),
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
    return render(
        request,
        "plans/form_page.html",
        _page_ctx(
            request,
            plan,
            form=form,
            heading=_("Nuova fonte di finanziamento"),
            cancel_url=reverse("plans:funds", args=[plan.pk]),
        ),
    )


def budget(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    data = selectors.plan_budget(plan)
    ctx = _page_ctx(
        request,
        plan,
        budget=data,
        interventions=selectors.interventions_with_totals(plan),
        chart=charts.budget_by_area_chart(data, title=_("Bilancio per area di intervento")),
    )
    return render(request, "plans/budget.html", ctx)


def budget_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
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
    plan = _plan(request, pk)
    return spreadsheet_response(
        exports.interventions_dataset(plan),
        requested_format(request),
        filename=f"interventi-{plan.ambito.code}-{plan.period}",
    )


# --- interventions --------------------------------------------------------------------------


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
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Scheda «%(title)s» salvata.") % {"title": item.title})
                data = selectors.plan_budget(plan)
                mine = set(item.budget_lines.values_list("source_id", "year"))
                for source, year, cell in data.warnings:
                    if (source.pk, year) in mine:
                        messages.warning(
                            request,
                            _(
                                "Attenzione: %(source)s nel %(year)s è sovra-assegnata di %(excess)s (assegnati %(alloc)s su %(avail)s disponibili)."
                            )
                            % {
                                "source": source.name,
                                "year": year,
                                "excess": _euro(cell.excess),
                                "alloc": _euro(cell.allocated),
                                "avail": _euro(cell.available),
                            },
                        )
                return redirect(item)
        else:
            messages.error(request, _("La scheda non è stata salvata: correggi i campi indicati."))
    return render(
        request,
        "plans/intervention_form.html",
        _page_ctx(
            request,
            plan,
            form=form,
            indicators=indicators,
            budget_formset=budget,
            intervention=instance,
        ),
    )


def _euro(value) -> str:
    from core.formatting import format_euro

    return format_euro(value)


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
    plan = _plan(request, pk)
    item = get_object_or_404(selectors.interventions_of(plan), pk=intervention_pk)
    item.year_totals = selectors.intervention_year_totals(item, plan.years)
    item.total = sum(item.year_totals)
    data = selectors.plan_budget(plan)
    mine = {(line.source_id, line.year) for line in item.budget_lines.all()}
    warnings = [(s, y, c) for s, y, c in data.warnings if (s.pk, y) in mine]
    return render(
        request,
        "plans/intervention_detail.html",
        _page_ctx(request, plan, item=item, warnings=warnings),
    )


# --- needs and services mapping -------------------------------------------------------------


def _mapping_create(
    request: HttpRequest, pk: int, form_class, service, heading: str, success: str
) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    # A draft is seen by the ambito's staff only: to anyone else its mapping forms are a 404.
    plan = plan_policy.get(request.user, pk=pk)
    if not plan_policy.can_map(request.user, plan):
        raise PermissionDenied
    form = form_class(request.POST or None, plan=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        is_staff = plan.ambito_id in staff_ambito_ids(request.user)
        entity_ids = [] if is_staff else mapping_entity_ids(request.user, plan.ambito_id)
        service(
            plan=plan, form=form, user=request.user, entity_id=entity_ids[0] if entity_ids else None
        )
        messages.success(request, success)
        return redirect(f"{plan.get_absolute_url()}#mappatura")
    return render(
        request, "plans/form_page.html", _page_ctx(request, plan, form=form, heading=heading)
    )


def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_create(
        request,
        pk,
        forms.NeedForm,
        services.need_create,
        _("Segnala un bisogno"),
        _("Bisogno registrato."),
    )


def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_create(
        request,
        pk,
        forms.ServiceForm,
        services.service_create,
        _("Registra un servizio attivo"),
        _("Servizio attivo registrato."),
    )


# --- workflow and comments ------------------------------------------------------------------


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
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_approve(
                plan=plan,
                act_number=form.cleaned_data["act_number"],
                act_date=form.cleaned_data["act_date"],
                user=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Piano approvato: versione %(n)s conservata in sola lettura.")
                % {"n": version.number},
            )
            return redirect(plan)
    return render(
        request,
        "plans/form_page.html",
        _page_ctx(
            request,
            plan,
            form=form,
            heading=_("Approvazione del Comitato dei Sindaci"),
            submit_label=_("Registra l'approvazione"),
            intro=_(
                "Con l'approvazione il piano diventa in sola lettura; la versione è conservata con il suo PDF."
            ),
        ),
    )


@require_POST
def start_revision(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
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
    plan = _plan(request, pk)
    if not plan_policy.can_comment(request.user, plan):
        raise PermissionDenied
    form = forms.CommentForm(request.POST, plan=plan)
    if form.is_valid():
        services.comment_create(plan=plan, form=form, user=request.user)
        messages.success(request, _("Osservazione inviata. Grazie."))
        return redirect(f"{plan.get_absolute_url()}#osservazioni")
    return render(
        request,
        "plans/form_page.html",
        _page_ctx(request, plan, form=form, heading=_("Invia un'osservazione")),
    )


# --- versions and files ---------------------------------------------------------------------


def _versioned_plan(request: HttpRequest, pk: int) -> Plan:
    """Approved versions stay public while a revision of the plan is drafted."""
    queryset = plan_policy.visible(request.user) | Plan.objects.filter(version__gt=0)
    return plan_policy.get(request.user, pk=pk, queryset=queryset)


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _versioned_plan(request, pk)
    version = get_object_or_404(plan.versions, number=number)
    return render(
        request,
        "plans/version_detail.html",
        _page_ctx(request, plan, version=version, snap=version.snapshot),
    )


def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _versioned_plan(request, pk)
    version = get_object_or_404(plan.versions, number=number)
    if not version.pdf:
        raise Http404
    return FileResponse(
        version.pdf.open("rb"), as_attachment=True, filename=exports.pdf_filename(plan, version)
    )


def _staff_plan(request: HttpRequest, pk: int) -> Plan:
    plan = _plan(request, pk)
    if plan.ambito_id not in staff_ambito_ids(request.user):
        raise PermissionDenied
    return plan


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _staff_plan(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            services.pdf_export_start(plan=plan, user=request.user)
        return redirect("plans:export", pk=plan.pk)
    job = jobs.latest(owner=services.export_owner(plan), kind=services.PDF_KIND)
    return render(request, "plans/export.html", _page_ctx(request, plan, job=job))


def _job(request: HttpRequest, plan: Plan, job_pk: int) -> FileJob:
    from django.contrib.contenttypes.models import ContentType

    owners = [(ContentType.objects.get_for_model(Plan).pk, str(plan.pk))] + [
        (ContentType.objects.get_for_model(PlanVersion).pk, str(v))
        for v in plan.versions.values_list("pk", flat=True)
    ]
    job = get_object_or_404(FileJob, pk=job_pk, kind=services.PDF_KIND)
    if (job.content_type_id, job.object_id) not in owners:
        raise Http404
    return job


@login_required
def export_status(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    plan = _staff_plan(request, pk)
    job = _job(request, plan, job_pk)
    return render(request, "plans/partials/job.html", {"plan": plan, "job": job})


@login_required
def export_download(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    plan = _staff_plan(request, pk)
    job = _job(request, plan, job_pk)
    if job.status != FileJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=file_basename(job.file))
