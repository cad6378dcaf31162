"""State changes of core: erasing a user's personal data."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core import audit, registry
from core.models import AuditEvent, Notification, OutgoingEmail, User


def account_personal_data(user: User) -> dict:
    """What the account layer (allauth, audit trail, outbox) holds about the user, for the GDPR
    download: e-mail addresses, second factors (their kind, never the secrets), open sessions,
    the changes the user made, the e-mails the portal sent them."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    return {
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "second_factors": list(
            Authenticator.objects.filter(user=user).values("type", "created_at", "last_used_at")
        ),
        "sessions": list(
            UserSession.objects.filter(user=user).values(
                "ip", "user_agent", "created_at", "last_seen_at"
            )
        ),
        "changes_made": list(
            AuditEvent.objects.filter(actor=user).values(
                "created_at", "action", "object_repr", "reason"
            )[:5000]
        ),
        "emails_sent_to_you": list(
            OutgoingEmail.objects.filter(to__iexact=user.email).values(
                "created_at", "subject", "status", "sent_at"
            )[:5000]
        ),
    }


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
    # The outbox kept copies of the messages sent to the user: drop those already dealt with.
    OutgoingEmail.objects.filter(to__iexact=user.email).exclude(
        status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING]
    ).delete()
    # The audit trail stays (who did what is a legal record), pseudonymised: the actor keeps
    # pointing at the (anonymised) row, the e-mail in actor_repr goes.
    pseudonym = f"utente-cancellato-{user.pk}"
    AuditEvent.objects.filter(actor=user).update(actor_repr=pseudonym)
    AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=pseudonym)
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
