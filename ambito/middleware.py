"""Staff of a public administration (and superusers) must turn on two-factor authentication
before they can use the portal: until they do, every page sends them to the MFA set-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ambito.permissions import is_staff_of

ALLOWED_PREFIXES = ("/account/", "/static/", "/media/", "/health/")
SESSION_FLAG = "mfa_ok"


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_STAFF and self._must_set_up(request):
            messages.warning(
                request,
                _(
                    "Per motivi di sicurezza il personale deve attivare l'autenticazione a due fattori prima di continuare."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(SESSION_FLAG):
            return False
        if request.path_info.startswith(ALLOWED_PREFIXES):  # without an ambito prefix
            return False
        if not (user.is_superuser or is_staff_of(user)):
            return False
        from allauth.mfa.utils import is_mfa_enabled

        if is_mfa_enabled(user):
            request.session[SESSION_FLAG] = True
            return False
        return True
