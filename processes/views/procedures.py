"""The list of procedures, a procedure's page, its history and the export of its applications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ambito import routing
from core.http import page_prefix
from core.spreadsheets import requested_format, spreadsheet_response
from processes import resources, selectors, workflow
from processes.filters import ProcedureFilter
from processes.forms import (
    CancelForm,
    ReopenForm,
    TransitionForm,
)
from processes.models import Procedure
from processes.permissions import (
    procedure_policy,
)
from processes.selectors.procedure_page import procedure_page

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
    place = routing.place().pk  # inside an ambito: its own procedures, no ambito to choose
    ambiti = selectors.ambiti_with_procedures(request.user) if place is None else None
    chosen = {}
    if request.GET.keys() - {"page"}:
        chosen = ProcedureFilter(
            request.GET,
            queryset=Procedure.objects.none(),  # the rows come from selectors.procedure_rows
            ambiti=ambiti,
            by_ambito=place is None,
        ).chosen()
    rows = selectors.procedure_rows(
        request.user, ambito_id=place, chosen=chosen, filtered=bool(request.GET)
    )
    page: Page[Procedure] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    codes = selectors.activity_codes([p.pk for p in page.object_list])
    for procedure in page.object_list:
        procedure.activity_line = " ".join(f"{code})" for code in codes[procedure.pk])
    return render(
        request,
        "processes/procedure_list.html",
        {
            "filter_fields": ProcedureFilter.form_html(
                request.GET, ambiti=ambiti, by_ambito=place is None
            ),
            "page_obj": page,
            "query": page_prefix(request),
            "can_create": procedure_policy.can_start(request.user),
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
    context = procedure_page(procedure, request.user)
    for row in context["moves"]:
        row["form"] = TransitionForm(initial={"target": row["move"].target})
    context["cancel_form"] = CancelForm() if context["can_cancel"] else None
    context["reopen_form"] = ReopenForm() if context["can_reopen"] else None
    return render(request, "processes/procedure_detail.html", context)


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
