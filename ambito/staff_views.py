"""Pages for the Ufficio di Piano about the portal itself: the audit log of its ambiti and the
e-mails that could not be delivered (with a resend button)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambito.models import Ambito
from ambito.permissions import is_ufficio_di_piano, managed_ambito_ids
from core import audit, mail, registry
from core.forms import DateInput, PortalForm
from core.http import page_prefix
from core.models import AuditEvent, OutgoingEmail
from core.permissions import Policy, user_passes

PAGE_SIZE = 50


def _crumbs(label: str) -> list[tuple[str, str]]:
    return [(_("La mia area"), reverse("core:my_area")), (label, "")]


# --- audit log ----------------------------------------------------------------------------
class AuditFilterForm(PortalForm):
    ambito = forms.ModelChoiceField(
        label=gettext_lazy("Ambito"), queryset=Ambito.objects.none(), required=False
    )
    action = forms.CharField(label=gettext_lazy("Azione"), max_length=80, required=False)
    object_type = forms.ModelChoiceField(
        label=gettext_lazy("Tipo di oggetto"), queryset=ContentType.objects.none(), required=False
    )
    date_from = forms.DateField(label=gettext_lazy("Dal"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("Al"), required=False, widget=DateInput)

    def __init__(self, *args, ambito_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        ambito = cast(forms.ModelChoiceField, self.fields["ambito"])
        ambito.queryset = Ambito.objects.filter(pk__in=ambito_ids).order_by("name")
        used = AuditEvent.objects.filter(ambito_id__in=ambito_ids).values("content_type").distinct()
        object_type = cast(forms.ModelChoiceField, self.fields["object_type"])
        object_type.queryset = ContentType.objects.filter(pk__in=used).order_by(
            "app_label", "model"
        )
        object_type.label_from_instance = lambda ct: (  # type: ignore[assignment]
            str(ct.model_class()._meta.verbose_name).capitalize() if ct.model_class() else ct.model
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("La data finale precede quella iniziale."))
        return data


def audit_events_for(user, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the ambiti the user manages, filtered; constant queries per page."""
    filters = filters or {}
    ids = managed_ambito_ids(user)
    if filters.get("ambito"):
        ids = ids & {filters["ambito"].pk}
    qs = AuditEvent.objects.filter(ambito_id__in=ids).select_related("content_type")
    for hidden in registry.hidden_audit_events(user):  # e.g. applications before the ranking
        qs = qs.exclude(hidden)
    if filters.get("action"):
        qs = qs.filter(action__icontains=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(content_type=filters["object_type"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=datetime.combine(filters["date_from"], time.min, tzinfo=tz))
    if filters.get("date_to"):
        qs = qs.filter(
            created_at__lt=datetime.combine(
                filters["date_to"] + timedelta(days=1), time.min, tzinfo=tz
            )
        )
    return qs.order_by("-created_at", "-id")


@user_passes(is_ufficio_di_piano)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, ambito_ids=managed_ambito_ids(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(audit_events_for(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ambito/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "events": page.object_list,
            "querystring_prefix": page_prefix(request),
            "breadcrumbs": _crumbs(_("Registro delle modifiche")),
        },
    )


# --- failed e-mails -----------------------------------------------------------------------
class FailedEmailPolicy(Policy[OutgoingEmail]):
    """The Ufficio di Piano sees the failed messages of its ambiti; superusers see all of them
    (account e-mails carry no ambito)."""

    model = OutgoingEmail

    def visible(self, user) -> QuerySet[OutgoingEmail]:
        qs = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
        if getattr(user, "is_superuser", False):
            return qs
        return qs.filter(ambito_id__in=managed_ambito_ids(user))

    def can_change(self, user, obj: OutgoingEmail) -> bool:
        return (
            is_ufficio_di_piano(user, obj.ambito_id) if obj.ambito_id else bool(user.is_superuser)
        )


failed_email_policy = FailedEmailPolicy()


@user_passes(is_ufficio_di_piano)
def failed_emails(request: HttpRequest) -> HttpResponse:
    qs = failed_email_policy.visible(request.user).defer("body_text", "body_html", "attachments")
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ambito/failed_emails.html",
        {
            "page_obj": page,
            "querystring_prefix": page_prefix(request),
            "breadcrumbs": _crumbs(_("E-mail non inviate")),
        },
    )


@user_passes(is_ufficio_di_piano)
@require_POST
def failed_email_resend(request: HttpRequest, pk: int) -> HttpResponse:
    email = failed_email_policy.get(request.user, pk=pk, write=True)
    mail.resend(email)
    audit.record(
        actor=request.user, action="ambito.email.resent", obj=email, ambito_id=email.ambito_id
    )
    messages.success(
        request, _("Il messaggio per %(to)s è stato rimesso in coda.") % {"to": email.to}
    )
    return redirect("ambito:failed_emails")
