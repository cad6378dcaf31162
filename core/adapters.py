from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest

from core import mail


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
