"""The list of procedures, a procedure's page, its history and the export of its applications."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core import registry
from core.spreadsheets import requested_format, spreadsheet_response
from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import guards, resources, selectors, workflow
from processes.filters import ProcedureFilter
from processes.forms import (
    CancelForm,
    ReopenForm,
    TransitionForm,
)
from processes.models import (
    Procedure,
    ProcedureStep,
)
from processes.permissions import (
    procedure_policy,
    report_policy,
)
from tables.permissions import can_see_table

PAGE_SIZE = 20

AUDIT_LABELS = {
    "processes.procedure.created": _("Procedimento avviato"),
    "processes.procedure.updated": _("Dati del procedimento modificati"),
    "processes.procedure.moved": _("Cambio di fase"),
    "processes.notice.saved": _("Bozza dell'avviso salvata"),
    "processes.notice.published": _("Avviso pubblicato"),
    "processes.notice.corrected": _("Rettifica dell'avviso pubblicata"),
    "processes.window.reopened": _("Termini riaperti"),
    "processes.application.started": _("Domanda iniziata"),
    "processes.application.saved": _("Bozza della domanda salvata"),
    "processes.application_document.added": _("Allegato caricato"),
    "processes.application_document.removed": _("Allegato eliminato"),
    "processes.application.submitted": _("Domanda presentata"),
    "processes.application.withdrawn": _("Domanda ritirata"),
    "processes.application.decided": _("Decisione sull'ammissione"),
    "processes.integration.requested": _("Soccorso istruttorio richiesto"),
    "processes.integration.answered": _("Risposta al soccorso istruttorio"),
    "processes.commission_member.added": _("Commissario nominato"),
    "processes.commission_member.removed": _("Commissario rimosso"),
    "processes.commission_member.conflict_declared": _("Dichiarazione di assenza di conflitti"),
    "processes.scores.saved": _("Punteggi assegnati"),
    "processes.application.ranked": _("Posizione in graduatoria"),
    "processes.outcome_document.published": _("Documento pubblicato"),
    "processes.project_budget.saved": _("Piano economico del progetto salvato"),
    "processes.agreement.saved": _("Convenzione registrata"),
    "processes.notice.locked": _("Criteri e requisiti bloccati (prima domanda presentata)"),
    "processes.exclusion.notice_sent": _("Comunicazione dei motivi ostativi (art. 10-bis)"),
    "processes.exclusion.observations_sent": _("Osservazioni ai motivi ostativi"),
    "processes.exclusion.confirmed": _("Esclusione confermata"),
    "processes.exclusion.withdrawn": _("Motivi ostativi superati"),
    "processes.accreditation.granted": _("Ente accreditato"),
    "processes.accreditation.changed": _("Variazione dell'elenco degli accreditati"),
    "processes.commission_member.excluded": _(
        "Commissario escluso da una domanda per conflitto di interessi"
    ),
}


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
                        "refusal": guards.move_refusal(procedure, move),
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
            "blocks": registry.render("procedure_page", request, procedure),
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
        if isinstance(status, dict) and event.action == "processes.procedure.moved":
            event.label = f"{event.label}: {workflow.label(status.get('before') or '')} → {workflow.label(status.get('after') or '')}"
    return render(
        request, "processes/audit.html", {"procedure": procedure, "page_obj": page, "query": ""}
    )
