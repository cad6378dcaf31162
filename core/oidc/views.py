from __future__ import annotations

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# The key of SocialLogin.state that carries the raw ID token from the callback to the login.
ID_TOKEN_STATE_KEY = "spid_cie_id_token"  # noqa: S105 - a key name, not a secret


class SpidCieOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        # The callback view sets login.state after this returns; the adapter's pre_social_login
        # moves the token into it (core.adapters.SocialAccountAdapter).
        login.raw_id_token = (kwargs.get("response") or {}).get("id_token") or ""
        return login


def start_token(request: HttpRequest) -> str:
    """The token the SPID/CIE buttons carry (core.templatetags.spid_cie). The buttons are links
    (SOCIALACCOUNT_LOGIN_ON_GET), so this does what allauth's POST and CSRF check would: a
    login or a link started from another site (to link the attacker's identity to the victim's
    account, or log the victim in as the attacker) lacks the token bound to this browser's CSRF
    cookie, and is refused."""
    get_token(request)  # the CSRF cookie is set with this response if it was not
    return _token_for(request.META["CSRF_COOKIE"])


def _token_for(secret: str) -> str:
    return salted_hmac("core.oidc.start", secret).hexdigest()[:32]


def _started_here(request: HttpRequest) -> bool:
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    token = request.GET.get("token", "")
    return bool(secret and token) and constant_time_compare(token, _token_for(secret))


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    if request.method == "GET" and not _started_here(request):
        return render(
            request,
            "core/identity_refused.html",
            {
                "message": _(
                    "Questo collegamento per entrare con SPID o CIE non è stato aperto da una pagina del portale, oppure è scaduto: riprova dalla pagina di accesso."
                ),
                "show_login": True,
            },
            status=403,
        )
    return _run(OAuth2LoginView, request, provider_id)


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _run(OAuth2CallbackView, request, provider_id)


def _run(view_class, request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's view; a proxy that cannot be reached or answers garbage (its discovery
    document is read at the start and at the callback, and allauth lets those errors through)
    gives a page that says so, not a server error."""
    try:
        return view_class.adapter_view(SpidCieOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc
    except (requests.RequestException, ValueError) as exc:
        logger.warning("SPID/CIE: provider %s not reachable (%r)", provider_id, exc)
        return render(
            request,
            "core/identity_refused.html",
            {
                "message": _(
                    "Il servizio di accesso con SPID o CIE non risponde in questo momento: riprova tra qualche minuto, oppure accedi con e-mail e password."
                ),
                "show_login": not request.user.is_authenticated,
            },
            status=503,
        )
