from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Account e-mails carry the portal's name; login lands in "my area" or where it was going."""

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL
