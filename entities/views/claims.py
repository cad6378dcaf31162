"""Claims of a disputed tax code, and the legal representative's take-over."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import identity
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest, file_response
from entities import selectors
from entities.forms import (
    ClaimDecisionForm,
    ClaimForm,
)
from entities.permissions import claim_policy
from entities.services import claims
from entities.views.common import crumbs


@login_required
def claim(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask to administer an entity already registered under one's body's tax code; the list of
    one's own requests with their outcome."""
    initial = {"tax_code": (request.GET.get("codice_fiscale") or "")[:20]}
    form = ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_create(
                user=request.user,
                tax_code=form.cleaned_data["tax_code"],
                role=form.cleaned_data["role"],
                statement=form.cleaned_data["statement"],
                document=form.cleaned_data["document"],
                proven_fiscal_code=identity.proven_fiscal_code(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if claim.status == claim.Status.ACCEPTED:
                messages.success(
                    request,
                    _(
                        "Richiesta accolta: con SPID o CIE hai dimostrato di essere il legale rappresentante registrato per l'ente. Ora lo amministri."
                    ),
                )
                return redirect(claim.entity.get_absolute_url())
            messages.success(
                request,
                _("Richiesta inviata all'Ufficio di Piano: riceverai l'esito per e-mail."),
            )
            return redirect("entities:claim")
    return render(
        request,
        "entities/claim.html",
        {
            "form": form,
            "claims": selectors.claims_of(request.user),
            "crumbs": crumbs(_("Richiedi l'amministrazione di un ente")),
            "heading": _("Richiedi l'amministrazione di un ente"),
            "submit_label": _("Invia la richiesta"),
        },
    )


@login_required
@require_POST
def take_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The legal representative named on the entity's record becomes its administrator, once
    SPID/CIE proved their fiscal code in this session (entities.services.claims)."""
    entity = get_object_or_404(selectors.represented_entities(request.user), pk=pk)
    try:
        claims.legal_representative_take_over(
            user=request.user,
            entity=entity,
            proven_fiscal_code=identity.proven_fiscal_code(request),
        )
    except PermissionDenied:
        messages.warning(
            request,
            _("Per diventare amministratore dell'ente entra con SPID o CIE, poi riprova."),
        )
        return redirect("core:my_area")
    messages.success(
        request,
        _("Ora amministri %(name)s. Gli altri amministratori sono stati avvisati.")
        % {"name": entity.name},
    )
    return redirect(entity.get_absolute_url())


@login_required
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The claim, for its claimant and for the Ufficio di Piano that decides it (POST)."""
    claim = claim_policy.get(
        request.user,
        pk=pk,
        queryset=claim_policy.visible(request.user).select_related(
            "entity", "entity__seat_comune", "claimant", "decided_by"
        ),
    )
    can_decide = claim_policy.can_decide(request.user, claim)
    form = ClaimDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                claims.claim_decide(
                    user=request.user,
                    claim=claim,
                    accept=form.cleaned_data["decision"] == "accept",
                    previous_admins=form.cleaned_data["previous_admins"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                claim.refresh_from_db()
                messages.success(
                    request,
                    _(
                        "Richiesta %(status)s: il richiedente e gli amministratori ne ricevono comunicazione per e-mail."
                    )
                    % {"status": claim.get_status_display().lower()},
                )
                return redirect("entities:verification_queue")
    context = {
        "claim": claim,
        "can_decide": can_decide,
        "decision_form": form,
        "crumbs": crumbs(_("Richiesta di amministrazione")),
    }
    if can_decide:
        context.update(
            admins=selectors.members_of(claim.entity),
            other_claims=selectors.pending_claims_of(claim.entity).exclude(pk=claim.pk),
        )
    return render(request, "entities/claim_detail.html", context)


@login_required
def claim_document(request: HttpRequest, pk: int) -> FileResponse:
    claim = claim_policy.get(request.user, pk=pk)
    return file_response(claim.document)


@login_required
@require_POST
def claim_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = claim_policy.get(request.user, pk=pk)
    try:
        claims.claim_withdraw(user=request.user, claim=claim)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Richiesta ritirata."))
    return redirect("entities:claim")
