"""The Ufficio di Piano's verification of entities: the queue and the status decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.permissions import is_ufficio_di_piano
from core.forms import flash_errors
from core.http import AuthenticatedHttpRequest
from core.permissions import user_passes
from entities import selectors, services
from entities.forms import (
    StatusDecisionForm,
)
from entities.models import Entity
from entities.permissions import entity_policy
from entities.views.common import PAGE_SIZE, crumbs

CLAIMS_SHOWN = 50  # the verification queue lists the oldest pending claims
STATUS_ACTIONS = {
    "verifica": Entity.Status.VERIFIED,
    "respingi": Entity.Status.REJECTED,
    "sospendi": Entity.Status.SUSPENDED,
    "riattiva": Entity.Status.VERIFIED,
}


@user_passes(is_ufficio_di_piano)
def verification_queue(request: HttpRequest) -> HttpResponse:
    page = selectors.verification_page(
        request.user,
        request.GET.get("stato", Entity.Status.PENDING),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "entities/verification_queue.html",
        {
            **page,
            "querystring": urlencode({"stato": page["status"]}),
            "claims": selectors.pending_claims(request.user)[:CLAIMS_SHOWN],
            "crumbs": crumbs(_("Verifica degli enti")),
        },
    )


@login_required
@require_POST
def set_status(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    entity = entity_policy.get(request.user, pk=pk)
    if not entity_policy.can_verify(request.user, entity):
        raise PermissionDenied
    if action not in STATUS_ACTIONS:
        raise PermissionDenied
    form = StatusDecisionForm(request.POST)
    form.is_valid()
    try:
        services.entity_set_status(
            user=request.user,
            entity=entity,
            status=STATUS_ACTIONS[action],
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(entity)
    entity.refresh_from_db()
    messages.success(
        request,
        _("%(name)s ora è nello stato «%(status)s». L'ente ne riceve comunicazione per e-mail.")
        % {"name": entity.name, "status": entity.get_status_display()},
    )
    return (
        redirect("entities:verification_queue")
        if action in ("verifica", "respingi")
        else redirect(entity)
    )
