from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import identity, mail, services
from core.models import User
from core.oidc.views import ID_TOKEN_STATE_KEY, SpidCieOAuth2Adapter

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Account e-mails (verification, password reset) go through the portal's outbox, so they are
    retried when the mail server is down and visible to administrators when they fail.

    Failed logins. allauth 65 counts them under ACCOUNT_RATE_LIMITS["login_failed"]: per client
    address ("10/m/ip") and per key ("5/5m/key"), its key being the account alone, so five wrong
    passwords from anywhere locked the owner out too. Here the key is the account *and* the
    address: a guessing address is locked for that account, the owner logs in from theirs. Guessing
    spread over many addresses meets a ceiling per account ("login_failed_account", counted the
    same way: consumed before the password is checked, given back when it is right)."""

    ACCOUNT_CEILING = "login_failed_account"

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}@{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)
        self._account_ceiling_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action=self.ACCOUNT_CEILING,
            key=super()._get_login_attempts_cache_key(request, **credentials),
        )
        if not self._account_ceiling_usage:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_ceiling_usage", None)
        if usage:
            usage.rollback()

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        """After a SPID/CIE session, the logout continues at the provider when it offers one
        (OpenID Connect RP-initiated logout, `end_session_endpoint`) and comes back home.
        allauth asks for this URL before it ends the session."""
        ending = identity.session_identity(request)
        url = provider_logout_url(request, ending) if ending else ""
        return url or super().get_logout_redirect_url(request)

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        text = message.body
        if message.content_subtype == "html":
            html, text = message.body, ""
        mail.enqueue_rendered(
            to=email, subject=message.subject, text=text, html=html, template=template_prefix
        )


def provider_logout_url(request: HttpRequest, ending: dict[str, Any]) -> str:
    """The provider's end_session_endpoint with the ID token of the session and the way back
    (the portal's home, to register at the provider as post-logout redirect URI); "" when the
    provider has none or cannot be reached (the portal's own logout is done anyway)."""
    scheme = ending.get("scheme", "")
    if scheme not in identity.configured_schemes():
        return ""
    try:
        adapter = SpidCieOAuth2Adapter(request, scheme)
        endpoint = adapter.openid_config.get("end_session_endpoint", "")
        client_id = adapter.get_provider().app.client_id
    except (requests.RequestException, ValueError) as exc:
        logger.warning("SPID/CIE logout: provider %s not reachable (%s)", scheme, exc)
        return ""
    if not endpoint:
        return ""
    params = {
        "client_id": client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("core:home")),
    }
    if ending.get("id_token"):
        params["id_token_hint"] = ending["id_token"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """SPID and CIE logins (core.identity). The account a login opens is found by the fiscal
    code the identity provider proves, never by e-mail:
    - the identity already used before (same provider and `sub`): its account, if its fiscal
      code is the same;
    - otherwise the account holding that fiscal code (linked through SPID/CIE before, or set by
      a superuser): the new identity is linked to it;
    - otherwise a new account, with the e-mail the provider vouches for (verified unless the
      provider says it is not). When that address already belongs to an account, the login is
      refused, never merged: its owner logs in with the password and links SPID/CIE from "La
      mia area". Without an address allauth's sign-up page asks for one, which must then be
      confirmed by e-mail like any other.
    A logged-in person links SPID/CIE ("connect") unless the fiscal code is another account's,
    or their account already has a different one. Missing or invalid fiscal codes: refused."""

    def person(self, sociallogin: SocialLogin) -> identity.Identity:
        return identity.identity_from_claims(
            sociallogin.account.provider, identity.claims_of(sociallogin.account.extra_data)
        )

    def refuse(self, request: HttpRequest, message: str, **context: Any):
        return ImmediateHttpResponse(
            render(
                request,
                "core/identity_refused.html",
                {"message": message, **context},
                status=403,
            )
        )

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.account.provider not in identity.SCHEMES:
            return
        try:
            person = self.person(sociallogin)
        except identity.IdentityRefused as exc:
            raise self.refuse(request, exc.message) from exc
        if raw := getattr(sociallogin, "raw_id_token", ""):
            sociallogin.state[ID_TOKEN_STATE_KEY] = raw
        label = identity.SCHEME_LABELS[person.scheme]
        owner = User.objects.filter(fiscal_code=person.fiscal_code).first()
        other_account = _(
            "Questa identità %(scheme)s appartiene a una persona che ha già un altro account nel portale: accedi con quello."
        ) % {"scheme": label}
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            user = request.user
            if owner is not None and owner != user:
                raise self.refuse(request, other_account)
            if user.fiscal_code and user.fiscal_code != person.fiscal_code:
                raise self.refuse(
                    request,
                    _(
                        "Il tuo account è collegato a un'identità digitale con un altro codice fiscale: non puoi collegarne una di un'altra persona."
                    ),
                )
            return
        if sociallogin.is_existing:
            user = sociallogin.user
            if (user.fiscal_code and user.fiscal_code != person.fiscal_code) or (
                owner is not None and owner != user
            ):
                logger.warning("SPID/CIE login refused: %s subject with another fiscal code", label)
                raise self.refuse(
                    request,
                    _(
                        "Questa identità %(scheme)s non corrisponde all'account a cui era collegata: l'accesso non è possibile. Scrivi all'Ufficio di Piano."
                    )
                    % {"scheme": label},
                )
            return
        if owner is not None:
            sociallogin.connect(request, owner)
            return
        email = person.contact.email
        if email and (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise self.refuse(
                request,
                _(
                    "Esiste già un account del portale con l'indirizzo %(email)s, non collegato a questa identità %(scheme)s. Per sicurezza il portale non unisce gli account in base all'e-mail: accedi con e-mail e password, poi collega %(scheme)s da «La mia area». Se non ricordi la password, puoi reimpostarla."
                )
                % {"email": email, "scheme": label},
                show_login=True,
            )

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None):
        if sociallogin.account.provider not in identity.SCHEMES:
            return super().save_user(request, sociallogin, form=form)
        person = self.person(sociallogin)
        sociallogin.user.fiscal_code = person.fiscal_code
        user = super().save_user(request, sociallogin, form=form)
        services.identity_linked(user=user, person=person, how="signup")
        return user


def on_social_account_added(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs):
    """A SPID/CIE identity linked to an existing account (from "La mia area", or found by its
    fiscal code at login): the account takes the fiscal code; a link made by a logged-in person
    authenticates their session with SPID/CIE too."""
    if sociallogin.account.provider not in identity.SCHEMES:
        return
    person = SocialAccountAdapter().person(sociallogin)
    logged_in = request.user.is_authenticated and request.user.pk == sociallogin.user.pk
    services.identity_linked(
        user=sociallogin.user, person=person, how="connect" if logged_in else "fiscal_code"
    )
    if logged_in:
        request.user.fiscal_code = person.fiscal_code
        identity.remember(request, person, id_token=sociallogin.state.get(ID_TOKEN_STATE_KEY, ""))


def on_user_logged_in(sender, request: HttpRequest, user: User, **kwargs):
    """The session remembers whether it was opened with SPID/CIE, and at which level."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None or sociallogin.account.provider not in identity.SCHEMES:
        identity.forget(request)
        return
    person = SocialAccountAdapter().person(sociallogin)
    identity.remember(request, person, id_token=sociallogin.state.get(ID_TOKEN_STATE_KEY, ""))
