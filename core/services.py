"""State changes of core: erasing a user's personal data."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core import audit, registry
from core.models import Notification, User


@transaction.atomic
def user_erase(*, user: User) -> None:
    """GDPR art. 17: the account is anonymised, not deleted, so that official records that must be
    kept (applications to procedures, minutes: art. 17(3)(b)) keep pointing at a row, now
    pseudonymous. Apps erase or pseudonymise their own data through registered erasers."""
    registry.erase_personal_data(user)
    audit.record(actor=user, action="account.erased", obj=user)
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
    user.email = f"cancellato-{user.pk}@invalid.example"
    user.first_name = ""
    user.last_name = "Utente cancellato"
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.anonymised_at = timezone.now()
    user.set_unusable_password()
    user.save()
