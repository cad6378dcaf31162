"""Staff of a public administration (and superusers) must authenticate strongly before they can
use the portal (MFA_REQUIRED_FOR_STAFF): in one of the ways STAFF_LOGIN_METHODS lists,
"spid" (a session opened with SPID or CIE at level 2 or more: two factors at the identity
provider) or "totp" (password and a TOTP code). Until they do, every page sends them where
they can: the TOTP set-up, or the page to enter with SPID/CIE when TOTP is not allowed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ambito.permissions import is_staff_of
from core import identity

ALLOWED_PREFIXES = ("/account/", "/static/", "/media/", "/health/")
SESSION_FLAG = "mfa_ok"
STAFF_SPID_LEVEL = 2


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_STAFF and self._must_authenticate(request):
            methods = settings.STAFF_LOGIN_METHODS
            spid = "spid" in methods and bool(identity.configured_schemes())
            if "totp" in methods:
                if spid:
                    text = _(
                        "Per motivi di sicurezza il personale deve attivare l'autenticazione a due fattori prima di continuare, oppure entrare con SPID o CIE di livello 2 o superiore."
                    )
                else:
                    text = _(
                        "Per motivi di sicurezza il personale deve attivare l'autenticazione a due fattori prima di continuare."
                    )
                messages.warning(request, text)
                return redirect(reverse("mfa_activate_totp"))
            messages.warning(
                request,
                _(
                    "Per motivi di sicurezza il personale deve entrare con SPID o CIE di livello 2 o superiore."
                ),
            )
            return redirect(reverse("core:identity"))
        return self.get_response(request)

    def _must_authenticate(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(SESSION_FLAG):
            return False
        if request.path_info.startswith(ALLOWED_PREFIXES) or request.path == reverse("core:identity"):
            return False
        if not (user.is_superuser or is_staff_of(user)):
            return False
        methods = settings.STAFF_LOGIN_METHODS
        if "spid" in methods and identity.spid_level(request) >= STAFF_SPID_LEVEL:
            return False
        if "totp" in methods:
            from allauth.mfa.utils import is_mfa_enabled

            # With TOTP on, allauth asked for the code at login (whatever the first factor).
            if is_mfa_enabled(user):
                request.session[SESSION_FLAG] = True
                return False
        return True
