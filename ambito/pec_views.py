"""The Ufficio di Piano's page of an ambito's formal communications: each with its channel (PEC
or, when it could not be, ordinary e-mail and why) and the PEC provider's receipts, with a form
to upload a receipt received elsewhere (.eml or daticert.xml)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambito.models import Ambito
from ambito.permissions import is_staff_of, is_ufficio_di_piano
from core import audit, pec
from core.forms import PortalForm
from core.models import OutgoingEmail, PecReceipt

PAGE_SIZE = 50
MAX_RECEIPT_BYTES = 2 * 1024 * 1024


class ReceiptUploadForm(PortalForm):
    file = forms.FileField(
        label=gettext_lazy("Ricevuta PEC (.eml o daticert.xml)"),
        help_text=gettext_lazy("Il messaggio di ricevuta come lo salva il programma di posta."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError(_("La ricevuta supera i 2 MB."))
        return upload


def _managed_ambito(user, code: str) -> Ambito:
    """The ambito whose Ufficio di Piano `user` belongs to: 404 for outsiders, 403 for its
    comune staff."""
    ambito = get_object_or_404(Ambito, code=code)
    if is_ufficio_di_piano(user, ambito):
        return ambito
    if is_staff_of(user, ambito):
        raise PermissionDenied
    raise Http404


def formal_communications(ambito: Ambito):
    return (
        OutgoingEmail.objects.filter(ambito_id=ambito.pk, formal=True)
        .defer("body_text", "body_html", "attachments")
        .prefetch_related(Prefetch("pec_receipts", queryset=PecReceipt.objects.order_by("pk")))
        .order_by("-created_at", "-id")
    )


@login_required
def communications(request: HttpRequest, code: str) -> HttpResponse:
    ambito = _managed_ambito(request.user, code)
    page = Paginator(formal_communications(ambito), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ambito/pec_communications.html",
        {
            "ambito": ambito,
            "page_obj": page,
            "form": ReceiptUploadForm(),
            "pec_configured": pec.is_configured(),
            "querystring_prefix": "",
            "breadcrumbs": [
                (_("La mia area"), reverse("core:my_area")),
                (_("Comunicazioni formali e PEC"), ""),
            ],
        },
    )


@login_required
@require_POST
def receipt_upload(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    ambito = _managed_ambito(request.user, code)
    message = get_object_or_404(OutgoingEmail, pk=pk, ambito_id=ambito.pk, formal=True)
    form = ReceiptUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("ambito:pec_communications", code=ambito.code)
    try:
        receipt, created = pec.store(
            form.cleaned_data["file"].read(),
            source=PecReceipt.Source.UPLOAD,
            user=request.user,
            email_id=message.pk,
        )
    except pec.ReceiptError as exc:
        messages.error(request, str(exc))
        return redirect("ambito:pec_communications", code=ambito.code)
    if created:
        audit.record(
            actor=request.user,
            action="core.pec_receipt.uploaded",
            obj=receipt,
            changes={"kind": receipt.kind, "email": message.pk},
            ambito_id=ambito.pk,
        )
        messages.success(
            request,
            _("Ricevuta «%(kind)s» registrata per %(to)s.")
            % {"kind": receipt.get_kind_display(), "to": message.to},
        )
    else:
        messages.info(request, _("Questa ricevuta era già registrata."))
    return redirect("ambito:pec_communications", code=ambito.code)
