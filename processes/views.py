"""Views of the procedures: thin, they parse input, check permissions, call a service, render."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core.models import User
from core.permissions import user_passes
from core.queries import select_related_only
from core.spreadsheets import requested_format, spreadsheet_response
from core.storage import file_basename
from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import resources, selectors, services, workflow
from processes.filters import ProcedureFilter
from processes.forms import (
    AccreditationChangeForm,
    AgreementForm,
    ApplicationForm,
    BudgetFormSet,
    CancelForm,
    CommissionMemberForm,
    CriterionFormSet,
    DecisionForm,
    DocumentForm,
    ExclusionDecisionForm,
    ExclusionNoticeForm,
    IntegrationAnswerForm,
    IntegrationRequestForm,
    NoticeForm,
    ObservationsForm,
    OutcomeDocumentForm,
    ProcedureForm,
    ProjectBudgetFormSet,
    ReopenForm,
    ReportCostFormSet,
    ReportForm,
    ReviewForm,
    ScoreForm,
    TransitionForm,
    WithdrawForm,
)
from processes.models import (
    Accreditation,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    CommissionMember,
    Declaration,
    ExclusionNotice,
    IntegrationRequest,
    Notice,
    OutcomeDocument,
    Procedure,
    ProcedureStep,
    ReportCost,
)
from processes.permissions import (
    application_policy,
    declared_member,
    procedure_policy,
    report_policy,
)
from tables.permissions import can_see_table

PAGE_SIZE = 20

AUDIT_LABELS = {
    "processes.procedure_created": _("Procedimento avviato"),
    "processes.procedure_updated": _("Dati del procedimento modificati"),
    "processes.procedure_moved": _("Cambio di fase"),
    "processes.notice_saved": _("Bozza dell'avviso salvata"),
    "processes.notice_published": _("Avviso pubblicato"),
    "processes.notice_corrected": _("Rettifica dell'avviso pubblicata"),
    "processes.window_reopened": _("Termini riaperti"),
    "processes.application_started": _("Domanda iniziata"),
    "processes.application_saved": _("Bozza della domanda salvata"),
    "processes.document_added": _("Allegato caricato"),
    "processes.document_removed": _("Allegato eliminato"),
    "processes.application_submitted": _("Domanda presentata"),
    "processes.application_withdrawn": _("Domanda ritirata"),
    "processes.application_decided": _("Decisione sull'ammissione"),
    "processes.integration_requested": _("Soccorso istruttorio richiesto"),
    "processes.integration_answered": _("Risposta al soccorso istruttorio"),
    "processes.commission_member_added": _("Commissario nominato"),
    "processes.commission_member_removed": _("Commissario rimosso"),
    "processes.conflict_declared": _("Dichiarazione di assenza di conflitti"),
    "processes.scores_saved": _("Punteggi assegnati"),
    "processes.ranked": _("Posizione in graduatoria"),
    "processes.document_published": _("Documento pubblicato"),
    "processes.project_budget_saved": _("Piano economico del progetto salvato"),
    "processes.agreement_saved": _("Convenzione registrata"),
    "processes.notice_locked": _("Criteri e requisiti bloccati (prima domanda presentata)"),
    "processes.exclusion_notice_sent": _("Comunicazione dei motivi ostativi (art. 10-bis)"),
    "processes.exclusion_observations": _("Osservazioni ai motivi ostativi"),
    "processes.exclusion_confirmed": _("Esclusione confermata"),
    "processes.exclusion_withdrawn": _("Motivi ostativi superati"),
    "processes.accredited": _("Ente accreditato"),
    "processes.accreditation_changed": _("Variazione dell'elenco degli accreditati"),
    "processes.commissioner_excluded": _(
        "Commissario escluso da una domanda per conflitto di interessi"
    ),
}


def _errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors next to their fields)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _serve(file, filename: str | None = None) -> FileResponse:
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=filename or file_basename(file))


def _form_page(
    request,
    *,
    title: str,
    procedure: Procedure | None,
    form,
    submit: str,
    formsets=(),
    intro: str = "",
    back=None,
):
    multipart = any(f.is_multipart() for f in [form, *formsets] if f is not None)
    return render(
        request,
        "processes/form.html",
        {
            "title": title,
            "procedure": procedure,
            "form": form,
            "formsets": formsets,
            "submit": submit,
            "intro": intro,
            "multipart": multipart,
            "back": back
            or (procedure.get_absolute_url() if procedure else reverse("processes:list")),
        },
    )


def _rows(formset, *keys) -> list[dict]:
    return [
        {k: f.cleaned_data.get(k) for k in keys}
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get(keys[0]) not in (None, "")
    ]


# --- list and detail ------------------------------------------------------------------------
def procedure_list(request: HttpRequest) -> HttpResponse:
    qs = routing.scoped(selectors.procedures_for_list(request.user))  # inside an ambito: its own
    flt = ProcedureFilter(request.GET or None, queryset=qs)
    if routing.place().pk is None:
        flt.filters["ambito"].queryset = Ambito.objects.filter(
            procedures__in=procedure_policy.visible(request.user)
        ).distinct()
    else:  # inside an ambito: its own procedures, no ambito to choose
        del flt.filters["ambito"]
    rows = flt.qs if flt.is_bound and flt.is_valid() else qs
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    codes = selectors.activity_codes([p.pk for p in page.object_list])
    for procedure in page.object_list:
        procedure.activity_line = " ".join(f"{code})" for code in codes[procedure.pk])
    query = request.GET.copy()
    query.pop("page", None)
    prefix = f"{query.urlencode()}&" if query else ""
    return render(
        request,
        "processes/procedure_list.html",
        {
            "filter": flt,
            "page_obj": page,
            "query": prefix,
            "can_create": bool(managed_ambito_ids(request.user)),
        },
    )


def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(
        request.user,
        pk=pk,
        queryset=procedure_policy.visible(request.user).select_related(
            "ambito", "rup", "requesting_entity", "accreditation_list", "reserved_table"
        ),
    )
    user = request.user
    can_change = procedure_policy.can_change(user, procedure)
    is_staff = procedure_policy.is_staff(user, procedure)
    notices = list(procedure.notices.prefetch_related("criteria").order_by("version"))
    published = [n for n in notices if n.is_published]
    # The latest published version, from the versions just read (not one more query).
    procedure.current_notice = published[-1] if published else None
    draft = next((n for n in notices if not n.is_published), None) if can_change else None
    # read once for the page: the timeline, the deadline (Procedure.effective_deadline) and the
    # statuses passed read them again
    prefetch_related_objects(
        [procedure],
        "reopenings",
        Prefetch("steps", queryset=ProcedureStep.objects.select_related("actor")),
    )
    reopenings = list(procedure.reopenings.all())
    moves = []
    if can_change:
        for move in workflow.moves_from(procedure.kind, procedure.status):
            if move.manual:
                moves.append(
                    {
                        "move": move,
                        "refusal": move.guard(procedure),
                        "form": TransitionForm(initial={"target": move.target}),
                    }
                )
    # what the entity's people can do
    my_entities = list(
        Entity.objects.filter(pk__in=administered_entity_ids(user), status=Entity.Status.VERIFIED)
    )
    my_apps = list(
        procedure.applications.filter(entity_id__in=member_entity_ids(user)).select_related(
            "entity"
        )
    )
    applied = {a.entity_id for a in my_apps}
    can_apply = (
        [e for e in my_entities if e.pk not in applied] if procedure.accepts_applications else []
    )
    if can_apply and procedure.accreditation_list_id:  # only the accredited may apply
        eligible = set(
            selectors.accredited_entities(
                procedure.accreditation_list, at=procedure.opened_at
            ).values_list("pk", flat=True)
        ) & set(
            selectors.accredited_entities(
                procedure.accreditation_list, at=timezone.now()
            ).values_list("pk", flat=True)
        )
        can_apply = [e for e in can_apply if e.pk in eligible]
    sees_applications = procedure_policy.sees_applications(user, procedure)
    applications = list(selectors.applications_of_procedure(procedure)) if sees_applications else []
    by_status = Counter(a.status_label for a in applications)
    status_chart = [
        {"label": label, "display": str(n), "percent": n / len(applications) * 100}
        for label, n in by_status.most_common()
    ]
    member = procedure.commission.filter(user=user).first() if user.is_authenticated else None
    documents = list(procedure.documents.all())
    budget = list(procedure.project_budget.select_related("entity"))
    agreement = getattr(procedure, "agreement", None)
    participant = procedure_policy.is_participant(user, procedure)
    accredited = selectors.accreditation_list(procedure) if procedure.is_open_list else []
    reserved = procedure.reserved_table
    return render(
        request,
        "processes/procedure_detail.html",
        {
            "accredited": accredited,
            "can_change_list": can_change and procedure.status == workflow.NOTICE_PUBLISHED,
            "reserved_table": reserved if reserved and can_see_table(user, reserved) else None,
            "procedure": procedure,
            "activities": list(procedure.activities.all()),
            "target_groups": list(procedure.target_groups.all()),
            "tables": list(procedure.tables.all()),
            "steps": list(procedure.steps.all()),
            "states": _timeline(procedure, notices=published, reopenings=reopenings),
            "notices": published,
            "draft_notice": draft,
            "current_notice": procedure.current_notice,
            "reopenings": reopenings,
            "can_change": can_change,
            "is_staff": is_staff,
            "sees_applications": sees_applications,
            "project_frozen": workflow.project_frozen(procedure),
            "moves": moves,
            "cancel_form": CancelForm()
            if can_change and not workflow.is_terminal(procedure.status)
            else None,
            "reopen_form": ReopenForm()
            if can_change and procedure.status in (workflow.NOTICE_PUBLISHED, workflow.ADMISSION)
            else None,
            "my_apps": my_apps,
            "can_apply": can_apply,
            "applications": applications,
            "status_chart": status_chart,
            "results": selectors.public_results(procedure),
            "sessions": selectors.sessions_of(procedure, user),
            "now": timezone.now(),
            "commission_member": member,
            "documents": documents,
            "budget": budget,
            "budget_summary": _budget_summary(budget),
            "agreement": agreement,
            "parties": list(agreement.parties.all()) if agreement else [],
            # Each party sees its own reports (the staff all of them): the ones it may open.
            "reports": list(
                report_policy.visible(user).filter(agreement=agreement).select_related("entity")
            )
            if agreement
            else [],
            "participant": participant,
        },
    )


def _timeline(procedure: Procedure, *, notices, reopenings) -> list[dict]:
    """Every state of the kind, with the date it was reached (or None); under the open window,
    the dated corrections of the avviso and reopenings of the deadline (the public record)."""
    reached = {}
    for step in procedure.steps.all():
        reached[step.to_status] = step
    states = [s for s in workflow.states_of(procedure.kind) if s != workflow.CANCELLED]
    if procedure.status == workflow.CANCELLED:
        states.append(workflow.CANCELLED)
    events = sorted(
        [
            (
                n.published_at,
                _("Rettifica dell'avviso (versione %(v)d)") % {"v": n.version},
                n.correction_note,
            )
            for n in notices
            if n.is_correction
        ]
        + [
            (
                r.created_at,
                _("Termini riaperti fino al %(d)s")
                % {"d": timezone.localtime(r.until).strftime("%d/%m/%Y %H:%M")},
                r.reason,
            )
            for r in reopenings
        ],
        key=lambda e: e[0],
    )
    return [
        {
            "state": s,
            "label": workflow.label(s, procedure.kind),
            "step": reached.get(s),
            "current": s == procedure.status,
            "events": [{"at": at, "text": text, "note": note} for at, text, note in events]
            if s == workflow.NOTICE_PUBLISHED
            else [],
        }
        for s in states
    ]


def _budget_summary(lines) -> dict:
    """Totals by party and by fund, with the share of each for the bar chart."""
    by_party: dict[str, Decimal] = defaultdict(Decimal)
    by_fund: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_party[line.entity.name if line.entity else _("Ambito (ente pubblico)")] += line.amount
        by_fund[line.get_fund_display()] += line.amount
    total = sum(by_party.values(), Decimal(0))

    def rows(data):
        return [
            {
                "label": k,
                "amount": v,
                "display": f"€ {number_format(v, 2, force_grouping=True)} ({float(v / total * 100) if total else 0:.0f}%)",
                "percent": float(v / total * 100) if total else 0,
            }
            for k, v in sorted(data.items(), key=lambda kv: -kv[1])
        ]

    return {"total": total, "by_party": rows(by_party), "by_fund": rows(by_fund)}


@login_required
def applications_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The procedure's applications as a spreadsheet: for who sees them on its page (the RUP; the
    ambito's staff once the results are out). 404 if the procedure is not visible, 403 if its
    applications are not."""
    procedure = procedure_policy.get(
        request.user,
        pk=pk,
        queryset=procedure_policy.visible(request.user).select_related("ambito"),
    )
    if not procedure_policy.sees_applications(request.user, procedure):
        raise PermissionDenied
    return spreadsheet_response(
        resources.applications_dataset(procedure),
        requested_format(request),
        filename=f"domande-procedimento-{procedure.pk}",
    )


def procedure_audit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    if not procedure_policy.is_participant(request.user, procedure):
        raise PermissionDenied
    events = procedure_policy.history(request.user, procedure).order_by("-created_at", "-pk")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.label = AUDIT_LABELS.get(event.action, event.action)
        status = event.changes.get("status") if isinstance(event.changes, dict) else None
        if isinstance(status, dict) and event.action == "processes.procedure_moved":
            event.label = f"{event.label}: {workflow.label(status.get('before') or '')} → {workflow.label(status.get('after') or '')}"
    return render(
        request, "processes/audit.html", {"procedure": procedure, "page_obj": page, "query": ""}
    )


# --- start and edit -------------------------------------------------------------------------
def _m2m(form):
    return {k: form.cleaned_data.pop(k) for k in ("activities", "target_groups", "tables")}


@user_passes(lambda u: bool(managed_ambito_ids(u)))
def procedure_create(request: HttpRequest) -> HttpResponse:
    ambiti = Ambito.objects.filter(pk__in=managed_ambito_ids(request.user)).order_by("name")
    chosen = request.GET.get("ambito") or request.POST.get("ambito") or routing.place().pk or 0
    ambito = ambiti.filter(pk=chosen).first() or ambiti.first()
    if request.method == "POST":
        form = ProcedureForm(request.POST, request.FILES, ambito=ambito)
        if form.is_valid():
            m2m = _m2m(form)
            try:
                procedure = services.procedure_create(
                    ambito=ambito, actor=request.user, data=form.cleaned_data, **m2m
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Procedimento avviato. Ora prepara l'avviso."))
                return redirect(procedure)
    else:
        form = ProcedureForm(ambito=ambito)
    return _form_page(
        request,
        title=_("Avvia un procedimento — %(a)s") % {"a": ambito.name},
        procedure=None,
        form=form,
        submit=_("Avvia il procedimento"),
        intro=_("Il procedimento resta riservato allo staff finché non pubblichi l'avviso."),
    )


@login_required
def procedure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    if workflow.is_terminal(procedure.status):
        messages.error(request, _("Il procedimento è concluso: i dati non si modificano più."))
        return redirect(procedure)
    form = ProcedureForm(
        request.POST or None, request.FILES or None, instance=procedure, ambito=procedure.ambito
    )
    if request.method == "POST" and form.is_valid():
        m2m = _m2m(form)
        data = {
            k: v for k, v in form.cleaned_data.items() if not (k == "request_document" and not v)
        }
        try:
            services.procedure_update(procedure=procedure, actor=request.user, data=data, **m2m)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Dati del procedimento salvati."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Modifica il procedimento"),
        procedure=procedure,
        form=form,
        submit=_("Salva"),
    )


@login_required
@require_POST
def procedure_transition(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.procedure_transition(
                procedure=procedure,
                target=form.cleaned_data["target"],
                actor=request.user,
                act_reference=form.cleaned_data["act_reference"],
                act_date=form.cleaned_data["act_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(
                request, _("Passaggio non consentito: %(r)s") % {"r": " ".join(exc.messages)}
            )
        else:
            messages.success(
                request,
                _("Stato aggiornato: %(s)s.")
                % {"s": workflow.label(form.cleaned_data["target"], procedure.kind)},
            )
    return redirect(procedure)


@login_required
def procedure_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_cancel(
                procedure=procedure, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Procedimento annullato. La motivazione è pubblica."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Annulla il procedimento"),
        procedure=procedure,
        form=form,
        submit=_("Annulla il procedimento"),
    )


@login_required
def window_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.window_reopen(procedure=procedure, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Termini riaperti."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Riapri i termini per le domande"),
        procedure=procedure,
        form=form,
        submit=_("Riapri i termini"),
    )


@login_required
def request_document(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    if not (
        procedure_policy.is_staff(request.user, procedure)
        or procedure.requesting_entity_id in member_entity_ids(request.user)
    ):
        raise PermissionDenied
    return _serve(procedure.request_document)


# --- notice ---------------------------------------------------------------------------------
@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    draft = procedure.notices.filter(published_at__isnull=True).first()
    current = procedure.current_notice
    base = draft or procedure.notices.order_by("-version").first()
    correction = current is not None
    # After the first submission the criteria and requirements are those of the published avviso.
    locked = procedure.notice_locked_at is not None and current is not None
    source = current if locked else base
    initial_criteria = (
        [
            {"name": c.name, "weight": c.weight, "description": c.description}
            for c in source.criteria.all()
        ]
        if source
        else []
    )
    instance = draft or (
        Notice(
            **{
                f: getattr(base, f)
                for f in (
                    "subject",
                    "requirements",
                    "documents_required",
                    "deadline",
                    "admission_threshold",
                )
            }
        )
        if base
        else Notice(subject=procedure.subject)
    )
    if locked:
        for name in services.LOCKED_NOTICE_FIELDS:
            setattr(instance, name, getattr(current, name))
    form = NoticeForm(
        request.POST or None,
        instance=instance,
        procedure=procedure,
        correction=correction,
        locked_at=procedure.notice_locked_at if locked else None,
    )
    formsets = []
    criteria = None
    if procedure.is_codesign and not locked:
        criteria = CriterionFormSet(
            request.POST or None, initial=initial_criteria, prefix="criteria"
        )
        formsets = [criteria]
    if request.method == "POST" and form.is_valid() and (criteria is None or criteria.is_valid()):
        if criteria is not None:
            rows = [
                services.CriterionData(r["name"], r["weight"], r.get("description") or "")
                for r in _rows(criteria, "name", "weight", "description")
            ]
        else:
            rows = [services.CriterionData(**c) for c in initial_criteria]
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            notice = services.notice_save_draft(
                procedure=procedure, actor=request.user, data=data, criteria=rows
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Bozza dell'avviso salvata. Controllala e pubblicala."))
            return redirect(notice)
    title = _("Rettifica dell'avviso (nuova versione)") if correction else _("Avviso pubblico")
    intro = (
        _(
            "Il termine è in ora italiana. Per la co-progettazione indica i criteri: i pesi devono sommare a 100."
        )
        if procedure.is_codesign
        else _("Il termine è in ora italiana.")
    )
    if correction:
        intro = f"{intro} " + _(
            "Una rettifica è una nuova versione pubblicata: il termine si può prorogare, mai "
            "anticipare, e chi ha iniziato una domanda ne riceve notizia."
        )
    if locked:
        intro = f"{intro} " + _(
            "Dalla prima domanda presentata (%(d)s) criteri, pesi, requisiti, documenti "
            "richiesti e soglia sono bloccati."
        ) % {"d": timezone.localtime(procedure.notice_locked_at).strftime("%d/%m/%Y %H:%M")}
    return _form_page(
        request,
        title=title,
        procedure=procedure,
        form=form,
        formsets=formsets,
        submit=_("Salva la bozza"),
        intro=intro,
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.select_related("procedure__ambito").filter(pk=pk).first()
    if notice is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=notice.procedure_id)
    can_change = procedure_policy.can_change(request.user, procedure)
    if not notice.is_published and not can_change:
        raise Http404
    return render(
        request,
        "processes/notice_detail.html",
        {
            "notice": notice,
            "procedure": procedure,
            "criteria": list(notice.criteria.all()),
            "can_change": can_change,
            "problems": services.notice_problems(notice) if not notice.is_published else [],
            "changes": services.notice_changes(notice) if notice.is_correction else [],
            "warnings": services.notice_warnings(notice) if not notice.is_published else [],
            "versions": list(
                procedure.notices.filter(published_at__isnull=False).order_by("version")
            ),
        },
    )


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=notice.procedure_id, write=True)
    try:
        services.notice_publish(notice=notice, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(notice)
    messages.success(request, _("Avviso pubblicato. Gli enti interessati riceveranno un'e-mail."))
    return redirect(procedure)


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


def _decidable_application(request, pk: int) -> Application:
    """An application the user may decide on (admission, integration requests), else 403."""
    application = _application(request, pk)
    if not application_policy.can_decide(request.user, application):
        raise PermissionDenied
    return application


def _application(request, pk: int, *, write: bool = False) -> Application:
    return application_policy.get(
        request.user,
        pk=pk,
        write=write,
        queryset=select_related_only(
            application_policy.visible(request.user).select_related("procedure__ambito"),
            entity=("name", "email", "tax_code"),
            lead_entity=("name",),
            submitted_by=User.DISPLAY_FIELDS,
        ),
    )


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
    entity_admin = application.entity_id in administered_entity_ids(user)
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
            if application.status == ApplicationStatus.SUBMITTED
            and procedure.accepts_applications
            and application.entity_id in administered_entity_ids(user)
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


def _submit_form(
    request: HttpRequest, form, action: Callable[[dict], object], success: str
) -> None:
    """Validate a small action form posted from a page, run the service with its data, and say
    the outcome as a message on the page the user goes back to."""
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if application.entity_id not in administered_entity_ids(request.user):
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


# --- art. 10-bis: notice of the reasons against an application -------------------------------
@login_required
@require_POST
def exclusion_notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    application = _decidable_application(request, pk)
    _submit_form(
        request,
        ExclusionNoticeForm(request.POST),
        lambda data: services.exclusion_notice_send(
            application=application, actor=request.user, **data
        ),
        _("Comunicazione dei motivi ostativi inviata all'ente."),
    )
    return redirect(application)


def _exclusion_notice(request: HttpRequest, pk: int) -> tuple[ExclusionNotice, Application]:
    """A notice on an application the user may see (404 otherwise)."""
    notice = ExclusionNotice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice, _application(request, notice.application_id)


@login_required
@require_POST
def exclusion_observations(request: HttpRequest, pk: int) -> HttpResponse:
    notice, application = _exclusion_notice(request, pk)
    if application.entity_id not in administered_entity_ids(request.user):
        raise PermissionDenied
    _submit_form(
        request,
        ObservationsForm(request.POST, request.FILES),
        lambda data: services.exclusion_observations_submit(
            notice=notice, actor=request.user, **data
        ),
        _("Osservazioni inviate all'Ufficio di Piano."),
    )
    return redirect(application)


def _exclusion_decision(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    notice, application = _exclusion_notice(request, pk)
    if not application_policy.can_decide(request.user, application):
        raise PermissionDenied
    _submit_form(
        request,
        ExclusionDecisionForm(request.POST),
        lambda data: action(notice=notice, actor=request.user, **data),
        success,
    )
    return redirect(application)


@login_required
@require_POST
def exclusion_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _exclusion_decision(
        request, pk, services.exclusion_confirm, _("Esclusione confermata e comunicata all'ente.")
    )


@login_required
@require_POST
def exclusion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _exclusion_decision(
        request,
        pk,
        services.exclusion_withdraw,
        _("Motivi ostativi superati: la domanda torna in istruttoria."),
    )


# --- accreditamento -------------------------------------------------------------------------
@login_required
def accreditation_change(request: HttpRequest, pk: int) -> HttpResponse:
    accreditation = Accreditation.objects.select_related("entity").filter(pk=pk).first()
    if accreditation is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=accreditation.procedure_id, write=True)
    form = AccreditationChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accreditation_change(
                accreditation=accreditation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Variazione registrata e comunicata all'ente."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Variazione dell'elenco: %(e)s") % {"e": accreditation.entity.name},
        procedure=procedure,
        form=form,
        submit=_("Registra la variazione"),
        intro=_(
            "La variazione è datata, pubblicata nell'elenco con la sua motivazione e comunicata all'ente."
        ),
    )


# --- commission -----------------------------------------------------------------------------
@login_required
def commission(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    can_change = procedure_policy.can_change(request.user, procedure)
    members = list(procedure.commission.select_related("user"))
    member = next((m for m in members if m.user_id == request.user.pk), None)
    if not (can_change or member or procedure_policy.is_staff(request.user, procedure)):
        raise PermissionDenied
    form = CommissionMemberForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.commission_member_add(
                    procedure=procedure,
                    actor=request.user,
                    user=form.user,
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                form.add_error("email", exc.messages)
            else:
                messages.success(request, _("Commissario nominato."))
                return redirect("processes:commission", pk=procedure.pk)
    sees = procedure_policy.sees_evaluation(request.user, procedure)
    table = selectors.score_table(procedure) if sees else None
    ranking = []
    if sees:
        if workflow.has_reached(
            procedure, workflow.RANKING_PUBLISHED
        ):  # the approved ranking, as stored
            ranked = (
                procedure.applications.filter(rank__isnull=False)
                .select_related("entity")
                .order_by("rank")
            )
            ranking = [(a, a.total_score) for a in ranked]
        else:  # the ranking as it stands with the scores given so far
            ranking = selectors.ranking(procedure)
    max_total = max((t for _a, t in ranking), default=Decimal(0))
    # Exclusions for a conflict of interest name the applicant: the RUP reads them all, each
    # member their own.
    ties = selectors.commission_ties(procedure)
    names = dict(
        procedure.applications.filter(
            pk__in={a for applications in ties.values() for a in applications}
        ).values_list("pk", "entity__name")
    )
    shows_all = procedure_policy.is_rup(request.user, procedure) or (
        sees and workflow.results_public(procedure)
    )
    for m in members:
        m.exclusions = [
            {"entity": names[a], "reason": reason} for a, reason in ties.get(m.pk, {}).items()
        ]
    to_score = []
    if (
        member
        and member.declared_at
        and member.scores_applications
        and not sees
        and procedure.status == workflow.EVALUATION
    ):
        to_score = [
            a
            for a in procedure.applications.filter(
                status=ApplicationStatus.ADMITTED
            ).select_related("entity")
            if a.pk not in ties.get(member.pk, {})
        ]
    return render(
        request,
        "processes/commission.html",
        {
            "procedure": procedure,
            "members": members,
            "member": member,
            "own_exclusions": member.exclusions if member else [],
            "shows_exclusions": shows_all,
            "to_score": to_score,
            "form": form,
            "can_change": can_change,
            "table": table,
            "ranking": [
                {
                    "application": a,
                    "total": t,
                    "display": number_format(t, 2),
                    "percent": float(t) if max_total else 0,
                }
                for a, t in ranking
            ],
            "threshold": procedure.current_notice.admission_threshold
            if procedure.current_notice
            else None,
            "missing": selectors.missing_scores(procedure) if sees else None,
        },
    )


@login_required
@require_POST
def commission_declare(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    member = procedure.commission.filter(user=request.user).first()
    if member is None:
        raise PermissionDenied
    if request.POST.get("no_conflict") != "1":
        messages.error(request, _("Per procedere spunta la dichiarazione."))
        return redirect("processes:commission", pk=procedure.pk)
    services.commission_declare(member=member, actor=request.user)
    messages.success(request, _("Dichiarazione registrata: ora puoi vedere e valutare le domande."))
    return redirect("processes:commission", pk=procedure.pk)


@login_required
@require_POST
def commission_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = CommissionMember.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=member.procedure_id, write=True)
    try:
        services.commission_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("processes:commission", pk=procedure.pk)


@login_required
def application_score(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    procedure = application.procedure
    member = declared_member(request.user, procedure)
    if not application_policy.can_score(request.user, application):
        raise PermissionDenied  # not a scoring commissioner, or tied to the applicant
    criteria = list(procedure.current_notice.criteria.all()) if procedure.current_notice else []
    existing = {s.criterion_id: s for s in application.scores.filter(member=member)}
    form = ScoreForm(request.POST or None, criteria=criteria, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.scores_save(
                member=member, application=application, values=form.values(criteria)
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Punteggi salvati."))
            return redirect("processes:commission", pk=procedure.pk)
    return _form_page(
        request,
        title=_("Valuta la domanda di %(e)s") % {"e": application.entity.name},
        procedure=procedure,
        form=form,
        submit=_("Salva i punteggi"),
        intro=_("Punteggio da 0 a 10 per ciascun criterio: il totale pesato è su 100."),
        back=application.get_absolute_url(),
    )


# --- outcome, agreement, reports ------------------------------------------------------------
@login_required
def outcome_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    form = OutcomeDocumentForm(request.POST or None, request.FILES or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        try:
            services.outcome_document_add(
                procedure=procedure, actor=request.user, data=data, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Documento pubblicato."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Pubblica un documento del procedimento"),
        procedure=procedure,
        form=form,
        submit=_("Pubblica"),
    )


def outcome_document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = OutcomeDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    procedure_policy.get(request.user, pk=document.procedure_id)
    return _serve(document.file)


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
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("parties", "file")}
        try:
            services.agreement_save(
                procedure=procedure,
                actor=request.user,
                data=data,
                parties=form.cleaned_data["parties"],
                file=form.cleaned_data.get("file") if "file" in request.FILES else None,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Convenzione registrata."))
            return redirect(procedure)
    return _form_page(
        request,
        title=_("Convenzione con gli enti"),
        procedure=procedure,
        form=form,
        submit=_("Salva la convenzione"),
    )


def agreement_download(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    agreement = getattr(procedure, "agreement", None)
    if agreement is None:
        raise Http404
    return _serve(agreement.file)


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
            _errors(form, exc)
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
                _errors(form, exc)
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
def report_cost_download(request: HttpRequest, pk: int) -> HttpResponse:
    cost = ReportCost.objects.filter(pk=pk).first()
    if cost is None:
        raise Http404
    report_policy.get(request.user, pk=cost.report_id)
    return _serve(cost.document)
