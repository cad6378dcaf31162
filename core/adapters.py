from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from core import mail


class AccountAdapter(DefaultAccountAdapter):
    """Account e-mails (verification, password reset) go through the portal's outbox, so they are
    retried when the mail server is down and visible to administrators when they fail."""

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
