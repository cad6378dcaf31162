"""Art. 10-bis notices and the accreditamento's open list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_action
from processes import services
from processes.forms import (
    AccreditationChangeForm,
    ExclusionDecisionForm,
    ExclusionNoticeForm,
    ObservationsForm,
)
from processes.models import (
    Accreditation,
    Application,
    ExclusionNotice,
)
from processes.permissions import (
    application_policy,
    procedure_policy,
)
from processes.views.common import (
    _application,
    _decidable_application,
    _form_page,
    _submit_form,
)


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
    if not application_policy.is_entity_admin(request.user, application):
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
    return form_action(
        request,
        form,
        lambda data: services.accreditation_change(
            accreditation=accreditation, actor=request.user, **data
        ),
        success=_("Variazione registrata e comunicata all'ente."),
        redirect_to=procedure,
    ) or _form_page(
        request,
        title=_("Variazione dell'elenco: %(e)s") % {"e": accreditation.entity.name},
        procedure=procedure,
        form=form,
        submit=_("Registra la variazione"),
        intro=_(
            "La variazione è datata, pubblicata nell'elenco con la sua motivazione e comunicata all'ente."
        ),
    )
