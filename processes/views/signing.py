"""The agreement's page for its digital signatures: the parties' legal representatives and the
ambito's signer upload the signed file; staff see the formal communications sent about it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.http import file_response
from entities.permissions import administered_entity_ids
from processes import services
from processes.forms import SignedAgreementForm
from processes.models import Agreement, Procedure
from processes.permissions import procedure_policy


def _agreement(request: HttpRequest, pk: int) -> tuple[Procedure, Agreement, bool]:
    """The agreement of procedure `pk` for its staff (write) or a party's administrator; the
    bool says whether the user is the ambito's staff."""
    procedure = procedure_policy.get(request.user, pk=pk)
    agreement = Agreement.objects.filter(procedure=procedure).first()
    if agreement is None:
        raise Http404
    is_staff = procedure_policy.can_change(request.user, procedure)
    if (
        not is_staff
        and not agreement.parties.filter(pk__in=administered_entity_ids(request.user)).exists()
    ):
        raise PermissionDenied
    return procedure, agreement, is_staff


@login_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    procedure, agreement, is_staff = _agreement(request, pk)
    form = None
    if not agreement.fully_signed_at:
        form = SignedAgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("La convenzione è già firmata da entrambe le parti."))
            return redirect("processes:agreement_sign", pk=procedure.pk)
        if form.is_valid():
            try:
                services.agreement_signed_file_upload(
                    agreement=agreement, actor=request.user, file=form.cleaned_data["signed_file"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Convenzione firmata caricata."))
                return redirect("processes:agreement_sign", pk=procedure.pk)
    rows = services.signing_state(agreement)
    communications = (
        list(
            agreement.communications.select_related("entity", "communication").prefetch_related(
                "communication__pec_receipts"
            )
        )
        if is_staff
        else []
    )
    return render(
        request,
        "processes/agreement_sign.html",
        {
            "procedure": procedure,
            "agreement": agreement,
            "rows": rows,
            "fully_signed": services.is_fully_signed(rows) and bool(agreement.fully_signed_at),
            "form": form,
            "is_staff": is_staff,
            "communications": communications,
        },
    )


@login_required
def agreement_signed_file(request: HttpRequest, pk: int) -> FileResponse:
    _procedure, agreement, _is_staff = _agreement(request, pk)
    if not agreement.signed_file:
        raise Http404
    return file_response(agreement.signed_file)
