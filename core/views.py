"""Pages that belong to no domain app: home, my area, notifications, static pages, errors."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import health as health_checks
from core import identity, notifications, ratelimit, registry, services
from core import search as portal_search
from core.forms import PortalForm, int_ids
from core.http import AuthenticatedHttpRequest, page_prefix
from core.models import Notification, User


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def my_area(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/my_area.html",
        {
            "spid_cie": identity.configured_schemes(),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """Global search: the rows of every kind the visitor may open that match `q`, grouped by
    kind (GROUP_SIZE each); with `tipo`, one kind paged through. Inside an ambito (its URL
    prefix) the providers read that ambito only. Searches without a session are rate-limited."""
    term = portal_search.clean_term(request.GET.get("q"))
    providers = registry.search_providers()
    chosen = next((p for p in providers if p.kind == request.GET.get("tipo")), None)
    context: dict = {"term": term, "groups": [], "chosen": chosen, "message": ""}
    if not term:
        context["message"] = _(
            "Scrivi nella casella una o più parole: per esempio il nome di un ente, di un "
            "tavolo o di un procedimento."
        )
    elif not portal_search.is_searchable(term):
        context["message"] = _("Scrivi almeno %(n)d caratteri per cercare.") % {
            "n": portal_search.MIN_LENGTH
        }
    else:
        if not request.user.is_authenticated and not ratelimit.allow(request, action="search"):
            response = render(
                request,
                "429.html",
                {
                    "detail": _(
                        "Hai fatto troppe ricerche in poco tempo. Attendi un minuto e riprova, "
                        "oppure accedi al portale."
                    )
                },
                status=429,
            )
            response["Retry-After"] = str(ratelimit.retry_after("search"))
            return response
        if chosen is None:
            groups = [portal_search.read(p, request.user, term) for p in providers]
            context["groups"] = [g for g in groups if g.total]
        else:
            context.update(_search_one_kind(request, chosen, term))
        context["total"] = sum(g.total for g in context["groups"])
        context["capped"] = any(g.capped for g in context["groups"])
    return render(request, "core/search.html", context)


def _search_one_kind(request: HttpRequest, provider, term: str) -> dict:
    size = portal_search.PAGE_SIZE
    try:
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        number = 1
    group = portal_search.read(provider, request.user, term, offset=(number - 1) * size, limit=size)
    if not group.hits and number > 1:  # past the end: the first page
        number, group = 1, portal_search.read(provider, request.user, term, limit=size)
    page = Paginator(range(group.total), size).get_page(number)
    return {
        "groups": [group] if group.total else [],
        "page_obj": page,
        "querystring": page_prefix(request),
    }


@login_required
def digital_identity(request: HttpRequest) -> HttpResponse:
    """SPID and CIE for the logged-in person: the fiscal code they proved, the identities linked
    to the account, how this session was opened, and the buttons to link one or enter again
    (staff who must use SPID/CIE are sent here: ambito.middleware)."""
    from allauth.socialaccount.models import SocialAccount

    return render(
        request,
        "core/digital_identity.html",
        {
            "session_identity": identity.session_identity(request),
            "linked": SocialAccount.objects.filter(
                user=request.user, provider__in=identity.SCHEMES
            ).order_by("date_joined"),
            "scheme_labels": identity.SCHEME_LABELS,
            "spid_cie": identity.configured_schemes(),
        },
    )


class NotificationPreferenceForm(PortalForm):
    notification_email = User._meta.get_field("notification_email").formfield()


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            User.objects.filter(pk=user.id).update(
                notification_email=form.cleaned_data["notification_email"]
            )
            messages.success(request, _("Preferenze salvate."))
            return redirect("core:notifications")
    else:
        form = NotificationPreferenceForm(initial={"notification_email": user.notification_email})
    page = Paginator(Notification.objects.filter(user=user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page, "form": form})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    valid = int_ids(ids)  # anything but plain integers is ignored, never a 500
    notifications.mark_read(user=request.user, ids=valid if ids else None)
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=None, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)  # a path on this site only ("//evil" is refused)
    return redirect("core:notifications")


@login_required
def personal_data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GDPR art. 15 and 20: everything the portal holds about the user, as JSON."""
    user = request.user
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "fiscal_code": user.fiscal_code,
            "notification_email": user.notification_email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "notifications": list(
            Notification.objects.filter(user=user).values("kind", "title", "url", "created_at")
        ),
        **services.account_personal_data(user),
        **registry.personal_data(user),
    }
    response = HttpResponse(
        json.dumps(data, default=str, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="i-miei-dati.json"'
    return response


class AccountDeleteForm(PortalForm):
    password = forms.CharField(label=_("Password attuale"), widget=forms.PasswordInput, strip=False)
    confirm = forms.BooleanField(
        label=_("Ho capito: il mio account sarà anonimizzato e non potrò più accedere."),
        required=True,
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # An account opened with SPID/CIE has no password: the view asks for a recent
            # SPID/CIE authentication instead.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("La password non è corretta."))
        return password


@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GDPR art. 17: the user deletes the account (anonymised; legal records kept)."""
    if not request.user.has_usable_password() and not identity.recently_authenticated(request):
        return render(
            request,
            "core/account_delete.html",
            {"reauthenticate": True, "spid_cie": identity.configured_schemes()},
        )
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_erase(user=request.user)
        logout(request)
        messages.success(request, _("Il tuo account è stato cancellato."))
        return redirect("core:home")
    return render(request, "core/account_delete.html", {"form": form})


def static_page(template: str):
    def view(request: HttpRequest) -> HttpResponse:
        return render(
            request,
            template,
            {
                "contact_email": settings.CONTACT_EMAIL,
                "accessibility_statement_url": settings.ACCESSIBILITY_STATEMENT_URL,
            },
        )

    return view


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice (art. 13 GDPR): the data controllers come from the ambiti (the same the
    forms' notices name), the retention periods from the settings that core.retention applies."""
    return render(
        request,
        "core/privacy.html",
        {
            "contact_email": settings.CONTACT_EMAIL,
            # The periods core.retention applies (config/settings/base.py).
            "retention": {
                "minutes_years": settings.RETENTION_MINUTES_ONLINE_YEARS,
                "registration_months": settings.RETENTION_EVENT_REGISTRATIONS_MONTHS,
                "hold_minutes": settings.EVENT_REGISTRATION_HOLD_MINUTES,
                "sent_days": settings.RETENTION_SENT_EMAILS_DAYS,
                "failed_days": settings.RETENTION_FAILED_EMAILS_DAYS,
                "notification_days": settings.RETENTION_NOTIFICATIONS_DAYS,
                "audit_years": settings.RETENTION_AUDIT_YEARS,
                "import_upload_days": settings.RETENTION_IMPORT_UPLOADS_DAYS,
                "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            },
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """For monitoring and load balancers: 200 when every check passes, otherwise 503 with the
    parts that failed (core.health). `?only=database,redis` runs those only: the web container's
    own healthcheck must not fail because the worker is down."""
    only = [name.strip() for name in request.GET.get("only", "").split(",") if name.strip()]
    healthy, body = health_checks.run(only or None)
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
