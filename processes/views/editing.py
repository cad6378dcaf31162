"""Start and edit a procedure, move it, cancel it, reopen its window."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core.forms import form_action
from core.http import file_response
from core.permissions import user_passes
from processes import services, workflow
from processes.forms import (
    CancelForm,
    ProcedureForm,
    ReopenForm,
    TransitionForm,
)
from processes.permissions import (
    procedure_policy,
)
from processes.views.common import _form_page


# --- start and edit -------------------------------------------------------------------------
def _m2m(form):
    return {k: form.cleaned_data.pop(k) for k in ("activities", "target_groups", "tables")}


@user_passes(procedure_policy.can_start)
def procedure_create(request: HttpRequest) -> HttpResponse:
    ambiti = Ambito.objects.filter(pk__in=managed_ambito_ids(request.user)).order_by("name")
    chosen = request.GET.get("ambito") or request.POST.get("ambito") or routing.place().pk or 0
    ambito = ambiti.filter(pk=chosen).first() or ambiti.first()
    if request.method == "POST":
        form = ProcedureForm(request.POST, request.FILES, ambito=ambito)
    else:
        form = ProcedureForm(ambito=ambito)
    return form_action(
        request,
        form,
        lambda data: services.procedure_create(
            ambito=ambito, actor=request.user, data=data, **_m2m(form)
        ),
        success=_("Procedimento avviato. Ora prepara l'avviso."),
    ) or _form_page(
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

    def save(data: dict) -> None:
        m2m = _m2m(form)
        data = {k: v for k, v in data.items() if not (k == "request_document" and not v)}
        services.procedure_update(procedure=procedure, actor=request.user, data=data, **m2m)

    return form_action(
        request, form, save, success=_("Dati del procedimento salvati."), redirect_to=procedure
    ) or _form_page(
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
    return form_action(
        request,
        form,
        lambda data: services.procedure_cancel(
            procedure=procedure, actor=request.user, reason=data["reason"]
        ),
        success=_("Procedimento annullato. La motivazione è pubblica."),
        redirect_to=procedure,
    ) or _form_page(
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
    return form_action(
        request,
        form,
        lambda data: services.window_reopen(procedure=procedure, actor=request.user, **data),
        success=_("Termini riaperti."),
        redirect_to=procedure,
    ) or _form_page(
        request,
        title=_("Riapri i termini per le domande"),
        procedure=procedure,
        form=form,
        submit=_("Riapri i termini"),
    )


@login_required
def request_document(request: HttpRequest, pk: int) -> FileResponse:
    procedure = procedure_policy.get(request.user, pk=pk)
    if not procedure_policy.can_read_request(request.user, procedure):
        raise PermissionDenied
    return file_response(procedure.request_document)
